"""Every step kind of the script language, defined in one place.

A `Kind` says everything the language knows about one kind of step: the model class
it builds, the shapes its value may take, the keys of its mapping, the checks across
those keys, its documentation (the JSON Schema's descriptions and the step reference
in docs/scripts.md are written from it), how long it takes (the estimate) and which of
its texts are known before a session starts (rendered ahead). The reader, the schema
builder, the docs builder, the estimate and the prompt list all read `KINDS`; the
session runs each kind in one handler, dispatched with `match`, so mypy fails when a
kind is added to `model.Step` and not handled.

Adding a kind: its model class (and `model.Step`), an entry here, a handler in
`engine/session.py`, a test. `python -m voice_coach.script.schema_build` then
rewrites schema.json and the docs reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, NoReturn, Protocol, TypeVar

from voice_coach.script import model
from voice_coach.script.rules import BREATHE, BREATHING_PATTERNS, Field

Form = Literal["text", "seconds", "mapping", "empty", "null", "true"]
"""A shape a step's value may take: a text (or list of wordings), a number of seconds,
a mapping of keys, an empty mapping `{}`, nothing (`null`), or `true`."""

S = TypeVar("S", bound=model.Step)


class Estimator(Protocol):
    """What a kind's estimate may ask (implemented in `script.estimate`)."""

    def spoken(self, text: model.Text, default_phrase: str = "") -> float:
        """Seconds the coach takes to say `text` (or the phrase when `text` is empty)."""
        ...

    def steps(self, steps: Sequence[model.Step]) -> float:
        """Seconds the steps take."""
        ...

    def answer(self, step: model.Ask) -> Sequence[model.Step]:
        """The answer's steps to count: the default's, or the longest's for an upper bound."""
        ...


class Checker(Protocol):
    """How a kind's `check` reports a problem at the value of one of its keys."""

    def problem(self, key: str, message: str) -> None:
        """Report `message` at the value of `key` (or at the step when it is absent)."""
        ...

    def planned(self, steps: Sequence[model.Step]) -> tuple[int, float]:
        """Steps after expanding repeats, and a rough planned length in seconds."""
        ...


@dataclass(frozen=True)
class Kind(Generic[S]):
    """One step kind: how it is written, checked, documented, timed and pre-rendered."""

    name: str
    """The key that starts the step (`say`, `turn`, ...)."""
    model: type[S]
    title: str
    """A few words for the docs heading ("the coach speaks")."""
    summary: str
    """One sentence: the JSON Schema's description and the docs' first line."""
    forms: tuple[Form, ...]
    """The shapes the value may take; the first is the usual one."""
    fields: Mapping[str, Field] = field(default_factory=dict)
    """Keys of the mapping form."""
    shorthand: str = ""
    """The model field a `text` or `seconds` value fills (`say: "..."`, `pause: 2`)."""
    shape: str = ""
    """How to write the value, for the message when none of the forms fits
    ('' lets the first form's own check say it)."""
    shape_hint: str = ""
    """Added to that message."""
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    """Turns checked values into the model's keyword arguments (defaults from a pattern)."""
    check: Callable[[dict[str, Any], Checker], bool] | None = None
    """Checks across keys (True: fine); reports with `Checker.problem`."""
    estimate: Callable[[S, Estimator], float] = lambda step, est: 0.0
    """Seconds the step takes, roughly."""
    texts: Callable[[S], Iterable[str]] = lambda step: ()
    """The step's own texts that are known before the session (rendered ahead)."""
    advise: Callable[[S], str] = lambda step: ""
    """A warning about a valid step ('' when there is none): `validate` says it and the
    script still runs."""
    notes: str = ""
    """More documentation (Markdown), after the summary."""
    examples: tuple[str, ...] = ()
    """YAML examples of the step for the docs; a test loads every one."""


# -- checks across keys -----------------------------------------------------------------

CHIME_SECONDS = 1.3
"""Seconds the chime after a turn takes (0.9), with the coach's echo tail (0.4)."""
ANSWER_SECONDS = 4.0
"""Seconds the estimate gives the couple to answer one of the loop's own questions
("klopt dat?", "is er meer?"): half the coach's 8 s wait, as for an `ask`."""
MIRROR_DEFAULT_WARN = 10.0
"""Mirror's default warning, in seconds before the end; dropped for turns this short."""
MAX_EXPANDED_STEPS = 10_000
"""Most steps a script may run once its repeats are expanded."""
MAX_PLANNED_SECONDS = 24 * 3600.0
"""Longest planned length of a repeat or a script, in seconds: a day."""


