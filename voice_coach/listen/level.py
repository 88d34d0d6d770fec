"""Short-term levels and the background (noise-floor) estimate.

Levels are in dBFS: 0 dBFS is a full-scale square wave, a full-scale sine is
-3 dBFS, digital silence is `FLOOR_DBFS`. The speech band (300-3400 Hz) level
is what the detectors use: a fan's rumble and mains hum fall mostly below it.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from voice_coach.audio.chunk import Samples

FLOOR_DBFS = -100.0
"""dBFS reported for digital silence."""

SPEECH_BAND_HZ = (300.0, 3400.0)
"""Hertz: the band that carries most of the energy of speech (telephone band)."""


def power_dbfs(mean_square: float) -> float:
    """Mean square of samples (full scale = 1) as dBFS, clamped at `FLOOR_DBFS`."""
    if mean_square <= 1e-10:
        return FLOOR_DBFS
    return max(FLOOR_DBFS, 10.0 * float(np.log10(mean_square)))


def rms_dbfs(block: Samples) -> float:
    """RMS level of a block in dBFS (full-scale sine = -3 dBFS; silence = -100)."""
    if len(block) == 0:
        return FLOOR_DBFS
    return power_dbfs(float(np.mean(np.square(block, dtype=np.float64))))


def band_dbfs(block: Samples, rate: int, band: tuple[float, float] = SPEECH_BAND_HZ) -> float:
    """RMS level in dBFS of the part of `block` within `band` (Hertz).

    Computed from the spectrum of the Hann-windowed block (Parseval), so a tone
    inside the band reads the same as `rms_dbfs` and one outside reads far lower.
    """
    n = len(block)
    if n == 0:
        return FLOOR_DBFS
    window = _hann(n)
    spectrum = np.fft.rfft(block.astype(np.float64) * window)
    freqs = np.fft.rfftfreq(n, 1.0 / rate)
    inside = (freqs >= band[0]) & (freqs <= band[1])
    power = np.abs(spectrum[inside]) ** 2
    # One-sided spectrum: each bin except DC and Nyquist stands for two.
    mean_square = 2.0 * float(np.sum(power)) / (n * float(np.sum(window**2)))
    return power_dbfs(mean_square)


_HANN: dict[int, np.ndarray] = {}


def _hann(n: int) -> np.ndarray:
    """The Hann window of `n` samples; a flat one below 3 (Hann is all zeros at 2)."""
    if n not in _HANN:
        _HANN[n] = np.hanning(n) if n >= 3 else np.ones(n)
    return _HANN[n]


class NoiseFloor:
    """Background level in dBFS by minimum statistics (after Martin, 2001).

    The floor is a low percentile of the block levels over the last `window`
    seconds of fed audio, speech or not: people pause between words, so the
    quiet blocks show the fan or the room. Unlike following "non-speech" blocks,
    this cannot lock up when a loud fan starts and every block looks like speech.
    """

    def __init__(
        self,
        block_seconds: float,
        window: float = 8.0,
        percentile: float = 5.0,
        lowest_dbfs: float = -80.0,
        initial_dbfs: float = -60.0,
    ) -> None:
        self._levels: deque[float] = deque(maxlen=max(8, round(window / block_seconds)))
        self._percentile = percentile
        self._lowest = lowest_dbfs
        """dBFS: no real microphone is quieter; keeps digital silence from making
        every faint click count as speech."""
        self.dbfs = initial_dbfs
        """The current estimate in dBFS."""

    def update(self, level_dbfs: float) -> float:
        """Take the next block's level (dBFS); the updated floor in dBFS."""
        self._levels.append(level_dbfs)
        low = float(np.percentile(np.fromiter(self._levels, float), self._percentile))
        self.dbfs = max(self._lowest, low)
        return self.dbfs
