"""What the engine needs from a speech recogniser.

The real one is Vosk (`speech.vosk`). The engine only asks for short things:
answers and commands, so it passes the phrases it listens for and a recogniser
that supports grammars restricts itself to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from voice_coach.audio.chunk import Samples
from voice_coach.errors import VoiceCoachError


class RecognizerError(VoiceCoachError):
    """A recogniser cannot be used; the message says which model to download and how."""


@dataclass(frozen=True)
class Word:
    """A recognised word with its place in the fed audio."""

    text: str
    start_s: float
    """Seconds from the first sample fed since the last `expect`."""
    end_s: float
    conf: float = 1.0
    """Confidence from 0 to 1."""


@dataclass(frozen=True)
class Utterance:
    """What was recognised between two pauses."""

    text: str
    words: tuple[Word, ...] = ()


class Recognizer(Protocol):
    """Streaming recognition of 16 kHz mono float32 blocks."""

    def expect(self, phrases: Sequence[str] | None) -> None:
        """Start afresh listening for `phrases` (None: free speech)."""
        ...

    def accept(self, block: Samples) -> Utterance | None:
        """Feed a block; return an utterance when one has just ended."""
        ...

    def flush(self) -> Utterance | None:
        """End the current utterance now and return it, if it has any words."""
        ...
