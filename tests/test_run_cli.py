"""`voice-coach run --input` and `voice-coach preview` as a coach types them."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests import speechgen
from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.wav import read_wav, write_wav
from voice_coach.cli import main

SCRIPT = """\
id: cli-test
title: CLI test
language: nl
voice: {rate: 0.9}
steps:
  - say: "Welkom {A} en {B}."
  - turn: {speaker: A, prompt: "{A}, vertel.", seconds: 240, warn_before: 10, end_on_silence: 8}
  - say: "Dank jullie wel."
"""


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No models, cache or config of the machine's user leak into these runs."""
    monkeypatch.setenv("VOICE_COACH_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _run(tmp_path: Path, mic: AudioChunk, name: str) -> list[dict[str, Any]]:
    script = tmp_path / "script.yaml"
    script.write_text(SCRIPT)
    wav, out, events = (
        tmp_path / f"{name}.wav",
        tmp_path / f"{name}-out.wav",
        tmp_path / f"{name}.jsonl",
    )
    write_wav(wav, mic)
    code = main(["run", str(script), "--input", str(wav), "--output", str(out),
                 "--events", str(events), "--names", "Anna,Bram", "--quiet"])  # fmt: skip
    assert code == 0
    for written in (out, events):
        assert stat.S_IMODE(written.stat().st_mode) == 0o600, written
    assert read_wav(out).seconds >= mic.seconds - 0.01
    return _events(events)


def test_run_with_input_writes_events_and_the_coach_track(tmp_path: Path) -> None:
    events = _run(tmp_path, AudioChunk.silence(60, LISTEN_RATE), "silent")
    assert events[0]["type"] == "session_started" and events[0]["names"] == ["Anna", "Bram"]
    assert events[-1] == {**events[-1], "type": "session_ended", "reason": "done"}
    assert all(isinstance(e["t"], float | int) and e["type"] for e in events)
    kinds = {e["type"] for e in events}
    assert {"step_started", "said", "turn_started", "turn_ended", "session_summary"} <= kinds


@pytest.mark.slow
def test_run_with_an_escalating_conversation_breaks_for_breathing(tmp_path: Path) -> None:
    dry = _run(tmp_path, AudioChunk.silence(60, LISTEN_RATE), "dry")
    start = next(e["t"] for e in dry if e["type"] == "turn_started") + 0.5
    scene = speechgen.room(speechgen.escalation(rise_db=10.0, language="nl"))
    samples = np.zeros(round(400 * LISTEN_RATE), np.float32)
    at = round(start * LISTEN_RATE)
    samples[at : at + len(scene.samples)] += scene.samples
    events = _run(tmp_path, AudioChunk(samples, LISTEN_RATE), "escalation")
    types = [e["type"] for e in events]
    assert types.count("raised_voice") == 1
    raised = events[types.index("raised_voice")]
    assert start + scene.marks["rise"] < raised["t"] < start + scene.marks["rise"] + 4.0
    assert types.index("breathing_started") < types.index("breathing_ended")
    # No Dutch recogniser here: the coach says once how to stop, and after the breathing
    # it cannot hear "verder", so it takes the safe answer, says so, and ends the evening.
    said = [e["text"] for e in events if e["type"] == "said"]
    assert said[0].startswith("Ik kan vanavond niet verstaan") and "Control C" in said[0]
    unheard = "Ik kan jullie antwoord niet verstaan, dus ik houd het op stoppen."
    assert said.index(unheard) == said.index(next(s for s in said if "verder of" in s)) + 1
    assert said[-1].startswith("Dan stoppen we hier voor vanavond.")
    assert events[-1]["reason"] == "stop_for_evening"
    assert types.count("turn_ended") == 1  # the turn is kept
    assert types.index("breathing_ended") < types.index("turn_ended")


def test_preview_renders_the_coach_with_turns_as_planned_silence(tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text(SCRIPT.replace("seconds: 240", "seconds: 20"))
    out, events_path = tmp_path / "preview.wav", tmp_path / "preview.jsonl"
    assert main(["preview", str(script), "-o", str(out), "--events", str(events_path)]) == 0
    events = _events(events_path)
    audio = read_wav(out)
    assert audio.seconds == pytest.approx(events[-1]["t"], abs=0.05)
    started = next(e for e in events if e["type"] == "turn_started")
    ended = next(e for e in events if e["type"] == "turn_ended")
    assert ended["seconds"] == pytest.approx(20.0, abs=0.031)  # planned, not cut by silence
    warning = next(e for e in events if e["type"] == "turn_warning")
    assert warning["t"] - started["t"] == pytest.approx(10.0, abs=0.031)
    rate = audio.rate
    turn = audio.samples[round((started["t"] + 0.5) * rate) : round((warning["t"] - 0.1) * rate)]
    assert float(np.max(np.abs(turn))) == 0.0  # the partner's planned time is silence
    assert not [e for e in events if e["type"] == "notice"]


def test_run_names_the_problem_for_a_missing_script_or_a_bad_wav(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "avond-chekin", "--input", "x.wav"]) == 1
    assert "avond-checkin" in capsys.readouterr().err  # did you mean
    script = tmp_path / "script.yaml"
    script.write_text(SCRIPT)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav at all")
    assert main(["run", str(script), "--input", str(bad), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "not a WAV file" in err and "Traceback" not in err


def test_run_refuses_an_invalid_script_with_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "bad.yaml"
    script.write_text(SCRIPT.replace("seconds: 240", "seconds: -5"))
    assert main(["run", str(script), "--text"]) == 1
    err = capsys.readouterr().err
    assert f"{script}:7:" in err