def _check_turn(values: dict[str, Any], report: Checker) -> bool:
    warn = values.get("warn_before")
    if warn is not None and warn >= values["seconds"]:
        report.problem(
            "warn_before",
            f"turn 'warn_before' ({warn:g} s) should be smaller than 'seconds' "
            f"({values['seconds']:g} s)",
        )
        return False
    return True


def _mirror_estimate(step: model.Mirror, est: Estimator) -> float:
    """Seconds of a mirroring loop: its turns (`_mirror_seconds`), the coach's cues
    between them and a chime after each turn."""
    closing = ["mirror_summarize"] if step.rounds > 1 else []
    closing += [f"mirror_{part}" for part in ("validate", "empathize") if getattr(step, part)]
    cues = est.spoken((), "mirror_send") + (step.rounds - 1) * (
        est.spoken((), "mirror_more") + est.spoken((), "mirror_more_go")
    )
    cues += step.rounds * (est.spoken((), "mirror_reflect") + est.spoken((), "mirror_check"))
    cues += sum(est.spoken((), phrase) for phrase in closing)
    questions = step.rounds + (step.rounds - 1)  # each mirror checked, "is there more?"
    cues += questions * ANSWER_SECONDS
    directions = 2 if step.swap else 1
    turns = (2 * step.rounds + len(closing)) * directions
    return (
        est.spoken(step.prompt, "mirror_open")
        + directions * cues
        + (directions - 1) * est.spoken((), "mirror_swap")
        + est.spoken((), "mirror_close")
        + turns * CHIME_SECONDS
        + _mirror_seconds(step)
    )


def _mirror_seconds(step: model.Mirror) -> float:
    """Planned seconds of a mirroring loop's turns (without corrections): each round a
    message and a mirror; after more than one message a summary; then the validation
    and the empathy, each as long as a mirror; all twice with `swap`."""
    mirror = step.mirror_seconds or step.seconds
    closing = (step.rounds > 1) + step.validate + step.empathize
    return ((step.seconds + mirror) * step.rounds + closing * mirror) * (2 if step.swap else 1)


def _prepare_mirror(values: dict[str, Any]) -> dict[str, Any]:
    shortest = min(values["seconds"], values.get("mirror_seconds") or values["seconds"])
    if "warn_before" not in values and shortest <= MIRROR_DEFAULT_WARN:
        values["warn_before"] = None  # the default warning does not fit so short a turn
    return values


def _check_mirror(values: dict[str, Any], report: Checker) -> bool:
    ok = True
    if values["sender"] == values["receiver"]:
        report.problem(
            "receiver",
            f"mirror 'receiver' should be the other partner than the sender "
            f"('{values['sender']}'); use A and B",
        )
        ok = False
    shortest = min(values["seconds"], values.get("mirror_seconds") or values["seconds"])
    warn = values.get("warn_before", MIRROR_DEFAULT_WARN)
    if warn is not None and warn >= shortest:
        report.problem(
            "warn_before",
            f"mirror 'warn_before' ({warn:g} s) should be smaller than the turn ({shortest:g} s)",
        )
        ok = False
    return ok


def _check_ask(values: dict[str, Any], report: Checker) -> bool:
    default = values.get("default")
    words = [word for word, _ in values["answers"]]
    if default is not None and default not in words:
        listed = ", ".join(f"'{w}'" for w in words)
        report.problem("default", f"ask 'default' should be one of its answers ({listed})")
        return False
    return True


def with_pattern(values: dict[str, Any]) -> dict[str, Any]:
    """A breathing step's values with its named pattern's numbers filled in."""
    pattern = values.pop("pattern", None)
    merged: dict[str, Any] = dict(BREATHING_PATTERNS.get(pattern or "", {}))
    merged.update(values)
    return merged


