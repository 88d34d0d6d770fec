"""The trends over weeks as one PNG, sized for a phone held upright.

Panels, top to bottom: check-ins per week; talk balance per session (partner A's
share of the talk, with the even band); breathing pauses per week; each partner's
rating per session. Calm colours (blues, teal, lavender, sand; never red), large
type. No sessions: the picture says so in words instead of drawing empty axes.
matplotlib is optional (`pip install voice-coach[plot]`) and imported only here.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from voice_coach.engine.summary import EVEN_BALANCE
from voice_coach.errors import VoiceCoachError
from voice_coach.journal.read import SessionRow

INK = "#3b4252"
"""Text and axes."""
SOFT = "#8a94a6"
"""Grid, secondary text."""
WEEKS_BLUE = "#5b7db1"
A_TEAL = "#2f8f83"
B_LAVENDER = "#8677c2"
PAUSE_SAND = "#c2a25e"
EVEN_BAND = "#e3efe9"

FIGSIZE = (6.4, 11.0)
"""Inches; at `DPI` this is 960 x 1650 pixels, a phone screen's shape."""
DPI = 150
ROLLING = 7
"""Sessions in the rolling mean drawn over the per-session dots (a week of evenings)."""
ROLLING_LONG = 21
"""The same over long histories (150 sessions or more), where a week's mean is noisy."""


def window(count: int) -> int:
    """Sessions in the rolling mean for a history of `count` sessions."""
    return ROLLING if count < 150 else ROLLING_LONG


class MissingMatplotlib(VoiceCoachError):
    """matplotlib is not installed; the message says how to get it."""


@dataclass(frozen=True)
class Weekly:
    """Counts per week (weeks start on Monday, local time)."""

    mondays: tuple[date, ...]
    sessions: tuple[int, ...]
    pauses: tuple[int, ...]


def monday(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def weekly(rows: Sequence[SessionRow], first: date, last: date) -> Weekly:
    """Sessions and breathing pauses per week from `first`'s week to `last`'s."""
    start, end = monday(first), monday(last)
    weeks = (end - start).days // 7 + 1
    sessions, pauses = [0] * weeks, [0] * weeks
    for row in rows:
        index = (monday(row.started_at.date()) - start).days // 7
        if 0 <= index < weeks:
            sessions[index] += 1
            pauses[index] += row.breathing_pauses or 0
    mondays = tuple(start + timedelta(weeks=i) for i in range(weeks))
    return Weekly(mondays, tuple(sessions), tuple(pauses))


def talk_share_a(row: SessionRow) -> float | None:
    """Partner A's share of the session's talk in percent (None: nobody talked)."""
    a, b = row.talk
    total = (a or 0.0) + (b or 0.0)
    return 100.0 * (a or 0.0) / total if total > 0 else None


def _local(moment: datetime) -> datetime:
    """The couple's wall-clock time, as matplotlib wants it (naive)."""
    return moment.replace(tzinfo=None)


def _rolling(values: Sequence[float], size: int) -> list[float]:
    out, window = [], []
    for value in values:
        window.append(value)
        if len(window) > size:
            window.pop(0)
        out.append(sum(window) / len(window))
    return out


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise MissingMatplotlib("drawing needs matplotlib: pip install voice-coach[plot]") from err
    return plt


def render_png(
    rows: Sequence[SessionRow],
    weeks: int | None = None,
    now: datetime | None = None,
) -> bytes:
    """The trends of `rows` as PNG bytes; `weeks`: only the last N weeks up to `now`."""
    plt = _pyplot()
    with plt.rc_context(_style()):
        fig = build_figure(rows, weeks, now)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI)
        plt.close(fig)
    return out.getvalue()


def build_figure(
    rows: Sequence[SessionRow], weeks: int | None = None, now: datetime | None = None
) -> Any:
    """The matplotlib figure `render_png` saves (without axes when there is nothing)."""
    plt = _pyplot()
    now = now or datetime.now().astimezone()
    first_day: date | None = None
    if weeks is not None:
        first_day = monday(now.date()) - timedelta(weeks=weeks - 1)
        rows = [r for r in rows if r.started_at.date() >= first_day]
    if not rows:
        return _empty(plt, weeks)
    return _trends(plt, rows, first_day, now.date() if weeks is not None else None)


