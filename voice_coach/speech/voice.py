"""What the engine needs from a voice, and a fake voice for timing tests.

A voice turns text into audio, one chunk per sentence, so playback can start on
the first sentence while the rest renders. Real voices: `speech.piper` (Piper) and
`speech.espeak` (espeak-ng fallback); `speech.select` picks one for a language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

import numpy as np

from voice_coach.audio.chunk import AudioChunk, Samples
from voice_coach.errors import VoiceCoachError


class VoiceError(VoiceCoachError):
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


class Stoppable(Protocol):
    """Work going on in the background."""

    def stop(self) -> None:
        """Stop it soon (it may finish what it is doing)."""
        ...


@runtime_checkable
class PrerenderingVoice(Voice, Protocol):
    """A voice that can render lines ahead of time, so they play at once (a cache)."""

    def prerender(self, texts: Iterable[str], rate: float) -> Stoppable:
        """Render `texts` at `rate` in the background; stop it when the session ends."""
        ...


_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)]))\s+|\n\s*\n")
# Words that end in a full stop without ending the sentence (Dutch and English),
# lower case. Splitting after them would put a long pause inside a sentence.
_ABBREVIATIONS = frozenset(
    {"bv", "bijv", "dhr", "mevr", "mw", "dr", "drs", "ir", "prof", "ca", "enz", "etc"}
    | {"evt", "ong", "resp", "nl", "mr", "mrs", "ms", "st", "vs", "eg", "ie", "cf", "nr"}
)
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")  # J. or U.S. (letters only: "3." ends)


def sentences(text: str) -> list[str]:
    """Split text at sentence ends (., !, ?, … then white space) and blank lines.

    A full stop after a known abbreviation ("bijv.", "Dr.", "e.g.") or an initial
    ("J. Jansen") does not end a sentence, nor does one followed by a lower-case
    word ("Wacht… en adem.").
    """
    parts: list[str] = []
    pending = ""
    for piece in _SENTENCE_END.split(text.strip()):
        piece = piece.strip() if piece else ""
        if not piece:
            continue
        if parts and not pending and piece[0].islower():
            parts[-1] = f"{parts[-1]} {piece}"
            continue
        pending = f"{pending} {piece}" if pending else piece
        if not _ends_in_abbreviation(pending):
            parts.append(pending)
            pending = ""
    if pending:
        parts.append(pending)
    return parts


def _ends_in_abbreviation(sentence: str) -> bool:
    if not sentence.endswith("."):
        return False
    word = sentence.rsplit(None, 1)[-1]
    if _INITIALS.fullmatch(word) and word[0].isupper():
        return True
    return word.replace(".", "").lower() in _ABBREVIATIONS


MIN_RATE = 0.25
MAX_RATE = 4.0


def check_rate(rate: float) -> float:
    """`rate` itself when a voice can speak at it, else ValueError (0.25 to 4)."""
    if not MIN_RATE <= rate <= MAX_RATE:
        raise ValueError(f"speech rate {rate} is out of range; use {MIN_RATE} to {MAX_RATE}")
    return rate


def sentence_gap(rate: float) -> float:
    """Seconds of silence after a sentence: a slower coach leaves more room."""
    return round(0.35 / max(rate, 0.3), 3)


QUIET = 10 ** (-60 / 20)
"""Amplitude (full scale 1.0) below which a voice's lead-in and tail count as silence."""

_KEEP_EDGE = 0.03
"""Seconds of the quiet edge kept, so soft onsets and decays are not cut."""


def sentence_chunk(samples: Samples, rate_hz: int, rate: float) -> AudioChunk:
    """One spoken sentence as the Voice protocol wants it: the engine's own silence
    at both ends trimmed (engines differ: espeak-ng pads a sentence with ~0.3 s, Piper
    with ~0.1 s), then `sentence_gap(rate)` seconds of silence, so every voice pauses
    alike. `rate_hz` is the sample rate in Hertz, `rate` the speech rate."""
    loud = np.flatnonzero(np.abs(samples) > QUIET)
    if len(loud) == 0:
        speech = np.zeros(0, dtype=np.float32)
    else:
        edge = round(_KEEP_EDGE * rate_hz)
        start = max(0, int(loud[0]) - edge)
        end = min(len(samples), int(loud[-1]) + 1 + edge)
        speech = np.asarray(samples[start:end], dtype=np.float32)
    return AudioChunk(speech, rate_hz).then(AudioChunk.silence(sentence_gap(rate), rate_hz))


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
