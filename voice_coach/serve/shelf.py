"""The exercises the service offers: every valid script in its language.

A script that fails to load is skipped with one logged line (its first problem),
never taking the service down; SIGHUP reads the shelf again between sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from voice_coach.script.catalog import find_scripts
from voice_coach.script.model import Script

Skip = Callable[[str, str], None]
"""Told (path, problem) for each script that cannot be used."""


@dataclass(frozen=True)
class Shelf:
    """The scripts of one language, by id."""

    language: str
    scripts: dict[str, Script]

    def get(self, script_id: str) -> Script | None:
        """A script by id, or None."""
        return self.scripts.get(script_id)


def load_shelf(
    language: str,
    skip: Skip,
    builtin_dir: Path | None = None,
    user_dir: Path | None = None,
) -> Shelf:
    """Every valid script in `language` (user scripts override built-in ones by id)."""
    scripts: dict[str, Script] = {}
    for entry in find_scripts(builtin_dir, user_dir):
        if entry.overridden:
            continue
        if entry.script is None:
            first = entry.problems[0] if entry.problems else None
            skip(str(entry.path), str(first) if first else f"{entry.path}: cannot be read")
            continue
        if entry.script.language == language:
            scripts[entry.id] = entry.script
    return Shelf(language, scripts)
