"""Raised-voice detection: the speaker's voice clearly and lastingly louder, and higher.

The evidence is the speaker's own voice only: active speech blocks that are voiced
(`pitch`) at a pitch a voice of theirs can have, from `PITCH_BELOW_ST` under to
`PITCH_ABOVE_ST` over their calm pitch. A bang, a clap, a cough or a door has no
pitch and counts for nothing; a laugh (an octave or so over speech) or a child or
TV voice far from theirs neither.

Of that evidence, three statistics are compared with the same statistics of the
speaker's calm speech (a `Reference`, learned in `baseline`):

* the *speech level*, the 80th percentile of the levels (dBFS) of the last
  `sustain_seconds` of evidence: the louder, voiced part of speech, which background
  noise does not reach into; this is the number reported as "dB over the baseline";
* the *bulk level*, the median over the last 1.5 x `sustain_seconds`: it only rises
  when more than half of that stretch is louder;
* the *pitch*, the median of the last `sustain_seconds`, in semitones over the calm
  pitch. A voice that is raised also rises in pitch, 0.2 to 0.6 semitones per dB
  (Gramming et al., 1987); a partner who only leans towards the microphone gets
  louder at the same pitch.

A detection needs the speech level `threshold_db` over the reference, less up to
`pitch_bonus_db` as the pitch rises (`pitch_db_per_st` dB per semitone), and the
bulk level at most `bulk_slack_db` short of that, held for `hold_seconds` of
evidence. So a short laugh or a loud word moves only the speech level, and a
sustained raise is caught within about a second. Pauses and skipped audio (the
coach speaking) add no evidence, so gaps neither help nor hurt. Everything is
relative to the reference: a near or a far microphone behaves alike.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from voice_coach.listen.pitch import semitones

LEVEL_PERCENTILE = 80.0
"""Percentile of block levels that stands for the level of speech."""
BULK_PERCENTILE = 50.0
"""Percentile of block levels that shows whether most of the speech is louder."""
PITCH_BELOW_ST = 8.0
"""Semitones under the calm pitch a block of the speaker's own voice may lie."""
PITCH_ABOVE_ST = 9.0
"""Semitones over the calm pitch a block of the speaker's own voice may lie (a shout
of +15 dB lies about 5 to 9 over; a laugh an octave or more)."""


def speech_level(levels: Iterable[float]) -> float:
    """The level of speech (dBFS) from the levels (dBFS) of its active blocks."""
    return float(np.percentile(np.fromiter(levels, float), LEVEL_PERCENTILE))


def bulk_level(levels: Iterable[float]) -> float:
    """The median level (dBFS) of active speech blocks (levels in dBFS)."""
    return float(np.percentile(np.fromiter(levels, float), BULK_PERCENTILE))


@dataclass(frozen=True)
class Reference:
    """The calm speech a raise is measured against."""

    level_dbfs: float
    """`speech_level` of calm speech, dBFS (this is "the baseline")."""
    bulk_dbfs: float
    """`bulk_level` of calm speech, dBFS."""
    pitches_hz: tuple[float, ...] = ()
    """Median calm pitch of each voice in it, Hertz: one for a partner, one or two for
    the couple (a low and a high voice); empty if too little of it was voiced."""
    voice_levels: tuple[tuple[float, float], ...] = ()
    """(`speech_level`, `bulk_level`) in dBFS of each voice of `pitches_hz`, where the
    reference has two voices and both were heard enough; empty: every voice is
    measured against `level_dbfs` and `bulk_dbfs`. A couple's quieter partner,
    measured against both together, would read several dB low."""

    @classmethod
    def of(cls, levels: Sequence[float], pitches: Sequence[float] = ()) -> Reference:
        """The reference of calm speech from the levels (dBFS) of its blocks and the
        pitches (Hertz) of its voiced blocks; when both are of the same blocks (equal
        lengths), two voices get a level each."""
        found = voices(pitches)
        per_voice: tuple[tuple[float, float], ...] = ()
        if len(found) == 2 and len(levels) == len(pitches):
            mine: list[list[float]] = [[], []]
            for level, pitch in zip(levels, pitches, strict=True):
                mine[_nearest(found, pitch)].append(level)
            if min(len(group) for group in mine) >= MIN_PITCHES // 2:
                per_voice = tuple((speech_level(g), bulk_level(g)) for g in mine)
        return cls(speech_level(levels), bulk_level(levels), found, per_voice)

    def pitch_offset(self, pitch_hz: float) -> float | None:
        """Semitones from the nearest calm voice to `pitch_hz` (None: no calm pitch)."""
        if not self.pitches_hz:
            return None
        return semitones(pitch_hz, self.pitches_hz[_nearest(self.pitches_hz, pitch_hz)])

    def levels_of(self, pitch_hz: float) -> tuple[float, float]:
        """(speech level, bulk level), dBFS, of the calm voice a block at `pitch_hz` is
        nearest to."""
        if not self.voice_levels:
            return self.level_dbfs, self.bulk_dbfs
        return self.voice_levels[_nearest(self.pitches_hz, pitch_hz)]

    def owns(self, pitch_hz: float) -> bool:
        """Whether a voiced block at `pitch_hz` can be one of these calm voices, raised."""
        offset = self.pitch_offset(pitch_hz)
        return offset is None or -PITCH_BELOW_ST <= offset <= PITCH_ABOVE_ST


