"""The journal as plain data: sessions, and what happened in one.

Everything here only reads. `serve` asks `checked_in_since(since)` whether the couple
already had a check-in tonight; the commands, the plot and the CSV export use
`sessions()`. A session still being written (another process) shows with
`end_reason` None.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from voice_coach.journal.store import open_for_reading, writer_alive

CHOSEN_ENDS = ("done", "end_step", "stop", "stop_for_evening")
"""End reasons where the couple (or the script) ended the session, not a crash or a
lost device: such a session counts as tonight's check-in."""


def _last_rating(role: str, column: str) -> str:
    return (
        f"(SELECT r.{column} FROM ratings r WHERE r.session_id = sessions.id AND "
        f"r.role = '{role}' AND r.value IS NOT NULL ORDER BY r.t DESC, r.id DESC LIMIT 1)"
    )


_SESSION_FIELDS = (
    "id, started_at, ended_at, script_id, title, language, mode, name_a, name_b, "
    "end_reason, seconds, talk_a, talk_b, balance, breathing_pauses, pace_a, pace_b, writer_pid, "
    f"{_last_rating('A', 'value')}, {_last_rating('B', 'value')}, "
    f"COALESCE({_last_rating('A', 'scale')}, {_last_rating('B', 'scale')})"
)


@dataclass(frozen=True)
class SessionRow:
    """One session: when, what, who, how long, and its figures (None: not measured)."""

    id: int
    started_at: datetime
    """Local wall-clock start, with its UTC offset."""
    ended_at: datetime | None
    script_id: str
    title: str
    language: str
    mode: str
    """live, simulated, text or preview."""
    names: tuple[str, str]
    """Partner A's and B's names as set for the session."""
    end_reason: str | None
    """done, end_step, stop, stop_for_evening, input_ended, device_lost, interrupted,
    error; None while it is being written (a session whose process was killed reads as
    interrupted)."""
    seconds: float
    """Length on the session clock (so far, for one being written)."""
    talk: tuple[float | None, float | None]
    """Speech seconds of A and B."""
    balance: float | None
    """Smaller talk time over larger (1.0 = even)."""
    breathing_pauses: int | None
    pace: tuple[float | None, float | None]
    """Mean syllables per second of A and B, where measured."""
    rating: tuple[int | None, int | None] = (None, None)
    """A's and B's last rating given in the session (None: none, or skipped)."""
    rating_scale: int | None = None
    """The top of that rating's scale (5 or 10)."""

    @property
    def minutes(self) -> float:
        """Length in minutes."""
        return self.seconds / 60.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO text, pairs as {A, B} by role."""
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat(timespec="seconds")
        data["ended_at"] = self.ended_at.isoformat(timespec="seconds") if self.ended_at else None
        for key in ("names", "talk", "pace", "rating"):
            data[key] = {"A": data[key][0], "B": data[key][1]}
        return data


@dataclass(frozen=True)
class TurnRow:
    """One partner's turn (seconds on the session clock)."""

    t: float
    role: str
    part: str
    """turn, message, mirror, correction."""
    planned_seconds: float
    seconds: float
    speech_seconds: float
    end_reason: str


@dataclass(frozen=True)
class PauseRow:
    """A breathing pause after raised voices."""

    t: float
    over_db: float
    """dB over the couple's baseline that set it off."""
    role: str | None
    seconds: float | None
    """How long the breathing took (None: the session ended inside it)."""


@dataclass(frozen=True)
class AnswerRow:
    """A matched answer word (never what was heard)."""

    t: float
    step: str
    answer: str
    by_default: bool


@dataclass(frozen=True)
class RatingRow:
    """One partner's number on a rating step (value None: skipped)."""

    t: float
    step: str
    role: str
    value: int | None
    scale: int


