"""The front door answers."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from voice_coach.cli import COMMANDS, build_parser, main


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "validate", "list", "preview", "analyze", "models", "doctor"):
        assert command in out


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["validate"],
        ["run", "avond-checkin", "--text"],
    ],
    ids=["list", "validate", "run-text"],
)
def test_a_closed_pipe_is_no_traceback(argv: list[str], tmp_path: Path) -> None:
    """`voice-coach list | head -1`: the reader went away; no BrokenPipeError traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line: every write fails
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "voice_coach", *argv],
            stdin=subprocess.DEVNULL,
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr, done.stderr
    assert done.returncode == 141


def test_list_and_run_text_show_escape_sequences_instead_of_running_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scripts = tmp_path / "voice-coach" / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "evil.yaml").write_text(
        'id: evil\ntitle: "Evil \\e]0;pwned\\a title"\nlanguage: en\n'
        'steps:\n  - say: "Hello \\e[2J there."\n'
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert "evil" in listed and "\x1b" not in listed and "\x07" not in listed
    assert "\\x1b]0;pwned\\x07" in listed
    main(["validate", str(scripts / "evil.yaml")])
    with open(os.devnull) as nothing:
        monkeypatch.setattr(sys, "stdin", nothing)
        main(["run", "evil", "--text"])
    printed = capsys.readouterr()
    assert "\x1b" not in printed.out + printed.err and "\x07" not in printed.out + printed.err


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