def _check_repeat(values: dict[str, Any], report: Checker) -> bool:
    steps, seconds = report.planned(values["steps"])
    steps, seconds = steps * values["times"], seconds * values["times"]
    if steps > MAX_EXPANDED_STEPS:
        report.problem(
            "times",
            f"repeat runs {steps:,} steps in all (with the repeats inside it); a script may "
            f"run at most {MAX_EXPANDED_STEPS:,}: use fewer times or fewer steps",
        )
        return False
    if seconds > MAX_PLANNED_SECONDS:
        report.problem(
            "times",
            f"repeat plans about {seconds / 3600:.0f} hours; a script may plan at most "
            f"{MAX_PLANNED_SECONDS / 3600:.0f}: use fewer times or shorter steps",
        )
        return False
    return True


# -- the kinds -----------------------------------------------------------------------------

_TEXT_NOTE = "Text with `{A}` and `{B}` for the names, or a list of wordings (one is picked)."

SAY: Kind[model.Say] = Kind(
    name="say",
    model=model.Say,
    title="the coach speaks",
    summary="The coach speaks a line (or one of several wordings). {A} and {B} are the names.",
    forms=("text",),
    shorthand="text",
    estimate=lambda step, est: est.spoken(step.text),
    texts=lambda step: step.text,
    examples=(
        '- say: "Welkom {A} en {B}."',
        '- say: ["Adem even uit.", "Laat de dag even los."]',
    ),
)

PAUSE: Kind[model.Pause] = Kind(
    name="pause",
    model=model.Pause,
    title="silence",
    summary="Seconds of silence (more than 0): the coach leaves room.",
    forms=("seconds",),
    shorthand="seconds",
    estimate=lambda step, est: step.seconds,
    notes="Silence is part of slowing down: give the couple room after a question.",
    examples=("- pause: 2\n- pause: 1.5",),
)

BREATHE_KIND: Kind[model.Breathe] = Kind(
    name="breathe",
    model=model.Breathe,
    title="guided breathing",
    summary="Guided breathing: pattern (slow-exhale, box, sigh) and/or seconds per phase.",
    forms=("mapping", "null"),
    fields=BREATHE,
    prepare=with_pattern,
    estimate=lambda step, est: est.spoken(step.intro, "breathe_intro") + step.seconds,
    texts=lambda step: step.intro,
    notes=(
        'The coach paces each phase with a short word ("adem in", "en uit") and silence.\n\n'
        "The patterns: **slow-exhale** is in 4, out 6; **box** is 4 in, 4 hold, 4 out, "
        "4 hold; **sigh** (the physiological sigh) is two inhales (2 s and a short one), "
        "then a long exhale of 6 s. Numbers you write override the pattern's."
    ),
    examples=(
        "- breathe: {}                                   # in 4, out 6, three times\n"
        "- breathe: {pattern: box}\n"
        '- breathe: {pattern: sigh, cycles: 2, intro: "We zuchten samen, twee keer."}\n'
        "- breathe: {inhale: 4, hold: 0, exhale: 6, cycles: 3}\n"
        "- breathe: {pattern: slow-exhale, exhale: 8}    # slow-exhale, a longer out-breath",
    ),
)

TURN: Kind[model.Turn] = Kind(
    name="turn",
    model=model.Turn,
    title="one partner speaks, or both",
    summary="One partner (or both, in an open dialogue) speaks for at most `seconds`.",
    forms=("mapping",),
    fields={
        "speaker": Field("speaker", "who speaks: A, B, or both (an open dialogue)", required=True),
        "seconds": Field("seconds", "how long the partner may speak", required=True),
        "prompt": Field(
            "text", "what the coach says to open the turn", default="the `turn_open` phrase"
        ),
        "warn_before": Field(
            "seconds",
            "seconds before the end to warn; must be smaller than `seconds`",
            nullable=True,
            default="no warning",
        ),
        "end_on_silence": Field(
            "seconds",
            "seconds of silence that end the turn early",
            nullable=True,
            default="only time ends it",
        ),
        "pace_feedback": Field(
            "bool", "nudge a partner who talks clearly too fast, this turn", default="the script's"
        ),
        "pace_target": Field(
            "pace", "calm speaking rate for this turn, syllables per second", default="the script's"
        ),
        "breathing_pause": Field(
            "bool", "breathe together when voices rise, in this turn", default="the script's"
        ),
    },
    check=_check_turn,
    estimate=lambda step, est: (
        est.spoken(step.prompt, "turn_open")
        + step.seconds
        + CHIME_SECONDS
        + est.spoken((), "turn_end_both" if step.speaker == "both" else "turn_end")
    ),
    texts=lambda step: step.prompt,
    notes=(
        "With `speaker: both` the couple talk together, timed as one stretch. Once each "
        "partner has had a turn of their own, the coach knows their calm voices and gives "
        "each their talk time by pitch; what it cannot tell apart (two voices of about the "
        "same pitch) counts as shared. `pace_feedback`, `pace_target` and `breathing_pause` "
        "change the script's [settings](#settings) for this turn only."
    ),
    examples=(
        '- turn: {speaker: A, prompt: "{A}, hoe was je dag?", seconds: 60, warn_before: 10, '
        "end_on_silence: 6}\n"
        "- turn:\n"
        "    speaker: B\n"
        '    prompt: ["{B}, wat nam je vandaag mee?", "{B}, vertel eens over jouw dag."]\n'
        "    seconds: 60",
        "- turn:\n"
        "    speaker: both\n"
        '    prompt: "Zoek samen één zin over jullie patroon."\n'
        "    seconds: 90\n"
        "    warn_before: 15",
        '- turn: {speaker: A, prompt: "{A}, vertel heel rustig.", seconds: 60, '
        "pace_feedback: true, pace_target: 3.2}",
    ),
)

