"""The peers bench/listen.py measures the listeners against.

* Praat, the syllable-nuclei method of de Jong & Wempe (2009), run with Praat's own
  analyses through parselmouth (`pip install praat-parselmouth`): an intensity
  contour, peaks above a threshold 25 dB under its 99th percentile that dip 2 dB
  before the next peak, kept where Praat finds a pitch; the rate is the peaks over
  the sounding time of Praat's silence detector (pauses of 0.3 s or more left out).
  Written here from the paper's description, with its published parameters.
* A plain loudness rule: the full-band level over the last second against the level
  of the first 20 s of talk (its 80th percentile of one-second levels); +8 dB held
  for half a second fires, and it re-arms once the level is back under +3 dB.
* webrtcvad (`pip install webrtcvad-wheels`) for speech/silence per 30 ms block.
"""

from __future__ import annotations

from collections import deque

import numpy as np

RATE = 16_000
BLOCK = 480


def praat_available() -> bool:
    try:
        import parselmouth  # noqa: F401
    except ImportError:
        return False
    return True


def praat_pace(samples: np.ndarray, rate: int = RATE) -> float:
    """Syllables per second of sounding time by de Jong & Wempe's method, in Praat."""
    import parselmouth
    from parselmouth.praat import call

    sound = parselmouth.Sound(samples.astype(np.float64), rate)
    intensity = sound.to_intensity(50.0)
    levels = intensity.values[0]
    times = intensity.xs()
    threshold = max(float(np.quantile(levels, 0.99)) - 25.0, float(levels.min()))
    inner = levels[1:-1]
    peaks = np.flatnonzero((inner > levels[:-2]) & (inner >= levels[2:]) & (inner > threshold)) + 1
    kept = []
    for here, after in zip(peaks, [*peaks[1:], len(levels) - 1], strict=True):
        dip = float(levels[here : after + 1].min())
        if levels[here] - dip > 2.0:
            kept.append(here)
    pitch = sound.to_pitch_ac(0.02, 30.0, 4, False, 0.03, 0.25, 0.01, 0.35, 0.25, 450.0)
    voiced = [i for i in kept if np.isfinite(pitch.get_value_at_time(float(times[i])))]
    grid = call(sound, "To TextGrid (silences)", 100, 0, -25, 0.3, 0.1, "silent", "sounding")
    sounding = 0.0
    for k in range(1, int(call(grid, "Get number of intervals", 1)) + 1):
        if call(grid, "Get label of interval", 1, k) == "sounding":
            start = call(grid, "Get start time of interval", 1, k)
            sounding += call(grid, "Get end time of interval", 1, k) - start
    return len(voiced) / sounding if sounding > 0 else 0.0


class LoudnessRule:
    """A plain rule on full-band loudness (see the module doc); feed 30 ms blocks."""

    def __init__(self, threshold_db: float = 8.0, learn_s: float = 20.0) -> None:
        self.threshold_db = threshold_db
        self._second: deque[float] = deque(maxlen=round(1.0 / 0.03))
        self._learning: list[float] = []
        self._learn_blocks = round(learn_s / 0.03)
        self._reference: float | None = None
        self._held = 0.0
        self._armed = True

    def hear(self, block: np.ndarray) -> bool:
        """True on the block where a raise is detected."""
        self._second.append(float(np.mean(block.astype(np.float64) ** 2)))
        level = 10 * np.log10(np.mean(self._second) + 1e-12)
        if self._reference is None:
            self._learning.append(level)
            if len(self._learning) >= self._learn_blocks:
                self._reference = float(np.percentile(self._learning, 80))
            return False
        over = level - self._reference
        self._held = self._held + 0.03 if over >= self.threshold_db else 0.0
        if over < 3.0:
            self._armed = True
        if self._armed and self._held >= 0.5:
            self._armed = False
            return True
        return False


def webrtc_speech(samples: np.ndarray, mode: int, hangover_s: float) -> np.ndarray | None:
    """Speech per 30 ms block by webrtcvad, held `hangover_s` after speech; None if missing."""
    try:
        import webrtcvad
    except ImportError:
        return None
    vad = webrtcvad.Vad(mode)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    raw = np.array(
        [
            vad.is_speech(pcm[i : i + BLOCK].tobytes(), RATE)
            for i in range(0, len(pcm) - BLOCK + 1, BLOCK)
        ]
    )
    hold = round(hangover_s / 0.03)
    return np.convolve(raw, np.ones(hold + 1), "full")[: len(raw)] > 0
