"""How long a script takes, roughly: planned silences and turns plus spoken text.

Spoken text counts about 14 characters per second at the voice's normal pace,
divided by the script's rate (0.8 is slower, so longer). Each step kind says what it
adds (`kinds.Kind.estimate`): an ask counts its default answer's branch (or, for an
upper bound, its longest), a repeat multiplies. Listening for answers and the coach's
short cues inside turns are not counted: it is an estimate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from voice_coach.lang import SUPPORTED, language
from voice_coach.script import model
from voice_coach.script.kinds import kind_of

ECHO_TAIL = 0.4
"""Seconds the coach waits after each line it says (the default `echo_tail`)."""
CHARS_PER_SECOND = 14.0
"""Characters of text the coach speaks per second at rate 1.0. Measured with `preview`:
espeak-ng's Dutch voice says about 11.5 a second at rate 0.82 (14 at 1.0), Piper's joe
about 13 (16 at 1.0), each with the echo tail after a line; the slower of the two."""


class StepEstimator:
    """Seconds per step for one script's rate and phrases (see `kinds.Estimator`)."""

    def __init__(
        self,
        rate: float = 1.0,
        phrases: Mapping[str, model.Text] | None = None,
        longest: bool = False,
    ) -> None:
        self.rate = rate
        """The coach's speech speed (1.0 the voice's normal pace)."""
        self.phrases = phrases or {}
        """Wordings of the coach's phrases, for steps whose own text is empty."""
        self.longest = longest
        """Count each question's longest answer rather than its default."""

    def spoken(self, text: model.Text, default_phrase: str = "") -> float:
        if not text and default_phrase:
            text = self.phrases.get(default_phrase, ())
        if not text:
            return 0.0
        chars = sum(len(t) for t in text) / len(text)
        return chars / CHARS_PER_SECOND / self.rate + ECHO_TAIL

    def answer(self, step: model.Ask) -> Sequence[model.Step]:
        if not step.answers:
            return ()
        if self.longest:
            return max((branch for _, branch in step.answers), key=self.steps)
        return step.branch(step.fallback)

    def steps(self, steps: Sequence[model.Step]) -> float:
        total = 0.0
        for step in steps:
            total += kind_of(step).estimate(step, self)
            if isinstance(step, model.End):
                break  # nothing after an end is spoken
        return total


def estimator(script: model.Script, longest: bool = False) -> StepEstimator:
    """An estimator with the script's rate and its language's phrases (its own first)."""
    phrases: dict[str, model.Text] = {}
    if script.language in SUPPORTED:
        phrases.update(language(script.language).phrases)
    phrases.update(script.phrases)
    return StepEstimator(script.rate, phrases, longest)


def estimate_seconds(script: model.Script, longest: bool = False) -> float:
    """Approximate length of a session with `script`, in seconds: with each question's
    default answer, or (`longest`) its longest."""
    return estimator(script, longest).steps(script.steps)


def estimate_minutes(script: model.Script) -> int:
    """Approximate length in whole minutes (at least 1)."""
    return max(1, round(estimate_seconds(script) / 60))


def planned(steps: Sequence[model.Step]) -> tuple[int, float]:
    """Steps run once repeats are expanded (an ask's largest branch), and a rough length
    in seconds (without the language's phrases): the bounds `validate` enforces."""
    return _expanded(steps), StepEstimator(longest=True).steps(steps)


def _expanded(steps: Sequence[model.Step]) -> int:
    count = 0
    for step in steps:
        count += 1
        if isinstance(step, model.Repeat):
            count += step.times * _expanded(step.steps)
        elif isinstance(step, model.Ask):
            count += max((_expanded(branch) for _, branch in step.answers), default=0)
    return count