MIRROR: Kind[model.Mirror] = Kind(
    name="mirror",
    model=model.Mirror,
    title="the mirroring loop",
    summary="The mirroring loop: sender speaks, receiver mirrors, sender confirms.",
    forms=("mapping",),
    fields={
        "sender": Field("partner", "who sends the message: A or B", required=True),
        "receiver": Field("partner", "who mirrors: the other partner", required=True),
        "seconds": Field("seconds", "seconds for each of the sender's messages", required=True),
        "rounds": Field("count", "how many messages the sender may give", default="1"),
        "mirror_seconds": Field("seconds", "seconds for each mirror", default="same as `seconds`"),
        "corrections": Field(
            "count0", "how often the sender may correct a mirror per round", default="2"
        ),
        "swap": Field("bool", "run the loop again with the roles swapped", default="false"),
        "warn_before": Field(
            "seconds",
            "warning before the end of each turn; `null`: none. Turns of 10 seconds or "
            "less get none unless you set it; a value must be smaller than the shortest turn",
            nullable=True,
            default="10",
        ),
        "end_on_silence": Field(
            "seconds", "seconds of silence that end a turn early", nullable=True, default="6"
        ),
        "prompt": Field(
            "text", "what the coach says to open the loop", default="the `mirror_open` phrase"
        ),
        "validate": Field(
            "bool",
            "the receiver then says what makes sense in it (`mirror_validate`)",
            default="false",
        ),
        "empathize": Field(
            "bool",
            "the receiver then names the feeling they imagine (`mirror_empathize`)",
            default="false",
        ),
    },
    prepare=_prepare_mirror,
    check=_check_mirror,
    estimate=_mirror_estimate,
    texts=lambda step: step.prompt,
    notes=(
        "The sender gives one message, the receiver says back what they heard, the sender "
        'confirms or corrects, and the coach asks "is there more?". When nobody answers '
        '"klopt dat?", the coach asks once more and then goes on without taking it as a yes. '
        "After more than one message the receiver sums up; with `validate` the receiver "
        'then says why it makes sense ("dat is logisch, want ...": understanding, not '
        'agreeing), with `empathize` names the feeling they imagine ("ik kan me voorstellen '
        'dat je je ... voelt"). Summary, validation and empathy each get `mirror_seconds`. '
        "Then, with `swap`, the roles change."
    ),
    examples=(
        "- mirror: {sender: A, receiver: B, seconds: 45, rounds: 2}\n"
        "- mirror:\n"
        "    sender: B\n"
        "    receiver: A\n"
        "    seconds: 60\n"
        "    mirror_seconds: 45\n"
        "    corrections: 1\n"
        "    swap: true\n"
        '    prompt: "We gaan spiegelen. {B} begint."',
        "- mirror: {sender: A, receiver: B, seconds: 60, mirror_seconds: 45, validate: true, "
        "empathize: true, swap: true}",
    ),
)

