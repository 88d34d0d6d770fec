"""`voice-coach journal` as a couple or their coach types it: table, show, export,
forget, plot; and when `run` writes the journal at all."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3
import stat
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.journalgen import write_evenings
from voice_coach.cli import main
from voice_coach.commands.run import journal_wanted
from voice_coach.config import Config, PrivacySettings
from voice_coach.journal.export import COLUMNS
from voice_coach.journal.plot import bar_heights, build_figure, render_png, weekly
from voice_coach.journal.read import SessionRow

NOW = datetime.now().astimezone().replace(hour=22, minute=0, second=0, microsecond=0)


@pytest.fixture()
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The journal's path in private folders for this test."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("VOICE_COACH_MODELS", str(tmp_path / "models"))
    return tmp_path / "data" / "voice-coach" / "journal.sqlite3"


def _out(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> str:
    capsys.readouterr()
    assert main(list(argv)) == code
    return capsys.readouterr().out


def test_an_empty_journal_says_where_it_is(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _out(capsys, "journal")
    assert "No sessions in the journal yet" in out and str(journal) in out
    assert json.loads(_out(capsys, "journal", "--json")) == []
    assert _out(capsys, "journal", "where").strip() == str(journal)
    assert not journal.exists()  # reading never creates it


def test_the_table_is_aligned_and_json_has_the_same_sessions(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evenings = write_evenings(journal, 12, NOW)
    lines = _out(capsys, "journal", "--last", "10").splitlines()
    assert lines[0] == "A = Anna, B = Bram"
    header, rows = lines[1], lines[2:]
    assert header.split() == [
        "id",
        "date",
        "exercise",
        "min",
        "talk",
        "A:B",
        "pauses",
        "rating",
        "A·B",
        "ended",
    ]
    assert len(rows) == 10
    for column in ("exercise", "talk A:B", "pauses", "rating A·B", "ended"):
        at = header.index(column)
        assert all(row[at - 1] == " " for row in rows), column  # columns line up
    assert all("Avond check-in" in row and row.endswith("done") for row in rows)
    data = json.loads(_out(capsys, "journal", "--json", "--last", "10"))
    assert [d["id"] for d in data] == list(range(3, 13))
    last = evenings[-1]
    assert data[-1]["talk"]["A"] == pytest.approx(last.talk[0], abs=0.05)
    assert data[-1]["breathing_pauses"] == last.pauses
    assert data[-1]["started_at"] == last.start.isoformat(timespec="seconds")
    share = round(100 * last.talk[0] / (last.talk[0] + last.talk[1]))
    assert f"{share}:{100 - share}" in rows[-1]


def test_show_gives_everything_kept_of_one_session(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_evenings(journal, 2, NOW)
    text = _out(capsys, "journal", "show", "2")
    assert text.startswith("Session 2: Avond check-in (avond-checkin, nl, live)")
    assert text.count("Anna:") + text.count("Anna (") == 4
    assert "answer at" in text and ": ja" in text
    item = json.loads(_out(capsys, "journal", "show", "2", "--json"))
    assert item["id"] == 2 and len(item["turns"]) == 8 and item["answers"][0]["answer"] == "ja"
    capsys.readouterr()
    assert main(["journal", "show", "99"]) == 1
    assert "no session 99" in capsys.readouterr().err


def test_export_writes_a_private_csv_with_one_row_per_session(
    journal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evenings = write_evenings(journal, 5, NOW)
    out = tmp_path / "journal.csv"
    out.write_text("old")
    out.chmod(0o644)
    assert "Wrote 5 session(s)" in _out(capsys, "journal", "export", "--csv", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 5
    assert [r["breathing_pauses"] for r in rows] == [str(e.pauses) for e in evenings]
    assert rows[0]["name_a"] == "Anna" and rows[0]["end_reason"] == "done"


def _raw(journal: Path) -> bytes:
    data = journal.read_bytes()
    wal = journal.with_name(journal.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def test_forget_deletes_for_real(
    journal: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleted rows are gone from the file and its WAL, whatever SQLite's build default.

    Debian's SQLite overwrites deleted rows by default (SECURE_DELETE); others do not,
    so here connections start with it off, and an idle reader keeps the WAL alive.
    """
    from voice_coach.journal import store

    real_connect = store.connect

    def plain_connect(path: Path, busy_seconds: float = store.BUSY_SECONDS) -> sqlite3.Connection:
        conn = real_connect(path, busy_seconds)
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    monkeypatch.setattr(store, "connect", plain_connect)
    write_evenings(journal, 10, NOW)
    conn = sqlite3.connect(journal)
    conn.execute("UPDATE sessions SET name_a = 'Zwaluwstaart' WHERE id = 1")
    conn.commit()
    conn.close()
    idle_reader = sqlite3.connect(journal)
    idle_reader.execute("SELECT COUNT(*) FROM sessions").fetchone()
    assert b"Zwaluwstaart" in _raw(journal)
    assert "Forgot 1 session(s)." in _out(capsys, "journal", "forget", "1", "--yes")
    assert b"Zwaluwstaart" not in _raw(journal)  # not in free pages, not in the WAL
    idle_reader.close()
    ids = [d["id"] for d in json.loads(_out(capsys, "journal", "--json"))]
    assert ids == list(range(2, 11))

    cut = json.loads(_out(capsys, "journal", "show", "6", "--json"))["started_at"][:10]
    _out(capsys, "journal", "forget", "--before", cut, "--yes")
    left = json.loads(_out(capsys, "journal", "--json"))
    assert [d["id"] for d in left] == list(range(6, 11))
    assert all(d["started_at"][:10] >= cut for d in left)

    _out(capsys, "journal", "forget", "--all", "--yes")
    assert json.loads(_out(capsys, "journal", "--json")) == []
    conn = sqlite3.connect(journal)
    assert [
        conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("sessions", "turns", "pauses", "answers")
    ] == [0, 0, 0, 0]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert b"Anna" not in _raw(journal)


