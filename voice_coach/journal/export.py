"""The journal as CSV: one row per session, for a spreadsheet or a coach.

Columns are the session's figures, with partners as `_a`/`_b`; times are local ISO
8601. The file is written readable by the user only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from voice_coach.files import write_private
from voice_coach.journal.read import SessionRow

COLUMNS = (
    "id",
    "started_at",
    "ended_at",
    "script_id",
    "title",
    "language",
    "mode",
    "name_a",
    "name_b",
    "end_reason",
    "minutes",
    "talk_seconds_a",
    "talk_seconds_b",
    "balance",
    "breathing_pauses",
    "pace_a",
    "pace_b",
    "rating_a",
    "rating_b",
    "rating_scale",
)


def csv_row(row: SessionRow) -> list[object]:
    """One session's values in `COLUMNS` order ("" for unknown)."""

    def cell(value: object) -> object:
        return "" if value is None else value

    return [
        row.id,
        row.started_at.isoformat(timespec="seconds"),
        row.ended_at.isoformat(timespec="seconds") if row.ended_at else "",
        row.script_id,
        row.title,
        row.language,
        row.mode,
        row.names[0],
        row.names[1],
        cell(row.end_reason),
        round(row.minutes, 2),
        cell(row.talk[0]),
        cell(row.talk[1]),
        cell(row.balance),
        cell(row.breathing_pauses),
        cell(row.pace[0]),
        cell(row.pace[1]),
        cell(row.rating[0]),
        cell(row.rating[1]),
        cell(row.rating_scale),
    ]


def write_csv(path: Path, rows: Sequence[SessionRow]) -> None:
    """Write the sessions to `path` (`files.write_private`: mode 0600, whole or not at
    all, an existing file replaced, a planted symlink refused)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(csv_row(r) for r in rows)
    write_private(Path(path), out.getvalue().encode("utf-8"), "CSV export")
