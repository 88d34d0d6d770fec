"""Opening the journal file: private, WAL, migrated, and never in an evening's way.

The file lives at `$XDG_DATA_HOME/voice-coach/journal.sqlite3` (usually
`~/.local/share/voice-coach/`), the folder mode 0700 and the file 0600 (SQLite gives
its `-wal` and `-shm` files the same mode). WAL lets a session write while
`voice-coach journal` reads; `synchronous = NORMAL` makes a commit cost no disk
flush, and a killed process still loses nothing that was committed (a power cut may
lose the last few steps, never the file).

For a session, `open_for_session` never raises: a damaged file is renamed aside
(`journal.sqlite3.damaged-<time>`, with its -wal and -shm) and the journal is off
for that session; a file it cannot open or lock is left as it is. Either way the
caller gets None and `notify` gets one line that says why. The next session starts
a new file where the damaged one was.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from voice_coach.config import data_dir
from voice_coach.engine.summary import balance
from voice_coach.files import FileError, private_dir
from voice_coach.journal import JournalError
from voice_coach.journal.schema import VERSION, migrate, version

FILE_NAME = "journal.sqlite3"
BUSY_SECONDS = 2.0
"""How long a connection waits for another process's write lock before giving up."""
_DAMAGE_CODES = {11, 26}
"""SQLITE_CORRUPT and SQLITE_NOTADB: the file is not a usable database."""

Notify = Callable[[str], None]


class JournalDamaged(JournalError):
    """The file is not a whole SQLite database (corrupt, truncated, something else)."""


def journal_path() -> Path:
    """Where the journal lives: `$XDG_DATA_HOME/voice-coach/journal.sqlite3`."""
    return data_dir() / FILE_NAME


def is_damage(err: sqlite3.DatabaseError) -> bool:
    """True when SQLite says the file itself is broken (not busy, not unreadable)."""
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return int(code) in _DAMAGE_CODES
    text = str(err)  # Python 3.10 has no error codes
    return "not a database" in text or "malformed" in text


def connect(path: Path, busy_seconds: float = BUSY_SECONDS) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys on."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=busy_seconds)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


