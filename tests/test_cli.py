"""The front door answers."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from voice_coach.cli import COMMANDS, build_parser, main


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "validate", "list", "preview", "analyze", "models", "doctor"):
        assert command in out


def test_help_loads_no_engine() -> None:
    """`voice-coach --help` imports only the front door: no numpy, scipy, YAML or engine."""
    code = (
        "import sys, contextlib, io\n"
        "from voice_coach.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])\n"
        "heavy = ('numpy', 'scipy', 'yaml', 'voice_coach.engine', 'voice_coach.listen',\n"
        "         'voice_coach.speech', 'voice_coach.script', 'urllib.request')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_module_has_the_help_line_of_the_table(name: str) -> None:
    parser = build_parser(name)
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    help_of = {choice.dest: choice.help for choice in action._choices_actions}
    assert help_of[name] == COMMANDS[name]
    assert action.choices[name].get_default("handler") is not None  # the module's, in full


def test_a_subcommand_help_shows_its_own_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "--input" in capsys.readouterr().out