ASK: Kind[model.Ask] = Kind(
    name="ask",
    model=model.Ask,
    title="a question with spoken answers",
    summary="The coach asks a question and branches on the spoken answer.",
    forms=("mapping",),
    fields={
        "prompt": Field("text", "the question", required=True),
        "answers": Field(
            "answers",
            "answer word -> list of steps (may be empty: `[]`, or nothing); the first is "
            "the default",
            required=True,
        ),
        "timeout": Field(
            "seconds", "seconds to wait for an answer, each of the two times", default="8"
        ),
        "default": Field(
            "string",
            "the answer taken when none is heard, said aloud; for a question that needs "
            "consent, the safe answer",
            default="the first answer",
        ),
    },
    check=_check_ask,
    advise=lambda step: (
        ""
        if step.default is not None
        else f"ask has no 'default': on silence the coach takes '{step.answers[0][0]}', the "
        "first answer; name the answer silence should take (for consent, the safe one)"
    ),
    estimate=lambda step, est: (
        est.spoken(step.prompt) + step.timeout / 2 + est.steps(est.answer(step))
    ),
    texts=lambda step: step.prompt,
    notes=(
        "The coach asks, listens for one of the answer words (and the language's "
        'synonyms: "ja" also hears "jazeker", "klopt", ...), asks once more if nothing '
        "matched, and then runs that answer's steps. When no answer comes, the coach says "
        "so (`ask_default`) and takes the `default` answer (without one, the first). "
        "Silence is not consent: where a question asks for it, make the safe answer the "
        "default. Without a speech recogniser the coach cannot hear an answer: it asks, "
        "says it will take the default (`ask_unheard`), and does.\n\n"
        "English scripts can use `yes` and `no` as answers: the coach reads YAML with only "
        '`true` and `false` as yes/no values, so `yes:` stays the word "yes".'
    ),
    examples=(
        "- ask:\n"
        '    prompt: "Willen jullie nog een ronde?"\n'
        "    answers:\n"
        '      ja: [{say: "Goed, we gaan door."}]\n'
        '      nee: [{say: "Dan sluiten we af."}]\n'
        "    timeout: 8\n"
        "    default: nee",
    ),
)

REPEAT: Kind[model.Repeat] = Kind(
    name="repeat",
    model=model.Repeat,
    title="the same steps several times",
    summary="Run the same steps several times.",
    forms=("mapping",),
    fields={
        "times": Field("count", "how many times (1 to 100)", required=True),
        "steps": Field("steps", "the steps to repeat (at least one)", required=True),
        "swap": Field(
            "bool", "partners exchange roles A and B on each round after the first", default="false"
        ),
        "start": Field(
            "start",
            "who takes role A in the first round: A, B, alternate (the other than last "
            "time) or random",
            default="A",
        ),
    },
    check=_check_repeat,
    estimate=lambda step, est: step.times * est.steps(step.steps),
    notes=(
        "With `swap: true` the partners exchange roles each round: in the second round "
        "`{A}` and `speaker: A` mean the partner who was B. `start` chooses who takes role "
        "A in the first round: `A` (as written), `B`, `alternate` (the other partner than "
        "in this couple's previous session of this script; A the first time) or `random`. "
        "Without `swap`, `start` sets the roles for every round.\n\n"
        "Steps may nest (an ask inside a repeat inside an ask) up to 12 levels; a script "
        f"may run at most {MAX_EXPANDED_STEPS:,} steps once its repeats are expanded and "
        "plan at most a day."
    ),
    examples=(
        "- repeat:\n"
        "    times: 2\n"
        "    steps:\n"
        "      - turn: {speaker: A, seconds: 30}\n"
        "      - turn: {speaker: B, seconds: 30}",
        "- repeat:\n"
        "    times: 2\n"
        "    swap: true\n"
        "    start: alternate\n"
        "    steps:\n"
        '      - turn: {speaker: A, prompt: "{A}, wat doe jij als het patroon begint?", '
        "seconds: 40}\n"
        '      - turn: {speaker: B, prompt: "{B}, zeg terug wat je hoorde.", seconds: 30}',
    ),
)

