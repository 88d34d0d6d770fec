"""The one audio type the program passes around, and conversions at its edges.

Inside the program all audio is mono float32 in [-1, 1]. Devices and files may be
stereo, 8 to 32 bit, at any rate: they are converted once, where they enter, so no
detector ever has to think about sample formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]

LISTEN_RATE = 16_000
"""Hertz. Everything the program listens to runs at this rate (Vosk and detectors)."""


@dataclass(frozen=True)
class AudioChunk:
    """A stretch of mono audio."""

    samples: Samples
    """Mono float32 samples in [-1, 1]."""
    rate: int
    """Sample rate in Hertz."""

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return len(self.samples) / self.rate

    @classmethod
    def silence(cls, seconds: float, rate: int) -> AudioChunk:
        """`seconds` of digital silence at `rate` Hertz."""
        return cls(np.zeros(max(0, round(seconds * rate)), dtype=np.float32), rate)

    def to_rate(self, rate: int) -> AudioChunk:
        """The same audio at another sample rate (Hertz)."""
        if rate == self.rate:
            return self
        return AudioChunk(resample(self.samples, self.rate, rate), rate)

    def then(self, other: AudioChunk) -> AudioChunk:
        """This chunk followed by `other` (converted to this chunk's rate)."""
        other = other.to_rate(self.rate)
        return AudioChunk(np.concatenate([self.samples, other.samples]), self.rate)


def resample(samples: Samples, from_rate: int, to_rate: int) -> Samples:
    """Band-limited polyphase resampling of mono float32 samples."""
    if from_rate == to_rate or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    from scipy.signal import resample_poly

    common = gcd(from_rate, to_rate)
    out = resample_poly(samples, to_rate // common, from_rate // common)
    return np.asarray(out, dtype=np.float32)


def pcm_to_float(raw: bytes, width: int, channels: int) -> Samples:
    """Interleaved integer PCM (`width` bytes a sample) to mono float32.

    8-bit PCM is unsigned, wider PCM is signed little-endian, as in WAV files.
    Channels are averaged.
    """
    if width == 1:
        ints = np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0
        scale = 128.0
    elif width == 2:
        ints = np.frombuffer(raw, dtype="<i2").astype(np.float32)
        scale = 32768.0
    elif width == 3:
        b = np.frombuffer(raw[: len(raw) - len(raw) % 3], dtype=np.uint8).reshape(-1, 3)
        as32 = (b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8)) | (
            b[:, 2].astype(np.int32) << 16
        )
        ints = np.where(as32 >= 1 << 23, as32 - (1 << 24), as32).astype(np.float32)
        scale = float(1 << 23)
    elif width == 4:
        ints = np.frombuffer(raw, dtype="<i4").astype(np.float64).astype(np.float32)
        scale = float(1 << 31)
    else:
        raise ValueError(f"unsupported sample width: {width} bytes")
    return mix_to_mono(ints / scale, channels)


def mix_to_mono(samples: npt.NDArray[np.floating], channels: int) -> Samples:
    """Average interleaved channels into one mono float32 channel."""
    if channels > 1:
        usable = len(samples) - len(samples) % channels
        samples = samples[:usable].reshape(-1, channels).mean(axis=1)
    return np.asarray(samples, dtype=np.float32)


def float_to_pcm16(samples: Samples) -> bytes:
    """Mono float32 in [-1, 1] to 16-bit little-endian PCM (clipped)."""
    # Scale by 32768 like `pcm_to_float` so a round trip keeps the level exactly.
    scaled = np.clip(np.round(samples * 32768.0), -32768, 32767)
    return scaled.astype("<i2").tobytes()
