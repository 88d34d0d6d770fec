"""The built-in exercises behave as a couples therapist would sign off (issue 9).

On the real scripts in scripts/nl and scripts/en, with generated speech where pace
matters (espeak-ng, Dutch, at an ordinary conversational pace of about 4.7 syllables
per second, and a calm one of about 3):

- the evening check-in never nudges ordinary-pace speech; the slowed-down talking does,
  judged against the couple's own calm pace where a calibration measured it;
- the repair talk's consent question on silence takes the safe answer and says so;
- without names no "Partner een", in any script;
- the new exercise on the negative cycle runs end to end in both languages, every step
  reached, and who begins alternates from one evening to the next.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from tests import speechgen
from tests.engine_support import events_of, place, run, silence, with_noise_floor
from tests.fakes import AnsweringRecognizer
from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.sim import TrackSpeaker, WavMicrophone
from voice_coach.config import ListenSettings, builtin_scripts_dir
from voice_coach.engine.build import Ports, audio_session
from voice_coach.engine.couple import CoupleRecord
from voice_coach.engine.events import EventLog
from voice_coach.script.load import load_script
from voice_coach.script.model import Repeat, Script
from voice_coach.speech.voice import FakeVoice

SCRIPTS = builtin_scripts_dir()
ORDINARY_WPM = 170
"""espeak-ng Dutch at this speed runs about 4.7 syllables per second of speech: an
ordinary conversational pace (4 to 6 is normal speech)."""
CALM_WPM = 110
"""About 3 syllables per second: calm and deliberate."""


def _script(name: str) -> Script:
    return load_script(next(SCRIPTS.glob(f"*/{name}.yaml")))


@cache
def _monologue(wpm: int, sentences: int = 10) -> AudioChunk:
    """Dutch sentences at `wpm`, with short breaths between them."""
    scene = speechgen.Scene()
    pool = speechgen.SENTENCES["nl"]
    for i in range(sentences):
        scene.say(speechgen.espeak(pool[i % len(pool)][0], "nl", wpm), -24.0, pause=0.5)
    return AudioChunk(scene.samples, LISTEN_RATE)


def _first(log: EventLog, kind: str) -> float:
    return float(events_of(log, kind)[0]["t"])


def _with_speech(script: Script, clips: list[tuple[str, AudioChunk]], total: float) -> AudioChunk:
    """Silence of `total` seconds with each clip placed 0.5 s after, in a dry (silent) run,
    the first turn started or the calibration's prompt ended."""
    _, dry, _, _ = run(script, silence(total))
    mic = silence(total)
    for kind, clip in clips:
        if kind == "calibrate":
            events = [e.to_dict() for e in dry.events]
            begun = next(i for i, e in enumerate(events) if e.get("kind") == "calibrate")
            prompt = next(e for e in events[begun:] if e["type"] == "said")
            at = prompt["t"] + prompt["seconds"]
        else:
            at = _first(dry, kind)
        mic = place(mic, clip, at + 0.5)
    return with_noise_floor(mic)


# -- pace: only where it is the exercise ----------------------------------------------


def test_the_check_in_does_not_nudge_an_ordinary_pace() -> None:
    script = _script("avond-checkin")
    mic = _with_speech(script, [("turn_started", _monologue(ORDINARY_WPM))], 900)
    _, log, _, _ = run(script, mic)
    assert events_of(log, "pace_feedback") == []
    said = [e["text"] for e in events_of(log, "said")]
    assert not any("langzamer" in line or "lettergrepen" in line for line in said)
    (summary,) = events_of(log, "session_summary")
    assert summary["pace"]["Anna"] > 4.0  # it was ordinary speech, measured, not nagged


def test_the_slowed_down_talking_nudges_an_ordinary_pace() -> None:
    script = _script("vertraagd-praten")
    # The calibration hears calm talk (about 3 syllables/s); the first turn is ordinary.
    clips = [("calibrate", _monologue(CALM_WPM, 4)), ("turn_started", _monologue(ORDINARY_WPM))]
    _, log, _, _ = run(script, _with_speech(script, clips, 1000))
    (calm,) = events_of(log, "calm_pace")
    assert calm["syllables_per_s"] < 3.5  # below the target: the target is the reference
    (nudge,) = events_of(log, "pace_feedback")
    assert nudge["speaker"] == "Anna" and nudge["syllables_per_s"] > 3.5 * 1.3
    said = [e["text"] for e in events_of(log, "said")]
    assert "Anna, probeer wat langzamer te praten. Er is tijd genoeg." in said


def test_the_slowed_down_talking_judges_against_the_couples_own_calm_pace() -> None:
    script = _script("vertraagd-praten")
    # This couple's calm talk is itself ordinary-paced: the same pace in a turn is theirs.
    clips = [
        ("calibrate", _monologue(ORDINARY_WPM, 4)),
        ("turn_started", _monologue(ORDINARY_WPM)),
    ]
    _, log, _, _ = run(script, _with_speech(script, clips, 1000))
    (calm,) = events_of(log, "calm_pace")
    assert calm["syllables_per_s"] > 4.2
    assert events_of(log, "pace_feedback") == []


