"""Pieces several commands share: finding and loading a script, names, config."""

from __future__ import annotations

import argparse
from pathlib import Path

from voice_coach.commands import UserError
from voice_coach.script.model import Script


def load_script_arg(name: str) -> Script:
    """A script by id (built-in or the user's own) or by path, checked.

    Raises the script package's errors, which are `UserError`s: one line per problem.
    """
    from voice_coach.script.catalog import resolve_script
    from voice_coach.script.load import load_script

    return load_script(resolve_script(name))


def parse_names(text: str | None) -> list[str]:
    """`Anna,Bram` -> ["Anna", "Bram"]; at most two names."""
    if not text:
        return []
    names = [part.strip() for part in text.split(",") if part.strip()]
    if len(names) > 2:
        raise UserError(f"--names takes two names separated by a comma, not {len(names)}")
    return names


def add_names_option(parser: argparse.ArgumentParser) -> None:
    """`--names A,B`."""
    parser.add_argument(
        "--names",
        metavar="A,B",
        help="the partners' names, separated by a comma (e.g. Anna,Bram)",
    )


def existing_file(path: str, what: str) -> Path:
    """A path that must exist, or a `UserError` naming it."""
    result = Path(path).expanduser()
    if not result.is_file():
        raise UserError(f"{what} not found: {result}")
    return result
