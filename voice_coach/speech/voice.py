"""What the engine needs from a voice, and a fake voice for timing tests.

A voice turns text into audio, one chunk per sentence, so playback can start on
the first sentence while the rest renders. Real voices: `speech.piper` (Piper) and
`speech.espeak` (espeak-ng fallback); `speech.select` picks one for a language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

import numpy as np

from voice_coach.audio.chunk import AudioChunk


class VoiceError(Exception):
    """No voice can speak; the message says what to install or download."""


class Voice(Protocol):
    """Speaks text."""

    name: str
    """Voice name, e.g. nl_BE-nathalie-medium (part of cache keys)."""

    def speak(self, text: str, rate: float) -> Iterator[AudioChunk]:
        """Audio for `text`, one chunk per sentence, each ending in its pause.

        `rate` is the speed: 1.0 the voice's normal pace, 0.8 twenty percent slower.
        """
        ...


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def sentences(text: str) -> list[str]:
    """Split text at sentence ends (., !, ?, …) followed by white space."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def sentence_gap(rate: float) -> float:
    """Seconds of silence after a sentence: a slower coach leaves more room."""
    return round(0.35 / max(rate, 0.3), 3)


class FakeVoice:
    """A stand-in voice for tests: a soft tone whose length follows the text exactly.

    Each sentence lasts `seconds_per_char / rate` per character, then `sentence_gap`.
    Named a fake because it speaks no words; engine timing tests rely on its exact
    lengths. Real speech comes from Piper or espeak-ng.
    """

    name = "fake"

    def __init__(self, rate_hz: int = 22_050, seconds_per_char: float = 0.05) -> None:
        self.rate_hz = rate_hz
        self.seconds_per_char = seconds_per_char

    def speak(self, text: str, rate: float) -> Iterator[AudioChunk]:
        for sentence in sentences(text):
            seconds = len(sentence) * self.seconds_per_char / rate
            n = round(seconds * self.rate_hz)
            tone = 0.1 * np.sin(2 * np.pi * 220.0 * np.arange(n) / self.rate_hz)
            chunk = AudioChunk(tone.astype(np.float32), self.rate_hz)
            yield chunk.then(AudioChunk.silence(sentence_gap(rate), self.rate_hz))
