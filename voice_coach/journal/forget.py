"""Forgetting: sessions deleted for real, then the file rebuilt so nothing lingers.

A delete in SQLite only marks pages free; `secure_delete` overwrites them, VACUUM
rebuilds the file without them, and a TRUNCATE checkpoint empties the WAL, where
copies of old pages would otherwise stay until the next checkpoint.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from voice_coach.journal import JournalError
from voice_coach.journal.read import sql_time


def forget(
    conn: sqlite3.Connection,
    *,
    everything: bool = False,
    before: datetime | None = None,
    session_id: int | None = None,
) -> int:
    """Delete all sessions, those started before `before`, or one; returns how many."""
    if sum((everything, before is not None, session_id is not None)) != 1:
        raise ValueError("forget one of: everything, before, session_id")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("BEGIN IMMEDIATE")
    try:
        if everything:
            cursor = conn.execute("DELETE FROM sessions")
        elif before is not None:
            cursor = conn.execute(
                "DELETE FROM sessions WHERE julianday(started_at) < julianday(?)",
                (sql_time(before),),
            )
        else:
            cursor = conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        count = cursor.rowcount
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("VACUUM")
    busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        raise JournalError(
            f"forgot {count} session(s), but a session that is running still holds old "
            "pages in the journal's WAL file; run the same command again after it ends"
        )
    return int(count)
