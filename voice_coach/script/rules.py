"""The keys of the script language and what each accepts, in one table.

The loader (`load.py`) checks files against these tables and the JSON Schema
builder (`schema_build.py`) writes them out for editors, so the two cannot drift
apart on names, required keys or number ranges.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
"""A script id: lowercase letters and digits, words joined by single dashes."""

PARTNERS = ("A", "B")
"""The two roles; their names fill {A} and {B}."""

SPEAKERS = (*PARTNERS, "both")
"""Who may speak in a turn: a partner, or both together."""

STARTS = (*PARTNERS, "alternate", "random")
"""Who takes role A in a repeat's first round."""

WORD_CHOICES: dict[str, tuple[str, ...]] = {
    "partner": PARTNERS,
    "speaker": SPEAKERS,
    "start": STARTS,
}
"""Field kinds whose value is one word of a fixed list."""

EXTENSION_PREFIX = "x-"
"""Top-level keys starting with this are ignored: a place for YAML anchors (&name)."""

STEP_PLACEHOLDERS = PARTNERS
"""Placeholders allowed in a script's own text (say, prompt, intro)."""


@dataclass(frozen=True)
class Number:
    """A number range: `minimum` (exclusive or not) up to `maximum` (inclusive)."""

    minimum: float
    exclusive: bool
    maximum: float
    integer: bool = False
    unit: str = ""

    def noun(self) -> str:
        """What kind of number, for 'should be ...' messages."""
        if self.unit == "seconds":
            return "a number of seconds"
        return "a whole number" if self.integer else "a number"

    def problem(self, value: float) -> str:
        """What is wrong with a number of the right type ('' when it is fine)."""
        unit = f" {self.unit}" if self.unit else ""
        if not math.isfinite(value):
            return f"a finite number{unit}"
        if self.exclusive and value <= self.minimum:
            return f"more than {self.minimum:g}{unit}"
        if value < self.minimum:
            return f"at least {self.minimum:g}{unit}"
        if value > self.maximum:
            return f"at most {self.maximum:g}{unit}"
        if self.integer and value != int(value):
            return "a whole number"
        return ""


NUMBERS: dict[str, Number] = {
    "seconds": Number(0, True, 3600, unit="seconds"),
    "seconds0": Number(0, False, 3600, unit="seconds"),
    "count": Number(1, False, 100, integer=True),
    "count0": Number(0, False, 100, integer=True),
    "rate": Number(0.5, False, 1.5),
    "db": Number(0, True, 40, unit="dB"),
    "pace": Number(0, True, 10, unit="syllables per second"),
    "fraction": Number(0, True, 2),
}
"""Number kinds by name: durations are seconds, counts whole numbers."""


SCALES = (10, 5)
"""The tops a rating scale may have (1 to 10, 1 to 5); the first is the default."""


@dataclass(frozen=True)
class Field:
    """One key of a mapping in the language.

    `kind` is a key of NUMBERS or one of: bool, text (a string or a list of
    strings), names (spoken names: a string or a list, no placeholders), string, id,
    language, a key of WORD_CHOICES (partner, speaker, start), pattern, scale, steps,
    answers, voice, settings, phrases, breathe.
    """

    kind: str
    doc: str
    required: bool = False
    nullable: bool = False
    """`null` is accepted and means "none" (e.g. no warning before the end)."""
    default: str = ""
    """What an absent key means, in words, for the docs ("" for required keys)."""


TOP: dict[str, Field] = {
    "id": Field("id", "unique name: lowercase letters, digits and dashes", required=True),
    "title": Field("string", "the title shown in `voice-coach list`", required=True),
    "language": Field("language", "nl or en", required=True),
    "description": Field("string", "what the exercise is for, in a sentence or two"),
    "spoken": Field(
        "names",
        "what the couple may say to choose it after the wake word (`voice-coach serve`), "
        "in the script's language: a name or a list of names",
    ),
    "voice": Field("voice", "how the coach speaks"),
    "settings": Field("settings", "overrides of the listening thresholds"),
    "phrases": Field("phrases", "overrides of the coach's own phrases"),
    "steps": Field("steps", "the list of steps", required=True),
}

VOICE: dict[str, Field] = {
    "rate": Field("rate", "speech speed: 1.0 the voice's normal pace, 0.8 is 20 % slower"),
}

BREATHE: dict[str, Field] = {
    "pattern": Field("pattern", "slow-exhale, box or sigh: defaults for the numbers", default="–"),
    "inhale": Field("seconds", "seconds breathing in", default="4"),
    "hold": Field("seconds0", "seconds holding after breathing in", default="0"),
    "exhale": Field("seconds", "seconds breathing out", default="6"),
    "hold_out": Field("seconds0", "seconds holding after breathing out", default="0"),
    "cycles": Field("count", "how many breaths (1 to 100)", default="3"),
    "double_inhale": Field(
        "bool", "a second short inhale on top of the first (the sigh)", default="false"
    ),
    "intro": Field("text", "what the coach says first", default="the `breathe_intro` phrase"),
}

SETTINGS: dict[str, Field] = {
    "breathing_pause": Field("bool", "interrupt with guided breathing when voices rise"),
    "raised_voice_db": Field("db", "dB above the couple's baseline that counts as raised"),
    "raised_voice_seconds": Field("seconds", "seconds the raised voice must last"),
    "breathing_cooldown": Field("seconds0", "seconds after a breathing pause before another"),
    "breathing": Field("breathe", "the breathing pattern of the breathing pause"),
    "pace_feedback": Field("bool", "nudge a partner who talks clearly faster than the target"),
    "pace_target": Field("pace", "target speaking rate in syllables per second"),
    "pace_margin": Field("fraction", "fraction above the target that earns a nudge (0.3)"),
    "pace_nudges_per_turn": Field("count0", "at most this many pace nudges in one turn"),
}

BREATHING_PATTERNS: dict[str, dict[str, float | bool]] = {
    "slow-exhale": {"inhale": 4.0, "hold": 0.0, "exhale": 6.0, "hold_out": 0.0},
    "box": {"inhale": 4.0, "hold": 4.0, "exhale": 4.0, "hold_out": 4.0},
    "sigh": {"inhale": 2.0, "hold": 0.0, "exhale": 6.0, "hold_out": 0.0, "double_inhale": True},
}
"""Named breathing patterns: the numbers they give unless the step sets its own."""

SPOKEN_NAME = re.compile(r"^[^{}\s\d.,;:!?](?:[^{}.,;:!?]*[^{}\s.,;:!?])?$")
"""A spoken name (`spoken:`): words without braces or sentence punctuation. The same
pattern serves the JSON Schema, so it avoids classes such as \\w that differ between
regex dialects."""
MAX_SPOKEN_CHARS = 40
"""Characters in one spoken name: a few words, said in one breath."""
