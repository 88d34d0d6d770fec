"""Fakes for what cannot run here. Each says what it stands in for.

FakeRecognizer stands in for Vosk with a Dutch or English model (none can be
downloaded on this machine): it "hears" given utterances at given moments of the
session clock, counting the samples it is fed exactly as the engine feeds Vosk.
AnsweringRecognizer stands in for the same: a partner who answers a question a
moment after the coach starts listening for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from voice_coach.audio.chunk import LISTEN_RATE, Samples
from voice_coach.speech.recognizer import Utterance, Word


class FakeRecognizer:
    """Returns `text` once the session clock passes each `(seconds, text)` moment.

    With `word_seconds`, each utterance carries word timings too: its words end at
    the moment it is returned, each `word_seconds` long, back to back (times from the
    last `expect`, as Vosk gives them).
    """

    def __init__(
        self, script: Sequence[tuple[float, str]], word_seconds: float | None = None
    ) -> None:
        self._script = sorted(script)
        self._fed = 0
        self._since_expect = 0
        self._word_seconds = word_seconds
        self.grammars: list[list[str] | None] = []

    def expect(self, phrases: Sequence[str] | None) -> None:
        self.grammars.append(list(phrases) if phrases is not None else None)
        self._since_expect = 0

    def accept(self, block: Samples) -> Utterance | None:
        self._fed += len(block)
        self._since_expect += len(block)
        if self._script and self._fed / LISTEN_RATE >= self._script[0][0]:
            _, text = self._script.pop(0)
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


class AnsweringRecognizer:
    """Stands in for Vosk with a Dutch or English model: a partner who answers questions.

    Each time the engine starts listening with a grammar that holds `listen_for`, the
    next of `replies` is "heard" `delay` seconds later (None: silence that time). A
    new grammar (the coach speaking, say) drops a reply not yet heard, as a partner
    does not answer over the coach.
    """

    def __init__(self, replies: Sequence[str | None], listen_for: str, delay: float = 1.5) -> None:
        self._replies = list(replies)
        self._listen_for = listen_for
        self._delay = round(delay * LISTEN_RATE)
        self._fed = 0
        self._pending: tuple[int, str] | None = None
        self.grammars: list[list[str] | None] = []

    def expect(self, phrases: Sequence[str] | None) -> None:
        self.grammars.append(list(phrases) if phrases is not None else None)
        self._pending = None
        if phrases is not None and self._listen_for in phrases and self._replies:
            reply = self._replies.pop(0)
            if reply is not None:
                self._pending = (self._fed + self._delay, reply)

    def accept(self, block: Samples) -> Utterance | None:
        self._fed += len(block)
        if self._pending is not None and self._fed >= self._pending[0]:
            text = self._pending[1]
            self._pending = None
            return Utterance(text, ())


class ClockedFakeRecognizer:
    """Stands in for a Dutch or English Vosk model in `voice-coach serve` tests.

    `voice-coach serve` feeds its recogniser only after the wake word, never in idle,
    so this fake follows the service's clock (`clock()`, seconds) rather than the
    samples it is fed: it "hears" `text` at the first block fed within `window`
    seconds after each `(seconds, text)` moment. A moment that passes while it is
    not being fed (the coach was idle) is never heard, as with the real one.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        script: Sequence[tuple[float, str]],
        window: float = 1.0,
    ) -> None:
        self._clock = clock
        self._script = sorted(script)
        self._window = window
        self.grammars: list[list[str] | None] = []
        self.heard: list[tuple[float, str]] = []

    def expect(self, phrases: Sequence[str] | None) -> None:
        self.grammars.append(list(phrases) if phrases is not None else None)

    def accept(self, block: Samples) -> Utterance | None:
        now = self._clock()
        while self._script and now > self._script[0][0] + self._window:
            self._script.pop(0)  # said while nobody listened
        if self._script and now >= self._script[0][0]:
            _, text = self._script.pop(0)
            self.heard.append((now, text))
            return Utterance(text)
        return None

    def flush(self) -> Utterance | None:
        return None
