"""Generated journals: months of evenings written through the real recorder.

Each evening is the event stream a check-in gives (session start, steps, turns of
both partners, now and then a breathing pause, a yes/no answer, the summary, the
end), fed to `JournalRecorder` as a session would. Seeded: the same call writes the
same journal. Over the evenings talk evens out, pauses become rarer and ratings rise
a little, so a picture has trends to show.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from voice_coach.engine import events as ev
from voice_coach.engine.summary import balance
from voice_coach.journal.recorder import JournalRecorder, open_recorder


@dataclass(frozen=True)
class Evening:
    """What one generated evening did (to check what the journal shows)."""

    start: datetime
    talk: tuple[float, float]
    """Speech seconds of A and B."""
    pauses: int
    seconds: float


def evening_events(
    rng: random.Random, progress: float, names: tuple[str, str] = ("Anna", "Bram")
) -> tuple[list[ev.Event], Evening]:
    """One check-in's events; `progress` (0 to 1) moves the couple along the trends."""
    events: list[ev.Event] = [
        ev.SessionStarted(
            t=0.0, script="avond-checkin", language="nl", names=list(names), mode="live"
        ),
    ]
    t = 0.0
    talk = [0.0, 0.0]
    pauses = 0
    uneven = 0.45 * (1.0 - progress) + 0.1 * rng.random()
    step = 0
    for question in range(4):
        for role_index in (0, 1) if question % 2 == 0 else (1, 0):
            role = "AB"[role_index]
            events.append(ev.StepStarted(t=t, step=str(step), kind="turn", line=step + 1))
            step += 1
            t += 3.0
            planned = 50.0
            share = 0.5 + (uneven if role == "A" else -uneven)
            used = max(5.0, min(planned, rng.gauss(40.0 * share * 2, 5.0)))
            events.append(
                ev.TurnStarted(t=t, speaker=names[role_index], role=role, seconds=planned)
            )
            if rng.random() < 0.12 * (1.2 - progress):
                events.append(
                    ev.RaisedVoice(
                        t=t + used / 2,
                        over_db=round(rng.uniform(7, 12), 1),
                        speaker=names[role_index],
                    )
                )
                events.append(ev.BreathingStarted(t=t + used / 2, reason="raised_voice"))
                events.append(ev.BreathingEnded(t=t + used / 2 + 45.0, seconds=45.0))
                pauses += 1
                t += 45.0
            speech = used * rng.uniform(0.7, 0.9)
            t += used
            events.append(
                ev.TurnEnded(
                    t=t,
                    speaker=names[role_index],
                    role=role,
                    seconds=used,
                    speech_seconds=speech,
                    reason="silence",
                )
            )
            talk[role_index] += speech
    events.append(ev.StepStarted(t=t, step=str(step), kind="ask", line=step + 1))
    t += 6.0
    events.append(ev.Answer(t=t, text="ja", matched="ja"))
    step += 1
    events.append(ev.StepStarted(t=t, step=str(step), kind="rate", line=step + 1))
    for role_index, role in ((1, "B"), (0, "A")):
        t += 8.0
        value = min(5, max(1, round(rng.gauss(2.2 + 2.3 * progress, 0.7))))
        skipped = rng.random() < 0.1
        events.append(
            ev.Rating(
                t=t, speaker=names[role_index], role=role, value=None if skipped else value, scale=5
            )
        )
    figures = {
        "talk_seconds": {names[0]: round(talk[0], 1), names[1]: round(talk[1], 1)},
        "balance": round(balance(talk[0], talk[1]), 2),
        "breathing_pauses": pauses,
        "pace": {name: round(rng.uniform(3.0, 4.5), 2) for name in names},
    }
    t += 20.0
    events.append(ev.SessionSummary(t=t, **figures))
    events.append(ev.SessionEnded(t=t, reason="done"))
    return events, Evening(datetime.min, (talk[0], talk[1]), pauses, t)


def write_evenings(
    path: Path, count: int, last: datetime, seed: int = 1, skip: float = 0.15
) -> list[Evening]:
    """Write `count` evenings ending on `last`'s day (some days skipped); returns them."""
    rng = random.Random(seed)
    days: list[datetime] = []
    day = last
    while len(days) < count:
        if not days or rng.random() >= skip:
            days.append(day.replace(hour=21, minute=rng.randrange(0, 50)))
        day -= timedelta(days=1)
    days.reverse()
    written = []
    for index, start in enumerate(days):
        events, evening = evening_events(rng, index / max(1, count - 1))
        recorder = open_recorder(_fail, title="Avond check-in", start=start, path=path)
        assert recorder is not None
        feed(recorder, events)
        written.append(Evening(start, evening.talk, evening.pauses, evening.seconds))
    return written


def feed(recorder: JournalRecorder, events: list[ev.Event]) -> None:
    """Hand every event to the recorder and close it, as a session's log does."""
    for event in events:
        recorder(event)
    recorder.close()


def _fail(message: str) -> None:
    raise AssertionError(f"the journal complained: {message}")
