"""How long a script takes, roughly: planned silences and turns plus spoken text.

Spoken text counts about 12 characters per second at the voice's normal pace,
divided by the script's rate (0.8 is slower, so longer). An ask counts its first
answer's branch (the default); a repeat multiplies. Listening for answers and
the coach's short cues inside turns are not counted: it is an estimate.
"""

from __future__ import annotations

from collections.abc import Iterable

from voice_coach.lang import SUPPORTED, language
from voice_coach.script import model

CHARS_PER_SECOND = 12.0
"""Characters of text the coach speaks per second at rate 1.0."""
SUMMARY_SECONDS = 20.0
"""Seconds the spoken summary takes (a few short sentences)."""


def estimate_seconds(script: model.Script) -> float:
    """Approximate length of a session with `script`, in seconds."""
    phrases = dict(script.phrases)
    lang = language(script.language) if script.language in SUPPORTED else None

    def spoken(text: model.Text, default: str = "") -> float:
        if not text and default:
            text = phrases.get(default) or (lang.phrases.get(default, ()) if lang else ())
        if not text:
            return 0.0
        chars = sum(len(t) for t in text) / len(text)
        return chars / CHARS_PER_SECOND / script.rate

    def steps(items: Iterable[model.Step]) -> float:
        total = 0.0
        for item in items:
            total += step(item)
            if isinstance(item, model.End):
                break  # nothing after an end is spoken
        return total

    def step(item: model.Step) -> float:
        if isinstance(item, model.Say):
            return spoken(item.text)
        if isinstance(item, model.Pause):
            return item.seconds
        if isinstance(item, model.Breathe):
            return spoken(item.intro, "breathe_intro") + item.seconds
        if isinstance(item, model.Turn):
            return spoken(item.prompt, "turn_open") + item.seconds
        if isinstance(item, model.Mirror):
            per_round = item.seconds + (item.mirror_seconds or item.seconds)
            loops = 2 if item.swap else 1
            return spoken(item.prompt, "mirror_open") + per_round * item.rounds * loops
        if isinstance(item, model.Ask):
            first = item.answers[0][1] if item.answers else ()
            return spoken(item.prompt) + steps(first)
        if isinstance(item, model.Repeat):
            return item.times * steps(item.steps)
        if isinstance(item, model.Calibrate):
            return spoken(item.prompt, "calibrate_open") + item.seconds
        if isinstance(item, model.End):
            return spoken(item.text)
        return SUMMARY_SECONDS

    return steps(script.steps)


def estimate_minutes(script: model.Script) -> int:
    """Approximate length in whole minutes (at least 1)."""
    return max(1, round(estimate_seconds(script) / 60))