def test_forget_asks_first(
    journal: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_evenings(journal, 3, NOW)
    capsys.readouterr()
    assert main(["journal", "forget", "--all"]) == 1  # no terminal to ask in
    assert "add --yes" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["n", "ja"])
    monkeypatch.setattr("builtins.input", lambda question: next(answers))
    assert main(["journal", "forget", "--all"]) == 1
    assert "Nothing forgotten" in capsys.readouterr().out
    assert len(json.loads(_out(capsys, "journal", "--json"))) == 3
    assert "Forgot 3 session(s)." in _out(capsys, "journal", "forget", "--all")


def test_forget_names_a_bad_date_in_one_line(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["journal", "forget", "--before", "gisteren", "--yes"])
    assert exit_.value.code == 2
    assert "expected a day as YYYY-MM-DD, not 'gisteren'" in capsys.readouterr().err


# -- the picture ------------------------------------------------------------------------


def _rows(count: int, seed: int = 3) -> list[SessionRow]:
    """`count` sessions on consecutive evenings up to NOW, without a file (fast)."""
    import random

    rng = random.Random(seed)
    rows = []
    for i in range(count):
        start = NOW - timedelta(days=count - 1 - i)
        a, b = rng.uniform(60, 200), rng.uniform(60, 200)
        rows.append(
            SessionRow(
                id=i + 1,
                started_at=start,
                ended_at=start + timedelta(minutes=9),
                script_id="avond-checkin",
                title="Avond check-in",
                language="nl",
                mode="live",
                names=("Anna", "Bram"),
                end_reason="done",
                seconds=540.0,
                talk=(a, b),
                balance=min(a, b) / max(a, b),
                breathing_pauses=rng.choice((0, 0, 0, 1)),
                pace=(3.4, 3.9),
                rating=(rng.choice((None, 3, 4, 5)), rng.randint(1, 5)),
                rating_scale=5,
            )
        )
    return rows


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@pytest.mark.parametrize("count", [0, 1, 30, 500])
def test_the_picture_draws_every_size_of_history(count: int) -> None:
    rows = _rows(count)
    fig = build_figure(rows, now=NOW)
    texts = [t.get_text() for t in fig.texts]
    if count == 0:
        assert fig.axes == []  # words instead of empty axes
        assert any("No check-ins in the journal yet" in t for t in texts)
    else:
        titles = [ax.get_title() for ax in fig.axes]
        assert titles[:3] == [
            "Check-ins per week",
            "Talk balance: Anna's share",
            "Breathing pauses per week",
        ]
        assert sum(bar_heights(fig.axes[0])) == count
        ratings = fig.axes[3]
        assert ratings.get_title() == "Ratings (1 to 5)"
        dots = sum(len(c.get_offsets()) for c in ratings.collections)
        assert dots == sum(v is not None for r in rows for v in r.rating)
        unrated = [dataclasses.replace(r, rating=(None, None), rating_scale=None) for r in rows]
        texts = [t.get_text() for t in build_figure(unrated, now=NOW).axes[3].texts]
        assert texts == ["No ratings yet."]  # words, not empty axes
    width, height = _png_size(render_png(rows, now=NOW))
    assert width >= 900 and (count == 0 or height > width)  # upright, like a phone


