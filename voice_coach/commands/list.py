"""`voice-coach list`: the built-in and the user's own scripts, with their length."""

from __future__ import annotations

import argparse
from typing import Any

from voice_coach import config
from voice_coach.lang import SUPPORTED
from voice_coach.printable import visible
from voice_coach.script.catalog import Entry, find_scripts
from voice_coach.script.estimate import estimate_minutes


def register(sub: Any) -> None:
    """Add the `list` subcommand."""
    parser = sub.add_parser(
        "list",
        help="show the scripts you can run: id, language, length, title, where from",
        description=(
            "List the built-in scripts and your own (in "
            f"{config.user_scripts_dir()}); yours override a built-in one with the same id."
        ),
    )
    parser.add_argument("--language", choices=SUPPORTED, help="only scripts in this language")
    parser.set_defaults(handler=handle)


def source_label(entry: Entry) -> str:
    """Where a script comes from, marking overrides."""
    if entry.overrides:
        return "user (overrides built-in)"
    if entry.overridden:
        return "built-in (overridden)"
    return entry.source


def rows(entries: list[Entry]) -> list[tuple[str, str, str, str, str]]:
    """Table rows: id, language, minutes, source, title."""
    table = []
    for entry in entries:
        if entry.script is None:
            count = len(entry.problems)
            title = f"(invalid: {count} problem{'s' if count != 1 else ''}; "
            title += f"run voice-coach validate {entry.path})"
            table.append((entry.id, "?", "?", source_label(entry), title))
            continue
        script = entry.script
        minutes = f"~{estimate_minutes(script)}"
        table.append((entry.id, script.language, minutes, source_label(entry), script.title))
    return table


def handle(args: argparse.Namespace) -> int:
    """Print the table; 0 even when there are no scripts (it says where it looked)."""
    entries = find_scripts()
    if args.language:
        entries = [e for e in entries if e.script is None or e.script.language == args.language]
    if not entries:
        print(f"No scripts found in {config.builtin_scripts_dir()} or {config.user_scripts_dir()}.")
        return 0
    header = ("ID", "LANG", "MIN", "SOURCE", "TITLE")
    table = [header, *rows(entries)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print(visible("  ".join([*cells, row[-1]]).rstrip()))
    return 0
