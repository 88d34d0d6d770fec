"""A live session through `voice-coach run` (real PortAudio on the PulseAudio rig) is
remembered in the journal without being asked (`--no-journal` and `[privacy]
journal = false` are checked in test_journal_cli, without a sound card)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pulse_rig import PulseRig, pulse_rig_fixture  # noqa: F401
from voice_coach.cli import main

pytestmark = [pytest.mark.pulse, pytest.mark.slow]

SCRIPT = """\
id: kort-live
title: Kort live
language: nl
steps:
  - say: "Welkom {A} en {B}."
  - turn: {speaker: A, seconds: 3, end_on_silence: 1}
"""


def test_a_live_session_is_remembered_by_default(
    pulse_rig: PulseRig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                     ("VOICE_COACH_MODELS", "models")):  # fmt: skip
        monkeypatch.setenv(key, str(tmp_path / sub))
    script = tmp_path / "kort.yaml"
    script.write_text(SCRIPT)
    live = ["run", str(script), "--mic", "coach_mic", "--speaker", "coach_speaker",
            "--names", "Anna,Bram", "--quiet"]  # fmt: skip
    assert main(live) == 0
    capsys.readouterr()
    assert main(["journal", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["mode"], row["end_reason"], row["script_id"]) == ("live", "done", "kort-live")
    assert row["names"] == {"A": "Anna", "B": "Bram"}
    assert 3.0 < row["seconds"] < 30.0