def test_weeks_limits_the_picture_and_says_when_nothing_is_left() -> None:
    rows = _rows(60)
    fig = build_figure(rows, weeks=2, now=NOW)
    shown = sum(bar_heights(fig.axes[0]))
    assert shown == NOW.weekday() + 1 + 7  # this week so far and the one before
    old = [r for r in rows if r.started_at < NOW - timedelta(weeks=5)]
    fig = build_figure(old, weeks=3, now=NOW)
    assert fig.axes == [] and "in the last 3 weeks" in fig.texts[0].get_text()


def test_weekly_counts_include_empty_weeks() -> None:
    rows = _rows(3)
    later = [dataclasses.replace(r, started_at=r.started_at + timedelta(weeks=3)) for r in rows]
    gap = [rows[0], *later[1:]]
    week = weekly(gap, gap[0].started_at.date(), gap[-1].started_at.date())
    assert sum(week.sessions) == 3 and 0 in week.sessions


def test_plot_writes_a_private_png(
    journal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "trends.png"
    assert "no sessions" in _out(capsys, "journal", "plot", "-o", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and _png_size(out.read_bytes())[0] > 0
    write_evenings(journal, 8, NOW)
    assert "8 session(s)" in _out(capsys, "journal", "plot", "-o", str(out), "--weeks", "4")


# -- when a session is written ----------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "journal_on", "simulated", "wanted"),
    [
        (None, True, False, True),  # a live evening: remembered by default
        (None, False, False, False),  # [privacy] journal = false
        (False, True, False, False),  # --no-journal
        (None, True, True, False),  # simulations and typing: only when asked
        (True, True, True, True),  # --journal
        (True, False, True, True),
    ],
)
def test_which_sessions_are_remembered(
    flag: bool | None, journal_on: bool, simulated: bool, wanted: bool
) -> None:
    config = Config(privacy=PrivacySettings(journal=journal_on))
    assert journal_wanted(flag, config, simulated) is wanted


SHORT = """\
id: kort
title: Kort
language: nl
steps:
  - say: "Welkom {A} en {B}."
  - turn: {speaker: A, seconds: 5, end_on_silence: 2}
"""


def test_a_simulation_writes_the_journal_only_when_asked(
    journal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_journal_crash import _silence

    script = tmp_path / "kort.yaml"
    script.write_text(SHORT)
    wav = _silence(tmp_path / "s.wav", 20)
    args: list[Any] = ["run", str(script), "--input", str(wav), "--quiet"]
    assert main(args) == 0
    assert not journal.exists()
    assert main([*args, "--journal", "--start", "2024-05-06T21:00"]) == 0
    (row,) = json.loads(_out(capsys, "journal", "--json"))
    assert row["mode"] == "simulated" and row["started_at"].startswith("2024-05-06T21:00:00")
    capsys.readouterr()
    assert main(["run", str(script), "--start", "2024-05-06T21:00", "--text"]) == 1
    assert "--start is for simulated sessions" in capsys.readouterr().err
