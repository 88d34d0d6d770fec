"""The step interpreter: runs a script's steps against a `SessionIO`.

All timing is on the IO's clock (audio samples for live and simulated sessions).
The session decides; the IO only speaks and listens. Steps are handled one method
each; turns and the mirroring loop share `TurnRunner`, questions share `_choose`.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from voice_coach.config import ListenSettings
from voice_coach.engine import events as ev
from voice_coach.engine import summary
from voice_coach.engine.breathing import LATE_BY, breathing_plan
from voice_coach.engine.couple import CoupleRecord
from voice_coach.engine.events import EndReason
from voice_coach.engine.history import Recent, recap_lines
from voice_coach.engine.io import Heard, InputEnded, ListenRequest, SessionIO, TurnState
from voice_coach.engine.summary import PartnerTalk
from voice_coach.files import DiskFullError, FileError
from voice_coach.lang import Language, fill, pick
from voice_coach.script.kinds import kind_of, unhandled
from voice_coach.script.model import (
    Ask,
    Breathe,
    Calibrate,
    End,
    Mirror,
    Onboarding,
    Partner,
    Pause,
    Rate,
    Recap,
    Repeat,
    Say,
    Script,
    Speaker,
    Step,
    Summary,
    Turn,
)

GRACE = 3.0
"""Seconds a speaker may run over a turn's end to finish the sentence."""
GRACE_PAUSE = 0.5
"""Seconds of silence that end the grace period."""
QUESTION_TIMEOUT = 8.0
"""Seconds the coach waits for an answer to its own questions (mirror check, ...)."""
PAUSE_REMINDER = 60.0
"""Seconds between reminders while paused."""
PAUSE_LIMIT = 30 * 60.0
"""Seconds paused after which the session ends by itself."""
CALM_PACE_SAMPLES = 30
"""Pace measurements (one per 30 ms block of speech) a calibration needs to teach the
couple's calm pace."""


class StopSession(Exception):
    """The session ends before the script does."""

    def __init__(self, reason: EndReason, farewell_said: bool = False) -> None:
        super().__init__(reason)
        self.reason: EndReason = reason
        self.farewell_said = farewell_said


@dataclass
class _TurnClock:
    """A turn's deadline, which moves on by whatever time the coach takes inside it."""

    start: float
    seconds: float
    coach_time: float = 0.0
    """Seconds of the coach speaking (warnings, nudges, breathing) inside the turn."""

    def __post_init__(self) -> None:
        self.deadline = self.start + self.seconds

    def interjected(self, seconds: float) -> None:
        """The coach took `seconds`: they do not eat into the speaker's time."""
        self.coach_time += seconds
        self.deadline += seconds


@dataclass
class _TurnRun:
    """What one turn's listening keeps between `listen` calls."""

    role: Speaker
    name: str
    clock: _TurnClock
    state: TurnState
    end_on_silence: float | None
    settings: ListenSettings
    """The session's listening settings with the turn's own over them."""
    warn: float | None = None
    """Seconds before the end to warn at (None: no warning, or already given)."""
    nudges: int = 0
    """Pace nudges given in this turn."""
    in_grace: bool = False
    """The time is up and the speaker is finishing the sentence."""


