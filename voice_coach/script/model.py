"""A loaded script as frozen data: one class per step kind.

Nothing here knows about YAML or audio. `script.load` builds these from a file
(with file:line:column errors); `engine.session` runs them. Durations are seconds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

Partner = Literal["A", "B"]
"""A partner's role in the script; their names fill `{A}` and `{B}` in text."""

Speaker = Literal["A", "B", "both"]
"""Who speaks in a turn: one partner, or both (an open dialogue timed as one stretch)."""

Start = Literal["A", "B", "alternate", "random"]
"""Who takes role A in the first round of a repeat: A and B as written, B with the
roles exchanged, `alternate` the other than last time, `random` either."""

Text: TypeAlias = tuple[str, ...]
"""One or more wordings of the same line; one is picked per run."""


@dataclass(frozen=True)
class Say:
    """The coach speaks a line."""

    text: Text
    line: int = 0
    """Line of the step in its file (1-based; 0 when built in code)."""


@dataclass(frozen=True)
class Pause:
    """Silence: the coach leaves room."""

    seconds: float
    line: int = 0


@dataclass(frozen=True)
class Breathe:
    """Guided breathing: the coach paces each phase with short words and silence."""

    inhale: float = 4.0
    """Seconds breathing in."""
    hold: float = 0.0
    """Seconds holding after breathing in."""
    exhale: float = 6.0
    """Seconds breathing out."""
    hold_out: float = 0.0
    """Seconds holding after breathing out (box breathing: 4)."""
    cycles: int = 3
    """How many breaths."""
    double_inhale: bool = False
    """The physiological sigh: a second, short inhale on top of the first."""
    intro: Text = ()
    """What the coach says first (empty: the language's default)."""
    line: int = 0

    @property
    def seconds(self) -> float:
        """Planned length of the breathing itself, in seconds (without the intro)."""
        extra = 1.0 if self.double_inhale else 0.0
        return self.cycles * (self.inhale + extra + self.hold + self.exhale + self.hold_out)


@dataclass(frozen=True)
class Turn:
    """One partner (or both) speaks for at most `seconds`."""

    speaker: Speaker
    seconds: float
    prompt: Text = ()
    """What the coach says to open the turn (may be empty)."""
    warn_before: float | None = None
    """Seconds before the end at which the coach warns (None: no warning)."""
    end_on_silence: float | None = None
    """Seconds of silence after which the turn ends early (None: only time ends it)."""
    pace_feedback: bool | None = None
    """Nudge a fast speaker in this turn (None: the script's setting)."""
    pace_target: float | None = None
    """Calm speaking rate for this turn, syllables per second (None: the script's)."""
    breathing_pause: bool | None = None
    """Breathe together when voices rise in this turn (None: the script's setting)."""
    line: int = 0

    def overrides(self) -> dict[str, object]:
        """This turn's own listening settings (those that are not None), by name."""
        own = {
            "pace_feedback": self.pace_feedback,
            "pace_target": self.pace_target,
            "breathing_pause": self.breathing_pause,
        }
        return {name: value for name, value in own.items() if value is not None}


@dataclass(frozen=True)
class Mirror:
    """The mirroring loop: sender speaks, receiver mirrors, sender confirms, repeat."""

    sender: Partner
    receiver: Partner
    seconds: float
    """Seconds for each of the sender's messages."""
    rounds: int = 1
    """How many messages the sender may give ("is there more?" between them)."""
    mirror_seconds: float | None = None
    """Seconds for each of the receiver's mirrors (None: same as `seconds`)."""
    corrections: int = 2
    """How often the sender may correct a mirror within one round."""
    swap: bool = False
    """After the rounds, run the loop again with the roles swapped."""
    warn_before: float | None = 10.0
    end_on_silence: float | None = 6.0
    prompt: Text = ()
    """What the coach says to open the loop (empty: the language's default)."""
    validate: bool = False
    """After the messages, the receiver says what makes sense in them ("dat is logisch,
    want ...")."""
    empathize: bool = False
    """Then the receiver names the feeling they imagine ("ik kan me voorstellen ...")."""
    line: int = 0


@dataclass(frozen=True)
class Ask:
    """The coach asks a question and branches on the answer."""

    prompt: Text
    answers: tuple[tuple[str, tuple[Step, ...]], ...]
    """Ordered (answer word, steps) pairs."""
    timeout: float = 8.0
    """Seconds to wait for an answer, each of the two times the coach asks."""
    default: str | None = None
    """The answer taken when none is heard, said aloud (None: the first answer)."""
    line: int = 0

    @property
    def fallback(self) -> str:
        """The answer taken on silence: `default`, or else the first answer."""
        return self.default if self.default is not None else self.answers[0][0]

    def branch(self, answer: str) -> tuple[Step, ...]:
        """The steps of `answer`."""
        return dict(self.answers)[answer]


