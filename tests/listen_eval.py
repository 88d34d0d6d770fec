"""The generated evaluation set of the listening stack: rises, confounders, calm talk, pace.

Every case is a stretch of a session a couple could make, built at test time from
espeak-ng and the Piper joe voice (tests/speechgen.py), seeded, so every run hears
exactly the same audio. Partners differ: A is 4 dB quieter than B and has the
lower voice; the couple speaks at -26 dBFS at a near microphone and -40 dBFS at a
far one (room noise -65 and -62 dBFS).

A case starts like a session: open talk (no turn), then a turn of A and a turn of
B (so both partners' own levels can be learned), then what the case is about,
inside a turn of one partner:

* rises: that partner gets +6/+8/+10/+14 dB louder for four sentences, and their
  voice `PITCH_PER_DB` semitones per dB higher (a raised voice rises in pitch);
* confounders: laughs, coughs, claps, a door, 0.3 s bursts inside sentences, a TV
  switched on, a partner leaning in (+6 dB, same pitch);
* calm: a long stretch of calm turns over a fan and a TV.

`hear_case` runs a `Listener` over a case the way the engine does: 30 ms blocks,
`start_turn(role)` where a turn starts. Cases with the same beginning share it:
the listener after the shared beginning is copied, not run again.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np

import tests.speechgen as gen
from voice_coach.config import ListenSettings
from voice_coach.listen.level import band_dbfs
from voice_coach.listen.listener import BLOCK_SECONDS, Hearing, Listener
from voice_coach.listen.raised import RaisedVoiceDetector, speech_level

Role = Literal["A", "B"] | None
BLOCK = 480
"""Samples per block (30 ms at 16 kHz), as the engine feeds them."""

DISTANCES = {"near": -26.0, "far": -40.0}
"""dBFS (RMS over speech) of the couple's calm speech at each microphone."""
ROOM_NOISE = {"near": -65.0, "far": -62.0}
"""dBFS of the room's hiss at each microphone (the far one hears relatively more)."""
PARTNER_DB = {"A": -2.0, "B": 2.0}
"""dB each partner speaks off the couple's level: A is the quieter one."""
VOICES = {"en": {"A": "piper", "B": "en+f3"}, "nl": {"A": "nl", "B": "nl+f2"}}
"""Voices per language and partner: A low (the Piper joe voice in English), B high."""
PITCH_PER_DB = gen.PITCH_PER_DB
"""Semitones a raised voice's pitch rises per dB of loudness."""
RISES_DB = (6.0, 8.0, 10.0, 14.0)
"""The rises of the set, dB over the partner's calm level."""
LEAN_IN_DB = 6.0
"""dB a partner leaning towards the microphone gets louder (half the distance)."""
TV_DBFS = -35.0
"""dBFS of a TV switched on: under a near couple, above a far one."""


@dataclass
class Case:
    """One generated stretch of a session and what is truly in it."""

    name: str
    kind: Literal["rise", "confounder", "calm"]
    distance: str
    language: str
    samples: np.ndarray
    """Mono float32 at 16 kHz."""
    turns: list[tuple[float, Role]]
    """(second, role): where the engine would call `start_turn(role)`."""
    speech: list[tuple[float, float]]
    """(start, end) seconds of every sentence of the couple."""
    rise: tuple[float, float] | None = None
    """(start, end) seconds of the raised sentences, for rises."""
    rise_db: float = 0.0
    partner: Role = None
    prefix: tuple[object, ...] | None = None
    """Key of the beginning this case shares with others (None: shares nothing)."""
    prefix_s: float = 0.0
    """Seconds of that shared beginning."""

    @property
    def seconds(self) -> float:
        return len(self.samples) / gen.RATE


@lru_cache(maxsize=4)
def _room(distance: str) -> np.ndarray:
    """A long, fixed stretch of room hiss: every case cuts its own from the start."""
    return gen.normalise(gen.coloured_noise(240.0, 1.0, 7), ROOM_NOISE[distance])


