"""The journal's file and its subscriber: real SQLite files on disk, real sessions.

Covers: private modes, WAL, forward migrations from every earlier version, one
transaction per finished step, a damaged or unusable file never stopping a session,
and that nothing of what was said ends up in the file.
"""

from __future__ import annotations

import random
import sqlite3
import stat
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.engine_support import run, script_of, silence
from tests.fakes import FakeRecognizer
from tests.journalgen import evening_events, feed, write_evenings
from voice_coach.engine import events as ev
from voice_coach.journal.read import checked_in_since, detail, sessions, sessions_since
from voice_coach.journal.recorder import JournalRecorder, open_recorder
from voice_coach.journal.schema import MIGRATIONS, VERSION, migrate, version
from voice_coach.journal.store import connect, open_for_reading, open_for_session
from voice_coach.script.model import Ask, Say, Summary, Turn

START = datetime(2024, 5, 6, 21, 0).astimezone()


class Notes:
    """Collects what the journal tells the couple (it must say things once)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)


def _path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "voice-coach" / "journal.sqlite3"


def _recorder(path: Path, notes: Notes | None = None, **kwargs: Any) -> JournalRecorder:
    recorder = open_recorder(notes or Notes(), path=path, **kwargs)
    assert recorder is not None
    return recorder


def _rows(path: Path, sql: str, values: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, values).fetchall()
    finally:
        conn.close()


# -- the file ---------------------------------------------------------------------------


def test_the_journal_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = _path(tmp_path)
    conn = open_for_session(path, Notes())
    assert conn is not None
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO sessions (started_at, script_id, title, language, mode, name_a, name_b) "
        "VALUES ('2024-05-06T21:00:00+02:00', 'x', 'X', 'nl', 'live', 'A', 'B')"
    )
    conn.execute("COMMIT")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        assert stat.S_IMODE((path.parent / name).stat().st_mode) == 0o600, name
    conn.close()


def test_a_too_open_folder_and_file_are_made_private(tmp_path: Path) -> None:
    path = _path(tmp_path)
    path.parent.mkdir(parents=True, mode=0o755)
    path.parent.chmod(0o755)
    path.touch()
    path.chmod(0o644)
    conn = open_for_session(path, Notes())
    assert conn is not None
    conn.close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _sample_rows(conn: sqlite3.Connection, at_version: int) -> None:
    """Rows a journal at `at_version` could hold (every table that version has)."""
    if at_version >= 1:
        conn.execute(
            "INSERT INTO sessions (id, started_at, ended_at, script_id, title, language, mode, "
            "name_a, name_b, end_reason, seconds, talk_a, talk_b, balance, breathing_pauses) "
            "VALUES (1, '2024-05-06T21:00:00+02:00', '2024-05-06T21:08:00+02:00', "
            "'avond-checkin', 'Avond check-in', 'nl', 'live', 'Anna', 'Bram', 'done', 480, "
            "100, 80, 0.8, 1)"
        )
        conn.execute(
            "INSERT INTO turns (session_id, t, role, part, planned_seconds, seconds, "
            "speech_seconds, end_reason) VALUES (1, 10, 'A', 'turn', 50, 40, 30, 'silence')"
        )
        conn.execute(
            "INSERT INTO pauses (session_id, t, over_db, role, seconds) "
            "VALUES (1, 20, 9.5, 'A', 45)"
        )
        conn.execute(
            "INSERT INTO answers (session_id, t, step, answer, by_default) "
            "VALUES (1, 60, '5', 'ja', 0)"
        )


@pytest.mark.parametrize("old", range(VERSION))
def test_a_journal_of_every_earlier_version_is_migrated_forward(tmp_path: Path, old: int) -> None:
    path = _path(tmp_path)
    path.parent.mkdir(parents=True)
    conn = connect(path)
    migrate(conn, upto=old)
    assert version(conn) == old
    _sample_rows(conn, old)
    conn.close()

    notes = Notes()
    migrated = open_for_session(path, notes)
    assert migrated is not None and not notes.lines
    assert version(migrated) == VERSION
    assert migrated.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    migrated.close()
    with open_for_reading(path) as reader:
        assert reader is not None
        rows = sessions(reader)
        if old >= 1:
            (row,) = rows
            assert (row.names, row.talk, row.end_reason) == (("Anna", "Bram"), (100, 80), "done")
            item = detail(reader, row.id)
            assert item is not None and len(item.turns) == len(item.pauses) == 1
            assert [a.answer for a in item.answers] == ["ja"]
            assert [(r.role, r.value) for r in item.ratings] == ([("A", 4)] if old >= 2 else [])
        else:
            assert rows == []
    # and the migrated file takes a new session
    feed(_recorder(path, start=START), evening_events(random.Random(1), 0.5)[0])
    assert _rows(path, "SELECT COUNT(*) FROM sessions")[0][0] == (2 if old >= 1 else 1)


def test_each_migration_is_one_whole_step(tmp_path: Path) -> None:
    """A migration that fails half-way leaves the file at its old version, unchanged."""
    path = tmp_path / "j.sqlite3"
    conn = connect(path)
    conn.execute("CREATE TABLE sessions (x)")  # makes migration 1 fail on its first table
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn)
    assert version(conn) == 0
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["sessions"]
    conn.close()
    assert len(MIGRATIONS) == VERSION


def test_a_journal_from_a_newer_voice_coach_is_left_alone(tmp_path: Path) -> None:
    path = _path(tmp_path)
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {VERSION + 1}")
    conn.close()
    notes = Notes()
    assert open_for_session(path, notes) is None
    (line,) = notes.lines
    assert "newer voice-coach" in line and str(path) in line
    assert path.exists() and not list(path.parent.glob("*.damaged-*"))


# -- damaged and unusable files ---------------------------------------------------------


def test_a_file_that_is_no_database_is_set_aside_not_overwritten(tmp_path: Path) -> None:
    path = _path(tmp_path)
    path.parent.mkdir(parents=True)
    junk = b"these are not the pages you are looking for\n" * 200
    path.write_bytes(junk)
    notes = Notes()
    assert open_for_session(path, notes) is None
    (line,) = notes.lines
    assert "journal is off" in line and "damaged" in line and "file is not a database" in line
    (aside,) = path.parent.glob("journal.sqlite3.damaged-*")
    assert aside.read_bytes() == junk and aside.name in line
    assert not path.exists()
    # the next session starts a new journal
    feed(_recorder(path, start=START), evening_events(random.Random(1), 0.5)[0])
    assert _rows(path, "SELECT COUNT(*) FROM sessions")[0][0] == 1


def test_a_journal_with_broken_pages_is_set_aside(tmp_path: Path) -> None:
    path = _path(tmp_path)
    write_evenings(path, 12, START)
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[2 * page : 4 * page] = b"\xa5" * (2 * page)  # two pages of the tables overwritten
    path.write_bytes(bytes(data))
    notes = Notes()
    assert open_for_session(path, notes) is None
    (line,) = notes.lines
    assert "damaged" in line
    (aside,) = path.parent.glob("journal.sqlite3.damaged-*")
    assert aside.read_bytes() == bytes(data)


def test_a_path_that_cannot_be_opened_turns_the_journal_off_and_keeps_it(tmp_path: Path) -> None:
    path = _path(tmp_path)
    path.mkdir(parents=True)  # a folder where the file should be
    notes = Notes()
    assert open_for_session(path, notes) is None
    (line,) = notes.lines
    assert "journal is off" in line and str(path) in line
    assert path.is_dir() and not list(path.parent.glob("*.damaged-*"))


def test_a_write_that_fails_mid_session_turns_the_journal_off_once(tmp_path: Path) -> None:
    path = _path(tmp_path)
    notes = Notes()
    recorder = _recorder(path, notes, start=START)
    events, _ = evening_events(random.Random(2), 0.3)
    half = [i for i, e in enumerate(events) if isinstance(e, ev.StepStarted)][3]
    for event in events[:half]:
        recorder(event)
    other = sqlite3.connect(path)
    other.execute("PRAGMA foreign_keys = ON")
    other.execute("DROP TABLE turns")  # someone broke the file under us
    other.commit()
    other.close()
    for event in events[half:]:
        recorder(event)  # never raises into the session
    recorder.close()
    assert len(notes.lines) == 1 and "off for the rest of this session" in notes.lines[0]


# -- what a session writes --------------------------------------------------------------

SCRIPT = script_of(
    Say(("Welkom {A} en {B}.",)),
    Turn("A", 20, ("{A}, vertel.",), end_on_silence=5),
    Turn("B", 20, ("{B}, vertel.",), end_on_silence=5),
    Ask(("Nog een ronde?",), (("ja", (Say(("Goed.",)),)), ("nee", (Say(("Klaar.",)),)))),
    Summary(),
)


def test_a_session_is_written_as_the_events_say(tmp_path: Path) -> None:
    path = _path(tmp_path)
    recorder = _recorder(path, title="Proef", start=START)
    reason, log, _, _ = run(
        SCRIPT, silence(80), FakeRecognizer([(26.0, "nee hoor")]), listeners=[recorder]
    )
    recorder.close()
    assert reason == "done"
    with open_for_reading(path) as conn:
        assert conn is not None
        (row,) = sessions(conn)
        item = detail(conn, row.id)
    assert item is not None
    ended = next(e for e in log.events if isinstance(e, ev.SessionEnded))
    assert row.title == "Proef" and row.script_id == "test" and row.mode == "simulated"
    assert row.names == ("Anna", "Bram") and row.end_reason == "done"
    assert row.started_at == START
    assert row.ended_at == START + timedelta(seconds=round(ended.t))
    assert row.seconds == pytest.approx(ended.t, abs=0.001)
    assert row.balance == 1.0 and row.breathing_pauses == 0
    turns = [e for e in log.events if isinstance(e, ev.TurnEnded)]
    assert [(t.role, t.end_reason) for t in item.turns] == [(t.role, t.reason) for t in turns]
    assert [t.planned_seconds for t in item.turns] == [20.0, 20.0]
    assert [(a.answer, a.by_default) for a in item.answers] == [("nee", False)]


def test_ratings_are_kept_and_a_skip_too(tmp_path: Path) -> None:
    from tests.fakes import AnsweringRecognizer
    from voice_coach.journal.export import write_csv
    from voice_coach.journal.table import session_text, sessions_table
    from voice_coach.script.model import Rate

    path = _path(tmp_path)
    recorder = _recorder(path, start=START)
    step = Rate(("Hoe verbonden voelen jullie je?",), scale=5)
    ears = AnsweringRecognizer(["een vier", "sla over"], listen_for="sla over")
    run(script_of(step), silence(60), ears, listeners=[recorder])
    recorder.close()
    with open_for_reading(path) as conn:
        assert conn is not None
        (row,) = sessions(conn)
        item = detail(conn, row.id)
    assert item is not None
    assert [(r.role, r.value, r.scale, r.step) for r in item.ratings] == [
        ("A", 4, 5, "0"),
        ("B", None, 5, "0"),
    ]
    assert (row.rating, row.rating_scale) == ((4, None), 5)
    assert "Anna 4 of 5" in session_text(item) and "Bram skipped" in session_text(item)
    assert "4·–/5" in sessions_table([row])
    write_csv(tmp_path / "j.csv", [row])
    assert (tmp_path / "j.csv").read_text().splitlines()[1].endswith(",4,,5")


def test_nothing_that_was_said_is_kept(tmp_path: Path) -> None:
    """Only names as set and matched answer words: no coach lines, no heard words."""
    path = _path(tmp_path)
    recorder = _recorder(path, start=START)
    _, log, _, _ = run(
        SCRIPT, silence(80), FakeRecognizer([(26.0, "nee hoor")]), listeners=[recorder]
    )
    recorder.close()
    said = {e.text for e in log.events if isinstance(e, ev.Said)}
    conn = sqlite3.connect(path)
    texts: set[str] = set()
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in conn.execute(f"SELECT * FROM {table}"):
            texts |= {v for v in row if isinstance(v, str)}
    conn.close()
    assert not texts & said
    assert not any("hoor" in t for t in texts)
    raw = path.read_bytes()
    assert b"hoor" not in raw and b"vertel" not in raw and b"Welkom" not in raw
    assert {"Anna", "Bram", "nee"} <= texts


def test_one_transaction_per_finished_step(tmp_path: Path) -> None:
    """A reader sees a step's rows only once the next step starts."""
    path = _path(tmp_path)
    recorder = _recorder(path, start=START)
    events, _ = evening_events(random.Random(4), 0.2)
    ended = 0
    for event in events:
        recorder(event)
        committed = _rows(path, "SELECT COUNT(*) FROM turns")[0][0]
        if isinstance(event, ev.TurnEnded):
            ended += 1
            assert committed == ended - 1  # its step has not finished: nobody sees it yet
        elif isinstance(event, ev.StepStarted | ev.SessionEnded):
            assert committed == ended  # the step before is whole on disk
    recorder.close()
    assert ended == 8


