"""Raised-voice detection: speech clearly and lastingly louder than the baseline.

The speech level is the 80th percentile of the speech-band levels (dBFS) of the
last `sustain_seconds` of active speech blocks: the level of the louder, voiced
part of speech, which a noise floor does not reach into. It only rises when more
than a fifth of the window is louder, so a bang (a tenth of a second) cannot move
it. Detection asks for that level to stay `threshold_db` or more above the
baseline (the same statistic, see `baseline`) for another half window of speech:
about 0.7 * `sustain_seconds` of raised speech in all, so a cough or a short laugh
does not count either. Pauses and skipped audio (the coach
speaking) are not in the window, so gaps neither help nor hurt. Everything is
relative to the baseline, so a near or a far microphone behaves the same.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


LEVEL_PERCENTILE = 80.0
"""Percentile of block levels that stands for the level of speech."""


def speech_level(levels: Iterable[float]) -> float:
    """The level of speech (dBFS) from the levels (dBFS) of its active blocks."""
    return float(np.percentile(np.fromiter(levels, float), LEVEL_PERCENTILE))


@dataclass(frozen=True)
class RaisedState:
    """The detector's view after one block."""

    over_db: float | None
    """dB the current speech level stands above the baseline (None: not known yet)."""
    detected_db: float | None
    """Set on the block where a sustained raise is detected: dB over the baseline."""


class RaisedVoiceDetector:
    """Sustained-raise detector on speech-band levels (dBFS) against a baseline (dBFS)."""

    def __init__(
        self,
        block_seconds: float,
        threshold_db: float = 8.0,
        sustain_seconds: float = 1.0,
        cooldown_seconds: float = 60.0,
        rearm_db: float = 3.0,
    ) -> None:
        self.threshold_db = threshold_db
        """dB over the baseline that counts as raised."""
        self.sustain_seconds = sustain_seconds
        """Seconds of raised speech before a detection."""
        self.cooldown_seconds = cooldown_seconds
        """Seconds of fed audio after a breathing pause without detections."""
        self.rearm_db = rearm_db
        """dB under the threshold the level must fall to before another detection."""
        self._window: deque[float] = deque(maxlen=max(3, round(sustain_seconds / block_seconds)))
        self._block_seconds = block_seconds
        self._raised_for = 0.0
        self._cooldown_left = 0.0
        self._armed = True
        self.over_db: float | None = None
        """dB over the baseline of the current speech level (None until known)."""

    def update(
        self, level_dbfs: float, seconds: float, active: bool, baseline_dbfs: float | None
    ) -> RaisedState:
        """Take one block: speech-band level (dBFS), length (seconds), activity, baseline."""
        self._cooldown_left = max(0.0, self._cooldown_left - seconds)
        if not active or baseline_dbfs is None:
            return RaisedState(self.over_db if baseline_dbfs is not None else None, None)
        self._window.append(level_dbfs)
        if len(self._window) * self._block_seconds < self.sustain_seconds / 2:
            return RaisedState(None, None)
        over = speech_level(self._window) - baseline_dbfs
        self.over_db = over
        if over >= self.threshold_db:
            self._raised_for += seconds
        else:
            self._raised_for = 0.0
            if over < self.threshold_db - self.rearm_db:
                self._armed = True
        detected = None
        if (
            self._armed
            and self._cooldown_left <= 0.0
            and self._raised_for >= self.sustain_seconds / 2
        ):
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