@dataclass
class _Builder:
    """Lays sentences end to end and mixes sounds over them."""

    language: str
    distance: str
    parts: list[np.ndarray] = field(default_factory=list)
    t: float = 0.0
    turns: list[tuple[float, Role]] = field(default_factory=list)
    speech: list[tuple[float, float]] = field(default_factory=list)
    overlays: list[tuple[float, np.ndarray]] = field(default_factory=list)
    said: int = 0

    def turn(self, role: Role) -> _Builder:
        self.turns.append((self.t, role))
        return self

    def say(self, role: Literal["A", "B"], db: float = 0.0, semitones: float = 0.0) -> float:
        """The next sentence by `role`, `db` over their calm level and `semitones`
        higher; returns its start.

        Calm sentences are scaled by RMS, so they vary in level as speech does. A raised
        one is scaled so that its active speech level (`_active_level`: where voices are
        heard, as the listener measures them) lies `db` over the same voice's calm
        sentences. Scaling it by RMS over the whole band, as the set did at first, made
        the low Piper voice's pitch-shifted sentences come out 5.4 to 8.7 dB louder for
        "+8 dB", so a "+8 dB" case held a +6 dB raise; a real raised voice does the
        opposite, its spectrum tilting up so the speech band gains more than the whole
        (Traunmueller & Eriksson, 2000)."""
        sentences = gen.SENTENCES[self.language]
        text = sentences[self.said % len(sentences)][0]
        voice = VOICES[self.language][role]
        level = DISTANCES[self.distance] + PARTNER_DB[role] + (self.said % 3 - 1) * 0.7
        utterance = gen.voiced(voice, text, semitones)
        if db or semitones:
            target = level + _calm_active_level(voice, self.language) + db
            samples = gen.gain(utterance.samples, target - _active_level(utterance.samples))
        else:
            samples = gen.normalise(utterance.samples, level)
        start = self.t
        self.parts.append(samples)
        self.t += utterance.seconds
        self.speech.append((start, self.t))
        self.pause(0.35 + 0.15 * (self.said % 3))
        self.said += 1
        return start

    def pause(self, seconds: float) -> None:
        self.parts.append(np.zeros(round(seconds * gen.RATE), np.float32))
        self.t += seconds

    def mix(self, sound: np.ndarray, at: float) -> None:
        self.overlays.append((at, sound))

    def opening(self) -> _Builder:
        """Open talk (four sentences), then a turn of A and a turn of B (four each)."""
        self.turn(None)
        for role in ("A", "B", "A", "B"):
            self.say(role)
        for role in ("A", "B"):
            self.turn(role)
            for _ in range(4):
                self.say(role)
        return self

    def build(self, name: str, kind: Literal["rise", "confounder", "calm"], **kw: object) -> Case:
        samples = np.concatenate(self.parts).astype(np.float32)
        room = _room(self.distance)
        reps = int(np.ceil(len(samples) / len(room)))
        samples += np.tile(room, reps)[: len(samples)]
        for at, sound in self.overlays:
            start = round(at * gen.RATE)
            part = sound[: max(0, len(samples) - start)]
            samples[start : start + len(part)] += part
        return Case(
            name, kind, self.distance, self.language, samples, self.turns, self.speech, **kw
        )  # type: ignore[arg-type]


def _active_level(samples: np.ndarray) -> float:
    """The level a listener hears of one sentence, dBFS: the 80th percentile of the
    speech-band levels of its 30 ms blocks within 35 dB of the loudest (its active
    speech, as `raised.speech_level` measures speech)."""
    levels = np.array(
        [
            band_dbfs(samples[i : i + BLOCK], gen.RATE)
            for i in range(0, len(samples) - BLOCK + 1, BLOCK)
        ]
    )
    return speech_level(levels[levels >= levels.max() - 35.0])


@lru_cache(maxsize=8)
def _calm_active_level(voice: str, language: str) -> float:
    """dB the active speech level (`_active_level`) of `voice`'s calm sentences lies
    over their RMS level: the median over the language's sentences."""
    return float(
        np.median(
            [
                _active_level(gen.normalise(gen.voiced(voice, text).samples, -20.0)) + 20.0
                for text, _ in gen.SENTENCES[language]
            ]
        )
    )


def _other(role: Literal["A", "B"]) -> Literal["A", "B"]:
    return "B" if role == "A" else "A"


def _raised_sentences(
    b: _Builder, partner: Literal["A", "B"], rise_db: float, calm_before: int
) -> tuple[float, float]:
    """`calm_before` calm sentences by `partner`, four raised, two calm; the (start,
    end) seconds of the raised ones."""
    for _ in range(calm_before):
        b.say(partner)
    semitones = PITCH_PER_DB * rise_db
    start = b.say(partner, rise_db, semitones)
    for _ in range(3):
        b.say(partner, rise_db, semitones)
    end = b.speech[-1][1]
    b.say(partner)
    b.say(partner)
    return start, end