class Session:
    """One run of a script with a couple."""

    def __init__(
        self,
        script: Script,
        io: SessionIO,
        lang: Language,
        settings: ListenSettings,
        log: ev.EventLog,
        names: Sequence[str] = (),
        seed: int | None = None,
        history: Recent | None = None,
        couple: CoupleRecord | None = None,
        wake: str = "",
    ) -> None:
        """`history`: the couple's recent evenings, for a `recap` step (None: none known);
        `couple`: what the coach remembers of them (None: a fresh record in memory);
        `wake`: how to say the wake word that pauses this session ("": there is none)."""
        self.script = script
        self.io = io
        self.lang = lang
        self.settings = settings
        """Listening settings with the script's own over the user's (`build.listen_settings`)."""
        self.log = log
        given = [n.strip() for n in names if n.strip()]
        self.named = len(given) >= 2
        """Whether the coach knows both names; without them it speaks without names."""
        self.names: dict[Partner, str] = (
            {"A": given[0], "B": given[1]} if self.named else {"A": "A", "B": "B"}
        )
        """The partners' names, or A and B (in events only) when they are not known."""
        self.couple = couple or CoupleRecord()
        """What the coach remembers of this couple between evenings."""
        self.rng = random.Random(seed)
        self.talk: dict[Partner, PartnerTalk] = {"A": PartnerTalk(), "B": PartnerTalk()}
        self.shared = PartnerTalk()
        """Talk in turns of both partners."""
        self.breathing_pauses = 0
        self._overrides = dict(script.phrases)
        self._last_line = ""
        self._baseline: float | None = None
        self._cast: dict[Partner, Partner] = {"A": "A", "B": "B"}
        """Which partner plays each role of the script now (a swapping repeat changes it)."""
        self._last_speaker: Partner | None = None
        """Who spoke in the latest turn (for the cues that replace names)."""
        self._calm_pace = self.couple.calm_pace
        """The couple's calm pace, syllables per second (a calibration), if known."""
        self.history = history
        self.wake = wake
        self._pausing = False

    # -- the run --------------------------------------------------------------------

    def run(self) -> EndReason:
        """Run the whole script; returns why it ended (done, stop, input_ended, ...)."""
        names = [self.names["A"], self.names["B"]]
        self._emit(
            ev.SessionStarted,
            script=self.script.id,
            language=self.lang.code,
            names=names,
            mode=self.io.mode,
        )
        reason: EndReason = "error"  # replaced below unless something unexpected escapes
        try:
            if not self.io.can_understand and self.io.mode in ("live", "simulated"):
                # Nothing can hear "stop": say once how to stop (or pause) instead.
                key = "no_recognizer_wake" if self.wake else "no_recognizer"
                notice = self._phrase(key, wake=self.wake)
                self._emit(ev.Notice, code="no_recognizer", text=notice)
                self._say(notice)
            self._steps(self.script.steps, "")
            reason = "done"
        except KeyboardInterrupt:
            reason = "interrupted"
            raise
        except StopSession as stop:
            reason = stop.reason
            if not stop.farewell_said:
                self._farewell("stopped")
        except InputEnded as ended:
            reason = ended.reason
        except DiskFullError:
            reason = "disk_full"  # the events so far are in memory (and were printed)
        finally:
            try:
                self._emit(ev.SessionSummary, **self.summary_figures())
            except DiskFullError:
                reason = "disk_full"
            with contextlib.suppress(DiskFullError):
                self._emit(ev.SessionEnded, reason=reason)
            self._remember()
            self.io.close()
        return reason

    def _remember(self) -> None:
        """Keep the couple's record; a record that cannot be written costs the evening nothing."""
        try:
            self.couple.save()
        except FileError as err:
            with contextlib.suppress(DiskFullError):
                self._emit(ev.Notice, code="couple_record", text=f"not remembered: {err}")

    def _farewell(self, key: str) -> None:
        with contextlib.suppress(InputEnded):
            self._say(self._phrase(key), interruptible=False)

    def _steps(self, steps: Sequence[Step], prefix: str) -> None:
        for index, step in enumerate(steps):
            where = f"{prefix}{index}"
            self._emit(ev.StepStarted, step=where, kind=kind_of(step).name, line=step.line)
            self._step(step, where)

    def _step(self, step: Step, where: str) -> None:
        match step:
            case Say():
                self._say(self._pick(step.text))
            case Pause():
                self._wait(step.seconds)
            case Breathe():
                self._breathe(step, "script")
            case Turn():
                self._open_turn(step)
            case Mirror():
                self._mirror(step)
            case Ask():
                self._ask(step, where)
            case Repeat():
                self._repeat(step, where)
            case Calibrate():
                self._calibrate(step)
            case Summary():
                self._speak_summary(step)
            case Onboarding():
                self._onboarding(step)
            case End():
                if step.text:
                    self._say(self._pick(step.text), interruptible=False)
                raise StopSession("end_step", farewell_said=True)
            case Rate():
                self._rate(step)
            case Recap():
                for line in recap_lines(self.history, self._phrase, self.lang):
                    self._say(line)
            case _:
                unhandled(step)

    # -- speaking -------------------------------------------------------------------

    def _say(self, text: str, interruptible: bool = True, brief: bool = False) -> None:
        text = text.strip()
        if not text:
            return
        start = self.io.now()
        barged = self.io.say(text, brief=brief)
        self._emit(ev.Said, text=text, seconds=self.io.now() - start, t=start)
        self._last_line = text
        if barged == "stop" and interruptible:
            self._emit(ev.Command, name="stop", text="stop")
            raise StopSession("stop")
        if barged == "pause" and interruptible and not self._pausing:
            self._emit(ev.Command, name="pause", text="pause")
            self._paused()

    def _phrase(self, key: str, **values: object) -> str:
        if not self.named:
            return self.lang.phrase_unnamed(key, self.rng, self._overrides, **values)
        names = {"A": self.names["A"], "B": self.names["B"]}
        return self.lang.phrase(key, self.rng, self._overrides, **names, **values)

    def _pick(self, text: tuple[str, ...]) -> str:
        """One wording of a script's text, with the names of the partners who play A and B
        now (or, without names, none)."""
        chosen = pick(text, self.rng)
        if not self.named:
            return self.lang.without_names(chosen)
        return fill(chosen, {role: self.names[self._cast[role]] for role in ("A", "B")})

    @property
    def _hears(self) -> bool:
        """Whether spoken answers can come: a recogniser (or a terminal) is there, or this
        is a preview, which plays a couple that stays silent in front of a recogniser."""
        return self.io.can_understand or self.io.mode == "preview"

    def _label(self, who: Speaker) -> str:
        """A partner's name (A or B without names), or both joined, for events and text."""
        if who == "both":
            return self.lang.pair(self.names["A"], self.names["B"])
        return self.names[who]

    # -- waiting and commands -------------------------------------------------------

    def _wait(self, seconds: float) -> None:
        """Let `seconds` pass on the clock, obeying commands; `next` cuts it short."""
        until = self.io.now() + seconds
        while self.io.now() < until:
            heard = self._listen(ListenRequest(until=until, prompt="..."), TurnState())
            if heard.reason == "command":
                start = self.io.now()
                if self._command(heard) == "next":
                    return
                until += self.io.now() - start

    def _listen(self, request: ListenRequest, state: TurnState) -> Heard:
        heard = self.io.listen(request, state)
        if self._baseline is None and self.io.baseline_dbfs is not None:
            self._baseline = self.io.baseline_dbfs
            self._emit(ev.Baseline, dbfs=self._baseline, source="first_speech")
        return heard

    def _command(self, heard: Heard) -> str:
        """Act on a spoken command; returns it so the caller can end its step on `next`."""
        self._emit(ev.Command, name=heard.command, text=heard.text)
        if heard.command == "stop":
            raise StopSession("stop")
        if heard.command == "pause":
            self._paused()
        elif heard.command == "repeat" and self._last_line:
            self._say(self._last_line)
        return heard.command

    def _paused(self) -> None:
        self._pausing = True
        try:
            self._paused_until_continue()
        finally:
            self._pausing = False

    def _paused_until_continue(self) -> None:
        start = self.io.now()
        self._emit(ev.Paused)
        self._say(self._phrase("paused"))
        while True:
            heard = self._listen(ListenRequest(until=self.io.now() + PAUSE_REMINDER), TurnState())
            if heard.reason == "command" and heard.command == "stop":
                self._emit(ev.Command, name="stop", text=heard.text)
                raise StopSession("stop")
            if heard.reason == "command" and heard.command in ("continue", "next"):
                self._emit(ev.Command, name=heard.command, text=heard.text)
                break
            if self.io.now() - start >= PAUSE_LIMIT:
                raise StopSession("paused_too_long")
            if heard.reason == "time":
                self._say(self._phrase("still_paused"))
        self._emit(ev.Resumed, after=self.io.now() - start)
        self._say(self._phrase("resumed"))

    # -- turns ----------------------------------------------------------------------

    def _open_turn(self, step: Turn) -> None:
        """A script's turn: its opening words (after a cue where names are unknown), then
        the turn with the turn's own settings over the session's."""
        who: Speaker = "both" if step.speaker == "both" else self._cast[step.speaker]
        if step.prompt:
            prompt = self._pick(step.prompt)
        elif who == "both":
            prompt = self._phrase("turn_open_both")
        else:
            prompt = self._phrase("turn_open", name=self.names[who])
        cue = "" if self.named or who == "both" else self._phrase(self._cue(who))
        self._say(f"{cue} {prompt}")
        settings = self.settings.with_overrides(step.overrides())
        self._turn(who, step.seconds, step.warn_before, step.end_on_silence, settings=settings)

    def _cue(self, who: Partner) -> str:
        """Which phrase says whose turn it is when names are unknown."""
        if self._last_speaker is None:
            return "turn_first"
        return "turn_again" if self._last_speaker == who else "turn_other"

    def _turn(
        self,
        who: Speaker,
        seconds: float,
        warn_before: float | None,
        end_on_silence: float | None,
        part: ev.TurnPart = "turn",
        settings: ListenSettings | None = None,
    ) -> ev.TurnEndReason:
        """One partner (or both) speaks; returns why the turn ended.

        The turn is recorded even when the session stops or the input ends inside it:
        what the couple already did is never lost.
        """
        name = self._label(who)
        self.io.start_turn(None if who == "both" else who)  # "both": open talk
        turn = _TurnClock(start=self.io.now(), seconds=seconds)
        state = TurnState()
        self._emit(ev.TurnStarted, speaker=name, role=who, seconds=seconds, part=part)
        run = _TurnRun(who, name, turn, state, end_on_silence, settings or self.settings)
        run.warn = warn_before if warn_before is not None and warn_before < seconds else None
        reason: ev.TurnEndReason = "command"
        try:
            reason = self._listen_through_turn(run)
        except InputEnded as ended:
            reason = ended.reason
            raise
        finally:
            self._count_talk(who, turn.start, state)
            self._last_speaker = None if who == "both" else who
            self._emit(
                ev.TurnEnded,
                speaker=name,
                role=who,
                seconds=self.io.now() - turn.start - turn.coach_time,
                speech_seconds=state.speech_seconds,
                reason=reason,
            )
            self.io.start_turn(None)  # open talk again until the next turn
        self.io.chime()
        if part == "turn":
            if who == "both":
                key = "turn_end_both"
            else:
                key = "turn_end" if reason == "time" else "turn_silence_end"
            self._say(self._phrase(key, name=name))
        return reason

    def _listen_through_turn(self, run: _TurnRun) -> ev.TurnEndReason:
        """Listen until the turn ends; each reason `listen` gives has one handler that
        returns the turn's end reason, or None to go on listening."""
        handlers: dict[str, Callable[[Heard, _TurnRun], ev.TurnEndReason | None]] = {
            "warn": self._turn_warned,
            "raised": self._turn_raised,
            "pace": self._turn_paced,
            "command": self._turn_commanded,
            "time": self._turn_timed_out,
            "silence": self._turn_finished,
            "done": self._turn_finished,
        }
        while True:
            heard = self._listen(self._turn_request(run), run.state)
            began = self.io.now()
            handler = handlers.get(heard.reason)
            ended = handler(heard, run) if handler is not None else None
            if ended is not None:
                return ended
            run.clock.interjected(self.io.now() - began)

    def _count_talk(self, who: Speaker, start: float, state: TurnState) -> None:
        """Add a finished turn's speech to the talk figures. In a turn of both, what the
        listening recognised as each partner's voice is theirs; the rest is shared."""
        if who != "both":
            self.talk[who].add_turn(start, state.speech_seconds, state.pace_samples)
            return
        known = 0.0
        for role in ("A", "B"):
            seconds = min(state.by_voice.get(role, 0.0), state.speech_seconds - known)
            self.talk[role].add_turn(start, seconds, ())
            known += seconds
        self.shared.add_turn(start, state.speech_seconds - known, state.pace_samples)

    def _turn_request(self, run: _TurnRun) -> ListenRequest:
        pace_watch = run.nudges < run.settings.pace_nudges_per_turn and not run.in_grace
        return ListenRequest(
            until=run.clock.deadline,
            warn_at=run.clock.deadline - run.warn
            if run.warn is not None and not run.in_grace
            else None,
            end_on_silence=GRACE_PAUSE if run.in_grace else run.end_on_silence,
            watch_raised=run.settings.breathing_pause,
            watch_pace=self._pace_limit(run.settings) if pace_watch else None,
            prompt=run.name,
        )

    def _turn_warned(self, heard: Heard, run: _TurnRun) -> ev.TurnEndReason | None:
        self._emit(ev.TurnWarning, speaker=run.name, remaining=run.warn or 0.0)
        self._say(self._phrase("turn_warning", name=run.name, seconds=round(run.warn or 0)))
        run.warn = None
        return None

    def _turn_raised(self, heard: Heard, run: _TurnRun) -> ev.TurnEndReason | None:
        self._breathing_pause(heard.over_db, run)
        return None

    def _turn_paced(self, heard: Heard, run: _TurnRun) -> ev.TurnEndReason | None:
        self._emit(
            ev.PaceFeedback,
            speaker=run.name,
            syllables_per_s=heard.pace_sps,
            words_syllables_per_s=heard.words_sps,
        )
        key = "pace_nudge_both" if run.role == "both" else "pace_nudge"
        self._say(self._phrase(key, name=run.name))
        run.nudges += 1
        return None

    def _turn_commanded(self, heard: Heard, run: _TurnRun) -> ev.TurnEndReason | None:
        return "command" if self._command(heard) == "next" else None

    def _turn_timed_out(self, heard: Heard, run: _TurnRun) -> ev.TurnEndReason | None:
        if run.state.in_speech and not run.in_grace:
            run.in_grace = True  # let them finish the sentence
            run.clock.deadline = self.io.now() + GRACE
            return None
        return "time"

    def _turn_finished(self, heard: Heard, run: _TurnRun) -> ev.TurnEndReason | None:
        if run.in_grace:
            return "time"
        return "done" if heard.reason == "done" else "silence"

    def _pace_limit(self, settings: ListenSettings) -> float | None:
        """Syllables per second above which a speaker is asked to slow down (None: off).

        The reference is the target, or the couple's own calm pace where it is known
        and higher: nobody is asked to slow down below the pace they had when calm.
        """
        if not settings.pace_feedback:
            return None
        reference = max(settings.pace_target, self._calm_pace or 0.0)
        return reference * (1.0 + settings.pace_margin)

    # -- questions ------------------------------------------------------------------

    def _choose(
        self, prompt: str, answers: list[str], timeout: float, default: str | None
    ) -> str | None:
        """Ask, listen for one of `answers`, ask once more, then take `default` and say so
        (None: no answer is taken, and the caller goes on without one).

        Silence is never an answer. `next` takes the default at once; after a breathing
        pause the question is asked afresh (it did not get a fair chance). Without a
        recogniser nothing can be heard: the coach asks, and says which answer it takes
        (without a default it leaves the couple the time to answer each other).
        """
        if not self._hears:
            self._say(prompt)
            if default is None:
                self._wait(timeout)
            self._emit(ev.Answer, text="", matched=default or "", default=True)
            if default is not None:
                self._say(self._phrase("ask_unheard", answer=default))
            return default
        if self.io.mode == "preview":
            return self._preview_answer(prompt, answers, timeout)
        attempts = 2
        text, asked = prompt, 0
        while asked < attempts:
            self._say(text)
            outcome, answer = self._await_answer(prompt, answers, timeout)
            if outcome == "answer":
                return answer
            if outcome == "next":
                break
            if outcome == "again":
                text = prompt
                continue
            asked += 1
            text = self._phrase("ask_again", answers=self.lang.either(answers))
        self._emit(ev.Answer, text="", matched=default or "", default=True)
        if default is not None:
            self._say(self._phrase("ask_default", answer=default))
        return default

    def _preview_answer(self, prompt: str, answers: list[str], timeout: float) -> str:
        """A preview plays the script as written: the question, its time to answer, and
        then the first answer (what silence would take is the couple's, not the coach's)."""
        self._say(prompt)
        self._wait(timeout)
        self._emit(ev.Answer, text="", matched=answers[0], default=False)
        return answers[0]

    def _await_answer(
        self, prompt: str, answers: list[str], timeout: float
    ) -> tuple[Literal["answer", "time", "next", "again"], str]:
        """Listen up to `timeout` seconds (commands extend it by their own length)."""
        until = self.io.now() + timeout
        while True:
            request = ListenRequest(
                until=until,
                answers=answers,
                watch_raised=self.settings.breathing_pause,
                prompt=f"{prompt} ({self.lang.either(answers)})",
            )
            heard = self._listen(request, TurnState())
            if heard.reason == "answer":
                self._emit(ev.Answer, text=heard.text, matched=heard.answer)
                return "answer", heard.answer
            if heard.reason == "raised":
                self._breathing_pause(heard.over_db, None)
                return "again", ""
            if heard.reason != "command":
                return "time", ""
            start = self.io.now()
            if self._command(heard) == "next":
                return "next", ""
            until += self.io.now() - start

    def _ask(self, step: Ask, where: str) -> None:
        answers = [word for word, _ in step.answers]
        chosen = self._choose(self._pick(step.prompt), answers, step.timeout, step.fallback)
        answer = chosen or step.fallback
        self._steps(step.branch(answer), f"{where}.{answer}.")

    def _yes(self, prompt: str, default: bool | None) -> bool | None:
        """A yes/no question of the coach's own; None when nothing was heard and there is
        no default."""
        yes, no = self.lang.keywords["yes"], self.lang.keywords["no"]
        fallback = None if default is None else (yes if default else no)
        chosen = self._choose(prompt, [yes, no], QUESTION_TIMEOUT, fallback)
        return None if chosen is None else chosen == yes

    # -- repeats and onboarding -----------------------------------------------------

    def _repeat(self, step: Repeat, where: str) -> None:
        """The steps `times` times; with `swap` the partners exchange roles each round."""
        exchanged = self._starts_exchanged(step, where)
        for round_ in range(step.times):
            swap = exchanged != (step.swap and round_ % 2 == 1)
            cast = self._cast
            if swap:
                self._cast = {"A": cast["B"], "B": cast["A"]}
            try:
                self._steps(step.steps, f"{where}.")
            finally:
                self._cast = cast

    def _starts_exchanged(self, step: Repeat, where: str) -> bool:
        """Whether partner B takes role A in the first round (see `model.Start`)."""
        if step.start == "random":
            return self.rng.random() < 0.5
        if step.start != "alternate":
            return step.start == "B"
        key = f"{self.script.id}@{where}"
        exchanged = self.couple.starts.get(key) == self._cast["A"]
        self.couple.starts[key] = self._cast["B"] if exchanged else self._cast["A"]
        return exchanged

    def _onboarding(self, step: Onboarding) -> None:
        """Said on a couple's first evening only, and remembered at once. An evening the
        journal already knows earlier sessions of is not a first one either."""
        if self.history is not None and self.history.sessions_before > 0:
            self.couple.onboarded = True
        if self.couple.onboarded:
            return
        if step.text:
            self._say(self._pick(step.text))
        else:
            self._say(self._phrase("onboarding"))
            self._say(self._phrase("onboarding_safety"))
            if self._hears:
                self._say(self._phrase("onboarding_commands"))
        self.couple.onboarded = True
        self._remember()

    # -- ratings --------------------------------------------------------------------

    def _rate(self, step: Rate) -> None:
        """The question once, what the ends mean, then each partner's number in turn.

        Without a recogniser nothing can be heard: the step is left out (a preview
        still speaks it, with the planned silences)."""
        if not self.io.can_understand and self.io.mode != "preview":
            return
        self._say(self._pick(step.prompt))
        top = self.lang.count(step.scale)
        if step.low and step.high:
            self._say(self._phrase("rate_labels", low=step.low, high=step.high, top=top))
        first = self._cast[step.first]
        second: Partner = "B" if first == "A" else "A"
        for role in (first, second):
            self._rate_one(step, role, top)

    def _rate_one(self, step: Rate, role: Partner, top: str) -> None:
        """Ask one partner; an unclear answer is asked once more; a skip or silence skips."""
        name = self.names[role]
        cue = "" if self.named else self._phrase(self._cue(role))
        text = f"{cue} {self._phrase('rate_ask', name=name)}".strip()
        self._last_speaker = role
        value: int | None = None
        for _ in range(2):
            self._say(text)
            outcome = self._await_rating(step, name)
            if isinstance(outcome, int):
                value = outcome
                break
            if outcome != "unclear":
                break
            text = self._phrase("rate_again", name=name, top=top)
        self._emit(ev.Rating, speaker=name, role=role, value=value, scale=step.scale)
        if value is None:
            self._say(self._phrase("rate_skipped", name=name))
        else:
            self._say(self._phrase("rate_heard", name=name, value=self.lang.count(value)))

    def _await_rating(self, step: Rate, name: str) -> int | Literal["skip", "unclear"]:
        """Listen up to the step's timeout for a number (commands extend it); silence
        and `next` skip."""
        words = self.lang.rating_words(step.scale)
        until = self.io.now() + step.timeout
        while True:
            request = ListenRequest(
                until=until,
                answers=words,
                unclear=True,
                prompt=f"{name} (1-{step.scale})",
            )
            heard = self._listen(request, TurnState())
            if heard.reason in ("answer", "unclear"):
                parsed = self.lang.parse_rating(heard.text, step.scale)
                return "unclear" if parsed is None else parsed
            if heard.reason != "command":
                return "skip"
            start = self.io.now()
            if self._command(heard) == "next":
                return "skip"
            until += self.io.now() - start

    # -- mirroring ------------------------------------------------------------------

    def _mirror(self, step: Mirror) -> None:
        """The loop for the sender, then (with `swap`) for the receiver as the sender."""
        first: tuple[Partner, Partner] = (self._cast[step.sender], self._cast[step.receiver])
        pairs = [first, (first[1], first[0])] if step.swap else [first]
        for index, (sender, receiver) in enumerate(pairs):
            roles = {"sender": self.names[sender], "receiver": self.names[receiver]}
            if index > 0:
                self._say(self._phrase("mirror_swap", **roles))
            elif step.prompt:
                self._say(self._pick(step.prompt))
            else:
                self._say(self._phrase("mirror_open", **roles))
            messages = self._mirror_rounds(step, sender, receiver, roles)
            self._mirror_closing(step, receiver, roles, messages)
        roles = {"sender": self.names[first[0]], "receiver": self.names[first[1]]}
        self._say(self._phrase("mirror_close", **roles))

    def _mirror_rounds(
        self, step: Mirror, sender: Partner, receiver: Partner, roles: dict[str, str]
    ) -> int:
        """Up to `rounds` messages, each mirrored and checked; "is there more?" between.
        Returns how many messages the sender gave."""
        for round_ in range(step.rounds):
            self._say(self._phrase("mirror_send" if round_ == 0 else "mirror_more_go", **roles))
            self._mirror_turn(step, sender, "message")
            self._say(self._phrase("mirror_reflect", **roles))
            self._mirror_turn(step, receiver, "mirror")
            self._mirror_checked(step, sender, receiver, roles)
            if round_ == step.rounds - 1 or not self._hears:
                return round_ + 1  # without a recogniser "is there more?" goes unheard
            if not self._yes(self._phrase("mirror_more", **roles), default=False):
                return round_ + 1
        return step.rounds

    def _mirror_checked(
        self, step: Mirror, sender: Partner, receiver: Partner, roles: dict[str, str]
    ) -> None:
        """Each mirror is checked; at most `corrections` corrections, each mirrored again.
        A check nobody answers is not a yes: the coach says it heard nothing and goes on."""
        for attempt in range(step.corrections + 1):
            confirmed = self._yes(self._phrase("mirror_check", **roles), default=None)
            if confirmed is None and self._hears:
                self._say(self._phrase("mirror_unheard"))
            if confirmed is not False or attempt == step.corrections:
                return
            self._say(self._phrase("mirror_correct", **roles))
            self._mirror_turn(step, sender, "correction")
            self._say(self._phrase("mirror_reflect_again", **roles))
            self._mirror_turn(step, receiver, "mirror")

    def _mirror_closing(
        self, step: Mirror, receiver: Partner, roles: dict[str, str], messages: int
    ) -> None:
        """After more than one message the receiver sums up; then validation and empathy."""
        closing: list[tuple[str, ev.TurnPart]] = []
        if messages > 1:
            closing.append(("mirror_summarize", "summary"))
        if step.validate:
            closing.append(("mirror_validate", "validation"))
        if step.empathize:
            closing.append(("mirror_empathize", "empathy"))
        for key, part in closing:
            self._say(self._phrase(key, **roles))
            self._mirror_turn(step, receiver, part)

    def _mirror_turn(self, step: Mirror, role: Partner, part: ev.TurnPart) -> None:
        seconds = step.seconds if part in ("message", "correction") else step.mirror_seconds
        self._turn(role, seconds or step.seconds, step.warn_before, step.end_on_silence, part)

    # -- breathing ------------------------------------------------------------------

    def _breathe(self, step: Breathe, reason: ev.BreathingReason, intro: bool = True) -> None:
        """Speak the breathing plan on the clock; counts that would come late are left out.
        `intro` False: the caller has just said what this is (a breathing pause)."""
        self._emit(ev.BreathingStarted, reason=reason)
        began = self.io.now()
        if intro:
            self._say(self._pick(step.intro) if step.intro else self._phrase("breathe_intro"))
        cues, seconds = breathing_plan(step)
        start = self.io.now()
        for cue in cues:
            late = self.io.now() - (start + cue.at_s)
            if cue.optional and late > LATE_BY:
                continue
            self._wait(max(0.0, -late))
            text = self.lang.count(cue.count) if cue.count else self._phrase(cue.phrase)
            self._say(text, brief=True)
        self._wait(max(0.0, start + seconds - self.io.now()))
        self._say(self._phrase("breathe_done"))
        self._emit(ev.BreathingEnded, seconds=self.io.now() - began)

    def _breathing_pause(self, over_db: float, run: _TurnRun | None) -> None:
        """Voices rose: one sentence names it kindly and opens the breathing; then go on
        (naming whose turn it was) or stop for tonight, which silence chooses."""
        self._emit(ev.RaisedVoice, over_db=over_db, speaker=run.name if run else "")
        self.breathing_pauses += 1
        self._say(self._phrase("raised_voice"))
        self._breathe(self.script.settings.breathing or Breathe(), "raised_voice", intro=False)
        self.io.after_breathing()
        go_on, stop = self.lang.keywords["continue"], self.lang.keywords["stop"]
        offer = self._phrase("breathing_offer")
        if self._choose(offer, [go_on, stop], QUESTION_TIMEOUT, stop) == stop:
            self._farewell("stop_for_evening")
            raise StopSession("stop_for_evening", farewell_said=True)
        if run is None:
            self._say(self._phrase("resume"))
        elif run.role == "both":
            self._say(self._phrase("resume_both"))
        else:
            self._say(self._phrase("resume_turn", name=run.name))

    # -- calibration and summary ----------------------------------------------------

    def _calibrate(self, step: Calibrate) -> None:
        """The couple talk calmly: the coach learns their level and their calm pace."""
        self._say(self._pick(step.prompt) if step.prompt else self._phrase("calibrate_open"))
        self.io.start_turn()  # a fresh pace window
        self.io.begin_calibration()
        state = TurnState()
        until = self.io.now() + step.seconds
        while self.io.now() < until:
            heard = self._listen(ListenRequest(until=until), state)
            if heard.reason == "command":
                self._command(heard)
        baseline = self.io.end_calibration()
        if baseline is not None:
            self._baseline = baseline
            self._emit(ev.Baseline, dbfs=baseline, source="calibrate")
        if len(state.pace_samples) >= CALM_PACE_SAMPLES:
            samples = sorted(state.pace_samples)
            self._calm_pace = self.couple.calm_pace = samples[len(samples) // 2]
            self._emit(ev.CalmPace, syllables_per_s=self._calm_pace)
        self._say(self._phrase("calibrate_done"))

    def summary_figures(self) -> dict[str, Any]:
        """Talk time per partner, balance, pauses and mean pace, for the summary event."""
        return summary.figures(self.names, self.talk, self.breathing_pauses, self.shared)

    def _speak_summary(self, step: Summary) -> None:
        lines = summary.spoken_lines(
            self._phrase,
            self.lang,
            self.names,
            self.talk,
            self.breathing_pauses,
            summary.Parts(step.talk, step.pauses, step.pace),
            self.shared,
            named=self.named,
        )
        for line in lines:
            self._say(line)

    # -- events ---------------------------------------------------------------------

    def _emit(self, cls: type[ev.Event], t: float | None = None, **fields: Any) -> None:
        self.log.emit(cls(t=self.io.now() if t is None else t, **fields))
