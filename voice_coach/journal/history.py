"""The couple's recent evenings as the engine's plain `Recent`, for a `recap` step.

The session never reads the journal; whoever starts it (`commands/run.py`, `serve`)
calls `recent_evenings` and hands the result to the session (`RunOptions.history`).
Only sessions the couple or the script ended count (`read.CHOSEN_ENDS`); previews
never do.
"""

from __future__ import annotations

import sqlite3
import statistics
from datetime import datetime, timedelta
from pathlib import Path

from voice_coach.engine.history import Recent
from voice_coach.journal import JournalError
from voice_coach.journal.read import CHOSEN_ENDS, sessions, sql_time
from voice_coach.journal.store import open_for_reading

WEEK = timedelta(days=7)


def recent(conn: sqlite3.Connection, now: datetime) -> Recent:
    """The figures of the evenings before `now` (naive: local time)."""
    ends = ", ".join("?" * len(CHOSEN_ENDS))
    (before,) = conn.execute(
        f"SELECT COUNT(*) FROM sessions WHERE end_reason IN ({ends}) AND mode != 'preview' "
        "AND julianday(started_at) < julianday(?)",
        (*CHOSEN_ENDS, sql_time(now)),
    ).fetchone()
    rows = [
        r
        for r in sessions(conn, since=now - 2 * WEEK, before=now)
        if r.end_reason in CHOSEN_ENDS and r.mode != "preview"
    ]
    aware = now if now.tzinfo is not None else now.astimezone()
    week = [r for r in rows if r.started_at >= aware - WEEK]
    prior = [r for r in rows if r.started_at < aware - WEEK]
    balances = [r.balance for r in week if r.balance is not None and any(r.talk)]
    return Recent(
        sessions_7_days=len(week),
        sessions_before=int(before),
        pauses_7_days=sum(r.breathing_pauses or 0 for r in week),
        pauses_prior_7_days=sum(r.breathing_pauses or 0 for r in prior),
        balance_mean=statistics.fmean(balances) if balances else None,
    )


def recent_evenings(now: datetime, path: Path | None = None) -> Recent | None:
    """`recent` from the user's journal, or None when there is none or it cannot be
    read (a recap then stays silent: the journal never holds up an evening)."""
    try:
        with open_for_reading(path) as conn:
            return recent(conn, now) if conn is not None else None
    except JournalError:
        return None