def rise_case(rise_db: float, distance: str, partner: Literal["A", "B"], language: str) -> Case:
    """Calm opening; in `partner`'s turn two calm sentences, four raised, two calm."""
    b = _Builder(language, distance).opening()
    prefix_s = b.t
    b.turn(partner)
    start, end = _raised_sentences(b, partner, rise_db, calm_before=2)
    return b.build(
        f"rise +{rise_db:.0f} dB {distance} by {partner} ({language})",
        "rise",
        rise=(start, end),
        rise_db=rise_db,
        partner=partner,
        prefix=("opening", language, distance),
        prefix_s=prefix_s,
    )


def turn_rise(rise_db: float, distance: str, partner: Literal["A", "B"], language: str) -> Case:
    """One turn on its own (as a session's first): five calm sentences, four raised,
    two calm; `turns` is empty (the engine starts the turn itself)."""
    b = _Builder(language, distance)
    start, end = _raised_sentences(b, partner, rise_db, calm_before=5)
    case = b.build(
        f"turn rise +{rise_db:.0f} dB {distance} by {partner} ({language})",
        "rise",
        rise=(start, end),
        rise_db=rise_db,
        partner=partner,
    )
    case.turns = []
    return case


def open_rise(
    rise_db: float, distance: str, partner: Literal["A", "B"], language: str, pairs: bool
) -> Case:
    """Open talk from the first word, no turn at all (a check-in's questions): the
    partners take four sentences each in turn, then `partner` speaks four raised
    sentences, the other two calm ones between: after every second raised one
    (`pairs`), or after the first and the third. Only the shared reference and its
    voices can tell."""
    b = _Builder(language, distance).turn(None)
    for role in ("A", "B") * 4:
        b.say(role)
    semitones = PITCH_PER_DB * rise_db
    start = b.t
    for k in range(4):
        b.say(partner, rise_db, semitones)
        if k in ((1, 3) if pairs else (0, 2)):
            b.say(_other(partner))
    end = b.speech[-1][1] if pairs else b.speech[-2][1]
    b.say(_other(partner))
    b.say(partner)
    return b.build(
        f"open-talk rise +{rise_db:.0f} dB {distance} by {partner} ({language}, "
        f"{'pairs' if pairs else 'single'})",
        "rise",
        rise=(start, end),
        rise_db=rise_db,
        partner=partner,
    )


def open_rise_set() -> list[Case]:
    """`open_rise` of +8/+10/+14 dB near and far, by either partner, in both languages,
    the raised sentences in pairs and one by one."""
    return [
        open_rise(rise, distance, partner, language, pairs)
        for distance in DISTANCES
        for rise in RISES_DB[1:]
        for partner in ("A", "B")
        for language in ("en", "nl")
        for pairs in (True, False)
    ]


def _inside(b: _Builder, index: int, fraction: float = 0.5) -> float:
    start, end = b.speech[index]
    return start + fraction * (end - start)


def _after(b: _Builder, index: int) -> float:
    return b.speech[index][1] + 0.05


Confounder = Callable[[_Builder, Literal["A", "B"], float], None]


def _laugh_in_pause(b: _Builder, who: Literal["A", "B"], level: float) -> None:
    for i in range(4):
        b.say(who)
        if i in (0, 2):  # the speaker laughs at their own words
            b.mix(gen.laugh(level + 12.0, 0.8, VOICES[b.language][who]), b.t)
            b.pause(1.0)


def _laugh_over_speech(b: _Builder, who: Literal["A", "B"], level: float) -> None:
    for i in range(4):
        b.say(who)
        if i in (1, 3):  # the other one laughs over them
            laugh = gen.laugh(level + 10.0, 1.0, VOICES[b.language][_other(who)])
            b.mix(laugh, _inside(b, -1, 0.7))


def _burst_in_speech(b: _Builder, who: Literal["A", "B"], level: float) -> None:
    for i in range(4):
        b.say(who)
        b.mix(gen.burst(level + 18.0, 0.3, seed=20 + i), _inside(b, -1, 0.3 + 0.1 * i))