def _style() -> dict[str, Any]:
    return {
        "font.size": 13,
        "axes.titlesize": 15,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 12,
        "axes.edgecolor": SOFT,
        "axes.labelcolor": INK,
        "axes.titlecolor": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": INK,
        "ytick.color": INK,
        "xtick.labelsize": 11,
        "ytick.labelsize": 11,
        "grid.color": "#dde2ea",
        "legend.frameon": False,
        "legend.fontsize": 11,
        "figure.facecolor": "white",
    }


def _empty(plt: Any, weeks: int | None) -> Any:
    fig = plt.figure(figsize=(FIGSIZE[0], FIGSIZE[0] * 0.75))
    when = f"in the last {weeks} weeks" if weeks is not None else "yet"
    fig.text(
        0.5,
        0.58,
        f"No check-ins in the journal {when}.",
        ha="center",
        va="center",
        fontsize=17,
        color=INK,
        wrap=True,
    )
    fig.text(
        0.5,
        0.40,
        "Every evening you do together adds to this picture.",
        ha="center",
        va="center",
        fontsize=13,
        color=SOFT,
        wrap=True,
    )
    return fig


def _trends(plt: Any, rows: Sequence[SessionRow], first: date | None, last: date | None) -> Any:
    dates: Any = importlib.import_module("matplotlib.dates")  # untyped in matplotlib
    days = [r.started_at.date() for r in rows]
    first = first or min(days)
    last = last or max(days)
    week = weekly(rows, first, last)
    fig, axes = plt.subplots(4, 1, figsize=FIGSIZE, sharex=True)
    ax_weeks, ax_talk, ax_pauses, ax_rating = axes
    mondays = [float(dates.date2num(m)) for m in week.mondays]
    ax_weeks.xaxis_date()
    ax_pauses.xaxis_date()

    _week_bars(ax_weeks, mondays, week.sessions, WEEKS_BLUE)
    ax_weeks.set_title("Check-ins per week")
    ax_weeks.set_ylim(0, max(7, *week.sessions) + 0.5)
    ax_weeks.yaxis.get_major_locator().set_params(integer=True)

    a, b = _names(rows)
    _talk(ax_talk, rows, a, b)

    _week_bars(ax_pauses, mondays, week.pauses, PAUSE_SAND)
    ax_pauses.set_title("Breathing pauses per week")
    ax_pauses.set_ylim(0, max(3, *week.pauses) + 0.5)
    ax_pauses.yaxis.get_major_locator().set_params(integer=True)
    if not any(week.pauses):
        ax_pauses.text(
            0.5,
            0.6,
            "None needed.",
            transform=ax_pauses.transAxes,
            ha="center",
            va="center",
            fontsize=13,
            color=SOFT,
        )

    _ratings(ax_rating, rows, a, b)

    start = datetime.combine(week.mondays[0], datetime.min.time())
    end = datetime.combine(week.mondays[-1], datetime.min.time()) + timedelta(days=7)
    for ax in axes:
        ax.set_xlim(start - timedelta(days=0.5), end + timedelta(days=0.5))
        ax.grid(axis="y")
        ax.set_axisbelow(True)
    locator = dates.AutoDateLocator(minticks=3, maxticks=6)
    ax_rating.xaxis.set_major_locator(locator)
    ax_rating.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))
    total = len(rows)
    span = f"{first:%d %b %Y} – {last:%d %b %Y}"
    fig.suptitle(
        f"{a} & {b}: {total} session{'s' if total != 1 else ''}\n{span}",
        x=0.04,
        ha="left",
        fontsize=14,
        color=INK,
    )
    fig.tight_layout(h_pad=1.6)
    return fig


