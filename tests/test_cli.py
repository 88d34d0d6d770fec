"""The front door answers."""

from __future__ import annotations

import pytest

from voice_coach.cli import main


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "validate", "list", "preview", "analyze", "models", "doctor"):
        assert command in out