CALIBRATE: Kind[model.Calibrate] = Kind(
    name="calibrate",
    model=model.Calibrate,
    title="learn how this couple sounds",
    summary="Both partners talk calmly so the coach learns their normal level.",
    forms=("seconds", "mapping", "null"),
    shorthand="seconds",
    fields={
        "seconds": Field("seconds", "how long the partners talk calmly", default="20"),
        "prompt": Field(
            "text", "what the coach says to start", default="the `calibrate_open` phrase"
        ),
    },
    shape="a number of seconds or a mapping with seconds and prompt",
    estimate=lambda step, est: est.spoken(step.prompt, "calibrate_open") + step.seconds,
    texts=lambda step: step.prompt,
    notes=(
        "Both partners talk calmly for a while so the coach learns their normal speaking "
        "level; a raised voice is measured against it. Put it early in scripts that use "
        "the breathing pause."
    ),
    examples=(
        "- calibrate: 20\n"
        "- calibrate: {}                  # 20 seconds, the calibrate_open phrase\n"
        '- calibrate: {seconds: 15, prompt: "Vertel elkaar even wat jullie vandaag aten."}',
    ),
)

SUMMARY_SECONDS = {"talk": 10.0, "pauses": 4.0, "pace": 8.0}
"""Seconds each part of the spoken summary takes, roughly (a sentence or two)."""

SUMMARY: Kind[model.Summary] = Kind(
    name="summary",
    model=model.Summary,
    title="the spoken summary",
    summary="The coach speaks the session summary: true, or which parts to say.",
    forms=("true", "mapping", "null"),
    fields={
        "talk": Field("bool", "talk time per partner and whether it was even", default="true"),
        "pauses": Field("bool", "the breathing pauses taken, if any", default="true"),
        "pace": Field(
            "bool", "each partner's pace at the end against the start, in words", default="false"
        ),
    },
    shape="true or a mapping with talk, pauses and pace",
    shape_hint="; remove the step to leave the summary out",
    estimate=lambda step, est: sum(
        seconds for part, seconds in SUMMARY_SECONDS.items() if getattr(step, part)
    ),
    notes=(
        'Pace is said in plain words ("rustiger dan aan het begin"), never as a number; '
        "it suits the slowed-down talking, not a check-in. Time in turns of both partners "
        "goes to whose voice it was; what could not be told apart is said as shared time."
    ),
    examples=("- summary: true\n- summary: {}\n- summary: {talk: true, pace: true}",),
)

ONBOARDING: Kind[model.Onboarding] = Kind(
    name="onboarding",
    model=model.Onboarding,
    title="a couple's first evening",
    summary="Said once per couple: who the coach is, when this is not the right help, how to stop.",
    forms=("true", "text", "empty", "null"),
    shorthand="text",
    shape="true or a text",
    estimate=lambda step, est: (
        est.spoken(step.text)
        if step.text
        else sum(
            est.spoken((), phrase)
            for phrase in ("onboarding", "onboarding_safety", "onboarding_commands")
        )
    ),
    texts=lambda step: step.text,
    notes=(
        "The first time a couple hears this step, in any script, the coach says the "
        "`onboarding` and `onboarding_safety` phrases (and, when it can hear them, "
        "`onboarding_commands`), or the step's own text; the coach remembers that it did "
        "(see the README) and skips the step on later evenings. A nightly ritual so "
        "carries the safety pointer on the first evening only."
    ),
    examples=(
        "- onboarding: true\n"
        '- onboarding: "Welkom bij jullie eerste avond. Ik ben geen therapeut."',
    ),
)

END: Kind[model.End] = Kind(
    name="end",
    model=model.End,
    title="the session ends here",
    summary="The session ends here, after the coach's last words (a text, or true for none).",
    forms=("text", "true", "empty", "null"),
    shorthand="text",
    estimate=lambda step, est: est.spoken(step.text),
    texts=lambda step: step.text,
    notes=(
        "The coach says its last words (if any) and the session ends; nothing after it "
        "runs. Use it inside an answer, for example when a couple does not want to go on "
        "tonight. The event log records the end with reason `end_step`."
    ),
    examples=(
        "- ask:\n"
        '    prompt: "Willen jullie vanavond verder? Zeg ja of nee."\n'
        "    answers:\n"
        '      ja: [{say: "Fijn. We gaan verder."}]\n'
        '      nee: [{end: "Dat is goed. Dan stoppen we hier. Slaap zacht."}]\n'
        "- end: true",
    ),
)


