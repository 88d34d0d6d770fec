"""The session summary: talk time per partner, balance, pauses and pace.

Pure functions of what the session counted; the session speaks the lines and logs
the figures. Pace is spoken in words, never as a number: how a partner's last turn
compared with their first ("rustiger dan aan het begin").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from voice_coach.lang import Language
from voice_coach.script.model import Partner

EVEN_BALANCE = 0.7
"""Smaller talk time over larger at or above which the summary calls it even."""
PACE_CHANGE = 0.1
"""Fraction by which the last turn's pace must differ from the first's to be called
calmer or faster (10 %: about the pace meter's own error)."""


@dataclass
class PartnerTalk:
    """What one partner (or both together) did over the session."""

    speech_seconds: float = 0.0
    """Seconds of speech heard in this partner's turns."""
    pace_samples: list[float] = field(default_factory=list)
    """Pace measurements in syllables per second of speech."""
    turn_paces: list[tuple[float, float]] = field(default_factory=list)
    """(start in session seconds, mean syllables per second) of each turn with a pace."""

    def add_turn(self, start: float, speech_seconds: float, paces: Sequence[float]) -> None:
        """Count one turn that began at `start` (seconds) with its speech and pace samples."""
        self.speech_seconds += speech_seconds
        self.pace_samples.extend(paces)
        if paces:
            self.turn_paces.append((start, sum(paces) / len(paces)))

    @property
    def mean_pace(self) -> float | None:
        """Mean syllables per second, if any pace was measured."""
        return sum(self.pace_samples) / len(self.pace_samples) if self.pace_samples else None


@dataclass(frozen=True)
class Parts:
    """Which parts of the summary to speak (the `summary` step's options)."""

    talk: bool = True
    pauses: bool = True
    pace: bool = False


def balance(a_seconds: float, b_seconds: float) -> float:
    """Smaller talk time over larger: 1.0 is perfectly even (and for no talk at all)."""
    high = max(a_seconds, b_seconds)
    return min(a_seconds, b_seconds) / high if high > 0 else 1.0


def figures(
    names: Mapping[Partner, str],
    talk: Mapping[Partner, PartnerTalk],
    pauses: int,
    shared: PartnerTalk | None = None,
) -> dict[str, Any]:
    """The numbers for the `session_summary` event, keyed by partner name."""
    return {
        "talk_seconds": {names[r]: round(t.speech_seconds, 1) for r, t in talk.items()},
        "balance": round(balance(talk["A"].speech_seconds, talk["B"].speech_seconds), 2),
        "breathing_pauses": pauses,
        "pace": {
            names[r]: round(pace, 2) for r, t in talk.items() if (pace := t.mean_pace) is not None
        },
        "shared_seconds": round(shared.speech_seconds, 1) if shared else 0.0,
    }


def pace_trend(turn_paces: Sequence[tuple[float, float]]) -> str | None:
    """ "slower", "steady" or "faster": the last turn's pace against the first's (None
    with fewer than two turns)."""
    if len(turn_paces) < 2:
        return None
    ordered = sorted(turn_paces)
    first, last = ordered[0][1], ordered[-1][1]
    if last < first * (1 - PACE_CHANGE):
        return "slower"
    if last > first * (1 + PACE_CHANGE):
        return "faster"
    return "steady"


def spoken_lines(
    phrase: Callable[..., str],
    lang: Language,
    names: Mapping[Partner, str],
    talk: Mapping[Partner, PartnerTalk],
    pauses: int,
    parts: Parts = Parts(),
    shared: PartnerTalk | None = None,
    named: bool = True,
) -> list[str]:
    """What the coach says for the summary, with `phrase(key, **values)` for wording.

    Without names (`named` False) pace is said for the couple together, in time order.
    When neither partner was heard in a turn, no talk times are said ("0 seconds"
    would tell a couple nothing); if nothing else is said either, one line says so,
    so the script's sentence that opens the summary does not hang in the air.
    """
    a, b = talk["A"].speech_seconds, talk["B"].speech_seconds
    lines: list[str] = []
    if parts.talk:
        heard = max(a, b) > 0
        if heard:
            lines.append(phrase("summary_talk", a_time=lang.duration(a), b_time=lang.duration(b)))
        if shared is not None and shared.speech_seconds > 0:
            lines.append(phrase("summary_shared", time=lang.duration(shared.speech_seconds)))
        if heard:
            if balance(a, b) >= EVEN_BALANCE:
                lines.append(phrase("summary_balance_even"))
            else:
                more, less = (names["A"], names["B"]) if a > b else (names["B"], names["A"])
                lines.append(phrase("summary_balance_uneven", more=more, less=less))
    if parts.pauses and pauses:
        lines.append(phrase("summary_pauses", times=lang.times(pauses)))
    if parts.pace:
        lines.extend(_pace_lines(phrase, names, talk, named))
    if parts.talk and not lines:
        lines.append(phrase("summary_unheard"))
    return lines


def _pace_lines(
    phrase: Callable[..., str],
    names: Mapping[Partner, str],
    talk: Mapping[Partner, PartnerTalk],
    named: bool,
) -> list[str]:
    if not named:
        together = pace_trend([p for t in talk.values() for p in t.turn_paces])
        return [phrase(f"summary_pace_{together}")] if together else []
    lines = []
    for role, partner in talk.items():
        trend = pace_trend(partner.turn_paces)
        if trend is not None:
            lines.append(phrase(f"summary_pace_{trend}", name=names[role]))
    return lines
