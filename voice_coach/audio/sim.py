"""The simulated microphone and speaker: WAV files on the session clock.

The microphone reads a WAV as fast as the CPU allows; the speaker writes each
utterance into an output track at the offset the session clock gives. Played back,
the output lines up with the input, so a coach hears what a couple would have heard.
Both stream: a file of any length costs a few seconds of audio in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk, Samples
from voice_coach.audio.resample import resampled
from voice_coach.audio.wav import WavReader, WavWriter, write_wav

_READ_SECONDS = 1.0
"""Seconds of the input file read at a time."""
_WRITE_FRAMES = 1 << 16
"""Samples of the output track written at a time."""


class WavMicrophone:
    """Reads a WAV file (any format `WavReader` takes) as 16 kHz mono blocks, streaming."""

    def __init__(self, source: str | os.PathLike[str] | AudioChunk) -> None:
        self._reader: WavReader | None = None
        if isinstance(source, AudioChunk):
            whole = source.to_rate(LISTEN_RATE).samples
            self._seconds = len(whole) / LISTEN_RATE
            self._source: Iterator[Samples] = iter([whole])
        else:
            self._reader = WavReader(source)
            self._seconds = self._reader.seconds
            rate = self._reader.rate
            blocks = self._reader.blocks(max(1, round(_READ_SECONDS * rate)))
            self._source = resampled(blocks, rate, LISTEN_RATE)
        self._buf = np.zeros(0, dtype=np.float32)
        self._ended = False

    @property
    def seconds(self) -> float:
        """Length of the whole input in seconds."""
        return self._seconds

    def read(self, frames: int) -> Samples | None:
        while len(self._buf) < frames and not self._ended:
            more = next(self._source, None)
            if more is None:
                self._ended = True
            else:
                self._buf = np.concatenate([self._buf, more])
        if len(self._buf) == 0:
            return None
        block, self._buf = self._buf[:frames], self._buf[frames:]
        return block

    def close(self) -> None:
        self._ended = True
        self._buf = np.zeros(0, dtype=np.float32)
        if self._reader is not None:
            self._reader.close()


class SilentMicrophone:
    """Endless digital silence: nobody answers, the input never runs out (previews)."""

    def read(self, frames: int) -> Samples:
        return np.zeros(frames, dtype=np.float32)

    def close(self) -> None:
        """Nothing to release."""


class TrackSpeaker:
    """Mixes each utterance into one output track at its place on the session clock.

    Given a `path`, the track streams into that file (private, appearing whole at
    `finish`, removed by `abort`): what lies before the latest utterance's start is
    final and written out, so memory holds only the utterances still sounding.
    Without one, the track stays in memory (`track`, `save`).
    """

    def __init__(self, rate: int = 22_050, path: Path | None = None) -> None:
        self.rate = rate
        """Sample rate of the output track in Hertz."""
        self._placed: list[tuple[int, Samples]] = []
        """(start sample, samples) of every utterance, mixed when the track is asked for."""
        self._sink = None if path is None else WavWriter(path, rate, "output WAV")
        self._written = 0
        """Samples of the track already in the file (streaming)."""
        self._pending = np.zeros(0, dtype=np.float32)
        """Streaming: the track from `_written` on, still open to later utterances."""

    def play(self, audio: AudioChunk, at_s: float) -> None:
        samples = audio.to_rate(self.rate).samples
        start = round(at_s * self.rate)
        if self._sink is None:
            self._placed.append((start, samples))
            return
        if start < self._written:  # the clock never runs back; keep what still fits
            samples, start = samples[self._written - start :], self._written
        self._write_until(start)
        offset = start - self._written
        if offset + len(samples) > len(self._pending):
            grown = np.zeros(offset + len(samples), dtype=np.float32)
            grown[: len(self._pending)] = self._pending
            self._pending = grown
        self._pending[offset : offset + len(samples)] += samples

    def _write_until(self, end: int) -> None:
        """Streaming: write the track up to sample `end` (silence past the pending)."""
        assert self._sink is not None
        while self._written < end:  # a bounded piece at a time: an hour's turn is silence
            count = min(end - self._written, _WRITE_FRAMES)
            block = self._pending[:count]
            if len(block) < count:
                block = np.concatenate([block, np.zeros(count - len(block), dtype=np.float32)])
            self._sink.write(block)
            self._pending = self._pending[count:]
            self._written += count

    def finish(self, seconds: float | None = None) -> None:
        """Streaming: write the rest (padded with silence to `seconds`) and put the
        file in place."""
        if self._sink is None:
            return
        end = self._written + len(self._pending)
        if seconds is not None:
            end = max(end, round(seconds * self.rate))
        try:
            self._write_until(end)
        except BaseException:
            self.abort()
            raise
        self._sink.close()
        self._sink = None

    def abort(self) -> None:
        """Streaming: stop and leave no partial file behind."""
        if self._sink is not None:
            self._sink.abort()
            self._sink = None

    def stop(self) -> None:
        """Nothing plays ahead of the clock in a simulation; kept for the protocol."""

    def remaining_s(self) -> float:
        """Simulated audio is heard the moment the clock passes it."""
        return 0.0

    def track(self, seconds: float | None = None) -> AudioChunk:
        """The output so far, padded with silence to `seconds` if given."""
        end = max((start + len(samples) for start, samples in self._placed), default=0)
        if seconds is not None:
            end = max(end, round(seconds * self.rate))
        track = np.zeros(end, dtype=np.float32)
        for start, samples in self._placed:
            track[start : start + len(samples)] += samples
        return AudioChunk(track, self.rate)

    def close(self) -> None:
        """The track stays in memory; `save` writes it."""

    def save(self, path: str | os.PathLike[str], seconds: float | None = None) -> None:
        """Write the track (padded to `seconds`) as a WAV readable by the user only."""
        write_wav(path, self.track(seconds))
