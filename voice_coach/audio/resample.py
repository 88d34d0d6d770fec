"""Streaming resampling: an endless stream converted block by block, without seams.

The live microphone uses it to turn 44.1 or 48 kHz capture into 16 kHz. One-shot
resampling of a whole array is `chunk.resample` (what `AudioChunk.to_rate` uses); this
gives the same output for a stream that arrives in blocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from math import gcd
from typing import Any

import numpy as np

from voice_coach.audio.chunk import Samples


class StreamResampler:
    """Polyphase resampling of an endless stream, block by block, without seams.

    Each block is resampled together with enough samples on either side that the
    filter never sees the zero padding `resample_poly` adds at array edges, so the
    output equals resampling the whole stream at once. The price is a delay of about
    `delay_s` seconds (the filter's half length: under 2 ms for 48 or 44.1 kHz).
    """

    def __init__(self, from_rate: int, to_rate: int) -> None:
        common = gcd(from_rate, to_rate)
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._up = to_rate // common
        self._down = from_rate // common
        self._h: np.ndarray[Any, np.dtype[np.float64]] | None = None
        self._context = 0
        if self._up != self._down:
            from scipy.signal import firwin

            # The same low-pass filter `resample_poly` designs (and chunk.resample uses).
            most = max(self._up, self._down)
            half_len = 10 * most
            self._h = np.asarray(firwin(2 * half_len + 1, 1.0 / most, window=("kaiser", 5.0)))
            self._context = -(-half_len // self._up) + 1
        self._buf = np.zeros(0, dtype=np.float64)
        self._start = 0
        """Stream position (input samples) of `_buf[0]`; always a multiple of `_down`."""
        self._done = 0
        """Output samples handed out so far."""

    @property
    def delay_s(self) -> float:
        """Seconds of input held back to give the filter its right-hand context."""
        return self._context / self.from_rate

    def process(self, samples: Samples) -> Samples:
        """Resample the next block; returns the output that is complete so far."""
        if self._h is None:
            return np.asarray(samples, dtype=np.float32)
        from scipy.signal import resample_poly

        self._buf = np.concatenate([self._buf, samples.astype(np.float64)])
        end = self._start + len(self._buf)
        if end - self._context < 0:
            return np.zeros(0, dtype=np.float32)
        # Output m sits at input position m * down / up; it is final once `context`
        # input samples past that position have arrived.
        stop = (end - self._context) * self._up // self._down + 1
        if stop <= self._done:
            return np.zeros(0, dtype=np.float32)
        out = resample_poly(self._buf, self._up, self._down, window=self._h)
        offset = self._start * self._up // self._down
        block = out[self._done - offset : stop - offset]
        self._done = stop
        keep_from = max(self._start, ((stop * self._down) // self._up - self._context))
        keep_from = max(self._start, keep_from // self._down * self._down)
        self._buf = self._buf[keep_from - self._start :]
        self._start = keep_from
        return np.asarray(block, dtype=np.float32)

    def flush(self) -> Samples:
        """The stream has ended: the output held back for context, up to the length
        resampling the whole stream at once gives (its end padded with silence)."""
        if self._h is None:
            return np.zeros(0, dtype=np.float32)
        from scipy.signal import resample_poly

        total = -(-(self._start + len(self._buf)) * self._up // self._down)
        if total <= self._done or len(self._buf) == 0:
            return np.zeros(0, dtype=np.float32)
        out = resample_poly(self._buf, self._up, self._down, window=self._h)
        offset = self._start * self._up // self._down
        block = out[self._done - offset : total - offset]
        self._done = total
        self._buf = np.zeros(0, dtype=np.float64)
        return np.asarray(block, dtype=np.float32)


def resampled(blocks: Iterable[Samples], from_rate: int, to_rate: int) -> Iterator[Samples]:
    """A stream of blocks at `from_rate` as blocks at `to_rate` (Hertz), ending with
    what the filter held back: together the same samples as resampling it whole."""
    stream = StreamResampler(from_rate, to_rate)
    for block in blocks:
        out = stream.process(block)
        if len(out):
            yield out
    last = stream.flush()
    if len(last):
        yield last
