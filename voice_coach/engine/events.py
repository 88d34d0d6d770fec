"""What happened in a session, as data. Each event knows its time on the session clock.

`t` is seconds of input consumed when the event happened (the audio clock), so a
simulated session gives the same events, at the same times, on every run.
Events are written as JSON lines; `type` is the snake_case name of the class.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from voice_coach.engine.io import Mode
from voice_coach.files import DiskFullError, PrivateFile

EndReason = Literal[
    "done",
    "end_step",
    "stop",
    "stop_for_evening",
    "paused_too_long",
    "input_ended",
    "device_lost",
    "shutdown",
    "disk_full",
    "interrupted",
    "error",
]
"""Why a session ended: the script ran out (done), an `end` step, a spoken stop, a
couple stopping after a breathing pause, a pause left for half an hour, the input or
the device gone, the service stopped (SIGTERM to `voice-coach serve`), the disk full
(the event log or a recording could not be written), Ctrl-C, or an unexpected error."""

TurnPart = Literal["turn", "message", "mirror", "correction", "summary", "validation", "empathy"]
"""What a turn is: a plain turn, or a part of the mirroring loop (the sender's message or
correction, the receiver's mirror, summary, validation or empathy)."""

TurnEndReason = Literal[
    "time", "silence", "done", "command", "input_ended", "device_lost", "shutdown"
]
"""Why a turn ended: its time (with grace), silence, Enter in text mode, `next`, or
the input ending inside it."""

BreathingReason = Literal["raised_voice", "script"]
"""Why breathing began: voices rose, or a `breathe` step."""

BaselineSource = Literal["calibrate", "first_speech"]
"""Where the couple's level was learned."""


@dataclass(frozen=True)
class Event:
    """Base of all events."""

    t: float
    """Seconds on the session clock."""

    type: ClassVar[str] = "event"

    def to_dict(self) -> dict[str, Any]:
        """The event as a JSON-ready dict with `t` (rounded to ms) and `type` first."""
        data: dict[str, Any] = {"t": round(self.t, 3), "type": self.type}
        for f in dataclasses.fields(self):
            if f.name != "t":
                value = getattr(self, f.name)
                data[f.name] = round(value, 3) if isinstance(value, float) else value
        return data

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.type = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


@dataclass(frozen=True)
class SessionStarted(Event):
    """The session began."""

    script: str
    language: str
    names: list[str]
    mode: Mode


@dataclass(frozen=True)
class StepStarted(Event):
    """A step of the script began."""

    step: str
    """Position in the script: "3", or "5.ja.0" inside an ask's answer."""
    kind: str
    line: int


@dataclass(frozen=True)
class Said(Event):
    """The coach spoke."""

    text: str
    seconds: float
    """Length of the spoken audio."""


@dataclass(frozen=True)
class TurnStarted(Event):
    """A partner's turn began."""

    speaker: str
    """The partner's name (A or B when names are unknown; both names for both)."""
    role: str
    """A, B or both."""
    seconds: float
    """Planned maximum length."""
    part: TurnPart = "turn"


@dataclass(frozen=True)
class TurnWarning(Event):
    """The coach warned that the turn ends soon."""

    speaker: str
    remaining: float
    """Seconds left."""


@dataclass(frozen=True)
class TurnEnded(Event):
    """A partner's turn ended."""

    speaker: str
    role: str
    seconds: float
    """How long the turn lasted."""
    speech_seconds: float
    """How much of it was speech."""
    reason: TurnEndReason


@dataclass(frozen=True)
class Answer(Event):
    """An answer to a question, or the default taken."""

    text: str
    """What was heard or typed ("" for nothing)."""
    matched: str
    """The answer it counted as."""
    default: bool = False
    """True when nothing matched and the first answer was taken."""


@dataclass(frozen=True)
class Rating(Event):
    """A partner's number on a rating scale, or a skip."""

    speaker: str
    """The partner's name."""
    role: str
    """A or B."""
    value: int | None
    """1 to `scale`; None when the partner skipped (said so, or stayed silent)."""
    scale: int
    """The top of the scale (5 or 10)."""


@dataclass(frozen=True)
class Command(Event):
    """A spoken command: pause, continue, repeat, next or stop."""

    name: str
    text: str


@dataclass(frozen=True)
class Paused(Event):
    """The session paused on request."""


@dataclass(frozen=True)
class Resumed(Event):
    """The session continued after a pause."""

    after: float
    """Seconds paused."""


@dataclass(frozen=True)
class RaisedVoice(Event):
    """Voices rose clearly above the couple's baseline."""

    over_db: float
    """dB above the baseline."""
    speaker: str = ""


@dataclass(frozen=True)
class BreathingStarted(Event):
    """A breathing pause or exercise began."""

    reason: BreathingReason


@dataclass(frozen=True)
class BreathingEnded(Event):
    """A breathing pause or exercise ended."""

    seconds: float


@dataclass(frozen=True)
class PaceFeedback(Event):
    """The coach asked a partner to slow down."""

    speaker: str
    syllables_per_s: float
    """Measured from the sound (syllable nuclei per second of speech)."""
    words_syllables_per_s: float | None = None
    """The cross-check from recognised words' timings (None: no recogniser or too few)."""


@dataclass(frozen=True)
class Baseline(Event):
    """The couple's speaking level was learned."""

    dbfs: float
    source: BaselineSource


@dataclass(frozen=True)
class CalmPace(Event):
    """The couple's calm pace was measured (a calibration): the pace feedback's reference."""

    syllables_per_s: float
    """Median syllables per second of speech while the couple talked calmly."""


@dataclass(frozen=True)
class Notice(Event):
    """Something the couple or coach should know (no voice answers, a device lost...)."""

    text: str
    code: str


@dataclass(frozen=True)
class SessionSummary(Event):
    """Figures for the whole session."""

    talk_seconds: dict[str, float] = field(default_factory=dict)
    """Speech seconds per partner name."""
    balance: float = 1.0
    """Smaller talk time over larger (1.0 = perfectly even)."""
    breathing_pauses: int = 0
    pace: dict[str, float] = field(default_factory=dict)
    """Mean syllables per second per partner name, where measured."""
    shared_seconds: float = 0.0
    """Speech seconds in turns of both partners (not counted for either)."""


@dataclass(frozen=True)
class SessionEnded(Event):
    """The session ended."""

    reason: EndReason


Subscriber = Callable[[Event], None]
"""Something that takes each event as it happens (a JSONL file, the terminal)."""


class EventLog:
    """Collects events and hands each to the listeners (a JSONL file, the terminal)."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._listeners: list[Subscriber] = []

    def subscribe(self, listener: Subscriber) -> None:
        """Call `listener` for every later event."""
        self._listeners.append(listener)

    def emit(self, event: Event) -> None:
        """Record an event and pass it on; a listener that fails (a full disk) does not
        keep the event from the others, and its error is raised after them."""
        self.events.append(event)
        failed: Exception | None = None
        for listener in self._listeners:
            try:
                listener(event)
            except Exception as err:
                failed = failed or err
        if failed is not None:
            raise failed


class JsonlWriter:
    """Writes each event as one JSON line, written at once so a crash loses nothing.

    The file is private (`files.PrivateFile`, placed at once and appended to). When the
    disk fills up, the line that did not fit is taken back whole (no half line), the
    `DiskFullError` is raised once so the session can end, and later events stay in
    memory only.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._file = PrivateFile(Path(path), "event log", visible=True)
        self.full = False
        """The disk filled up: no more lines are written."""

    def __call__(self, event: Event) -> None:
        if self.full:
            return
        line = json.dumps(event.to_dict(), ensure_ascii=False) + "\n"
        try:
            self._file.write(line.encode("utf-8"))
        except DiskFullError:
            self.full = True
            raise

    def close(self) -> None:
        if self.full:
            self._file.abort()
            return
        try:
            self._file.commit()
        except DiskFullError:
            self.full = True