def _week_bars(ax: Any, mondays: Sequence[float], values: Sequence[int], colour: str) -> None:
    """One bar per week (Monday to Saturday wide, a gap on Sunday), drawn as one
    collection: two years of weeks as separate patches take most of a second."""
    from matplotlib.collections import PolyCollection

    boxes = [
        [(day + 0.5, 0.0), (day + 0.5, value), (day + 6.5, value), (day + 6.5, 0.0)]
        for day, value in zip(mondays, values, strict=True)
        if value > 0
    ]
    ax.add_collection(PolyCollection(boxes, facecolors=colour, edgecolors="none"))


def bar_heights(ax: Any) -> list[float]:
    """The heights of the week bars drawn on `ax` (for tests and checks)."""
    return [float(max(p.vertices[:, 1])) for c in ax.collections for p in c.get_paths()]


def _names(rows: Sequence[SessionRow]) -> tuple[str, str]:
    """The newest session's names (names may change; A and B are the roles)."""
    a, b = rows[-1].names
    return a or "A", b or "B"


def _talk(ax: Any, rows: Sequence[SessionRow], a: str, b: str) -> None:
    points = [(_local(r.started_at), s) for r in rows if (s := talk_share_a(r)) is not None]
    ax.set_title(f"Talk balance: {a}'s share")
    if not points:
        _note(ax, "No talk measured yet.")
        return
    low = 100.0 * EVEN_BALANCE / (1.0 + EVEN_BALANCE)
    ax.axhspan(low, 100.0 - low, color=EVEN_BAND, zorder=0, label="about even")
    ax.axhline(50.0, color=SOFT, linewidth=1.0, zorder=1)
    ax.set_ylim(0, 100)
    ax.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    times, shares = zip(*points, strict=True)
    size = 36 if len(points) < 60 else 14
    ax.scatter(times, shares, s=size, color=A_TEAL, alpha=0.55, zorder=2, linewidths=0)
    size_window = window(len(points))
    if len(points) >= size_window:
        ax.plot(
            times,
            _rolling(shares, size_window),
            color=A_TEAL,
            linewidth=2.2,
            zorder=3,
            label=f"mean of {size_window}",
        )
    ax.legend(loc="lower left", ncol=2)
    ax.set_ylabel(f"{b}'s share is the rest", color=SOFT, fontsize=10)


def _ratings(ax: Any, rows: Sequence[SessionRow], a: str, b: str) -> None:
    rated = [r for r in rows if r.rating_scale is not None and any(v is not None for v in r.rating)]
    scales = {r.rating_scale for r in rated}
    top = max((s for s in scales if s is not None), default=10)
    ax.set_title(f"Ratings (1 to {top})")
    if not rated:
        _note(ax, "No ratings yet.")
        return
    size = 36 if len(rated) < 60 else 14
    for index, (name, colour) in enumerate(((a, A_TEAL), (b, B_LAVENDER))):
        points = [
            (_local(r.started_at), _on_scale(v, r.rating_scale or top, top))
            for r in rated
            if (v := r.rating[index]) is not None
        ]
        if not points:
            continue
        times, values = zip(*points, strict=True)
        ax.scatter(times, values, s=size, color=colour, alpha=0.5, linewidths=0, zorder=2)
        if len(points) >= window(len(points)):
            ax.plot(
                times,
                _rolling(values, window(len(points))),
                color=colour,
                linewidth=2.2,
                zorder=3,
                label=name,
            )
        else:
            ax.plot(times, values, color=colour, linewidth=1.5, zorder=3, label=name)
    ax.set_ylim(0.5, top + 0.5)
    ax.set_yticks(list(range(1, top + 1, 1 if top <= 5 else 3)))
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, borderaxespad=0.2)


def _on_scale(value: int, scale: int, top: int) -> float:
    """A rating on a 1-to-`scale` scale, placed on 1-to-`top` (mixed scales)."""
    return float(value) if scale == top else 1.0 + (value - 1) * (top - 1) / (scale - 1)


def _note(ax: Any, text: str) -> None:
    """A panel with nothing to draw says so in words (no empty axes)."""
    ax.text(
        0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=13, color=SOFT
    )
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
