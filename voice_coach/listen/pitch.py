"""The pitch (fundamental frequency, F0) of a voice, block by block.

YIN (de Cheveigné & Kawahara, 2002) on `PITCH_BAND_HZ`: the cumulative mean
normalised difference of the last `FRAME_SECONDS` of sound with itself, shifted by
every period between 1/`F0_RANGE_HZ[1]` and 1/`F0_RANGE_HZ[0]` seconds; the first
shift whose difference falls under `threshold` is the period, else the deepest
dip if it falls under `voicing` (a low, creaky voice such as the Piper joe voice
rarely dips deeper). A block with neither is unvoiced (a bang, a clap, a hiss, a
pause) and has no pitch.

The band keeps a fan's rumble out; a voice's harmonics repeat at its period there
as well, even where a low fundamental itself is damped.
Pitches are compared in semitones (12 per octave), so a man's and a woman's voice
rising by the same musical interval rise by the same number.
"""

from __future__ import annotations

import numpy as np

from voice_coach.audio.chunk import Samples

PITCH_BAND_HZ = (100.0, 3400.0)
"""Hertz: the band the pitch is looked for in (a fan's rumble lies below it)."""
F0_RANGE_HZ = (60.0, 500.0)
"""Hertz: the pitches looked for (a low man's voice to a raised woman's voice)."""
FRAME_SECONDS = 0.03
"""Seconds of sound compared with its shifted copy."""


def semitones(hz: float, reference_hz: float) -> float:
    """How many semitones `hz` lies above `reference_hz` (negative: below)."""
    return 12.0 * float(np.log2(hz / reference_hz))


class PitchTracker:
    """F0 of the latest block of a stream (mono float32 at `rate`), or None if unvoiced."""

    def __init__(self, rate: int, threshold: float = 0.15, voicing: float = 0.35) -> None:
        self.rate = rate
        self.threshold = threshold
        """Normalised difference (0-1) under which the first dip is taken as the period."""
        self.voicing = voicing
        """Without such a dip, the deepest one counts if under this (0-1); else unvoiced."""
        self._frame = round(FRAME_SECONDS * rate)
        self._lo = int(rate / F0_RANGE_HZ[1])
        self._hi = int(np.ceil(rate / F0_RANGE_HZ[0]))
        self._history = np.zeros(self._frame + self._hi, np.float64)
        from scipy.signal import butter, sosfilt, sosfilt_zi  # scipy loads in ~1 s: only here

        self._sosfilt = sosfilt
        self._sos = butter(2, PITCH_BAND_HZ, btype="bandpass", fs=rate, output="sos")
        self._zi = sosfilt_zi(self._sos) * 0.0
        size = 1
        while size < 2 * len(self._history):
            size *= 2
        self._fft_size = size

    def feed(self, block: Samples) -> None:
        """Take the next block without looking for its pitch (a pause: cheaper)."""
        filtered, self._zi = self._sosfilt(self._sos, block.astype(np.float64), zi=self._zi)
        n = len(filtered)
        if n >= len(self._history):
            self._history = filtered[-len(self._history) :].copy()
        else:
            self._history = np.concatenate([self._history[n:], filtered])

    def update(self, block: Samples) -> float | None:
        """Take the next block; the pitch in Hertz at its end, None if unvoiced."""
        self.feed(block)
        return self.pitch()

    def pitch(self) -> float | None:
        """The pitch in Hertz of the latest sound, None if it is unvoiced."""
        x = self._history
        w, hi = self._frame, self._hi
        head = x[:w]
        energy = float(np.dot(head, head))
        if energy <= 1e-12:
            return None
        # d(tau) = sum (x[j] - x[j + tau])^2 over j < w, from one cross-correlation.
        spectrum = np.fft.rfft(x, self._fft_size)
        cross = np.fft.irfft(np.conj(np.fft.rfft(head, self._fft_size)) * spectrum)[: hi + 1]
        squares = np.concatenate([[0.0], np.cumsum(x**2)])
        shifted = squares[w : w + hi + 1] - squares[: hi + 1]
        diff = energy + shifted - 2.0 * cross
        diff[0] = 0.0
        taus = np.arange(1, hi + 1)
        running = np.cumsum(diff[1:])
        cmnd = np.ones(hi + 1)
        cmnd[1:] = diff[1:] * taus / np.maximum(running, 1e-12)
        below = np.flatnonzero(cmnd[self._lo : hi] < self.threshold)
        if len(below):
            tau = int(below[0]) + self._lo
        else:
            tau = int(np.argmin(cmnd[self._lo : hi])) + self._lo
            if cmnd[tau] >= self.voicing:
                return None
        while tau + 1 < hi and cmnd[tau + 1] < cmnd[tau]:
            tau += 1
        left, mid, right = cmnd[tau - 1], cmnd[tau], cmnd[tau + 1]
        bend = left - 2.0 * mid + right
        shift = 0.5 * (left - right) / bend if bend > 0 else 0.0
        return self.rate / (tau + float(np.clip(shift, -1.0, 1.0)))
