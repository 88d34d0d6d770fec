"""The same simulation gives the same events in every process (real Piper voice).

Piper draws noise inside its model; unseeded, a sentence's length changed from one
process to the next (7.92 s here, 7.793 s there) and with it every later event time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.wav import write_wav

SCRIPT = """\
id: repeat-me
title: Repeat me
language: en
voice: {rate: 0.85}
steps:
  - say: "Welcome, both of you. Take a slow breath together, and let the day settle."
  - say: "In a moment, each of you will say how your day was. There is no hurry at all."
  - turn: {speaker: A, prompt: "{A}, how was your day?", seconds: 6, end_on_silence: null}
  - say: "Thank you. That was the whole exercise for tonight."
"""


def _simulate(tmp_path: Path, home: str, script: Path, wav: Path) -> bytes:
    events = tmp_path / f"{home}.jsonl"
    env = dict(
        os.environ,
        XDG_DATA_HOME=str(tmp_path / home),  # its own speech cache: cold
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        VOICE_COACH_MODELS=str(tmp_path / "models"),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "voice_coach",
            "run",
            str(script),
            "--input",
            str(wav),
            "--events",
            str(events),
            "--quiet",
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=240,
    )
    return events.read_bytes()


@pytest.mark.slow
def test_two_processes_from_a_cold_cache_give_the_same_events(tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text(SCRIPT)
    wav = tmp_path / "in.wav"
    write_wav(wav, AudioChunk.silence(60.0, LISTEN_RATE))
    first = _simulate(tmp_path, "one", script, wav)
    second = _simulate(tmp_path, "two", script, wav)
    assert b'"type": "said"' in first
    assert first == second
    # A third process that finds the voice's rate curve already measured (by the first)
    # but renders every line afresh: the measurement must not shift the noise either.
    calibration = tmp_path / "one" / "voice-coach" / "cache" / "piper-stretch.json"
    assert calibration.is_file()
    (tmp_path / "three" / "voice-coach" / "cache").mkdir(parents=True)
    shutil.copy(calibration, tmp_path / "three" / "voice-coach" / "cache")
    assert _simulate(tmp_path, "three", script, wav) == first
