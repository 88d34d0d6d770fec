"""The simulated microphone and speaker: WAV files on the session clock.

The microphone reads a WAV as fast as the CPU allows; the speaker writes each
utterance into an output track at the offset the session clock gives. Played back,
the output lines up with the input, so a coach hears what a couple would have heard.
"""

from __future__ import annotations

import os

import numpy as np

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk, Samples
from voice_coach.audio.wav import read_wav, write_wav


class WavMicrophone:
    """Reads a WAV file (any format `read_wav` takes) as 16 kHz mono blocks."""

    def __init__(self, source: str | os.PathLike[str] | AudioChunk) -> None:
        audio = source if isinstance(source, AudioChunk) else read_wav(source)
        self._samples = audio.to_rate(LISTEN_RATE).samples
        self._pos = 0

    @property
    def seconds(self) -> float:
        """Length of the whole input in seconds."""
        return len(self._samples) / LISTEN_RATE

    def read(self, frames: int) -> Samples | None:
        if self._pos >= len(self._samples):
            return None
        block = self._samples[self._pos : self._pos + frames]
        self._pos += len(block)
        return block

    def close(self) -> None:
        self._pos = len(self._samples)


class SilentMicrophone:
    """Endless digital silence: nobody answers, the input never runs out (previews)."""

    def read(self, frames: int) -> Samples:
        return np.zeros(frames, dtype=np.float32)

    def close(self) -> None:
        """Nothing to release."""


class TrackSpeaker:
    """Mixes each utterance into one output track at its place on the session clock."""

    def __init__(self, rate: int = 22_050) -> None:
        self.rate = rate
        """Sample rate of the output track in Hertz."""
        self._placed: list[tuple[int, Samples]] = []
        """(start sample, samples) of every utterance, mixed when the track is asked for."""

    def play(self, audio: AudioChunk, at_s: float) -> None:
        self._placed.append((round(at_s * self.rate), audio.to_rate(self.rate).samples))

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
