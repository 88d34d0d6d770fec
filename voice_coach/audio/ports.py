"""The two ends of a session: where sound comes in and where the coach's voice goes.

A live session uses the sound card (`audio.live`); a simulated one uses WAV files
(`audio.sim`). The engine sees only these two protocols, so one code path serves a
couple in the living room, a coach previewing a script, and a test.
"""

from __future__ import annotations

from typing import Protocol

from voice_coach.audio.chunk import AudioChunk, Samples


class Microphone(Protocol):
    """A source of mono float32 blocks at `LISTEN_RATE` (16 kHz)."""

    def read(self, frames: int) -> Samples | None:
        """The next `frames` samples; fewer only at the end; None when the input has ended.

        A live microphone blocks until the samples have been recorded, so reading
        is what makes time pass.
        """
        ...

    def close(self) -> None:
        """Release the device or file."""
        ...


class Speaker(Protocol):
    """Where the coach's voice goes."""

    def play(self, audio: AudioChunk, at_s: float) -> None:
        """Start playing `audio` at `at_s` seconds on the session clock; returns at once."""
        ...

    def stop(self) -> None:
        """Cut off whatever is playing, at once (a `stop` command, a breathing interrupt)."""
        ...

    def remaining_s(self) -> float:
        """Seconds of queued audio not yet heard (0 when silent; always 0 simulated)."""
        ...

    def close(self) -> None:
        """Finish: flush what is queued and release the device or write the file."""
        ...