@dataclass(frozen=True)
class Repeat:
    """Run the same steps several times."""

    times: int
    steps: tuple[Step, ...]
    swap: bool = False
    """Partners exchange roles A and B on each round after the first."""
    start: Start = "A"
    """Who takes role A in the first round (see `Start`)."""
    line: int = 0


@dataclass(frozen=True)
class Calibrate:
    """Both partners talk calmly so the coach learns their normal speaking level."""

    seconds: float = 20.0
    prompt: Text = ()
    line: int = 0


@dataclass(frozen=True)
class Summary:
    """The coach speaks the session summary: talk time per partner, pauses, pace."""

    talk: bool = True
    """Talk time per partner and whether it was even."""
    pauses: bool = True
    """Breathing pauses taken (said only when there were any)."""
    pace: bool = False
    """Each partner's pace at the end against the start, in words."""
    line: int = 0


@dataclass(frozen=True)
class Onboarding:
    """A couple's first evening: who the coach is and when to stop, said once per couple."""

    text: Text = ()
    """The script's own words (empty: the language's onboarding phrases)."""
    line: int = 0


@dataclass(frozen=True)
class End:
    """The session ends here, after the coach's last words (if any)."""

    text: Text = ()
    line: int = 0


@dataclass(frozen=True)
class Rate:
    """Each partner in turn gives a number on a scale, spoken (or typed in a terminal)."""

    prompt: Text
    """The question, asked once of both."""
    scale: int = 10
    """The top of the scale: 10 (1 to 10) or 5 (1 to 5)."""
    low: str = ""
    """What 1 means ("ver van elkaar"); "" says nothing about the ends."""
    high: str = ""
    """What the top means ("heel dicht bij elkaar")."""
    first: Partner = "A"
    """Who is asked first; the other partner is asked next."""
    timeout: float = 8.0
    """Seconds to wait for each partner's number, each time the coach asks."""
    line: int = 0


@dataclass(frozen=True)
class Recap:
    """The coach says a sentence or two about the couple's recent evenings (from the
    journal, when there is one); silent without history."""

    line: int = 0


Step: TypeAlias = (
    Say
    | Pause
    | Breathe
    | Turn
    | Mirror
    | Ask
    | Repeat
    | Calibrate
    | Summary
    | Onboarding
    | End
    | Rate
    | Recap
)


@dataclass(frozen=True)
class Settings:
    """A script's overrides of the engine's listening thresholds (None: the default)."""

    breathing_pause: bool | None = None
    """Interrupt with guided breathing when voices rise."""
    raised_voice_db: float | None = None
    """dB above the couple's baseline that counts as a raised voice."""
    raised_voice_seconds: float | None = None
    """Seconds of speech the rise must last."""
    breathing_cooldown: float | None = None
    """Seconds after a breathing pause before another may start."""
    breathing: Breathe | None = None
    """The breathing pattern for the pause (None: the language's default)."""
    pace_feedback: bool | None = None
    """Nudge a partner who talks clearly faster than the target."""
    pace_target: float | None = None
    """Target speaking rate in syllables per second of speech."""
    pace_margin: float | None = None
    """Fraction above the target that triggers a nudge (0.3 = 30 % faster)."""
    pace_nudges_per_turn: int | None = None
    """At most this many nudges in one turn."""

    def overrides(self) -> dict[str, object]:
        """The settings this script sets (those that are not None), by name."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not None
        }


@dataclass(frozen=True)
class Script:
    """A whole spoken exercise."""

    id: str
    title: str
    language: str
    steps: tuple[Step, ...]
    description: str = ""
    spoken: tuple[str, ...] = ()
    """Names the couple may say to choose this exercise after the wake word
    (`voice-coach serve`); empty: its title and its id read as words."""
    rate: float = 0.85
    """Coach's speech speed: 1.0 is the voice's normal pace, 0.8 is 20 % slower."""
    settings: Settings = field(default_factory=Settings)
    phrases: tuple[tuple[str, Text], ...] = ()
    """Overrides of the language's default coach phrases, by phrase name."""
    path: str = ""
    """File the script came from ("" when built in code)."""


def walk(steps: Sequence[Step]) -> Iterator[Step]:
    """Every step, depth first: each one, then those inside a repeat or an answer."""
    for step in steps:
        yield step
        if isinstance(step, Repeat):
            yield from walk(step.steps)
        elif isinstance(step, Ask):
            for _, branch in step.answers:
                yield from walk(branch)