def _door(b: _Builder, who: Literal["A", "B"], level: float) -> None:
    for i in range(4):
        b.say(who)
        b.mix(gen.door(level + 20.0, seed=30 + i), _after(b, -1) if i % 2 else _inside(b, -1))


def _claps(b: _Builder, who: Literal["A", "B"], level: float) -> None:
    for i in range(4):
        b.say(who)
        if i in (0, 2):
            b.mix(gen.claps(level + 15.0, 6, 0.3, seed=40 + i), b.t)
            b.pause(2.0)


def _coughs(b: _Builder, who: Literal["A", "B"], level: float) -> None:
    for i in range(4):
        b.say(who)
        b.mix(gen.cough(level + 12.0, seed=50 + i), _inside(b, -1, 0.6) if i % 2 else b.t)
        b.pause(0.3)


def _tv_on(b: _Builder, who: Literal["A", "B"], level: float) -> None:
    b.say(who)
    at = b.t
    for _ in range(7):
        b.say(who)
    b.mix(gen.tv(b.t - at + 1.0, TV_DBFS, seed=60), at)


def _lean_in(b: _Builder, who: Literal["A", "B"], level: float) -> None:
    b.say(who)
    for _ in range(4):
        b.say(who, LEAN_IN_DB)
    b.say(who)


CONFOUNDERS: dict[str, Confounder] = {
    "laugh in a pause": _laugh_in_pause,
    "laugh over speech": _laugh_over_speech,
    "0.3 s burst in a sentence": _burst_in_speech,
    "door slam": _door,
    "claps": _claps,
    "coughs": _coughs,
    "TV switched on": _tv_on,
    "leaning in": _lean_in,
}
"""Sounds that are not a raised voice, each made inside a partner's turn."""


def confounder_case(name: str, distance: str, partner: Literal["A", "B"], language: str) -> Case:
    """Calm opening; then `name` happens in `partner`'s turn."""
    b = _Builder(language, distance).opening()
    prefix_s = b.t
    b.turn(partner)
    CONFOUNDERS[name](b, partner, DISTANCES[distance])
    b.say(partner)
    return b.build(
        f"{name} {distance} ({partner}, {language})",
        "confounder",
        partner=partner,
        prefix=("opening", language, distance),
        prefix_s=prefix_s,
    )


def calm_case(distance: str, language: str, minutes: float, seed: int = 0) -> Case:
    """Calm turns and open talk over a fan (-45 dBFS) and, later, a TV (-48 dBFS)."""
    b = _Builder(language, distance)
    b.said = seed
    roles: tuple[Role, ...] = (None, "A", "B")
    i = 0
    while b.t < minutes * 60:
        role = roles[i % 3]
        b.turn(role)
        for k in range(6):
            b.say(role or ("A", "B")[k % 2])
        b.pause(1.0)
        i += 1
    b.mix(gen.fan(b.t, -45.0, seed=seed + 1), 0.0)
    b.mix(gen.tv(b.t / 2, -48.0, seed=seed + 2), b.t / 2)
    return b.build(f"calm {minutes:g} min {distance} ({language}), fan, TV", "calm")


def rise_set() -> list[Case]:
    """Every rise near and far by either partner, English and Dutch in turn (so each
    voice, the Piper one too, makes every rise at one of the microphones)."""
    cases = []
    for distance in DISTANCES:
        for n, rise in enumerate(RISES_DB):
            for partner in ("A", "B"):
                language = ("en", "nl")[(n + (partner == "B") + (distance == "far")) % 2]
                cases.append(rise_case(rise, distance, partner, language))
    return cases


