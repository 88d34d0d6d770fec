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


class SilentMicrophone(WavMicrophone):
    """`seconds` of digital silence: a session where nobody answers (previews, tests)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(AudioChunk.silence(seconds, LISTEN_RATE))


class TrackSpeaker:
    """Mixes each utterance into one output track at its place on the session clock."""

    def __init__(self, rate: int = 22_050) -> None:
        self.rate = rate
        """Sample rate of the output track in Hertz."""
        self._track = np.zeros(0, dtype=np.float32)
        self._playing_until = 0

    def play(self, audio: AudioChunk, at_s: float) -> None:
        samples = audio.to_rate(self.rate).samples
        start = round(at_s * self.rate)
        end = start + len(samples)
        if end > len(self._track):
            self._track = np.concatenate(
                [self._track, np.zeros(end - len(self._track), dtype=np.float32)]
            )
        self._track[start:end] += samples
        self._playing_until = end

    def stop(self) -> None:
        """Nothing plays ahead of the clock in a simulation; kept for the protocol."""

    def remaining_s(self) -> float:
        """Simulated audio is heard the moment the clock passes it."""
        return 0.0

    def track(self, seconds: float | None = None) -> AudioChunk:
        """The output so far, padded with silence to `seconds` if given."""
        track = self._track
        if seconds is not None and round(seconds * self.rate) > len(track):
            pad = np.zeros(round(seconds * self.rate) - len(track), dtype=np.float32)
            track = np.concatenate([track, pad])
        return AudioChunk(track, self.rate)

    def close(self) -> None:
        """The track stays in memory; `save` writes it."""

    def save(self, path: str | os.PathLike[str], seconds: float | None = None) -> None:
        """Write the track (padded to `seconds`) as a WAV readable by the user only."""
        write_wav(path, self.track(seconds))
