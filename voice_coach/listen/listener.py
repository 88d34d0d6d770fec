"""The listening facade the engine uses: feed a block, learn what was heard.

`Listener.hear` takes one block of 16 kHz mono float32 and returns a `Hearing`.
The detectors behind it live in their own modules of this package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voice_coach.audio.chunk import LISTEN_RATE, Samples
from voice_coach.config import ListenSettings

_FLOOR_DBFS = -100.0


@dataclass(frozen=True)
class Hearing:
    """What the listeners made of one block of input."""

    seconds: float
    """Duration of the block."""
    level_dbfs: float
    """RMS level of the block in dBFS."""
    is_speech: bool
    """Whether the block holds speech (against the tracked noise floor)."""
    raised_over_db: float | None = None
    """Set on the block where a sustained raised voice is detected: dB over baseline."""
    pace_sps: float | None = None
    """Speaking rate over the recent window, syllables per second of speech."""


def rms_dbfs(block: Samples) -> float:
    """RMS level of a block in dBFS (full-scale sine = -3 dBFS; silence = -100)."""
    if len(block) == 0:
        return _FLOOR_DBFS
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
    return max(_FLOOR_DBFS, 20.0 * np.log10(rms)) if rms > 0 else _FLOOR_DBFS


class Listener:
    """Level, speech/silence, raised-voice and pace detection over a stream of blocks."""

    def __init__(self, settings: ListenSettings, rate: int = LISTEN_RATE) -> None:
        self.settings = settings
        self.rate = rate
        self.noise_floor_dbfs = -60.0
        """Tracked background level in dBFS."""
        self.baseline_dbfs: float | None = None
        """The couple's normal speaking level in dBFS, once learned."""

    def hear(self, block: Samples) -> Hearing:
        """Analyse the next block of input."""
        level = rms_dbfs(block)
        is_speech = level > self.noise_floor_dbfs + self.settings.silence_margin_db
        if not is_speech:
            # Follow the floor down quickly and up slowly.
            step = 0.5 if level < self.noise_floor_dbfs else 0.02
            self.noise_floor_dbfs += step * (level - self.noise_floor_dbfs)
        return Hearing(len(block) / self.rate, level, is_speech)

    def start_turn(self) -> None:
        """A new speaker begins: forget the pace window of the previous one."""

    def begin_calibration(self) -> None:
        """Following speech blocks teach the baseline (a `calibrate` step)."""

    def end_calibration(self) -> float | None:
        """Stop calibrating; the learned baseline in dBFS, if any speech was heard."""
        return self.baseline_dbfs

    def after_breathing(self) -> None:
        """A breathing pause ended: start the cooldown before the next detection."""
