"""The service's states as a pure machine on audio seconds.

idle -> awake (wake word or invitation) -> session -> refractory -> idle.
While awake or in a session the wake word does not start anything new; for a
refractory second or two after, it is ignored, so the coach's own farewell or a
lingering word cannot wake it again at once.
"""

from __future__ import annotations

from typing import Literal

Phase = Literal["idle", "awake", "session", "refractory"]


class StateError(Exception):
    """A transition that the machine does not allow (a bug in the loop)."""


class IdleMachine:
    """Tracks the phase; every method takes the audio clock in seconds."""

    def __init__(self, refractory_s: float) -> None:
        self.refractory_s = refractory_s
        self.phase: Phase = "idle"
        self._quiet_until = 0.0

    def tick(self, now: float) -> Phase:
        """Advance time: a refractory period that has passed becomes idle."""
        if self.phase == "refractory" and now >= self._quiet_until:
            self.phase = "idle"
        return self.phase

    @property
    def listening(self) -> bool:
        """Whether the wake word or an invitation may start something now."""
        return self.phase == "idle"

    def wake(self, now: float) -> bool:
        """The wake word was heard at `now`; True when it wakes the coach."""
        if self.tick(now) != "idle":
            return False
        self.phase = "awake"
        return True

    def invite(self, now: float) -> bool:
        """The invitation time came at `now`; True when the coach may ask now."""
        return self.wake(now)

    def start_session(self, now: float) -> None:
        """An exercise begins (only from awake)."""
        if self.phase != "awake":
            raise StateError(f"a session cannot start while {self.phase}")
        self.phase = "session"

    def done(self, now: float) -> None:
        """Back towards idle after a session or a cancelled wake, past a refractory period."""
        if self.phase not in ("awake", "session"):
            raise StateError(f"nothing to finish while {self.phase}")
        self.phase = "refractory"
        self._quiet_until = now + self.refractory_s
