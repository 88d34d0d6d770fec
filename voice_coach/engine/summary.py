"""The session summary: talk time per partner, balance, pauses and pace.

Pure functions of what the session counted; the session speaks the lines and logs
the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from voice_coach.lang import Language
from voice_coach.script.model import Partner

EVEN_BALANCE = 0.7
"""Smaller talk time over larger at or above which the summary calls it even."""


@dataclass
class PartnerTalk:
    """What one partner did over the session."""

    speech_seconds: float = 0.0
    """Seconds of speech heard in this partner's turns."""
    pace_samples: list[float] = field(default_factory=list)
    """Pace measurements in syllables per second of speech."""

    @property
    def mean_pace(self) -> float | None:
        """Mean syllables per second, if any pace was measured."""
        return sum(self.pace_samples) / len(self.pace_samples) if self.pace_samples else None


def balance(a_seconds: float, b_seconds: float) -> float:
    """Smaller talk time over larger: 1.0 is perfectly even (and for no talk at all)."""
    high = max(a_seconds, b_seconds)
    return min(a_seconds, b_seconds) / high if high > 0 else 1.0


def figures(
    names: Mapping[Partner, str], talk: Mapping[Partner, PartnerTalk], pauses: int
) -> dict[str, Any]:
    """The numbers for the `session_summary` event, keyed by partner name."""
    return {
        "talk_seconds": {names[r]: round(t.speech_seconds, 1) for r, t in talk.items()},
        "balance": round(balance(talk["A"].speech_seconds, talk["B"].speech_seconds), 2),
        "breathing_pauses": pauses,
        "pace": {
            names[r]: round(pace, 2) for r, t in talk.items() if (pace := t.mean_pace) is not None
        },
    }


def spoken_lines(
    phrase: Callable[..., str],
    lang: Language,
    names: Mapping[Partner, str],
    talk: Mapping[Partner, PartnerTalk],
    pauses: int,
) -> list[str]:
    """What the coach says for the summary, with `phrase(key, **values)` for wording."""
    a, b = talk["A"].speech_seconds, talk["B"].speech_seconds
    lines = [phrase("summary_talk", a_time=lang.duration(a), b_time=lang.duration(b))]
    if max(a, b) > 0:
        if balance(a, b) >= EVEN_BALANCE:
            lines.append(phrase("summary_balance_even"))
        else:
            more, less = (names["A"], names["B"]) if a > b else (names["B"], names["A"])
            lines.append(phrase("summary_balance_uneven", more=more, less=less))
    if pauses:
        lines.append(phrase("summary_pauses", times=lang.times(pauses)))
    for role, partner in talk.items():
        pace = partner.mean_pace
        if pace is not None:
            lines.append(
                phrase("summary_pace", name=names[role], pace=lang.decimal(round(pace, 1)))
            )
    return lines