def _nearest(voices_hz: Sequence[float], pitch_hz: float) -> int:
    """Index of the voice (median pitch, Hertz) nearest to `pitch_hz` in semitones."""
    return min(range(len(voices_hz)), key=lambda i: abs(semitones(pitch_hz, voices_hz[i])))


def voices(pitches: Sequence[float]) -> tuple[float, ...]:
    """The median pitch (Hertz) of each voice among the pitches of voiced blocks.

    Two voices when the pitches fall apart in two groups, each at least a quarter of
    them, with a gap of `VOICE_GAP_ST` semitones or more between (a man and a woman
    talking); else one. Empty with fewer than `MIN_PITCHES`.
    """
    if len(pitches) < MIN_PITCHES:
        return ()
    tones = np.sort(12.0 * np.log2(np.asarray(pitches, float)))
    quarter = len(tones) // 4
    gaps = np.diff(tones)[quarter - 1 : len(tones) - quarter]
    if len(gaps) and float(gaps.max()) >= VOICE_GAP_ST:
        cut = quarter + int(np.argmax(gaps))
        return tuple(float(2 ** (np.median(part) / 12)) for part in (tones[:cut], tones[cut:]))
    return (float(2 ** (np.median(tones) / 12)),)


VOICE_GAP_ST = 2.5
"""Semitones between the pitches of two voices for them to count as two."""
MIN_PITCHES = 20
"""Voiced blocks a reference needs to know the speaker's pitch."""


@dataclass(frozen=True)
class RaisedState:
    """The detector's view after one block."""

    over_db: float | None
    """dB the current speech level stands above the baseline (None: not known yet)."""
    detected_db: float | None
    """Set on the block where a sustained raise is detected: dB over the baseline."""
    pitch_st: float | None = None
    """Semitones the current pitch stands over the calm pitch (None: not known)."""
    above: bool = False
    """This block is the speaker's voice and the raise criterion holds on it."""
    evidence: bool = False
    """This block counted as the speaker's voice."""