def confounder_set() -> list[Case]:
    """Every confounder near and far, by A and B and in both languages in turn."""
    cases = []
    for distance in DISTANCES:
        for n, name in enumerate(CONFOUNDERS):
            partner: Literal["A", "B"] = ("A", "B")[n % 2]
            language = ("en", "nl")[(n // 2 + (distance == "far")) % 2]
            cases.append(confounder_case(name, distance, partner, language))
    return cases


# -- hearing ----------------------------------------------------------------------------


def _start_turn(listener: Listener, role: Role) -> None:
    listener.start_turn(role)


def _feed(listener: Listener, case: Case, start_s: float, end_s: float) -> Iterator[Hearing]:
    turns = [(round(t * gen.RATE / BLOCK), role) for t, role in case.turns]
    first = round(start_s * gen.RATE / BLOCK)
    last = min(round(end_s * gen.RATE / BLOCK), len(case.samples) // BLOCK)
    for i in range(first, last):
        for at, role in turns:
            if at == i:
                _start_turn(listener, role)
        yield listener.hear(case.samples[i * BLOCK : (i + 1) * BLOCK])


class Ear:
    """Runs listeners over cases, sharing the work of a common beginning."""

    def __init__(
        self, settings: ListenSettings | None = None, detector: dict[str, float] | None = None
    ) -> None:
        self.settings = settings or ListenSettings()
        self.detector = detector or {}
        """Keyword arguments that replace the raised-voice detector's defaults."""
        self._after_prefix: dict[tuple[object, ...], tuple[Listener, list[Hearing]]] = {}

    def listener(self) -> Listener:
        """A fresh Listener with these settings (and detector arguments)."""
        listener = Listener(self.settings)
        if self.detector:
            listener.raised = RaisedVoiceDetector(
                BLOCK_SECONDS,
                threshold_db=self.settings.raised_voice_db,
                sustain_seconds=self.settings.raised_voice_seconds,
                cooldown_seconds=self.settings.breathing_cooldown,
                **self.detector,
            )
        return listener

    def hear(self, case: Case) -> list[Hearing]:
        """Every block's `Hearing`, in order."""
        if case.prefix is None:
            return list(_feed(self.listener(), case, 0.0, case.seconds))
        if case.prefix not in self._after_prefix:
            listener = self.listener()
            heard = list(_feed(listener, case, 0.0, case.prefix_s))
            self._after_prefix[case.prefix] = (listener, heard)
        listener, heard = self._after_prefix[case.prefix]
        listener = copy.deepcopy(listener)
        return heard + list(_feed(listener, case, case.prefix_s, case.seconds))

    def detections(self, case: Case) -> list[float]:
        """Seconds at which a raised voice was detected."""
        return [
            i * BLOCK / gen.RATE
            for i, h in enumerate(self.hear(case))
            if h.raised_over_db is not None
        ]


@dataclass(frozen=True)
class RiseResult:
    case: Case
    detections: list[float]

    @property
    def latency(self) -> float | None:
        """Seconds from the start of the rise to its detection (None: missed)."""
        assert self.case.rise is not None
        start, end = self.case.rise
        found = [t - start for t in self.detections if start <= t <= end + 1.0]
        return found[0] if found else None

    @property
    def early(self) -> list[float]:
        """Detections before the rise: false alarms."""
        assert self.case.rise is not None
        return [t for t in self.detections if t < self.case.rise[0]]


# -- pace -------------------------------------------------------------------------------

PACE_CONDITIONS = ("clean", "fan", "TV")
"""Backgrounds of the pace runs: none, a fan at -45 dBFS, a TV at -35 dBFS (babble)."""


@dataclass
class PaceRun:
    """Sentences of one voice at one speed, in a background, and their true rate."""

    name: str
    condition: str
    samples: np.ndarray
    true_sps: float
    """Syllables per second of speech (syllables over the trimmed sentences' seconds)."""
    speech: list[tuple[float, float]]


def pace_run(voice: str, wpm: int, condition: str, level: float = -26.0) -> PaceRun:
    """The sentences of the voice's language spoken by `voice` at `wpm`, one after another."""
    language = "en" if voice in ("piper", "en", "en+f3") else "nl"
    scene = gen.Scene()
    utterances = [gen.voiced(voice, t, 0.0, wpm) for t, _ in gen.SENTENCES[language]]
    for u in utterances:
        scene.say(u, level, 0.6)
    gen.room(scene)
    if condition == "fan":
        scene.mix(gen.fan(scene.seconds, -45.0))
    elif condition == "TV":
        scene.mix(gen.tv(scene.seconds, TV_DBFS))
    true = sum(u.syllables for u in utterances) / sum(u.seconds for u in utterances)
    return PaceRun(f"{voice} {wpm} wpm", condition, scene.samples, true, scene.speech)


def measured_pace(run: PaceRun, settings: ListenSettings | None = None) -> float:
    """Syllables per second of speech the Listener measured over the whole run (one turn)."""
    listener = Listener(settings or ListenSettings())
    _start_turn(listener, "A")
    for i in range(0, len(run.samples) - BLOCK + 1, BLOCK):
        listener.hear(run.samples[i : i + BLOCK])
    return listener.pace.rate_sps or 0.0
