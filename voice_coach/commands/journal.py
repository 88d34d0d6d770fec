"""`voice-coach journal`: the couple's past sessions, their trends, export and forgetting.

    voice-coach journal [--last N] [--json]      the sessions as a table
    voice-coach journal show ID [--json]         everything kept of one session
    voice-coach journal plot -o trends.png [--weeks N]
    voice-coach journal export --csv FILE
    voice-coach journal forget --all | --before DATE | ID  [--yes]

Reading works while a session is writing (the file is in WAL mode).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from voice_coach.commands import UserError


def register(sub: Any) -> None:
    """Add the `journal` subcommand and its actions."""
    parser = sub.add_parser(
        "journal",
        help="look back at past sessions: table, trends picture, export, forget",
        description=(
            "The journal keeps when you did which exercise, how long, how the talk time "
            "was shared, breathing pauses and ratings; never what was said. It is one file, "
            "shown by `voice-coach journal where`."
        ),
    )
    parser.add_argument(
        "--last",
        type=_positive,
        metavar="N",
        default=20,
        help="show the newest N sessions (default 20)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=handle_list)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    show = actions.add_parser("show", help="everything kept of one session")
    show.add_argument("id", type=_positive, help="the session's id (first column of the table)")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(handler=handle_show)

    plot = actions.add_parser("plot", help="draw the trends over weeks as a PNG")
    plot.add_argument("-o", "--output", type=Path, required=True, metavar="PNG")
    plot.add_argument("--weeks", type=_positive, metavar="N", help="only the last N weeks")
    plot.set_defaults(handler=handle_plot)

    export = actions.add_parser("export", help="write the sessions as CSV")
    export.add_argument("--csv", type=Path, required=True, metavar="FILE")
    export.set_defaults(handler=handle_export)

    forget = actions.add_parser("forget", help="delete sessions for good")
    which = forget.add_mutually_exclusive_group(required=True)
    which.add_argument("id", type=_positive, nargs="?", help="one session's id")
    which.add_argument("--all", action="store_true", help="every session")
    which.add_argument(
        "--before", type=_day, metavar="YYYY-MM-DD", help="sessions that started before this day"
    )
    forget.add_argument("--yes", action="store_true", help="do not ask first")
    forget.set_defaults(handler=handle_forget)

    where = actions.add_parser("where", help="print where the journal file is")
    where.set_defaults(handler=handle_where)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not '{text}'")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD, not '{text}'") from err


def handle_list(args: argparse.Namespace) -> int:
    """Print the newest sessions."""
    from voice_coach.journal.read import sessions
    from voice_coach.journal.store import journal_path, open_for_reading
    from voice_coach.journal.table import sessions_table

    with open_for_reading() as conn:
        rows = sessions(conn, last=args.last) if conn is not None else []
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
    elif not rows:
        print(f"No sessions in the journal yet (it is kept in {journal_path()}).")
    else:
        print(sessions_table(rows))
    return 0


def handle_show(args: argparse.Namespace) -> int:
    """Print one session."""
    from voice_coach.journal.read import detail
    from voice_coach.journal.store import open_for_reading
    from voice_coach.journal.table import session_text

    with open_for_reading() as conn:
        item = detail(conn, args.id) if conn is not None else None
    if item is None:
        raise UserError(f"no session {args.id} in the journal (`voice-coach journal` lists them)")
    print(
        json.dumps(item.to_dict(), ensure_ascii=False, indent=2)
        if args.json
        else session_text(item)
    )
    return 0


def handle_plot(args: argparse.Namespace) -> int:
    """Draw the trends picture."""
    from voice_coach.journal.plot import render_png
    from voice_coach.journal.read import sessions
    from voice_coach.journal.store import open_for_reading

    started = time.perf_counter()
    with open_for_reading() as conn:
        rows = sessions(conn) if conn is not None else []
    png = render_png(rows, weeks=args.weeks)
    _write_private(args.output, png)
    shown = "no sessions" if not rows else f"{len(rows)} session(s)"
    print(f"Wrote {args.output} ({shown}, {time.perf_counter() - started:.1f} s).")
    return 0


def handle_export(args: argparse.Namespace) -> int:
    """Write the CSV."""
    from voice_coach.journal.export import write_csv
    from voice_coach.journal.read import sessions
    from voice_coach.journal.store import open_for_reading

    with open_for_reading() as conn:
        rows = sessions(conn) if conn is not None else []
    write_csv(args.csv, rows)
    print(f"Wrote {len(rows)} session(s) to {args.csv}.")
    return 0


def handle_forget(args: argparse.Namespace) -> int:
    """Delete sessions after a confirmation."""
    from voice_coach.journal.forget import forget
    from voice_coach.journal.read import sessions
    from voice_coach.journal.store import open_for_reading

    before = (
        datetime.combine(args.before, datetime.min.time()).astimezone() if args.before else None
    )
    with open_for_reading() as conn:
        if conn is None:
            print("The journal is empty: nothing to forget.")
            return 0
        rows = [r for r in sessions(conn, before=before) if args.id in (None, r.id)]
        if not rows:
            print("No such sessions in the journal: nothing to forget.")
            return 0
        what = _what(args, len(rows))
        if not args.yes and not _confirm(f"Forget {what}? This cannot be undone. [y/N] "):
            print("Nothing forgotten.")
            return 1
        count = forget(conn, everything=args.all, before=before, session_id=args.id)
    print(f"Forgot {count} session(s).")
    return 0


def _what(args: argparse.Namespace, count: int) -> str:
    if args.id is not None:
        return f"session {args.id}"
    if args.all:
        return f"all {count} session(s)"
    return f"{count} session(s) from before {args.before.isoformat()}"


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        raise UserError("forget asks for a confirmation: add --yes to run it without a terminal")
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "j", "ja")


def handle_where(args: argparse.Namespace) -> int:
    """Print the journal's path."""
    from voice_coach.journal.store import journal_path

    print(journal_path())
    return 0


def _write_private(path: Path, data: bytes) -> None:
    """Through `files.write_private`: 0600, whole or not at all, no symlink followed."""
    from voice_coach.files import write_private

    write_private(Path(path), data, "-o")
