"""The journal's subscriber: it turns a session's events into rows, step by step.

Subscribe a `JournalRecorder` to the session's `EventLog` (the runner's
`RunOptions.listeners`). A step's rows are gathered in memory and written in one
transaction when the next step starts or the session ends, so a killed process loses
at most the step in progress, and the file's write lock is held for milliseconds,
never through a turn (another process can forget or start a session meanwhile).
A write that fails turns the journal off for the rest of the session with one line
to `notify`; the session itself goes on.

Kept: names as set, times, turn lengths and how they ended, breathing pauses, pace
means, the matched answer word, ratings. Not kept, whatever the events carry: the coach's
lines, what a recogniser heard, notices.
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

from voice_coach.engine import events as ev
from voice_coach.journal.store import BUSY_SECONDS, Notify, open_for_session

BUSY = 5
"""SQLITE_BUSY: another process holds the write lock."""
WAIT_SECONDS = 0.25
"""How long a step's commit waits for another writer before leaving its rows for the
next step (the session's thread must not stall)."""


class JournalRecorder:
    """Writes one session into the journal; call it with every event, then `close()`."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        title: str = "",
        start: datetime | None = None,
        notify: Notify | None = None,
    ) -> None:
        """`start` is the session's wall-clock start (None: now); `title` the script's."""
        self._conn: sqlite3.Connection | None = conn
        conn.execute(f"PRAGMA busy_timeout = {round(WAIT_SECONDS * 1000)}")
        # No checkpoints (which flush to disk) between steps: one when the session ends.
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        self._title = title
        self._start = start
        self._notify = notify or (lambda _: None)
        self._session_id: int | None = None
        self._t0 = 0.0
        self._roles: dict[str, str] = {}
        self._names: tuple[str, str] = ("", "")
        self._step = ""
        self._turn: ev.TurnStarted | None = None
        self._pause: list[object] | None = None
        """The breathing pause being taken: session id, t, dB over, role, seconds."""
        self._breathing_for_pause = False
        self._pending: list[tuple[str, tuple[object, ...]]] = []
        self._spent = 0.0
        self._committed = False
        self.step_write_seconds: list[float] = []
        """Seconds the journal spent on each committed step (its events' writes and the
        commit), for `bench/`."""

    @property
    def session_id(self) -> int | None:
        """The journal's id of the session, once it started (and the journal is on)."""
        return self._session_id

    def __call__(self, event: ev.Event) -> None:
        if self._conn is None:
            return
        began = time.perf_counter()
        try:
            self._handle(event)
        except sqlite3.Error as err:
            self._off(f"the journal is off for the rest of this session: {err}")
            return
        self._spent += time.perf_counter() - began
        if self._committed:
            self.step_write_seconds.append(self._spent)
            self._spent, self._committed = 0.0, False

    def close(self) -> None:
        """Commit what is pending and close the file (a session that never ended stays
        open in the journal; the next start marks it interrupted)."""
        if self._conn is None:
            return
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {round(BUSY_SECONDS * 1000)}")
            self._commit()
            if self._pending:
                self._notify("the journal could not save the last step: the file stayed busy")
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as err:
            self._notify(f"the journal could not save the last step: {err}")
        self._conn.close()
        self._conn = None

    # -- events ---------------------------------------------------------------------

    def _handle(self, event: ev.Event) -> None:
        if isinstance(event, ev.SessionStarted):
            self._started(event)
        elif self._session_id is None:
            return
        elif isinstance(event, ev.StepStarted):
            self._commit(event.t)
            self._step = event.step
        elif isinstance(event, ev.TurnStarted):
            self._turn = event
        elif isinstance(event, ev.TurnEnded):
            self._turn_ended(event)
        elif isinstance(event, ev.RaisedVoice):
            self._end_pause()
            role = self._roles.get(event.speaker)
            self._pause = [self._session_id, self._t(event), event.over_db, role, None]
        elif isinstance(event, ev.BreathingStarted):
            self._breathing_for_pause = event.reason == "raised_voice"
        elif isinstance(event, ev.BreathingEnded):
            if self._breathing_for_pause and self._pause is not None:
                self._pause[-1] = round(event.seconds, 3)
                self._end_pause()
            self._breathing_for_pause = False
        elif isinstance(event, ev.Answer):
            self._write(
                "INSERT INTO answers (session_id, t, step, answer, by_default) "
                "VALUES (?, ?, ?, ?, ?)",
                (self._session_id, self._t(event), self._step, event.matched, int(event.default)),
            )
        elif isinstance(event, ev.Rating):
            self._write(
                "INSERT INTO ratings (session_id, t, step, role, value, scale) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    self._session_id,
                    self._t(event),
                    self._step,
                    event.role,
                    event.value,
                    event.scale,
                ),
            )
        elif isinstance(event, ev.SessionSummary):
            self._summary(event)
        elif isinstance(event, ev.SessionEnded):
            self._ended(event)

    def _started(self, event: ev.SessionStarted) -> None:
        names = [*event.names, "", ""][:2]
        self._names = (names[0], names[1])
        self._roles = {names[1]: "B", names[0]: "A"}  # A wins if both have one name
        self._t0 = event.t
        start = self._start or datetime.now().astimezone()
        if start.tzinfo is None:
            start = start.astimezone()
        self._start = start
        assert self._conn is not None
        cursor = self._conn.execute(
            "INSERT INTO sessions (started_at, script_id, title, language, mode, name_a, "
            "name_b, writer_pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _iso(start),
                event.script,
                self._title or event.script,
                event.language,
                event.mode,
                names[0],
                names[1],
                os.getpid(),
            ),
        )
        self._session_id = cursor.lastrowid
        self._committed = True

    def _turn_ended(self, event: ev.TurnEnded) -> None:
        started = self._turn
        self._turn = None
        self._write(
            "INSERT INTO turns (session_id, t, role, part, planned_seconds, seconds, "
            "speech_seconds, end_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self._session_id,
                self._t(started) if started else self._t(event) - event.seconds,
                event.role,
                started.part if started else "turn",
                started.seconds if started else 0.0,
                round(event.seconds, 3),
                round(event.speech_seconds, 3),
                event.reason,
            ),
        )

    def _summary(self, event: ev.SessionSummary) -> None:
        a, b = self._names
        self._write(
            "UPDATE sessions SET talk_a = ?, talk_b = ?, balance = ?, breathing_pauses = ?, "
            "pace_a = ?, pace_b = ? WHERE id = ?",
            (
                event.talk_seconds.get(a),
                event.talk_seconds.get(b),
                event.balance,
                event.breathing_pauses,
                event.pace.get(a),
                event.pace.get(b),
                self._session_id,
            ),
        )

    def _ended(self, event: ev.SessionEnded) -> None:
        assert self._start is not None
        ended = self._start + timedelta(seconds=self._t(event))
        self._write(
            "UPDATE sessions SET ended_at = ?, end_reason = ?, seconds = ? WHERE id = ?",
            (_iso(ended), event.reason, round(self._t(event), 3), self._session_id),
        )
        self._commit()

    # -- writing --------------------------------------------------------------------

    def _t(self, event: ev.Event) -> float:
        return event.t - self._t0

    def _write(self, sql: str, values: tuple[object, ...]) -> None:
        """Keep a row for the step's transaction."""
        self._pending.append((sql, values))

    def _end_pause(self) -> None:
        if self._pause is not None:
            self._write(
                "INSERT INTO pauses (session_id, t, over_db, role, seconds) VALUES (?, ?, ?, ?, ?)",
                tuple(self._pause),
            )
            self._pause = None

    def _commit(self, t: float | None = None) -> None:
        """Write the step's rows in one transaction; `t` (session clock) records how far
        the session got."""
        if self._conn is None or self._session_id is None:
            return
        self._end_pause()
        if t is not None:
            self._write(
                "UPDATE sessions SET seconds = ? WHERE id = ?",
                (round(t - self._t0, 3), self._session_id),
            )
        if not self._pending:
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            if getattr(err, "sqlite_errorcode", 5) == BUSY:
                return  # another process is writing: these rows go with the next step
            raise
        try:
            for sql, values in self._pending:
                self._conn.execute(sql, values)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._pending = []
        self._committed = True

    def _off(self, message: str) -> None:
        assert self._conn is not None
        self._pending = []
        self._conn.close()
        self._conn = None
        self._notify(message)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def open_recorder(
    notify: Notify,
    title: str = "",
    start: datetime | None = None,
    path: Path | None = None,
) -> JournalRecorder | None:
    """A recorder on the user's journal, or None when the journal cannot be used
    tonight (`notify` has said why, once)."""
    conn = open_for_session(path, notify)
    return JournalRecorder(conn, title, start, notify) if conn is not None else None
