"""What the service did, as events on the same log and clock as a session's.

`t` is seconds of audio the service has consumed since it began; `at` is the wall
clock then (HH:MM:SS). A session's own events go into the same file, shifted onto
this clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from voice_coach.engine.events import Event


@dataclass(frozen=True)
class ServeStarted(Event):
    """The service began listening."""

    at: str
    """Wall-clock date and time at the start (ISO)."""
    wake_word: str
    mode: str
    """live or simulated."""


@dataclass(frozen=True)
class Wake(Event):
    """The wake word was heard."""

    at: str
    model: str
    score: float
    """The model's probability that crossed the threshold (0 to 1)."""


@dataclass(frozen=True)
class Awake(Event):
    """The coach woke: a chime, then a question (which exercise, or the invitation)."""

    at: str
    why: str
    """wake or invitation."""


@dataclass(frozen=True)
class ExerciseChosen(Event):
    """The exercise to run, and how it was chosen."""

    at: str
    script: str
    heard: str
    """What was recognised ("" when chosen without words)."""
    how: str
    """spoken (its name was heard), default (no recogniser) or invitation."""


@dataclass(frozen=True)
class Invitation(Event):
    """The nightly invitation was spoken."""

    at: str
    script: str
    attempt: int
    """1 for the first ask, 2 and 3 after "straks"."""


@dataclass(frozen=True)
class InvitationAnswer(Event):
    """What the couple said to the invitation."""

    at: str
    answer: str
    """yes, no, later or none (nothing heard)."""
    heard: str


@dataclass(frozen=True)
class Idle(Event):
    """Back to listening for the wake word only."""

    at: str
    after: str
    """What came before: a session's end reason, cancelled, no_choice, invitation_no, ..."""


@dataclass(frozen=True)
class ScriptSkipped(Event):
    """A script that failed to load is not offered."""

    path: str
    problem: str


@dataclass(frozen=True)
class ServeStopped(Event):
    """The service stopped."""

    at: str
    reason: str
    """input_ended (simulated evening over), shutdown (SIGTERM) or interrupted (Ctrl-C)."""
