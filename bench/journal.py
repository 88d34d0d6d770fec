"""The journal: write time per finished step, and `journal plot` over two years of evenings.

Two years of generated check-ins (tests/journalgen.py: about 620 evenings, some
skipped) are written through the real recorder, one session at a time as the coach
would, into a fresh file. Goals: a step's write (its rows and the commit) at most
5 ms; `voice-coach journal plot` (a new process: start-up, reading, drawing, saving)
at most 3 s.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from tests.journalgen import evening_events, feed
from voice_coach.journal.plot import render_png
from voice_coach.journal.read import sessions
from voice_coach.journal.recorder import open_recorder
from voice_coach.journal.store import open_for_reading

DAYS = 730


def _write_two_years(path: Path) -> tuple[list[float], list[float], int]:
    """Per-step write seconds, per-session open+close seconds, sessions written."""
    import random
    from datetime import timedelta

    rng = random.Random(1)
    steps: list[float] = []
    sessions_cost: list[float] = []
    last = datetime.now().astimezone().replace(hour=21, minute=0, second=0, microsecond=0)
    written = 0
    for day in range(DAYS):
        if rng.random() < 0.15:
            continue  # a skipped evening
        start = last - timedelta(days=DAYS - 1 - day)
        events, _ = evening_events(rng, day / DAYS)
        began = time.perf_counter()
        recorder = open_recorder(print, title="Avond check-in", start=start, path=path)
        assert recorder is not None
        opened = time.perf_counter() - began
        feed(recorder, events)  # closes too
        steps.extend(recorder.step_write_seconds)
        sessions_cost.append(opened)
        written += 1
    return steps, sessions_cost, written


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        path = data / "voice-coach" / "journal.sqlite3"
        steps, opens, count = _write_two_years(path)
        steps.sort()
        p95 = steps[int(0.95 * (len(steps) - 1))]
        p99 = steps[int(0.99 * (len(steps) - 1))]
        over = sum(1 for s in steps if s > 0.005)
        print(
            f"wrote {count} evenings over {DAYS} days ({len(steps)} step commits); "
            f"file {path.stat().st_size / 1024:.0f} KiB"
        )
        print(
            f"write per step: median {_ms(statistics.median(steps))}, p95 {_ms(p95)}, "
            f"p99 {_ms(p99)}, max {_ms(steps[-1])}; over 5 ms: {over} of {len(steps)} "
            "(goal <= 5 ms)"
        )
        print(
            f"opening the journal for a session (check, migrate, interrupted): median "
            f"{_ms(statistics.median(opens))}, max {_ms(max(opens))}"
        )

        with open_for_reading(path) as conn:
            assert conn is not None
            began = time.perf_counter()
            rows = sessions(conn)
            read = time.perf_counter() - began
        began = time.perf_counter()
        png = render_png(rows)
        drawn = time.perf_counter() - began
        print(
            f"reading {len(rows)} sessions: {_ms(read)}; drawing in-process: {drawn:.2f} s "
            f"({len(png) / 1024:.0f} KiB PNG)"
        )

        out = Path(tmp) / "trends.png"
        env = {**os.environ, "XDG_DATA_HOME": str(data)}
        walls = []
        for _ in range(3):
            began = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "voice_coach", "journal", "plot", "-o", str(out)],
                check=True,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            walls.append(time.perf_counter() - began)
        print(
            f"`voice-coach journal plot` for two years: best {min(walls):.2f} s, "
            f"worst {max(walls):.2f} s of 3 runs (goal <= 3 s)"
        )


if __name__ == "__main__":
    main()
