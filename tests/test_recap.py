"""The `recap` step: a sentence or two about the recent past, gently, from the journal.

The engine only sees the plain `Recent` figures; the journal computes them. The last
test runs the built-in check-in through `voice-coach run --input --journal` after a
generated week of evenings.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.engine_support import events_of, run, script_of, silence
from tests.journalgen import write_evenings
from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.wav import write_wav
from voice_coach.cli import main
from voice_coach.engine.history import Recent, recap_lines
from voice_coach.journal.history import recent, recent_evenings
from voice_coach.journal.store import open_for_reading
from voice_coach.lang import language
from voice_coach.script.model import Recap, Say

NL = language("nl")
EN = language("en")


def _lines(recent: Recent | None, lang: str = "nl") -> list[str]:
    code = NL if lang == "nl" else EN
    return recap_lines(recent, lambda key, **v: code.phrase(key, **v), code)


def _recent(week: int, before: int = 10, pauses: int = 0, prior: int = 0,
            balance: float | None = 0.5) -> Recent:  # fmt: skip
    return Recent(week, before, pauses, prior, balance)


def test_no_history_says_nothing() -> None:
    assert _lines(None) == []
    assert _lines(_recent(0, before=0)) == []


def test_how_often_and_one_thing_that_went_well() -> None:
    assert _lines(_recent(4, pauses=1, prior=3)) == [
        "Jullie deden de afgelopen week vier check-ins. Fijn dat jullie dit volhouden.",
        "Er waren deze week minder ademhalingspauzes nodig dan de week ervoor.",
    ]
    assert _lines(_recent(3, balance=0.85))[1] == (
        "De tijd was de laatste keren mooi verdeeld tussen jullie."
    )
    assert _lines(_recent(1))[0].startswith("Jullie namen deze week al eerder een avond")
    assert _lines(_recent(0)) == [
        "Fijn dat jullie er weer zijn. Elke avond die jullie samen nemen, telt."
    ]
    assert _lines(_recent(5, pauses=1, prior=3), "en") == [
        "You did five check-ins this past week. It's good that you keep this up.",
        "This week you needed fewer breathing pauses than the week before.",
    ]


def test_what_went_less_well_is_never_named() -> None:
    worse = _recent(3, pauses=4, prior=1, balance=0.3)  # more pauses, uneven talk
    assert _lines(worse) == [
        "Jullie deden de afgelopen week drie check-ins. Fijn dat jullie dit volhouden."
    ]


def test_the_session_speaks_the_recap_only_with_history() -> None:
    script = script_of(Recap(), Say(("Welkom.",)))
    _, log, _, _ = run(script, silence(30), history=_recent(2, balance=0.9))
    said = [e["text"] for e in events_of(log, "said")][1:]  # after how to stop (no recogniser)
    assert said[0].startswith("Jullie deden de afgelopen week twee check-ins.")
    assert said[1] == "De tijd was de laatste keren mooi verdeeld tussen jullie."
    _, log, _, _ = run(script, silence(30), history=None)
    assert [e["text"] for e in events_of(log, "said")][1:] == ["Welkom."]


def test_the_journal_gives_the_figures(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    now = datetime.now().astimezone().replace(hour=20, minute=0, second=0, microsecond=0)
    assert recent_evenings(now, path) is None  # no journal yet
    evenings = write_evenings(path, 20, now - timedelta(days=1), seed=5)
    week = [e for e in evenings if e.start >= now - timedelta(days=7)]
    prior = [e for e in evenings if now - timedelta(days=14) <= e.start < now - timedelta(days=7)]
    with open_for_reading(path) as conn:
        assert conn is not None
        figures = recent(conn, now)
        assert figures.sessions_before == 20
        assert figures.sessions_7_days == len(week)
        assert figures.pauses_7_days == sum(e.pauses for e in week)
        assert figures.pauses_prior_7_days == sum(e.pauses for e in prior)
        balances = [min(e.talk) / max(e.talk) for e in week]
        assert figures.balance_mean == pytest.approx(sum(balances) / len(balances), abs=0.01)
        # Only what came before `now` counts (a month ago there was nothing yet).
        assert recent(conn, now - timedelta(days=30)).sessions_before == 0


def test_a_damaged_journal_leaves_the_recap_silent(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"no database here" * 100)
    assert recent_evenings(datetime.now().astimezone(), path) is None


@pytest.mark.slow
def test_the_built_in_check_in_looks_back_on_the_week(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                     ("VOICE_COACH_MODELS", "models")):  # fmt: skip
        monkeypatch.setenv(key, str(tmp_path / sub))
    wav = tmp_path / "silence.wav"
    write_wav(wav, AudioChunk.silence(900, LISTEN_RATE))
    tonight = datetime(2024, 5, 10, 21, 0).astimezone()

    def said(events: Path, *extra: str) -> list[str]:
        assert main(["run", "avond-checkin", "--input", str(wav), "--journal", "--quiet",
                     "--names", "Anna,Bram", "--events", str(events), *extra]) == 0  # fmt: skip
        lines = [json.loads(line) for line in events.read_text().splitlines()]
        return [e["text"] for e in lines if e["type"] == "said"]

    first = said(tmp_path / "first.jsonl", "--start", (tonight - timedelta(days=30)).isoformat())
    assert not any("check-in" in s and "afgelopen week" in s for s in first)  # no history yet
    assert not any("Fijn dat jullie er weer zijn" in s for s in first)
    path = tmp_path / "data" / "voice-coach" / "journal.sqlite3"
    write_evenings(path, 4, tonight - timedelta(days=1), seed=2, skip=0.0)
    lines = said(tmp_path / "tonight.jsonl", "--start", tonight.isoformat())
    recap = "Jullie deden de afgelopen week vier check-ins. Fijn dat jullie dit volhouden."
    greeting = next(i for i, s in enumerate(lines) if "Anna" in s and "Bram" in s)
    assert lines[greeting + 1] == recap  # right after the greeting
