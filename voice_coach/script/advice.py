"""Advice on a valid script: what `voice-coach validate` warns about without failing.

- A coach line that takes more than `MAX_LINE_SECONDS` to say: a monologue; split it.
- More than `MAX_OPENING_SECONDS` of coach speech before the couple first speaks.
- A description that promises a length ("vijf tot tien minuten", "about ten minutes")
  the plan does not keep.
- A question without a `default:` (silence then takes the first answer).

Durations are the estimate's (`script.estimate`: about 14 characters a second at the
voice's normal pace, divided by the script's rate). All pure: the reader gives the
places, this module the judgement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from voice_coach.script import model
from voice_coach.script.estimate import ECHO_TAIL, StepEstimator, estimate_seconds, estimator

MAX_LINE_SECONDS = 20.0
"""Longest a coach line should take to say, in seconds."""
MAX_OPENING_SECONDS = 45.0
"""Most seconds of coach speech before the couple first speaks."""
PROMISE_OVER = 30.0
"""Seconds a plan may run over the longest promised length before it is a broken promise."""
PROMISE_UNDER = 60.0
"""Seconds a plan may stay under the shortest promised length."""
ABOUT = 0.2
""""About ten minutes" holds from 8 to 12."""

_NUMBERS = {
    "een": 1, "één": 1, "one": 1, "a": 1, "twee": 2, "two": 2, "drie": 3, "three": 3,
    "vier": 4, "four": 4, "vijf": 5, "five": 5, "zes": 6, "six": 6, "zeven": 7, "seven": 7,
    "acht": 8, "eight": 8, "negen": 9, "nine": 9, "tien": 10, "ten": 10, "elf": 11,
    "eleven": 11, "twaalf": 12, "twelve": 12, "vijftien": 15, "fifteen": 15, "twintig": 20,
    "twenty": 20, "dertig": 30, "thirty": 30,
}  # fmt: skip
"""Number words a description may use for minutes."""

_NUMBER = r"(\d+|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")"
_UNIT = r"(minuten|minuut|minutes|minute|kwartier|quarter of an hour|half uur|half an hour)"
_RANGE = re.compile(rf"\b{_NUMBER}\s+(?:tot|to)\s+{_NUMBER}\s+{_UNIT}", re.IGNORECASE)
_SINGLE = re.compile(
    rf"\b(ongeveer|zo'n|rond|about|around|some)?\s*(?:een|a|an)?\s*{_NUMBER}?\s*{_UNIT}",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Spoken:
    """One wording of a text the coach speaks, and where it is written."""

    line: int
    column: int
    text: str


@dataclass(frozen=True)
class Advice:
    """One warning: where, and what."""

    line: int
    column: int
    message: str


def _value(word: str | None, unit: str) -> float:
    unit = unit.lower()
    if "kwartier" in unit or "quarter" in unit:
        minutes = 15.0
    elif "half" in unit:
        minutes = 30.0
    else:
        minutes = 1.0
    if word is None:
        return minutes
    key = word.lower()
    count = float(key) if key.isdigit() else float(_NUMBERS[key])
    return count * minutes


def promised_minutes(description: str) -> tuple[float, float] | None:
    """The length a description promises, as (shortest, longest) minutes, or None.

    "Vijf tot tien minuten" -> (5, 10); "een kwartier tot twintig minuten" -> (15, 20);
    "ongeveer tien minuten" / "about ten minutes" -> (8, 12); "tien minuten" -> (8, 12).
    """
    span = _RANGE.search(description)
    if span:
        low, high = _value(span.group(1), span.group(3)), _value(span.group(2), span.group(3))
        return (low, high)
    mixed = re.search(
        rf"\b(?:een|a)\s+{_UNIT}\s+(?:tot|to)\s+{_NUMBER}\s+{_UNIT}", description, re.IGNORECASE
    )
    if mixed:
        return (_value(None, mixed.group(1)), _value(mixed.group(2), mixed.group(3)))
    for match in _SINGLE.finditer(description):
        if match.group(2) is None and not re.search(r"kwartier|quarter|half", match.group(3)):
            continue
        minutes = _value(match.group(2), match.group(3))
        return (minutes * (1 - ABOUT), minutes * (1 + ABOUT))
    return None


def long_lines(spoken: Sequence[Spoken], rate: float) -> list[Advice]:
    """A warning for each wording that takes more than `MAX_LINE_SECONDS` to say."""
    timing = StepEstimator(rate)
    out = []
    for text in spoken:
        seconds = timing.spoken((text.text,)) - ECHO_TAIL  # the line itself
        if seconds > MAX_LINE_SECONDS:
            out.append(
                Advice(
                    text.line,
                    text.column,
                    f"this line takes about {seconds:.0f} s to say; keep a coach line under "
                    f"{MAX_LINE_SECONDS:.0f} s: split it over two steps or say less",
                )
            )
    return out


def opening_seconds(script: model.Script) -> tuple[float, model.Step | None]:
    """Seconds of coach speech before the couple first speak (on a first evening, along
    the default answers), and the step where they first do (None: they never do)."""
    timing = estimator(script)
    spoken = 0.0

    def walk(steps: Sequence[model.Step]) -> model.Step | None:
        nonlocal spoken
        for step in steps:
            match step:
                case model.Turn() | model.Calibrate() | model.Ask() | model.Mirror() | model.Rate():
                    opening = {"turn": "turn_open", "calibrate": "calibrate_open"}
                    name = type(step).__name__.lower()
                    text = step.prompt
                    if isinstance(step, model.Mirror):
                        spoken += timing.spoken(text, "mirror_open") + timing.spoken(
                            (), "mirror_send"
                        )
                    else:
                        spoken += timing.spoken(text, opening.get(name, ""))
                    return step
                case model.Repeat():
                    found = walk(step.steps)
                    if found is not None:
                        return found
                case model.Pause() | model.Recap():
                    pass  # a recap is silent on a first evening: there is no history yet
                case model.Breathe():
                    spoken += timing.spoken(step.intro, "breathe_intro")
                case model.End():
                    spoken += timing.spoken(step.text)
                    return None
                case _:
                    spoken += timing.steps([step])
        return None

    first = walk(script.steps)
    return spoken, first


def opening(script: model.Script, column_of: dict[int, int]) -> list[Advice]:
    """A warning when the coach talks more than `MAX_OPENING_SECONDS` before the couple."""
    seconds, step = opening_seconds(script)
    if seconds <= MAX_OPENING_SECONDS:
        return []
    where = step.line if step is not None else (script.steps[0].line if script.steps else 1)
    return [
        Advice(
            where,
            column_of.get(where, 1),
            f"the coach speaks about {seconds:.0f} s before the partners first speak (here, on a "
            f"first evening); keep it under about {MAX_OPENING_SECONDS:.0f} s",
        )
    ]


def promise(script: model.Script, line: int, column: int) -> list[Advice]:
    """A warning when the description promises a length the plan does not keep."""
    promised = promised_minutes(script.description)
    if promised is None:
        return []
    low, high = promised
    longest, usual = estimate_seconds(script, longest=True), estimate_seconds(script)
    if longest > high * 60 + PROMISE_OVER:
        return [
            Advice(
                line,
                column,
                f"the description promises at most {high:g} minutes, but the script plans "
                f"about {longest / 60:.1f}; shorten it or change the description",
            )
        ]
    if usual < low * 60 - PROMISE_UNDER:
        return [
            Advice(
                line,
                column,
                f"the description promises at least {low:g} minutes, but the script plans "
                f"about {usual / 60:.1f}; change the description",
            )
        ]
    return []
