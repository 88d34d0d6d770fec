"""The lines a session will speak that are known before it starts, for rendering ahead."""

from __future__ import annotations

from collections.abc import Sequence

from voice_coach.lang import Language, fill
from voice_coach.script.kinds import fixed_texts
from voice_coach.script.model import Script

_FIXED_PHRASES = (
    "breathe_intro",
    "breathe_in",
    "breathe_in_more",
    "breathe_hold",
    "breathe_out",
    "breathe_done",
    "raised_voice",
    "breathing_offer",
    "resume",
    "resume_both",
    "paused",
    "resumed",
    "stopped",
    "no_recognizer",
    "onboarding",
    "onboarding_safety",
    "onboarding_commands",
    "turn_open_both",
    "turn_end_both",
    "turn_first",
    "turn_other",
    "turn_again",
    "mirror_unheard",
    "pace_nudge_both",
)
"""Coach phrases without runtime values (names aside), worth rendering ahead."""


def fixed_lines(script: Script, lang: Language, names: Sequence[str]) -> list[str]:
    """Every wording of every fixed line in `script`, with the partners' names filled in
    (or, without two names, left out as the session does)."""
    texts = list(fixed_texts(script.steps))
    overrides = dict(script.phrases)
    for key in _FIXED_PHRASES:
        texts.extend(overrides.get(key) or lang.phrases[key])
    texts.extend(lang.count(n) for n in range(2, 11))
    given = [n.strip() for n in names if n.strip()]
    if len(given) >= 2:
        lines = [fill(text, {"A": given[0], "B": given[1]}).strip() for text in texts]
    else:
        lines = [lang.without_names(text).strip() for text in texts]
    return list(dict.fromkeys(line for line in lines if line))