def test_an_unfinished_session_is_marked_interrupted_at_the_next_start(tmp_path: Path) -> None:
    path = _path(tmp_path)
    recorder = _recorder(path, start=START)
    events, _ = evening_events(random.Random(5), 0.2)
    cut = [i for i, e in enumerate(events) if isinstance(e, ev.StepStarted)][5]
    for event in events[: cut + 1]:
        recorder(event)
    recorder._conn.close()  # type: ignore[union-attr]  # as if killed: nothing more
    with open_for_reading(path) as conn:
        assert conn is not None
        (row,) = sessions(conn)
    assert row.end_reason is None  # a reader in the writer's process: it may be writing
    assert _rows(path, "SELECT end_reason, ended_at FROM sessions") == [(None, None)]

    conn2 = open_for_session(path, Notes())  # the next start (here: this process's next)
    assert conn2 is not None
    conn2.close()
    ((reason, ended_at, seconds, talk_a, talk_b, bal),) = _rows(
        path, "SELECT end_reason, ended_at, seconds, talk_a, talk_b, balance FROM sessions"
    )
    turns = [e for e in events[:cut] if isinstance(e, ev.TurnEnded)]
    assert reason == "interrupted"
    assert seconds == pytest.approx(events[cut].t, abs=0.001)
    assert datetime.fromisoformat(ended_at) == START + timedelta(seconds=int(seconds))
    a = sum(t.speech_seconds for t in turns if t.role == "A")
    b = sum(t.speech_seconds for t in turns if t.role == "B")
    assert (talk_a, talk_b) == (pytest.approx(a, abs=0.1), pytest.approx(b, abs=0.1))
    assert bal == pytest.approx(min(a, b) / max(a, b), abs=0.01)


