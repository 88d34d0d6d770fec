"""The scripts a user can run: the built-in ones and their own, found by id or path.

Built-in scripts live in `config.builtin_scripts_dir()` (scripts/<language>/*.yaml),
the user's own in `config.user_scripts_dir()`. A user script with the same id as a
built-in one overrides it, so a coach can adapt a built-in exercise by copying it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from voice_coach import config
from voice_coach.script import model
from voice_coach.script.errors import Problem, ScriptNotFoundError
from voice_coach.script.load import SCRIPT_SUFFIXES, check_file

Source = Literal["built-in", "user"]


@dataclass(frozen=True)
class Entry:
    """One script file in the catalogue."""

    id: str
    """The script's id (the file name without suffix when the id cannot be read)."""
    path: Path
    source: Source
    script: model.Script | None
    """None when the file has problems."""
    problems: tuple[Problem, ...] = ()
    overrides: bool = False
    """A user script that replaces the built-in script with the same id."""
    overridden: bool = False
    """A built-in script replaced by the user's script with the same id."""


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in SCRIPT_SUFFIXES and p.is_file())


def find_scripts(builtin_dir: Path | None = None, user_dir: Path | None = None) -> list[Entry]:
    """Every built-in and user script, sorted by id (built-in before user)."""
    folders: list[tuple[Source, Path]] = [
        ("built-in", builtin_dir or config.builtin_scripts_dir()),
        ("user", user_dir or config.user_scripts_dir()),
    ]
    found: list[tuple[Source, Path, str, model.Script | None, tuple[Problem, ...]]] = []
    for source, folder in folders:
        for path in _files(folder):
            checked = check_file(path)
            script_id = checked.id or path.stem
            found.append((source, path, script_id, checked.script, tuple(checked.problems)))
    user_ids = {script_id for source, _, script_id, _, _ in found if source == "user"}
    builtin_ids = {script_id for source, _, script_id, _, _ in found if source == "built-in"}
    entries = [
        Entry(
            id=script_id,
            path=path,
            source=source,
            script=script,
            problems=problems,
            overrides=source == "user" and script_id in builtin_ids,
            overridden=source == "built-in" and script_id in user_ids,
        )
        for source, path, script_id, script, problems in found
    ]
    return sorted(entries, key=lambda e: (e.id, e.source != "built-in", str(e.path)))


def resolve_script(
    name_or_path: str, builtin_dir: Path | None = None, user_dir: Path | None = None
) -> Path:
    """The file of a script given by id (user scripts first) or by path.

    Raises ScriptNotFoundError naming the closest ids when nothing matches.
    """
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return path
    if path.suffix in SCRIPT_SUFFIXES or "/" in name_or_path:
        raise ScriptNotFoundError(f"no such script file: {name_or_path}")
    entries = find_scripts(builtin_dir, user_dir)
    for entry in entries:
        if entry.id == name_or_path and not entry.overridden:
            return entry.path
    ids = sorted({e.id for e in entries})
    close = difflib.get_close_matches(name_or_path, ids, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise ScriptNotFoundError(
        f"no script with id '{name_or_path}'{hint} (`voice-coach list` shows all scripts)"
    )