@dataclass(frozen=True)
class SessionDetail:
    """A session with everything the journal kept of it."""

    session: SessionRow
    turns: tuple[TurnRow, ...]
    pauses: tuple[PauseRow, ...]
    answers: tuple[AnswerRow, ...]
    ratings: tuple[RatingRow, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            **self.session.to_dict(),
            "turns": [asdict(t) for t in self.turns],
            "pauses": [asdict(p) for p in self.pauses],
            "answers": [asdict(a) for a in self.answers],
            "ratings": [asdict(r) for r in self.ratings],
        }


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _session(row: sqlite3.Row | tuple[Any, ...]) -> SessionRow:
    (
        sid,
        started,
        ended,
        script_id,
        title,
        language,
        mode,
        name_a,
        name_b,
        reason,
        seconds,
        talk_a,
        talk_b,
        balance,
        pauses,
        pace_a,
        pace_b,
        pid,
        rating_a,
        rating_b,
        scale,
    ) = row
    start = _time(started)
    assert start is not None
    if reason is None and not writer_alive(pid, this_process=True):
        reason = "interrupted"  # killed; the next session start writes this down
    return SessionRow(
        id=int(sid),
        started_at=start,
        ended_at=_time(ended),
        script_id=script_id,
        title=title,
        language=language,
        mode=mode,
        names=(name_a, name_b),
        end_reason=reason,
        seconds=float(seconds),
        talk=(talk_a, talk_b),
        balance=balance,
        breathing_pauses=pauses,
        pace=(pace_a, pace_b),
        rating=(rating_a, rating_b),
        rating_scale=scale,
    )


def sql_time(moment: datetime) -> str:
    """A moment as text SQLite's julianday() reads (local time when it is naive)."""
    aware = moment if moment.tzinfo is not None else moment.astimezone()
    return aware.isoformat(timespec="seconds")


def sessions(
    conn: sqlite3.Connection,
    since: datetime | None = None,
    before: datetime | None = None,
    last: int | None = None,
) -> list[SessionRow]:
    """Sessions oldest first, started in [since, before); `last`: only the newest N."""
    where, values = [], []
    if since is not None:
        where.append("julianday(started_at) >= julianday(?)")
        values.append(sql_time(since))
    if before is not None:
        where.append("julianday(started_at) < julianday(?)")
        values.append(sql_time(before))
    sql = f"SELECT {_SESSION_FIELDS} FROM sessions"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY julianday(started_at) DESC, id DESC"
    if last is not None:
        sql += f" LIMIT {int(last)}"
    rows = [_session(r) for r in conn.execute(sql, values).fetchall()]
    rows.reverse()
    return rows


def detail(conn: sqlite3.Connection, session_id: int) -> SessionDetail | None:
    """Everything kept of one session, or None when there is no such id."""
    row = conn.execute(
        f"SELECT {_SESSION_FIELDS} FROM sessions WHERE id = ?", (session_id,)
    ).fetchone()
    if row is None:
        return None
    turns = conn.execute(
        "SELECT t, role, part, planned_seconds, seconds, speech_seconds, end_reason "
        "FROM turns WHERE session_id = ? ORDER BY t, id",
        (session_id,),
    ).fetchall()
    pauses = conn.execute(
        "SELECT t, over_db, role, seconds FROM pauses WHERE session_id = ? ORDER BY t, id",
        (session_id,),
    ).fetchall()
    answers = conn.execute(
        "SELECT t, step, answer, by_default FROM answers WHERE session_id = ? ORDER BY t, id",
        (session_id,),
    ).fetchall()
    ratings = conn.execute(
        "SELECT t, step, role, value, scale FROM ratings WHERE session_id = ? ORDER BY t, id",
        (session_id,),
    ).fetchall()
    return SessionDetail(
        session=_session(row),
        turns=tuple(TurnRow(*r) for r in turns),
        pauses=tuple(PauseRow(*r) for r in pauses),
        answers=tuple(AnswerRow(t, s, a, bool(d)) for t, s, a, d in answers),
        ratings=tuple(RatingRow(*r) for r in ratings),
    )


def sessions_since(since: datetime, path: Path | None = None) -> list[SessionRow]:
    """Sessions that started at or after `since` (naive: local time), oldest first."""
    with open_for_reading(path) as conn:
        return sessions(conn, since=since) if conn is not None else []


def checked_in_since(
    since: datetime,
    scripts: Collection[str] | None = None,
    path: Path | None = None,
    until: datetime | None = None,
) -> bool:
    """Whether a check-in happened since `since` (and before `until`, if given): for
    `serve`'s "not twice tonight" (naive times are local).

    Counts a session of one of `scripts` (None: any script) that started in that span
    and that the couple or the script ended (`CHOSEN_ENDS`), or that is running right
    now. A crash, a lost device or the end of a simulated input do not count. Raises
    `JournalError` when the journal cannot be read.
    """
    end = None if until is None else until if until.tzinfo else until.astimezone()
    return any(
        (scripts is None or row.script_id in scripts)
        and (end is None or row.started_at < end)
        and (row.end_reason is None or row.end_reason in CHOSEN_ENDS)
        for row in sessions_since(since, path)
    )
