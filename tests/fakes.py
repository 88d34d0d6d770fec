"""Fakes for what cannot run here. Each says what it stands in for.

FakeRecognizer stands in for Vosk with a Dutch or English model (none can be
downloaded on this machine): it "hears" given utterances at given moments of the
session clock, counting the samples it is fed exactly as the engine feeds Vosk, or
answers a question a moment after its words are expected (`replies`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from voice_coach.audio.chunk import LISTEN_RATE, Samples
from voice_coach.speech.recognizer import Utterance, Word


class FakeRecognizer:
    """Returns `text` once the session clock passes each `(seconds, text)` moment.

    With `word_seconds`, each utterance carries word timings too: its words end at
    the moment it is returned, each `word_seconds` long, back to back (times from the
    last `expect`, as Vosk gives them).
    """

    def __init__(
        self,
        script: Sequence[tuple[float, str]],
        word_seconds: float | None = None,
        replies: Mapping[str, str] | None = None,
        reply_after: float = 1.0,
    ) -> None:
        self._script = sorted(script)
        self._fed = 0
        self._since_expect = 0
        self._word_seconds = word_seconds
        self._replies = dict(replies or {})
        """Answer word expected -> what is "said" `reply_after` seconds after it is."""
        self._reply_after = reply_after
        self._reply: str | None = None
        self.grammars: list[list[str] | None] = []

    def expect(self, phrases: Sequence[str] | None) -> None:
        self.grammars.append(list(phrases) if phrases is not None else None)
        self._since_expect = 0
        words = set(phrases or ())
        self._reply = next((said for word, said in self._replies.items() if word in words), None)

    def accept(self, block: Samples) -> Utterance | None:
        self._fed += len(block)
        self._since_expect += len(block)
        if self._script and self._fed / LISTEN_RATE >= self._script[0][0]:
            _, text = self._script.pop(0)
            return Utterance(text, self._words(text))
        if self._reply is not None and self._since_expect / LISTEN_RATE >= self._reply_after:
            text, self._reply = self._reply, None
            return Utterance(text, self._words(text))
        return None

    def _words(self, text: str) -> tuple[Word, ...]:
        if self._word_seconds is None:
            return ()
        end = self._since_expect / LISTEN_RATE
        tokens = text.split()
        start = end - len(tokens) * self._word_seconds
        return tuple(
            Word(t, start + i * self._word_seconds, start + (i + 1) * self._word_seconds)
            for i, t in enumerate(tokens)
        )

    def flush(self) -> Utterance | None:
        return None
