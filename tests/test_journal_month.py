"""A simulated month: 30 evenings through `voice-coach run --input --journal`, then
`voice-coach journal` and `journal plot` show what happened.

Each evening is a short check-in (two timed turns, about a minute; the summary
figures come with every session's end, so no spoken summary step) with generated
speech (espeak-ng, two voices): over the month partner A talks less and B more, and
on four evenings voices rise in B's turn, which gives a breathing pause (and, with
nothing to hear "verder", the end of that evening: silence is not consent). The turns
end on time and pace nudges are off (as in a check-in), so one dry run tells where
each turn starts. Short sessions (about 40 seconds; a breathing pause of one breath)
keep the 30 runs to about half a minute here.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests import speechgen
from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.wav import write_wav
from voice_coach.cli import main
from voice_coach.journal.plot import bar_heights, build_figure
from voice_coach.journal.read import sessions
from voice_coach.journal.store import open_for_reading

pytestmark = pytest.mark.slow

SCRIPT = """\
id: korte-checkin
title: Korte check-in
language: nl
settings: {pace_feedback: false, breathing: {cycles: 1}}
steps:
  - say: "Goedenavond {A} en {B}."
  - turn: {speaker: A, prompt: "{A}, hoe was je dag?", seconds: 13}
  - turn: {speaker: B, prompt: "{B}, en jouw dag?", seconds: 16}
"""
EVENINGS = 30
PAUSE_EVENINGS = {3, 8, 15, 23}
FIRST = datetime(2024, 4, 1, 21, 0).astimezone()


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("VOICE_COACH_MODELS", "models"),
    ):
        monkeypatch.setenv(key, str(tmp_path / sub))
    return tmp_path


def _talk(count: int, voice: str, offset: int) -> speechgen.Scene:
    """`count` sentences by one partner at a calm level."""
    scene = speechgen.Scene()
    for i in range(count):
        text, _ = speechgen.SENTENCES["nl"][(offset + i) % len(speechgen.SENTENCES["nl"])]
        scene.say(speechgen.espeak(text, voice, 150), -26.0, 0.4)
    return scene


@functools.cache
def _hiss() -> np.ndarray[Any, Any]:
    """A room's hiss, made once (long enough for any evening) and shared by all."""
    return speechgen.normalise(speechgen.coloured_noise(240.0, 1.0, 7), -65.0)


def _evening(day: int, turn_a: float, turn_b: float) -> tuple[AudioChunk, float, float]:
    """The microphone of one evening, and the true speech seconds of A and B.

    On a pause evening B's truth is an upper bound: what B says while the coach
    guides the breathing is not listened to."""
    pause = day in PAUSE_EVENINGS
    total = np.zeros(round((turn_b + (80 if pause else 25)) * LISTEN_RATE), np.float32)
    a = _talk(4 - day * 2 // (EVENINGS - 1), "nl", day)  # 4 sentences down to 2
    if pause:
        b = speechgen.escalation(rise_db=10.0, calm_turns=1, raised_turns=3, language="nl")
    else:
        b = _talk(1 + day * 3 // (EVENINGS - 1), "nl+f2", day + 3)  # 1 sentence up to 4
    for scene, at in ((a, turn_a + 1.0), (b, turn_b + 1.0)):
        start = round(at * LISTEN_RATE)
        total[start : start + len(scene.samples)] += scene.samples
    total += _hiss()[: len(total)]
    truth_a = sum(end - start for start, end in a.speech)
    truth_b = sum(end - start for start, end in b.speech)
    return AudioChunk(total, LISTEN_RATE), truth_a, truth_b


def _run(script: Path, wav: Path, *extra: str) -> None:
    assert (
        main(["run", str(script), "--input", str(wav), "--quiet", "--names", "Anna,Bram", *extra])
        == 0
    )


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_a_simulated_month_shows_in_the_journal_and_its_picture(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = home / "kort.yaml"
    script.write_text(SCRIPT)
    dry_wav, dry_events = home / "dry.wav", home / "dry.jsonl"
    write_wav(dry_wav, AudioChunk.silence(150, LISTEN_RATE))
    _run(script, dry_wav, "--events", str(dry_events))
    dry = [json.loads(line) for line in dry_events.read_text().splitlines()]
    turn_a, turn_b = [e["t"] for e in dry if e["type"] == "turn_started"]

    truths = []
    for day in range(EVENINGS):
        audio, truth_a, truth_b = _evening(day, turn_a, turn_b)
        wav = home / "evening.wav"
        write_wav(wav, audio)
        start = FIRST + timedelta(days=day, minutes=7 * (day % 5))
        _run(script, wav, "--journal", "--start", start.isoformat())
        truths.append((start, truth_a, truth_b))

    rows = _json(capsys, "journal", "--json", "--last", "100")
    assert len(rows) == EVENINGS  # the dry run was not written: no --journal
    for day, (row, (start, truth_a, truth_b)) in enumerate(zip(rows, truths, strict=True)):
        assert row["started_at"] == start.isoformat(timespec="seconds")
        # Nothing can hear "verder" here (no Dutch recogniser): after a breathing pause
        # the coach takes the safe answer and ends the evening.
        ended = "stop_for_evening" if day in PAUSE_EVENINGS else "done"
        assert (row["mode"], row["end_reason"], row["title"]) == (
            "simulated",
            ended,
            "Korte check-in",
        )
        assert row["names"] == {"A": "Anna", "B": "Bram"}
        talk_a, talk_b = row["talk"]["A"], row["talk"]["B"]
        assert talk_a == pytest.approx(truth_a, rel=0.25), day
        if day in PAUSE_EVENINGS:
            assert 0 < talk_b < truth_b and row["breathing_pauses"] == 1, day
        else:
            assert talk_b == pytest.approx(truth_b, rel=0.25), day
            assert row["breathing_pauses"] == 0, day
    share = [r["talk"]["A"] / (r["talk"]["A"] + r["talk"]["B"]) for r in rows]
    assert np.mean(share[:5]) > np.mean(share[-5:]) + 0.2  # the month evened out

    capsys.readouterr()
    assert main(["journal", "--last", "30"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "A = Anna, B = Bram" and len(table) == 2 + EVENINGS
    assert sum(line.rstrip().endswith("done") for line in table) == EVENINGS - len(PAUSE_EVENINGS)
    assert sum(line.rstrip().endswith("stopped for tonight") for line in table) == len(
        PAUSE_EVENINGS
    )

    with open_for_reading() as conn:
        assert conn is not None
        stored = sessions(conn)
    fig = build_figure(stored, now=FIRST + timedelta(days=EVENINGS))
    per_week, talk, pauses = fig.axes[0], fig.axes[1], fig.axes[2]
    assert sum(bar_heights(per_week)) == EVENINGS
    assert sum(bar_heights(pauses)) == len(PAUSE_EVENINGS)
    dots = talk.collections[0].get_offsets()
    assert len(dots) == EVENINGS
    assert np.allclose(np.asarray(dots)[:, 1], [100 * s for s in share], atol=0.01)
    png = home / "trends.png"
    assert main(["journal", "plot", "-o", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
