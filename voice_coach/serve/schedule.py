"""The nightly invitation as pure functions of the wall clock.

At the check-in time on a day in `days`, the coach asks once. "ja" starts the
check-in, "nee" closes the evening, "straks" asks again after `snooze` minutes (at
most `max_snoozes` times), no answer closes the evening too: the coach never nags.
An evening whose check-in already happened gets no invitation at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from voice_coach.config import ScheduleSettings

Answer = Literal["yes", "no", "later", "none"]
"""What the couple said to an invitation ("none": nothing was heard)."""

CheckinDone = Callable[[dt.date], bool]
"""The seam to the journal: did the evening check-in of this date already happen?"""

LATE_LIMIT = dt.timedelta(minutes=45)
"""An invitation more than this late (the service started late, a long session ran
over the time) is not asked any more that evening."""


@dataclass
class Evening:
    """The invitation's state for one date."""

    date: dt.date
    next_ask: dt.datetime | None
    """When to ask (None: nothing more this evening)."""
    asked: int = 0
    snoozes: int = 0
    answers: list[Answer] = field(default_factory=list)


class Invitations:
    """Decides when to invite, one evening at a time; pure on the times it is given."""

    def __init__(self, settings: ScheduleSettings) -> None:
        self.settings = settings
        self._evening: Evening | None = None

    def evening(self, now: dt.datetime) -> Evening:
        """The state of `now`'s evening (a new date starts afresh)."""
        if self._evening is None or self._evening.date != now.date():
            self._evening = Evening(now.date(), self.first_ask(now.date()))
        return self._evening

    def first_ask(self, day: dt.date) -> dt.datetime | None:
        """The check-in time on `day`, or None on a day without one."""
        at = self.settings.time
        if at is None or day.weekday() not in self.settings.weekdays:
            return None
        return dt.datetime.combine(day, at)

    def due(self, now: dt.datetime, checkin_done: CheckinDone) -> bool:
        """Whether to invite at `now` (the caller only asks while idle)."""
        evening = self.evening(now)
        if evening.next_ask is None or now < evening.next_ask:
            return False
        if now - evening.next_ask > LATE_LIMIT or checkin_done(evening.date):
            evening.next_ask = None
            return False
        return True

    def asked(self, now: dt.datetime) -> int:
        """The invitation is being spoken; returns which attempt this is (1, 2, ...)."""
        evening = self.evening(now)
        evening.asked += 1
        evening.next_ask = None
        return evening.asked

    def answered(self, answer: Answer, now: dt.datetime) -> None:
        """What the couple said; "later" sets the next ask, anything else closes the evening."""
        evening = self.evening(now)
        evening.answers.append(answer)
        if answer == "later" and evening.snoozes < self.settings.max_snoozes:
            evening.snoozes += 1
            evening.next_ask = now + dt.timedelta(minutes=self.settings.snooze)
        else:
            evening.next_ask = None
