"""`voice-coach validate`: exit codes, one line per problem, a summary, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from voice_coach.cli import main

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


def test_valid_scripts_exit_0_with_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DATA / "good")]) == 0
    out = capsys.readouterr().out
    assert out == "2 scripts checked, all valid\n"


def test_problems_exit_1_one_line_each_then_a_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = DATA / "bad" / "unknown-step.yaml"
    assert main(["validate", str(bad), str(DATA / "good" / "full.yaml")]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{bad}:6:5: unknown step kind 'sya'; did you mean 'say'?",
        f"{bad}:7:37: unknown key 'promt' in turn; did you mean 'prompt'?",
        "2 scripts checked, 2 problems in 1 of them",
    ]


def test_folders_are_searched_recursively_and_ids_compared(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["validate", str(DATA / "bad")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(
        line.startswith(str(DATA / "bad" / "dup" / "two.yaml") + ":1:5: id ") for line in lines
    )
    files = len(list((DATA / "bad").rglob("*.yaml")))
    problems = len(lines) - 1
    assert lines[-1] == f"{files} scripts checked, {problems} problems in {files - 1} of them"


def test_missing_path_is_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["validate", str(missing)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{missing}: no such file or folder",
        "0 scripts checked, 1 problem",
    ]


def test_yml_files_count_and_other_files_do_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yml").write_text("id: a\ntitle: A\nlanguage: en\nsteps: [{pause: 1}]\n")
    (tmp_path / "notes.txt").write_text("not a script")
    assert main(["validate", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "1 script checked, all valid\n"


def test_hostile_files_give_lines_not_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "binary.yaml").write_bytes(bytes(range(256)) * 16)
    (tmp_path / "empty.yaml").write_bytes(b"")
    (tmp_path / "deep.yaml").write_bytes(b"[" * 10_000 + b"]" * 10_000)
    (tmp_path / "big.yaml").write_bytes(b"#" * (10 * 1024 * 1024))
    assert main(["validate", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert captured.out.splitlines()[-1] == "4 scripts checked, 4 problems in 4 of them"


def test_without_paths_checks_builtin_and_user_folders_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    builtin = tmp_path / "builtin" / "nl"
    builtin.mkdir(parents=True)
    user = tmp_path / "config" / "voice-coach" / "scripts"
    user.mkdir(parents=True)
    script = "id: same\ntitle: S\nlanguage: nl\nsteps: [{pause: 1}]\n"
    (builtin / "same.yaml").write_text(script)
    (user / "same.yaml").write_text(script)  # an override, not a duplicate
    monkeypatch.setattr("voice_coach.config.builtin_scripts_dir", lambda: tmp_path / "builtin")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == "2 scripts checked, all valid\n"


def test_runs_as_a_module_in_a_subprocess(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: X\nlanguage: nl\nsteps:\n  - pause: 0\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "voice_coach", "validate", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{bad}:5:12: pause should be more than 0 seconds, found 0",
        "1 script checked, 1 problem in 1 of them",
    ]
    assert result.stderr == ""


def test_schema_option_prints_the_schema_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--schema"]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed.name == "schema.json" and printed.is_file()


def test_a_file_named_twice_is_checked_once(capsys: pytest.CaptureFixture[str]) -> None:
    full = DATA / "good" / "full.yaml"
    assert main(["validate", str(full), str(DATA / "good")]) == 0
    assert capsys.readouterr().out == "2 scripts checked, all valid\n"


def test_warnings_say_where_and_keep_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    warned = DATA / "warn" / "advice.yaml"
    assert main(["validate", str(warned)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{warned}:5:14: warning: the description promises at most 6 minutes, but the "
        "script plans about 12.2; shorten it or change the description",
        f"{warned}:9:10: warning: this line takes about 27 s to say; keep a coach line under "
        "20 s: split it over two steps or say less",
        f"{warned}:18:5: warning: the coach speaks about 50 s before the partners first speak "
        "(here, on a first evening); keep it under about 45 s",
        f"{warned}:19:5: warning: ask has no 'default': on silence the coach takes 'ja', the "
        "first answer; name the answer silence should take (for consent, the safe one)",
        "1 script checked, all valid (4 warnings)",
    ]


def test_the_built_in_scripts_draw_no_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "scripts")]) == 0
    out = capsys.readouterr().out
    assert "warning" not in out, out