def test_a_calm_pace_from_an_earlier_evening_is_the_reference() -> None:
    """No calibration tonight: the record of an earlier one sets the reference."""
    from voice_coach.engine.session import Session

    script = _script("vertraagd-praten")
    ports = Ports(WavMicrophone(silence(10)), TrackSpeaker(), FakeVoice())
    session, _ = audio_session(
        script, ListenSettings(), ports, "simulated", EventLog(), couple=CoupleRecord(calm_pace=5.0)
    )
    assert isinstance(session, Session)
    assert session._pace_limit(session.settings) == pytest.approx(5.0 * 1.3)
    fresh, _ = audio_session(script, ListenSettings(), ports, "simulated", EventLog())
    assert fresh._pace_limit(fresh.settings) == pytest.approx(3.5 * 1.3)
    checkin = _script("avond-checkin")
    calm, _ = audio_session(
        checkin,
        ListenSettings(),
        ports,
        "simulated",
        EventLog(),
        couple=CoupleRecord(calm_pace=3.0),
    )
    assert calm._pace_limit(calm.settings) is None  # the check-in watches no pace


# -- consent ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "unheard", "ending"),
    [
        (
            "herstelgesprek",
            "Ik hoorde geen antwoord, dus ik houd het op nee.",
            "Dan is het vanavond",
        ),
        ("repair", "I didn't hear an answer, so I'll take it as no.", "Then tonight is too soon"),
    ],
)
def test_the_repair_talk_takes_silence_as_no_and_says_so(
    name: str, unheard: str, ending: str
) -> None:
    script = _script(name)
    reason, log, _, _ = run(script, silence(600), AnsweringRecognizer([], listen_for="x"))
    said = [e["text"] for e in events_of(log, "said")]
    assert said[-2] == unheard and said[-1].startswith(ending)
    assert reason == "end_step"
    assert not events_of(log, "turn_started")  # nothing went on without consent
    (answer,) = events_of(log, "answer")
    assert answer["default"] and answer["matched"] in ("nee", "no")


# -- names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", sorted(SCRIPTS.glob("*/*.yaml")), ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_without_names_no_script_says_partner_or_a_placeholder(path: Path) -> None:
    script = load_script(path)
    no = {"nl": "nee", "en": "no"}[script.language]
    yes = AnsweringRecognizer(["ja" if no == "nee" else "yes"] * 50, listen_for=no)
    _, log, _, _ = run(script, silence(3600), yes, names=())
    said = [e["text"] for e in events_of(log, "said")]
    assert len(said) > 10
    for line in said:
        assert "Partner" not in line and "partner een" not in line.lower(), line
        assert "{" not in line and not line.startswith((",", " ")), line
        assert " ," not in line and ",," not in line, line


# -- the negative cycle ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["ons-patroon", "our-pattern"])
def test_the_pattern_exercise_runs_end_to_end_with_every_step(name: str) -> None:
    script = _script(name)
    reason, log, _, _ = run(script, silence(3600))
    assert reason == "done"
    reached = [e["step"] for e in events_of(log, "step_started")]
    top = [s for s in reached if "." not in s]
    assert top == [str(i) for i in range(len(script.steps))]
    (index, repeat) = next((i, s) for i, s in enumerate(script.steps) if isinstance(s, Repeat))
    inner = [s for s in reached if s.startswith(f"{index}.")]
    assert inner == [f"{index}.{i}" for i in range(len(repeat.steps))] * repeat.times
    turns = events_of(log, "turn_started")
    rounds = [t["speaker"] for t in turns if t["role"] != "both"][: 2 * 6]
    assert rounds[:6] == ["Anna", "Bram"] * 3  # first round: Anna tells, Bram says back
    assert rounds[6:12] == ["Bram", "Anna"] * 3  # then the roles swap
    assert any(t["role"] == "both" for t in turns)  # the shared sentence
    assert events_of(log, "session_ended")[0]["reason"] == "done"


def test_who_begins_the_pattern_alternates_between_evenings() -> None:
    script = _script("ons-patroon")
    couple = CoupleRecord()
    firsts = []
    for _ in range(3):
        ports = Ports(WavMicrophone(silence(3600)), TrackSpeaker(), FakeVoice())
        log = EventLog()
        session, _ = audio_session(
            script, ListenSettings(), ports, "simulated", log, ("Anna", "Bram"), 0, couple=couple
        )
        session.run()
        firsts.append(
            next(e["speaker"] for e in events_of(log, "turn_started") if e["role"] != "both")
        )
    assert firsts == ["Anna", "Bram", "Anna"]
