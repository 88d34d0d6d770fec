"""Pace from a recogniser's word timings: the cross-check for the acoustic estimate.

Pure functions of words and their times (seconds). Syllables are counted from the
spelling: groups of vowel letters in Latin script (Dutch and English), one per
block in Hangul (so the Korean test model gives a real check too).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

_VOWEL_GROUP = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
JOIN_GAP = 0.3
"""Seconds between words below which they belong to one stretch of speech."""


class TimedWord(Protocol):
    """A recognised word with its place in the audio (a recogniser's `Word`)."""

    @property
    def text(self) -> str:
        """The word as written."""
        ...

    @property
    def start_s(self) -> float:
        """Seconds from the start of the audio it was heard in."""
        ...

    @property
    def end_s(self) -> float:
        """Seconds from the start of the audio it was heard in."""
        ...


def syllables(word: str) -> int:
    """Syllables in a written word (at least 1 for any word with letters)."""
    word = word.lower()
    hangul = len(_HANGUL.findall(word))
    if hangul:
        return hangul
    count = len(_VOWEL_GROUP.findall(word))
    if count > 1 and re.search(r"[^aeiouy]e$", word) and not word.endswith("le"):
        count -= 1  # an English silent final e: "make", "time"
    return max(count, 1 if re.search(r"\w", word) else 0)


@dataclass(frozen=True)
class WordPace:
    """Speaking rate measured from recognised words."""

    words: int
    syllables: int
    speech_s: float
    """Seconds of speech: word spans joined across gaps under `JOIN_GAP`."""

    @property
    def syllables_per_s(self) -> float:
        """Syllables per second of speech (0 without speech)."""
        return self.syllables / self.speech_s if self.speech_s > 0 else 0.0


def word_pace(words: Sequence[TimedWord]) -> WordPace:
    """The rate of `words` (in time order or not), pauses between them excluded."""
    ordered = sorted((w for w in words if w.end_s > w.start_s), key=lambda w: w.start_s)
    speech = 0.0
    span_start = span_end = None
    for word in ordered:
        if span_end is not None and word.start_s - span_end < JOIN_GAP:
            span_end = max(span_end, word.end_s)
            continue
        if span_start is not None and span_end is not None:
            speech += span_end - span_start
        span_start, span_end = word.start_s, word.end_s
    if span_start is not None and span_end is not None:
        speech += span_end - span_start
    return WordPace(len(ordered), sum(syllables(w.text) for w in ordered), speech)
