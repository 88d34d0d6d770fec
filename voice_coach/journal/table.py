"""The journal as text for a terminal: an aligned table of sessions, and one session.

Talk balance is shown as each partner's share of the talk (`55:45`, A first), the way
a couple reads it; the stored figure is smaller over larger.
"""

from __future__ import annotations

from collections.abc import Sequence

from voice_coach.journal.read import SessionDetail, SessionRow

ENDS = {
    None: "running",
    "done": "done",
    "end_step": "done",
    "stop": "stopped",
    "stop_for_evening": "stopped for tonight",
    "paused_too_long": "paused too long",
    "input_ended": "input ended",
    "device_lost": "device lost",
    "interrupted": "interrupted",
    "error": "error",
}
"""How each end reason reads in the table."""

_DASH = "–"


def talk_share(row: SessionRow) -> str:
    """`55:45`: A's and B's share of the talk in percent, or a dash without talk."""
    a, b = row.talk
    total = (a or 0.0) + (b or 0.0)
    if total <= 0:
        return _DASH
    share = round(100 * (a or 0.0) / total)
    return f"{share}:{100 - share}"


def ratings(row: SessionRow) -> str:
    """`7·8/10`: A's and B's last rating of the session, a dash for none."""
    a, b = row.rating
    if row.rating_scale is None:
        return _DASH
    shown = [_DASH if v is None else str(v) for v in (a, b)]
    return f"{shown[0]}·{shown[1]}/{row.rating_scale}"


def _end(row: SessionRow) -> str:
    return ENDS.get(row.end_reason, row.end_reason or "")


def sessions_table(rows: Sequence[SessionRow]) -> str:
    """The sessions as an aligned table, oldest first, with a line naming A and B."""
    pairs = {r.names for r in rows}
    several = len(pairs) > 1
    header = ["id", "date", "exercise", "min", "talk A:B", "pauses", "rating A·B", "ended"]
    if several:
        header.insert(3, "A / B")
    lines: list[list[str]] = [header]
    for row in rows:
        cells = [
            str(row.id),
            row.started_at.strftime("%a %Y-%m-%d %H:%M"),
            row.title,
            f"{row.minutes:.1f}",
            talk_share(row),
            _DASH if row.breathing_pauses is None else str(row.breathing_pauses),
            ratings(row),
            _end(row),
        ]
        if several:
            cells.insert(3, f"{row.names[0]} / {row.names[1]}")
        lines.append(cells)
    numeric = {header.index(h) for h in ("id", "min", "pauses")}
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    if not several and rows:
        a, b = rows[0].names
        out.append(f"A = {a}, B = {b}")
    for line in lines:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(line)
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def _seconds(value: float | None) -> str:
    return _DASH if value is None else f"{value:.0f} s"


def session_text(item: SessionDetail) -> str:
    """Everything kept of one session, as readable lines."""
    row = item.session
    a, b = row.names
    names = {"A": a, "B": b}
    ended = row.ended_at.strftime("%H:%M") if row.ended_at else "…"
    lines = [
        f"Session {row.id}: {row.title} ({row.script_id}, {row.language}, {row.mode})",
        f"  {row.started_at.strftime('%a %Y-%m-%d %H:%M')}–{ended}, "
        f"{row.minutes:.1f} min, {_end(row)}",
        f"  talk: {a} {_seconds(row.talk[0])}, {b} {_seconds(row.talk[1])} "
        f"(share {talk_share(row)})",
        f"  breathing pauses: {_DASH if row.breathing_pauses is None else row.breathing_pauses}",
    ]
    paces = [
        f"{names[role]} {pace:.1f} syllables/s"
        for role, pace in zip("AB", row.pace, strict=True)
        if pace is not None
    ]
    if paces:
        lines.append(f"  pace: {', '.join(paces)}")
    if item.turns:
        lines.append("  turns:")
        for turn in item.turns:
            part = "" if turn.part == "turn" else f" ({turn.part})"
            lines.append(
                f"    {_clock(turn.t)}  {names.get(turn.role, turn.role)}{part}: "
                f"{turn.seconds:.0f} of {turn.planned_seconds:.0f} s, "
                f"{turn.speech_seconds:.0f} s speech, ended by {turn.end_reason}"
            )
    moments: list[tuple[float, str]] = []
    for pause in item.pauses:
        who = f" ({names[pause.role]})" if pause.role in names else ""
        took = f", {pause.seconds:.0f} s" if pause.seconds is not None else ""
        moments.append(
            (pause.t, f"  breathing pause at {_clock(pause.t)}{who}: +{pause.over_db:.1f} dB{took}")
        )
    for rating in item.ratings:
        given = "skipped" if rating.value is None else f"{rating.value} of {rating.scale}"
        who = names.get(rating.role, rating.role)
        moments.append((rating.t, f"  rating at {_clock(rating.t)}: {who} {given}"))
    for answer in item.answers:
        how = " (no answer heard: default)" if answer.by_default else ""
        moments.append((answer.t, f"  answer at {_clock(answer.t)}: {answer.answer}{how}"))
    lines.extend(line for _, line in sorted(moments, key=lambda m: m[0]))
    return "\n".join(lines)


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
