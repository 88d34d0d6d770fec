"""The journal, as the service needs it: record each session, recap, "done tonight?".

`serve` may use the journal (the engine may not): each exercise it starts is recorded
like a session of `voice-coach run`, a `recap` step speaks from the recent evenings, and
the nightly invitation skips an evening whose check-in already happened — also one done
by hand with `voice-coach run`. A journal that cannot be read never holds up an
evening: it counts as "not done", and the recorder says once why it is off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from voice_coach.engine.history import Recent
from voice_coach.journal import JournalError
from voice_coach.journal.history import recent_evenings
from voice_coach.journal.read import checked_in_since
from voice_coach.journal.recorder import JournalRecorder, open_recorder
from voice_coach.script.model import Script
from voice_coach.serve.mic import Log

EVENING_STARTS = dt.time(12, 0)
"""A check-in counts for the evening of its date when it started after noon (a late one
after midnight belongs to the evening before)."""


@dataclass(frozen=True)
class ServeJournal:
    """The journal's three answers for the service."""

    log: Log
    """Where a journal that is off says so (once per session)."""
    checkin_script: str
    """The id of the script whose session counts as the evening's check-in."""
    path: Path | None = None
    """The journal file (None: the user's)."""

    def record(self, script: Script, start: dt.datetime) -> JournalRecorder | None:
        """A recorder for one session of `script` starting at `start` (wall clock)."""
        return open_recorder(self.log, title=script.title, start=start, path=self.path)

    def history(self, now: dt.datetime) -> Recent | None:
        """The recent evenings before `now`, for a recap (None: none, or unreadable)."""
        return recent_evenings(now, self.path)

    def checkin_done(self, day: dt.date) -> bool:
        """Whether `day`'s evening check-in already happened (by voice or by hand)."""
        since = dt.datetime.combine(day, EVENING_STARTS)
        until = since + dt.timedelta(days=1)
        try:
            return checked_in_since(since, {self.checkin_script}, self.path, until)
        except JournalError:
            return False
