"""A real `kill -9` of a `voice-coach run --input --journal` child, a reader alongside it,
and a damaged journal file on the evening itself.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.wav import write_wav
from voice_coach.cli import main

LONG = """\
id: lange-avond
title: Lange avond
language: nl
steps:
  - say: "Welkom {A} en {B}."
  - repeat:
      times: 100
      steps:
        - turn: {speaker: A, seconds: 6, end_on_silence: 2}
        - turn: {speaker: B, seconds: 6, end_on_silence: 2}
"""

SHORT = """\
id: kort
title: Kort
language: nl
steps:
  - say: "Welkom {A} en {B}."
  - turn: {speaker: A, seconds: 6, end_on_silence: 2}
  - summary: {}
"""


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Private folders for this test, also for child processes."""
    env = {
        "VOICE_COACH_MODELS": str(tmp_path / "models"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def _journal(tmp_path: Path) -> Path:
    return tmp_path / "data" / "voice-coach" / "journal.sqlite3"


def _silence(path: Path, seconds: float) -> Path:
    write_wav(path, AudioChunk(np.zeros(round(seconds * LISTEN_RATE), np.float32), LISTEN_RATE))
    return path


def _count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet
    finally:
        conn.close()


def _events(path: Path) -> list[dict[str, Any]]:
    events = []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut by the kill
            break
    return events


@pytest.mark.slow
def test_kill_9_loses_at_most_the_step_in_progress(
    tmp_path: Path, home: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "long.yaml"
    script.write_text(LONG)
    wav = _silence(tmp_path / "silence.wav", 1200)
    events_path = tmp_path / "events.jsonl"
    journal = _journal(tmp_path)
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voice_coach",
            "run",
            str(script),
            "--input",
            str(wav),
            "--journal",
            "--events",
            str(events_path),
            "--names",
            "Anna,Bram",
            "--quiet",
        ],
        env={**os.environ, **home},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not (journal.exists() and _count(journal, "SELECT COUNT(*) FROM turns") >= 6):
            assert child.poll() is None, "the session ended before it could be killed"
            assert time.monotonic() < deadline, "no turns reached the journal"
            time.sleep(0.01)
        # Two processes at once: `voice-coach journal` reads while the session writes.
        capsys.readouterr()
        assert main(["journal", "--json"]) == 0
        (running,) = json.loads(capsys.readouterr().out)
        assert running["end_reason"] is None and running["names"] == {"A": "Anna", "B": "Bram"}
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL

    conn = sqlite3.connect(journal)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ((reason, ended_at, seconds),) = conn.execute(
        "SELECT end_reason, ended_at, seconds FROM sessions"
    ).fetchall()
    stored_turns = conn.execute("SELECT COUNT(*) FROM turns").fetchone()[0]
    conn.close()
    assert reason is None and ended_at is None  # nobody could write its end

    # What the session did, from its event log (written before the journal, per event):
    # the journal holds every turn of every finished step; only the last step may be lost.
    events = _events(events_path)
    steps = [i for i, e in enumerate(events) if e["type"] == "step_started"]
    ended = [i for i, e in enumerate(events) if e["type"] == "turn_ended"]
    surely = sum(1 for i in ended if i < steps[-2])
    at_most = sum(1 for i in ended if i < steps[-1])
    assert surely >= 5
    assert surely <= stored_turns <= at_most
    assert seconds in (events[steps[-2]]["t"], events[steps[-1]]["t"])

    # A reader now sees it as interrupted (its writer is gone) ...
    capsys.readouterr()
    assert main(["journal", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["end_reason"] == "interrupted"
    # ... and the next start writes that down, with what was committed.
    short = tmp_path / "short.yaml"
    short.write_text(SHORT)
    assert (
        main(
            [
                "run",
                str(short),
                "--input",
                str(_silence(tmp_path / "s.wav", 30)),
                "--journal",
                "--quiet",
            ]
        )
        == 0
    )
    conn = sqlite3.connect(journal)
    rows = conn.execute(
        "SELECT script_id, end_reason, ended_at IS NOT NULL, seconds FROM sessions ORDER BY id"
    ).fetchall()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert rows[0][:3] == ("lange-avond", "interrupted", 1) and rows[0][3] == seconds
    assert rows[1][:3] == ("kort", "done", 1)


def test_a_damaged_journal_never_blocks_the_evening(
    tmp_path: Path, home: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    journal = _journal(tmp_path)
    journal.parent.mkdir(parents=True)
    junk = os.urandom(3000)
    journal.write_bytes(junk)
    script = tmp_path / "short.yaml"
    script.write_text(SHORT)
    wav = _silence(tmp_path / "s.wav", 30)
    events_path = tmp_path / "events.jsonl"
    capsys.readouterr()
    code = main(
        [
            "run",
            str(script),
            "--input",
            str(wav),
            "--journal",
            "--events",
            str(events_path),
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 0
    assert _events(events_path)[-1] == {**_events(events_path)[-1], "reason": "done"}
    journal_lines = [line for line in err.splitlines() if "the journal" in line]
    assert len(journal_lines) == 1 and "Traceback" not in err
    assert journal_lines[0].startswith("voice-coach: the journal is off for this session")
    (aside,) = journal.parent.glob("journal.sqlite3.damaged-*")
    assert aside.read_bytes() == junk and not journal.exists()

    # The next evening starts a new journal; the damaged one stays where it was put.
    assert main(["run", str(script), "--input", str(wav), "--journal", "--quiet"]) == 0
    assert "the journal" not in capsys.readouterr().err
    assert _count(journal, "SELECT COUNT(*) FROM sessions") == 1
    assert aside.read_bytes() == junk


def test_reading_a_damaged_journal_says_what_to_do(
    tmp_path: Path, home: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    journal = _journal(tmp_path)
    journal.parent.mkdir(parents=True)
    journal.write_bytes(b"x" * 5000)
    assert main(["journal"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "next session keeps it aside" in err and "Traceback" not in err
    assert journal.read_bytes() == b"x" * 5000  # a reader changes nothing