def test_a_raised_voice_is_kept_as_a_breathing_pause(tmp_path: Path) -> None:
    path = _path(tmp_path)
    events, evening = evening_events(random.Random(0), 0.0)
    rng_seed = 0
    while evening.pauses == 0:  # find a generated evening with a pause
        rng_seed += 1
        events, evening = evening_events(random.Random(rng_seed), 0.0)
    feed(_recorder(path, start=START), events)
    with open_for_reading(path) as conn:
        assert conn is not None
        (row,) = sessions(conn)
        item = detail(conn, row.id)
    assert item is not None
    raised = [e for e in events if isinstance(e, ev.RaisedVoice)]
    assert [(p.over_db, p.seconds) for p in item.pauses] == [(r.over_db, 45.0) for r in raised]
    assert row.breathing_pauses == evening.pauses == len(raised)


# -- what serve asks --------------------------------------------------------------------


def test_serve_can_ask_whether_a_check_in_already_happened_tonight(tmp_path: Path) -> None:
    path = _path(tmp_path)
    tonight = datetime.now().astimezone().replace(hour=18, minute=0, second=0, microsecond=0)
    assert not checked_in_since(tonight, path=path)  # no journal at all
    write_evenings(path, 3, tonight - timedelta(days=1))
    assert not checked_in_since(tonight, path=path)
    assert len(sessions_since(tonight - timedelta(days=2), path=path)) >= 1
    events, _ = evening_events(random.Random(9), 0.5)
    stopped = [*events[:-1], ev.SessionEnded(t=events[-1].t, reason="device_lost")]
    feed(_recorder(path, start=tonight.replace(hour=21)), stopped)
    assert not checked_in_since(tonight, path=path)  # a lost device is no check-in
    feed(_recorder(path, start=tonight.replace(hour=21, minute=30)), events)
    assert checked_in_since(tonight, path=path)
    assert checked_in_since(tonight, scripts={"avond-checkin"}, path=path)
    assert not checked_in_since(tonight, scripts={"spiegelen"}, path=path)
