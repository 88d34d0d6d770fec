"""Load spoken scripts: YAML file -> `model.Script`, or every problem with its place.

`load_script(path)` returns a Script or raises `ScriptError` listing all problems of
the file (PATH:LINE:COLUMN: message, 1-based, pointing at the offending key or
value). `check_paths(paths)` checks files and folders for `voice-coach validate`,
including ids used twice. The YAML is composed to a node tree (never constructed
as a whole, so aliases are not expanded) and walked with a budget, so hostile files
cost little; see `yaml_tree` for the size, depth and encoding guards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from voice_coach.script import model
from voice_coach.script.errors import Problem, ScriptError
from voice_coach.script.reader import MAX_PROBLEMS, Reader, Stopped
from voice_coach.script.yaml_tree import TreeError, read_tree

__all__ = [
    "SCRIPT_SUFFIXES",
    "Checked",
    "Problem",
    "Report",
    "ScriptError",
    "check_file",
    "check_files",
    "check_paths",
    "load_script",
    "script_files",
]

SCRIPT_SUFFIXES = (".yaml", ".yml")


@dataclass
class Checked:
    """The outcome of checking one file."""

    path: str
    script: model.Script | None
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)
    """Advice on a valid script (`script.advice`): it still runs."""
    id: str | None = None
    """The script's id when it could be read (even if other things are wrong)."""
    id_line: int = 0
    id_column: int = 0


@dataclass
class Report:
    """The outcome of checking files and folders."""

    files: list[Checked] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """Every problem, in file order, including ids used twice and missing paths."""
    warnings: list[Problem] = field(default_factory=list)
    """Advice on valid scripts, in file order."""


def load_script(path: str | Path) -> model.Script:
    """Load one script file; raises ScriptError with every problem found."""
    checked = check_file(path)
    if checked.script is None:
        raise ScriptError(checked.problems)
    return checked.script


def check_file(path: str | Path) -> Checked:
    """Check one file: the Script when it is valid, else its problems."""
    name = str(path)
    try:
        tree = read_tree(Path(path))
    except TreeError as err:
        return Checked(name, None, [Problem(name, err.line, err.column, err.message)])
    reader = Reader(name)
    script: model.Script | None = None
    try:
        script = reader.script(tree)
    except Stopped:
        pass
    except RecursionError:  # belt and braces: the depth caps come first
        reader.problems.append(Problem(name, 1, 1, "nested too deeply to read"))
    problems = _tidy(reader.problems)
    return Checked(
        name,
        script if not problems else None,
        problems,
        sorted(dict.fromkeys(reader.warnings), key=lambda p: (p.line, p.column))
        if not problems
        else [],
        reader.id,
        reader.id_line,
        reader.id_column,
    )


def script_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """The script files among `paths`, folders searched recursively (*.yaml, *.yml).

    Returns the files (each once) and a problem for each path that is missing or
    is a folder without scripts.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.suffix in SCRIPT_SUFFIXES and p.is_file()
            )
            if not found:
                problems.append(Problem(str(path), 0, 0, "no .yaml or .yml files in this folder"))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            problems.append(Problem(str(path), 0, 0, "no such file or folder"))
    # A file named twice (directly and through its folder) is checked once, so it
    # is not reported as using its own id twice.
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file.resolve(), file)
    return list(unique.values()), problems


def check_paths(paths: Iterable[str | Path]) -> Report:
    """Check every script among `paths`; an id used twice is reported at the second."""
    files, missing = script_files(paths)
    report = Report(problems=list(missing))
    first_by_id: dict[str, str] = {}
    for path in files:
        checked = check_file(path)
        if checked.id is not None:
            first = first_by_id.setdefault(checked.id, checked.path)
            if first != checked.path:
                checked.problems.append(
                    Problem(
                        checked.path,
                        checked.id_line,
                        checked.id_column,
                        f"id '{checked.id}' is already used by {first}; "
                        "give each script its own id",
                    )
                )
                checked.script = None
        report.files.append(checked)
        report.problems.extend(checked.problems)
        report.warnings.extend(checked.warnings)
    return report


def check_files(paths: Sequence[str | Path]) -> list[Problem]:
    """Every problem in the scripts among `paths` (empty: all valid)."""
    return check_paths(paths).problems


def _tidy(problems: list[Problem]) -> list[Problem]:
    """Sorted by place, duplicates (one node reached twice through aliases) dropped."""
    unique = sorted(dict.fromkeys(problems), key=lambda p: (p.line, p.column))
    if len(unique) > MAX_PROBLEMS:
        last = unique[MAX_PROBLEMS - 1]
        unique = [
            *unique[: MAX_PROBLEMS - 1],
            Problem(last.path, last.line, last.column, "too many problems; stopped here"),
        ]
    return unique
