"""The service's clock: the wall-clock time it began plus the audio seconds consumed.

Live, audio seconds pass in real time; simulated, a WAV passes as fast as the CPU
allows. Either way every decision (the invitation, the listening hours) is a pure
function of this clock, so an evening from a WAV gives the same events every run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass
class ServeClock:
    """Wall time = `start` + (audio seconds - `audio_at_start`)."""

    start: dt.datetime
    """Wall-clock time at `audio_at_start` (naive local time)."""
    audio_at_start: float = 0.0
    """Audio seconds consumed when `start` was true."""

    def wall(self, audio_seconds: float) -> dt.datetime:
        """The wall-clock time at `audio_seconds` consumed."""
        return self.start + dt.timedelta(seconds=audio_seconds - self.audio_at_start)

    def rebase(self, wall: dt.datetime, audio_seconds: float) -> None:
        """Live, after the microphone was away (no audio passed): `wall` is now true."""
        self.start, self.audio_at_start = wall, audio_seconds


def within(moment: dt.time, hours: tuple[dt.time, dt.time]) -> bool:
    """Whether a time of day lies in (start, end); an end before the start runs past midnight."""
    start, end = hours
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def parse_start(text: str, today: dt.date) -> dt.datetime:
    """`--start`: "20:58" (on `today`) or "2026-11-30T20:58" / "2026-11-30 20:58"."""
    text = text.strip()
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            pass
    for fmt in ("%H:%M", "%H:%M:%S"):
        try:
            return dt.datetime.combine(today, dt.datetime.strptime(text, fmt).time())
        except ValueError:
            pass
    raise ValueError(f'"{text}" is not a time like 20:58 or 2026-11-30T20:58')