def _check_rate(values: dict[str, Any], report: Checker) -> bool:
    if ("low" in values) != ("high" in values):
        given, missing = ("low", "high") if "low" in values else ("high", "low")
        report.problem(
            given,
            f"rate has '{given}' but no '{missing}': give both ends of the scale a label, "
            "or neither",
        )
        return False
    return True


RATE_PARTNER_SECONDS = 8.0
"""Seconds per partner in a rating, roughly: asked, a number, the coach's thanks."""

RATE: Kind[model.Rate] = Kind(
    name="rate",
    model=model.Rate,
    title="a spoken rating",
    summary="Each partner in turn gives a number from 1 to 10 (or 1 to 5), by voice.",
    forms=("mapping",),
    fields={
        "prompt": Field("text", "the question, asked once of both", required=True),
        "scale": Field("scale", "the top of the scale: 10 or 5", default="10"),
        "low": Field("string", "what 1 means, said after the question", default="–"),
        "high": Field("string", "what the top of the scale means", default="–"),
        "first": Field("partner", "who is asked first: A or B", default="A"),
        "timeout": Field(
            "seconds", "seconds to wait for each number, each time the coach asks", default="8"
        ),
    },
    check=_check_rate,
    estimate=lambda step, est: est.spoken(step.prompt) + 2 * RATE_PARTNER_SECONDS,
    texts=lambda step: step.prompt,
    notes=(
        "The coach asks the question, says what the ends mean (with `low` and `high`), "
        'then asks each partner by name. A number word counts ("zeven", "een zeven", '
        '"seven"; digits when typed in a terminal). When what was said is not a number '
        'the coach asks once more; "sla over" / "skip", or silence, skips that '
        "partner's number. Each number (or a skip) is an event `rating` "
        "{speaker, role, value, scale} and is kept in the journal. Without a speech "
        "recogniser the step is left out."
    ),
    examples=(
        "- rate:\n"
        '    prompt: "Hoe verbonden voelen jullie je vanavond, van één tot tien?"\n'
        '    low: "ver van elkaar"\n'
        '    high: "heel dicht bij elkaar"\n'
        '- rate: {prompt: "How was today, from one to five?", scale: 5, first: B}',
    ),
)

RECAP_SECONDS = 8.0
"""Seconds a recap takes, roughly (one or two short sentences)."""

RECAP: Kind[model.Recap] = Kind(
    name="recap",
    model=model.Recap,
    title="a look back at recent evenings",
    summary="The coach says a sentence or two about the couple's recent evenings (true or {}).",
    forms=("true", "mapping", "null"),
    shape="true or {}",
    estimate=lambda step, est: RECAP_SECONDS,
    notes=(
        "From the journal: how many evenings the couple took in the last week, and one "
        "thing that went well (fewer breathing pauses than the week before, or talk "
        "time shared evenly). It never names what went less well, and it says nothing "
        "when there is no history (a first evening, or a session the journal does not "
        "keep). Put it at the start of a check-in."
    ),
    examples=("- recap: true",),
)

KINDS: dict[str, Kind[Any]] = {
    kind.name: kind
    for kind in (
        SAY,
        PAUSE,
        BREATHE_KIND,
        TURN,
        MIRROR,
        ASK,
        REPEAT,
        CALIBRATE,
        SUMMARY,
        ONBOARDING,
        END,
        RATE,
        RECAP,
    )
}
"""Every step kind by the key that starts it, in the order the docs list them."""

STEP_KINDS: tuple[str, ...] = tuple(KINDS)
"""The keys that start a step."""

_BY_CLASS: dict[type, Kind[Any]] = {kind.model: kind for kind in KINDS.values()}


def kind_of(step: model.Step) -> Kind[Any]:
    """The kind of a built step."""
    return _BY_CLASS[type(step)]


def unhandled(step: NoReturn) -> NoReturn:
    """The `case _:` of a `match` over steps: mypy fails where a kind has no case.

    (`typing.assert_never` from Python 3.11, kept here while 3.10 is supported.)
    """
    raise AssertionError(f"no handler for step {step!r}")


def fixed_texts(steps: Sequence[model.Step]) -> Iterable[str]:
    """Every wording of every text the steps (and those inside them) will speak."""
    for step in model.walk(steps):
        yield from kind_of(step).texts(step)
