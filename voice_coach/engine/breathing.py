"""Guided breathing as a plan: which cue is spoken when, in seconds from the start.

Pure data, so the pacing can be read and tested without running a session: each
phase starts with its cue ("Adem in", "en uit"), then a slow count on every second
("twee", "drie", ...). The session speaks the plan on its clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from voice_coach.script.model import Breathe

SIGH_SECOND_INHALE = 1.0
"""Seconds of the short second inhale of the physiological sigh."""
LATE_BY = 0.2
"""Seconds a count word may come late and still be on the beat; later, it is left out."""


@dataclass(frozen=True)
class Cue:
    """Something the coach says during a breath."""

    at_s: float
    """Seconds from the start of the breathing."""
    phrase: str = ""
    """A phrase name (breathe_in, breathe_out, ...), for the start of a phase."""
    count: int = 0
    """A number to say (2 and up), for the count within a phase."""

    @property
    def optional(self) -> bool:
        """Counts may be left out when the coach runs late; phase cues never are."""
        return self.count > 0


def breathing_plan(step: Breathe) -> tuple[list[Cue], float]:
    """The cues of all `step.cycles` breaths, and the total length in seconds."""
    phases: list[tuple[str, float]] = []
    for _ in range(step.cycles):
        phases.append(("breathe_in", step.inhale))
        if step.double_inhale:
            phases.append(("breathe_in_more", SIGH_SECOND_INHALE))
        phases += [("breathe_hold", step.hold), ("breathe_out", step.exhale)]
        phases.append(("breathe_hold", step.hold_out))
    cues: list[Cue] = []
    start = 0.0
    for phrase, seconds in phases:
        if seconds <= 0:
            continue
        cues.append(Cue(start, phrase=phrase))
        cues.extend(Cue(start + n - 1, count=n) for n in range(2, int(seconds) + 1))
        start += seconds
    return cues, start
