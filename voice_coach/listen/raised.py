"""Raised-voice detection: speech clearly and lastingly louder than the baseline.

Two statistics of the speech-band levels (dBFS) of active speech blocks, both
compared with the same statistics of the couple's calm speech (`baseline`):

* the *speech level*, the 80th percentile over the last `sustain_seconds` of
  speech: the level of the louder, voiced part of speech, which background noise
  does not reach into. This is the number reported as "dB over the baseline";
* the *bulk level*, the median over the last 1.5 x `sustain_seconds` of speech:
  it only rises when more than half of that stretch is louder.

A detection needs the speech level `threshold_db` or more over its baseline and
the bulk level at most `bulk_slack_db` short of that, both held for 0.3 x
`sustain_seconds` of speech. So a bang or a cough (a tenth of a second) moves
nothing, a laugh of well under a second moves only the speech level, and a
sustained raise is caught after about a second of it. Pauses and skipped audio
(the coach speaking) are not in the windows, so gaps neither help nor hurt.
Everything is relative to the baseline: a near or a far microphone behaves alike.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

LEVEL_PERCENTILE = 80.0
"""Percentile of block levels that stands for the level of speech."""
BULK_PERCENTILE = 50.0
"""Percentile of block levels that shows whether most of the speech is louder."""


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

    @classmethod
    def of(cls, levels: list[float]) -> Reference:
        """The reference of calm speech given the levels (dBFS) of its active blocks."""
        return cls(speech_level(levels), bulk_level(levels))


@dataclass(frozen=True)
class RaisedState:
    """The detector's view after one block."""

    over_db: float | None
    """dB the current speech level stands above the baseline (None: not known yet)."""
    detected_db: float | None
    """Set on the block where a sustained raise is detected: dB over the baseline."""


class RaisedVoiceDetector:
    """Sustained-raise detector on speech-band levels (dBFS) against a `Reference`."""

    def __init__(
        self,
        block_seconds: float,
        threshold_db: float = 8.0,
        sustain_seconds: float = 1.0,
        cooldown_seconds: float = 60.0,
        rearm_db: float = 5.0,
        bulk_slack_db: float = 3.0,
    ) -> None:
        self.threshold_db = threshold_db
        """dB over the baseline that counts as raised."""
        self.sustain_seconds = sustain_seconds
        """Seconds of raised speech, about, before a detection."""
        self.cooldown_seconds = cooldown_seconds
        """Seconds of fed audio after a breathing pause without detections."""
        self.rearm_db = rearm_db
        """dB under the threshold the level must fall to before another detection."""
        self.bulk_slack_db = bulk_slack_db
        """dB the bulk level may stay short of the threshold."""
        self._level_blocks = max(3, round(sustain_seconds / block_seconds))
        self._window: deque[float] = deque(maxlen=round(1.5 * self._level_blocks))
        self._hold = 0.3 * sustain_seconds
        self._raised_for = 0.0
        self._cooldown_left = 0.0
        self._armed = True
        self.over_db: float | None = None
        """dB over the baseline of the current speech level (None until known)."""

    def update(
        self, level_dbfs: float, seconds: float, active: bool, reference: Reference | None
    ) -> RaisedState:
        """Take one block: speech-band level (dBFS), length (seconds), activity, reference."""
        self._cooldown_left = max(0.0, self._cooldown_left - seconds)
        if not active or reference is None:
            return RaisedState(self.over_db if reference is not None else None, None)
        self._window.append(level_dbfs)
        if len(self._window) < self._level_blocks:
            return RaisedState(None, None)
        recent = list(self._window)[-self._level_blocks :]
        over = speech_level(recent) - reference.level_dbfs
        bulk_over = bulk_level(self._window) - reference.bulk_dbfs
        self.over_db = over
        if over >= self.threshold_db and bulk_over >= self.threshold_db - self.bulk_slack_db:
            self._raised_for += seconds
        else:
            self._raised_for = 0.0
            if over < self.threshold_db - self.rearm_db:
                self._armed = True
        detected = None
        if self._armed and self._cooldown_left <= 0.0 and self._raised_for >= self._hold - 1e-9:
            detected = over
            self._armed = False
        return RaisedState(over, detected)

    def cool_down(self) -> None:
        """A breathing pause ended: no detection for `cooldown_seconds` of fed audio."""
        self._cooldown_left = self.cooldown_seconds
        self._window.clear()
        self._raised_for = 0.0
        self._armed = True
        self.over_db = None