class RaisedVoiceDetector:
    """Sustained-raise detector on the levels (dBFS) and pitches of a speaker's voice."""

    def __init__(
        self,
        block_seconds: float,
        threshold_db: float = 8.0,
        level_only_db: float = 3.0,
        sustain_seconds: float = 0.6,
        cooldown_seconds: float = 60.0,
        rearm_db: float = 5.0,
        bulk_slack_db: float = 4.0,
        hold_seconds: float = 0.1,
        pitch_db_per_st: float = 2.5,
        pitch_bonus_db: float = 5.0,
        pitch_seconds: float = 1.2,
    ) -> None:
        self.threshold_db = threshold_db
        """dB over the baseline that counts as raised when the pitch rose with it."""
        self.level_only_db = level_only_db
        """dB more it takes at the calm pitch (a partner leaning in gets ~6 dB louder)."""
        self.sustain_seconds = sustain_seconds
        """Seconds of the speaker's voice the speech level and pitch are taken over."""
        self.cooldown_seconds = cooldown_seconds
        """Seconds of fed audio after a breathing pause without detections."""
        self.rearm_db = rearm_db
        """dB under the threshold the level must fall to before another detection."""
        self.bulk_slack_db = bulk_slack_db
        """dB the bulk level may stay short of the threshold."""
        self.hold_seconds = hold_seconds
        """Seconds of the speaker's voice the raise must hold before it counts."""
        self.pitch_db_per_st = pitch_db_per_st
        """dB the threshold comes down per semitone the pitch rises."""
        self.pitch_bonus_db = pitch_bonus_db
        """dB the threshold comes down at most for a risen pitch."""
        self._level_blocks = max(3, round(sustain_seconds / block_seconds))
        self._levels: deque[float] = deque(maxlen=round(1.5 * self._level_blocks))
        """dB each recent block of evidence stands over its voice's calm speech level."""
        self._bulks: deque[float] = deque(maxlen=round(1.5 * self._level_blocks))
        """dB each recent block of evidence stands over its voice's calm bulk level."""
        self._pitches: deque[float] = deque(maxlen=max(3, round(pitch_seconds / block_seconds)))
        self._raised_for = 0.0
        self._cooldown_left = 0.0
        self._armed = True
        self.over_db: float | None = None
        """dB over the baseline of the current speech level (None until known)."""
        self.pitch_st: float | None = None
        """Semitones over the calm pitch of the current pitch (None until known)."""

    def update(
        self,
        level_dbfs: float,
        seconds: float,
        active: bool,
        reference: Reference | None,
        pitch_hz: float | None = None,
        hold_back: bool = False,
    ) -> RaisedState:
        """Take one block: speech-band level (dBFS), length (seconds), activity, the
        reference, and the block's pitch (Hertz; None: unvoiced). `hold_back` keeps a
        raise from being announced on this block (it is announced on a later one)."""
        self._cooldown_left = max(0.0, self._cooldown_left - seconds)
        if reference is None:
            return RaisedState(None, None)
        evidence = active and pitch_hz is not None and reference.owns(pitch_hz)
        if not evidence:
            return RaisedState(self.over_db, None, self.pitch_st)
        assert pitch_hz is not None
        calm_level, calm_bulk = reference.levels_of(pitch_hz)
        self._levels.append(level_dbfs - calm_level)
        self._bulks.append(level_dbfs - calm_bulk)
        offset = reference.pitch_offset(pitch_hz)
        if offset is not None:
            self._pitches.append(offset)
        if len(self._levels) < self._level_blocks:
            return RaisedState(None, None, evidence=True)
        over = speech_level(list(self._levels)[-self._level_blocks :])
        bulk_over = bulk_level(self._bulks)
        pitch = float(np.median(self._pitches)) if len(self._pitches) >= 3 else None
        self.over_db, self.pitch_st = over, pitch
        bonus = 0.0 if pitch is None else self.pitch_db_per_st * pitch
        threshold = (
            self.threshold_db + self.level_only_db - float(np.clip(bonus, 0.0, self.pitch_bonus_db))
        )
        if over >= threshold and bulk_over >= threshold - self.bulk_slack_db:
            self._raised_for += seconds
        else:
            self._raised_for = 0.0
            if over < self.threshold_db - self.rearm_db:
                self._armed = True
        above = self._raised_for > 0.0
        detected = None
        if (
            self._armed
            and not hold_back
            and self._cooldown_left <= 0.0
            and self._raised_for >= self.hold_seconds - 1e-9
        ):
            detected = over
            self._armed = False
        return RaisedState(over, detected, pitch, above, True)

    def new_speaker(self) -> None:
        """Another speaker's voice follows: forget the evidence (keep cooldown and arming)."""
        self._levels.clear()
        self._bulks.clear()
        self._pitches.clear()
        self._raised_for = 0.0
        self.over_db = self.pitch_st = None

    def cool_down(self) -> None:
        """A breathing pause ended: no detection for `cooldown_seconds` of fed audio."""
        self.new_speaker()
        self._cooldown_left = self.cooldown_seconds
        self._armed = True
