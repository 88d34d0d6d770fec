"""`voice-coach validate [PATH...]`: check spoken scripts and say exactly what is wrong.

Exit 0 when every script is valid; otherwise exit 1 with one line per problem,
PATH:LINE:COLUMN: message (1-based), and a summary line. Warnings (a coach line over
20 seconds, a long opening monologue, a length the description promises and the plan
does not keep, a question without a default) are printed the same way, marked
`warning:`, and do not change the exit code. Without PATH it checks the built-in
scripts and the user's own scripts folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from voice_coach import config
from voice_coach.printable import visible
from voice_coach.script.errors import Problem
from voice_coach.script.load import Report, check_paths
from voice_coach.script.schema_build import SCHEMA_PATH


def register(sub: Any) -> None:
    """Add the `validate` subcommand."""
    parser = sub.add_parser(
        "validate",
        help="check scripts and show every problem as PATH:LINE:COLUMN: message",
        description=(
            "Check spoken scripts (files, or folders searched for *.yaml and *.yml). "
            "Exits 0 when all are valid, 1 when a problem was found."
        ),
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="script file or folder (default: the built-in and your own scripts)",
    )
    parser.add_argument(
        "--schema",
        action="store_true",
        help="print the path of the JSON Schema for editors and exit",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print each problem and a summary; 0 when all valid, 1 otherwise."""
    if args.schema:
        print(SCHEMA_PATH)
        return 0
    if args.paths:
        reports = [check_paths(args.paths)]
    else:
        # A user script may share a built-in's id on purpose (it overrides it), so the
        # two folders are checked for ids used twice each on their own.
        folders = [config.builtin_scripts_dir(), config.user_scripts_dir()]
        reports = [check_paths([folder]) for folder in folders if _has_scripts(folder)]
    for report in reports:
        for problem in sorted(report.problems + report.warnings, key=_place):
            print(visible(str(problem)))
    print(summary(reports))
    return 1 if any(report.problems for report in reports) else 0


def _place(problem: Problem) -> tuple[str, int, int]:
    return problem.path, problem.line, problem.column


def summary(reports: list[Report]) -> str:
    """One line: how many scripts were checked and how many problems were found."""
    checked = sum(len(r.files) for r in reports)
    problems = sum(len(r.problems) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    bad = sum(1 for r in reports for f in r.files if f.problems)
    scripts = f"{checked} script{'s' if checked != 1 else ''} checked"
    advised = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
    if not problems:
        return f"{scripts}, all valid{advised}"
    found = f"{problems} problem{'s' if problems != 1 else ''}"
    if bad:
        return f"{scripts}, {found} in {bad} of them{advised}"
    return f"{scripts}, {found}{advised}"


def _has_scripts(folder: Path) -> bool:
    return folder.is_dir() and any(
        p.suffix in (".yaml", ".yml") for p in folder.rglob("*") if p.is_file()
    )
