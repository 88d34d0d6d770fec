"""The journal's tables, as forward migrations counted by `PRAGMA user_version`.

`MIGRATIONS[n]` takes a file from version n to n + 1; a new file (version 0) runs
them all. Each runs in one transaction together with its version bump, so a file is
always at a whole version. Never edit a migration that has shipped: add one.

Times: `started_at`/`ended_at` are local ISO 8601 with the UTC offset
(`2024-05-06T21:03:12+02:00`), so the file reads well in the `sqlite3` shell and a
date means the couple's evening; `t` columns are seconds on the session clock.
Partners are `A`/`B` with the names as set in the session row.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: sessions, turns, breathing pauses, answers.
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            script_id TEXT NOT NULL,
            title TEXT NOT NULL,
            language TEXT NOT NULL,
            mode TEXT NOT NULL,
            name_a TEXT NOT NULL,
            name_b TEXT NOT NULL,
            end_reason TEXT,
            seconds REAL NOT NULL DEFAULT 0,
            talk_a REAL,
            talk_b REAL,
            balance REAL,
            breathing_pauses INTEGER,
            pace_a REAL,
            pace_b REAL,
            writer_pid INTEGER
        )""",
        "CREATE INDEX sessions_started ON sessions (started_at)",
        """CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            t REAL NOT NULL,
            role TEXT NOT NULL,
            part TEXT NOT NULL,
            planned_seconds REAL NOT NULL,
            seconds REAL NOT NULL,
            speech_seconds REAL NOT NULL,
            end_reason TEXT NOT NULL
        )""",
        "CREATE INDEX turns_session ON turns (session_id)",
        """CREATE TABLE pauses (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            t REAL NOT NULL,
            over_db REAL NOT NULL,
            role TEXT,
            seconds REAL
        )""",
        "CREATE INDEX pauses_session ON pauses (session_id)",
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            t REAL NOT NULL,
            step TEXT NOT NULL,
            answer TEXT NOT NULL,
            by_default INTEGER NOT NULL
        )""",
        "CREATE INDEX answers_session ON answers (session_id)",
    ),
    # 2: spoken ratings (value NULL: the partner skipped).
    (
        """CREATE TABLE ratings (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            t REAL NOT NULL,
            step TEXT NOT NULL,
            role TEXT NOT NULL,
            value INTEGER,
            scale INTEGER NOT NULL
        )""",
        "CREATE INDEX ratings_session ON ratings (session_id)",
    ),
)
"""Statements per version step; `MIGRATIONS[n]` goes from version n to n + 1."""

VERSION = len(MIGRATIONS)
"""The schema version this code writes and reads."""


def version(conn: sqlite3.Connection) -> int:
    """The file's schema version (0 for a new, empty file)."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, upto: int = VERSION) -> int:
    """Bring the file to version `upto`, one transaction per step; returns the old version.

    The connection must be in autocommit mode (`isolation_level=None`). A file newer
    than `upto` is left alone (the caller decides what that means).
    """
    old = version(conn)
    for number in range(old, upto):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if version(conn) != number:  # another process migrated meanwhile
                conn.execute("ROLLBACK")
                continue
            for statement in MIGRATIONS[number]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return old
