"""What the couple did lately, as plain figures: the session's only view of its past.

The engine never reads the journal (it does not know there is one). Whoever starts a
session may hand it a `Recent` (the commands build one from the journal, `serve`
can too); a `recap` step speaks from it, and says nothing without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from voice_coach.engine.summary import EVEN_BALANCE
from voice_coach.lang import Language


@dataclass(frozen=True)
class Recent:
    """The couple's recent evenings, before this one."""

    sessions_7_days: int
    """Sessions in the last seven days that the couple or the script ended."""
    sessions_before: int
    """Such sessions in all the history (0: this is the first evening)."""
    pauses_7_days: int
    """Breathing pauses in the last seven days."""
    pauses_prior_7_days: int
    """Breathing pauses in the seven days before those."""
    balance_mean: float | None
    """Mean talk balance of the last seven days' sessions (smaller over larger), or None."""


def recap_lines(recent: Recent | None, phrase: Callable[..., str], lang: Language) -> list[str]:
    """One or two gentle sentences about `recent`: how often, and one thing that went
    well. Nothing that went less well is named; no history says nothing."""
    if recent is None or recent.sessions_before == 0:
        return []
    count = recent.sessions_7_days
    if count == 0:
        return [phrase("recap_back")]
    lines = [phrase("recap_one") if count == 1 else phrase("recap_count", count=lang.count(count))]
    if recent.pauses_prior_7_days > recent.pauses_7_days:
        lines.append(phrase("recap_calmer"))
    elif count >= 2 and recent.balance_mean is not None and recent.balance_mean >= EVEN_BALANCE:
        lines.append(phrase("recap_even"))
    return lines
