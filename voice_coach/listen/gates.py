"""Small, pure decisions about *when* to act on what the detectors heard.

The detectors (`listener.Listener`) say what each 30 ms block holds: speech or not,
a sustained raised voice, the pace. A gate turns those block results into one
decision the engine acts on, counting only the seconds it is fed: no clock, no audio,
no devices. So each is tested with plain numbers, as a voice-activity segmenter is.

- `BreathGate`: a raised voice is named at the next breath in the speech (`gap_s` of
  silence), or after `wait_s` at most, never over the middle of a sentence.
- `PaceGate`: a fast pace is mentioned at the next pause (`pause_s`), once a
  recogniser's word timings agree or after `patience_s` without their verdict.
- `SilenceGate`: a turn ends after `after_s` seconds of silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BREATH_GAP = 0.25
"""Seconds of silence that count as a breath in the speech."""
RAISE_WAIT_FOR_BREATH = 1.2
"""Seconds a raised voice waits for a breath before the coach speaks anyway: a raise is
detected about a second in, so the coach's first word comes 2.5 s or less after the
voices rose (tests/test_listen_eval.py)."""
PACE_PAUSE = 0.4
"""Seconds of silence that count as a pause to mention the pace in."""
WORDS_PATIENCE = 8.0
"""Seconds a fast pace waits for the words' verdict before the sound decides alone
(a recogniser gives words only once it closes an utterance)."""


@dataclass
class BreathGate:
    """Holds a detected raise until a breath (or `wait_s`); all times in seconds."""

    gap_s: float = BREATH_GAP
    """Seconds of silence that count as a breath."""
    wait_s: float = RAISE_WAIT_FOR_BREATH
    """Seconds after the detection at which the raise is named anyway."""
    pending_db: float | None = None
    """dB over the baseline of the raise waiting for a breath (None: nothing waits)."""
    waited_s: float = 0.0
    """Seconds fed since the pending raise was detected."""

    def update(self, seconds: float, silence_s: float, raised_db: float | None) -> float | None:
        """Feed one block: its length, the silence run so far and a detection in it (dB
        over the baseline, or None). Returns the dB to act on now, or None to wait."""
        if raised_db is not None:
            self.pending_db, self.waited_s = raised_db, 0.0
        elif self.pending_db is not None:
            self.waited_s += seconds
        if self.pending_db is None:
            return None
        if silence_s >= self.gap_s or self.waited_s >= self.wait_s:
            over, self.pending_db = self.pending_db, None
            return over
        return None


PaceCall = Literal["wait", "nudge", "fine"]
"""A pending fast pace: wait for the words, mention it now, or drop it (words say fine)."""


@dataclass
class PaceGate:
    """Holds a fast pace (syllables per second over `limit`) until a pause."""

    limit: float
    """Syllables per second of speech above which the pace is fast."""
    pause_s: float = PACE_PAUSE
    """Seconds of silence to mention the pace in."""
    patience_s: float = WORDS_PATIENCE
    """Seconds to wait for the words' verdict."""
    pending_sps: float | None = None
    """The latest fast pace measured, syllables per second (None: nothing pending)."""
    age_s: float = 0.0
    """Seconds fed since the pace was first found fast."""

    def update(self, seconds: float, silence_s: float, pace_sps: float | None) -> bool:
        """Feed one block; True when a fast pace is pending and this is a pause."""
        if self.pending_sps is not None:
            self.age_s += seconds
        if pace_sps is not None and pace_sps > self.limit:
            if self.pending_sps is None:
                self.age_s = 0.0
            self.pending_sps = pace_sps
        return self.pending_sps is not None and silence_s >= self.pause_s

    def call(self, words_sps: float | None, words_expected: bool) -> PaceCall:
        """Decide at a pause: `words_sps` is the recognised words' pace (None: too few
        words yet), `words_expected` whether a recogniser is listening at all."""
        if words_sps is None and words_expected and self.age_s < self.patience_s:
            return "wait"
        self.pending_sps = None
        return "nudge" if words_sps is None or words_sps > self.limit else "fine"


@dataclass(frozen=True)
class SilenceGate:
    """Ends a turn after `after_s` seconds of silence."""

    after_s: float

    def ends(self, silence_s: float) -> bool:
        """Whether `silence_s` seconds of silence end the turn."""
        return silence_s >= self.after_s
