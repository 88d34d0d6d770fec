"""The contract between the session logic and how it meets people.

The session asks for three things: speak a line, listen for a while, and tell the
time. `AudioIO` does them on the audio clock (live or simulated), `TextIO` in a
terminal. Everything the session decides (turn deadlines, the mirroring loop,
breathing pauses) is written once, against this protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from voice_coach.script.model import Partner

Reason = Literal[
    "time", "warn", "silence", "done", "command", "answer", "unclear", "raised", "pace"
]
"""Why `listen` returned; `done` is a typed turn ended with Enter (text mode);
`unclear` is speech that was neither an answer nor a command (only when asked for)."""

AudioMode = Literal["live", "simulated", "preview"]
"""How a session on the audio clock meets the world: the sound card, a WAV, or nobody
(a preview: turns last their planned length)."""
Mode = Literal["live", "simulated", "preview", "text"]
"""An audio mode, or a terminal."""

InputEndReason = Literal["input_ended", "device_lost", "shutdown"]
"""Why the input ran out (shutdown: `voice-coach serve` got SIGTERM)."""


class InputEnded(Exception):
    """The input ran out: the end of a simulated session's WAV, or a device that is gone."""

    def __init__(self, reason: InputEndReason = "input_ended") -> None:
        super().__init__(reason)
        self.reason: InputEndReason = reason


@dataclass(frozen=True)
class ListenRequest:
    """What to listen for, and until when (seconds on the session clock)."""

    until: float
    """Return with reason `time` at this moment."""
    warn_at: float | None = None
    """Return with reason `warn` at this moment (before `until`)."""
    end_on_silence: float | None = None
    """Return with reason `silence` after this many seconds without speech."""
    answers: Sequence[str] = ()
    """Answer words to listen for (empty: none); commands are always heard."""
    unclear: bool = False
    """Return with reason `unclear` (and what was heard, maybe "") when an utterance is
    neither an answer nor a command; otherwise such speech is let pass."""
    watch_raised: bool = False
    """Return with reason `raised` when voices rise clearly (at the next breath)."""
    watch_pace: float | None = None
    """Return with reason `pace` at the next pause when speech runs faster than this
    rate (syllables per second); None: do not watch the pace."""
    prompt: str = ""
    """What a text terminal shows while waiting (who is speaking, what for)."""

    def due(self, now: float) -> Heard | None:
        """`time` or `warn` when its moment has come at `now` (seconds), else None."""
        if now >= self.until:
            return Heard("time")
        if self.warn_at is not None and now >= self.warn_at:
            return Heard("warn")
        return None


@dataclass
class TurnState:
    """What has been heard over one turn, across several `listen` calls."""

    speech_seconds: float = 0.0
    """Seconds of speech heard."""
    silence_run: float = 0.0
    """Seconds since speech was last heard (or since the turn began)."""
    in_speech: bool = False
    """Whether the latest input was speech (a speaker still talking at the turn's end
    gets a few seconds' grace)."""
    pace_samples: list[float] = field(default_factory=list)
    """Pace measurements over the turn (syllables per second)."""
    by_voice: dict[str, float] = field(default_factory=dict)
    """In a turn of both partners: seconds of speech recognised as each partner's voice
    ("A", "B"); the rest of `speech_seconds` is shared."""


@dataclass(frozen=True)
class Heard:
    """Why `listen` returned, and what it heard."""

    reason: Reason
    text: str = ""
    """What was recognised or typed (answers and commands)."""
    command: str = ""
    """pause, continue, repeat, next or stop, for reason `command`."""
    answer: str = ""
    """The matched answer word, for reason `answer`."""
    over_db: float = 0.0
    """dB over baseline, for reason `raised`."""
    pace_sps: float = 0.0
    """Syllables per second measured from the sound, for reason `pace`."""
    words_sps: float | None = None
    """Syllables per second from recognised words, for reason `pace` (None: no verdict)."""


class SessionIO(Protocol):
    """How a session speaks, listens and keeps time."""

    @property
    def mode(self) -> Mode:
        """How the session meets the couple."""
        ...

    can_understand: bool
    """Whether spoken (or typed) answers and commands can be understood."""

    def now(self) -> float:
        """Seconds on the session clock."""
        ...

    def say(self, text: str, brief: bool = False) -> str | None:
        """Speak `text`; returns "stop" if someone said stop over it, "pause" if the
        interrupt hook (a wake word) asked for a pause over it, else None.

        `brief` drops the trailing pause and echo tail: for counting on a beat.
        """
        ...

    def chime(self) -> None:
        """A short, soft end-of-turn sound."""
        ...

    def listen(self, request: ListenRequest, state: TurnState) -> Heard:
        """Listen until something in `request` happens; updates `state`."""
        ...

    def start_turn(self, role: Partner | None = None) -> None:
        """A new speaker begins: partner `role` in a turn, None for open talk after it
        (resets per-speaker measurements such as pace; levels are judged per partner)."""
        ...

    def begin_calibration(self) -> None:
        """Following speech teaches the couple's baseline level."""
        ...

    def end_calibration(self) -> float | None:
        """The learned baseline in dBFS, if any."""
        ...

    def after_breathing(self) -> None:
        """A breathing pause ended (starts the raised-voice cooldown)."""
        ...

    @property
    def baseline_dbfs(self) -> float | None:
        """The couple's learned speaking level in dBFS, once known."""
        ...

    def close(self) -> None:
        """Finish output (flush the speaker, restore the terminal)."""
        ...