def _private_file(path: Path) -> None:
    """Create the folder (0700) and an empty file (0600), or tighten existing ones."""
    folder = path.parent
    try:
        private_dir(folder)
    except FileError as err:
        cause = err.__cause__
        raise cause if isinstance(cause, OSError) else OSError(str(err)) from err
    if stat.S_IMODE(folder.stat().st_mode) & 0o077:
        folder.chmod(0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _check_whole(conn: sqlite3.Connection) -> None:
    rows = conn.execute("PRAGMA quick_check").fetchall()
    if [tuple(r) for r in rows] != [("ok",)]:
        raise JournalDamaged("; ".join(str(r[0]) for r in rows[:3]))


def set_aside(path: Path) -> Path:
    """Rename a damaged journal (and its -wal/-shm) out of the way; returns the new name."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    count = 1
    while target.exists():
        count += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{count}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def open_for_session(path: Path | None, notify: Notify) -> sqlite3.Connection | None:
    """The journal ready for a session to write, or None (and one line to `notify`).

    Creates the file on first use, migrates it, and marks sessions that a killed
    process left unfinished as `interrupted`.
    """
    path = path or journal_path()
    conn: sqlite3.Connection | None = None
    try:
        _private_file(path)
        conn = connect(path)
        _check_whole(conn)
        migrate(conn)
        if version(conn) > VERSION:
            conn.close()
            notify(
                f"the journal is off for this session: {path} was written by a newer "
                "voice-coach; update voice-coach to keep writing it"
            )
            return None
        mark_interrupted(conn)
        return conn
    except (sqlite3.DatabaseError, JournalDamaged) as err:
        if conn is not None:
            conn.close()
        damaged = isinstance(err, JournalDamaged) or (
            isinstance(err, sqlite3.DatabaseError)
            and not isinstance(err, sqlite3.OperationalError)
            and is_damage(err)
        )
        if damaged:
            _damaged(path, str(err), notify)
            return None
        notify(f"the journal is off for this session: cannot open {path}: {err}")
        return None
    except OSError as err:
        if conn is not None:
            conn.close()
        notify(f"the journal is off for this session: cannot open {path}: {err.strerror or err}")
        return None


def _damaged(path: Path, why: str, notify: Notify) -> None:
    try:
        aside = set_aside(path)
    except OSError as err:
        notify(
            f"the journal is off for this session: {path} is damaged ({why}) and could "
            f"not be renamed ({err.strerror or err}); move it away by hand"
        )
        return
    notify(
        f"the journal is off for this session: {path} is damaged ({why}); it is kept "
        f"as {aside.name}, and the next session starts a new journal"
    )


@contextlib.contextmanager
def open_for_reading(path: Path | None = None) -> Iterator[sqlite3.Connection | None]:
    """A connection for reading (None when there is no journal yet).

    Raises `JournalError` with what to do when the file cannot be read. An older file
    is migrated first (that is a write, done once).
    """
    path = path or journal_path()
    if not path.exists():
        yield None
        return
    try:
        conn = connect(path)
    except sqlite3.Error as err:
        raise _read_error(path, err) from err
    try:
        if version(conn) > VERSION:
            raise JournalError(
                f"{path} was written by a newer voice-coach (schema {version(conn)}, this "
                f"one reads {VERSION}); update voice-coach"
            )
        migrate(conn)
        yield conn
    except sqlite3.Error as err:
        raise _read_error(path, err) from err
    finally:
        conn.close()


def _read_error(path: Path, err: sqlite3.Error) -> JournalError:
    if isinstance(err, sqlite3.DatabaseError) and is_damage(err):
        return JournalDamaged(
            f"{path} is damaged ({err}); the next session keeps it aside and starts a new "
            "journal, or delete it by hand"
        )
    return JournalError(f"cannot read the journal {path}: {err}")


def writer_alive(pid: int | None, this_process: bool = False) -> bool:
    """Whether the process with this id is running (it may still be writing).

    `this_process`: what to answer for our own id (a new session in this process
    means an earlier one here is over; a reader here may share a writer).
    """
    if not pid:
        return False
    if pid == os.getpid():
        return this_process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_interrupted(conn: sqlite3.Connection) -> list[int]:
    """Close sessions a killed process left open: `interrupted`, with what was committed.

    Their talk time and pauses come from the turns and pauses they committed; their
    end is the start plus the last committed step's time. Returns their ids.
    """
    rows = conn.execute(
        "SELECT id, started_at, seconds, writer_pid FROM sessions WHERE ended_at IS NULL"
    ).fetchall()
    closed: list[int] = []
    for session_id, started_at, seconds, pid in rows:
        if writer_alive(pid):
            continue
        talk = dict(
            conn.execute(
                "SELECT role, SUM(speech_seconds) FROM turns WHERE session_id = ? GROUP BY role",
                (session_id,),
            ).fetchall()
        )
        a, b = float(talk.get("A") or 0.0), float(talk.get("B") or 0.0)
        pauses = conn.execute(
            "SELECT COUNT(*) FROM pauses WHERE session_id = ?", (session_id,)
        ).fetchone()[0]
        ended = datetime.fromisoformat(started_at) + timedelta(seconds=float(seconds))
        conn.execute(
            "UPDATE sessions SET end_reason = 'interrupted', ended_at = ?, talk_a = ?, "
            "talk_b = ?, balance = ?, breathing_pauses = ? WHERE id = ? AND ended_at IS NULL",
            (
                ended.isoformat(timespec="seconds"),
                round(a, 1),
                round(b, 1),
                round(balance(a, b), 2),
                int(pauses),
                session_id,
            ),
        )
        closed.append(int(session_id))
    return closed
