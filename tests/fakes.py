"""Fakes for what cannot run here. Each says what it stands in for.

FakeRecognizer stands in for Vosk with a Dutch or English model (none can be
downloaded on this machine): it "hears" given utterances at given moments of the
session clock, counting the samples it is fed exactly as the engine feeds Vosk.
"""

from __future__ import annotations

from collections.abc import Sequence

from voice_coach.audio.chunk import LISTEN_RATE, Samples
from voice_coach.speech.recognizer import Utterance


class FakeRecognizer:
    """Returns `text` once the session clock passes each `(seconds, text)` moment."""

    def __init__(self, script: Sequence[tuple[float, str]]) -> None:
        self._script = sorted(script)
        self._fed = 0
        self.grammars: list[list[str] | None] = []

    def expect(self, phrases: Sequence[str] | None) -> None:
        self.grammars.append(list(phrases) if phrases is not None else None)

    def accept(self, block: Samples) -> Utterance | None:
        self._fed += len(block)
        if self._script and self._fed / LISTEN_RATE >= self._script[0][0]:
            _, text = self._script.pop(0)
            return Utterance(text)
        return None

    def flush(self) -> Utterance | None:
        return None
