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
from voice_coach.engine.events import EndReason
from voice_coach.engine.history import Recent, recap_lines
from voice_coach.engine.io import Heard, InputEnded, ListenRequest, SessionIO, TurnState
from voice_coach.engine.summary import PartnerTalk
from voice_coach.files import DiskFullError
from voice_coach.lang import Language, fill, pick
from voice_coach.script.kinds import kind_of, unhandled
from voice_coach.script.model import (
    Ask,
    Breathe,
    Calibrate,
    End,
    Mirror,
    Partner,
    Pause,
    Rate,
    Recap,
    Repeat,
    Say,
    Script,
    Step,
    Summary,
    Turn,
    walk,
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

    name: str
    clock: _TurnClock
    state: TurnState
    end_on_silence: float | None
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
    ) -> None:
        """`history`: the couple's recent evenings, for a `recap` step (None: none known)."""
        self.script = script
        self.io = io
        self.lang = lang
        self.settings = settings
        """Listening settings with the script's own over the user's (`build.listen_settings`)."""
        self.log = log
        given = [n.strip() for n in names if n.strip()]
        self.names: dict[Partner, str] = {
            "A": given[0] if given else lang.default_names[0],
            "B": given[1] if len(given) > 1 else lang.default_names[1],
        }
        self.rng = random.Random(seed)
        self.talk: dict[Partner, PartnerTalk] = {"A": PartnerTalk(), "B": PartnerTalk()}
        self.breathing_pauses = 0
        self._overrides = dict(script.phrases)
        self._last_line = ""
        self._baseline: float | None = None
        self.history = history
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
            if (
                not self.io.can_understand
                and self.io.mode != "preview"
                and any(isinstance(s, Ask | Mirror | Rate) for s in walk(self.script.steps))
            ):
                notice = self._phrase("no_recognizer")
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
            self.io.close()
        return reason

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
                if step.prompt:
                    self._say(self._pick(step.prompt))
                self._turn(step.speaker, step.seconds, step.warn_before, step.end_on_silence)
            case Mirror():
                self._mirror(step)
            case Ask():
                self._ask(step, where)
            case Repeat():
                for _ in range(step.times):
                    self._steps(step.steps, f"{where}.")
            case Calibrate():
                self._calibrate(step)
            case Summary():
                self._speak_summary()
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
        names = {"A": self.names["A"], "B": self.names["B"]}
        return self.lang.phrase(key, self.rng, self._overrides, **names, **values)

    def _pick(self, text: tuple[str, ...]) -> str:
        return fill(pick(text, self.rng), {"A": self.names["A"], "B": self.names["B"]})

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

    def _turn(
        self,
        role: Partner,
        seconds: float,
        warn_before: float | None,
        end_on_silence: float | None,
        part: ev.TurnPart = "turn",
    ) -> ev.TurnEndReason:
        """One partner speaks; returns why the turn ended.

        The turn is recorded even when the session stops or the input ends inside it:
        what the couple already did is never lost.
        """
        name = self.names[role]
        self.io.start_turn(role)
        turn = _TurnClock(start=self.io.now(), seconds=seconds)
        state = TurnState()
        self._emit(ev.TurnStarted, speaker=name, role=role, seconds=seconds, part=part)
        reason: ev.TurnEndReason = "command"
        try:
            reason = self._listen_through_turn(name, turn, state, warn_before, end_on_silence)
        except InputEnded as ended:
            reason = ended.reason
            raise
        finally:
            talk = self.talk[role]
            talk.speech_seconds += state.speech_seconds
            talk.pace_samples.extend(state.pace_samples)
            self._emit(
                ev.TurnEnded,
                speaker=name,
                role=role,
                seconds=self.io.now() - turn.start - turn.coach_time,
                speech_seconds=state.speech_seconds,
                reason=reason,
            )
            self.io.start_turn(None)  # open talk again until the next turn
        self.io.chime()
        if part == "turn":
            key = "turn_end" if reason == "time" else "turn_silence_end"
            self._say(self._phrase(key, name=name))
        return reason

    def _listen_through_turn(
        self,
        name: str,
        turn: _TurnClock,
        state: TurnState,
        warn_before: float | None,
        end_on_silence: float | None,
    ) -> ev.TurnEndReason:
        """Listen until the turn ends; each reason `listen` gives has one handler that
        returns the turn's end reason, or None to go on listening."""
        run = _TurnRun(name, turn, state, end_on_silence)
        run.warn = warn_before if warn_before is not None and warn_before < turn.seconds else None
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
            heard = self._listen(self._turn_request(run), state)
            began = self.io.now()
            handler = handlers.get(heard.reason)
            ended = handler(heard, run) if handler is not None else None
            if ended is not None:
                return ended
            turn.interjected(self.io.now() - began)

    def _turn_request(self, run: _TurnRun) -> ListenRequest:
        pace_watch = run.nudges < self.settings.pace_nudges_per_turn and not run.in_grace
        return ListenRequest(
            until=run.clock.deadline,
            warn_at=run.clock.deadline - run.warn
            if run.warn is not None and not run.in_grace
            else None,
            end_on_silence=GRACE_PAUSE if run.in_grace else run.end_on_silence,
            watch_raised=self.settings.breathing_pause,
            watch_pace=self._pace_limit() if pace_watch else None,
            prompt=run.name,
        )

    def _turn_warned(self, heard: Heard, run: _TurnRun) -> ev.TurnEndReason | None:
        self._emit(ev.TurnWarning, speaker=run.name, remaining=run.warn or 0.0)
        self._say(self._phrase("turn_warning", name=run.name, seconds=round(run.warn or 0)))
        run.warn = None
        return None

    def _turn_raised(self, heard: Heard, run: _TurnRun) -> ev.TurnEndReason | None:
        self._breathing_pause(heard.over_db, run.name)
        return None

    def _turn_paced(self, heard: Heard, run: _TurnRun) -> ev.TurnEndReason | None:
        self._emit(
            ev.PaceFeedback,
            speaker=run.name,
            syllables_per_s=heard.pace_sps,
            words_syllables_per_s=heard.words_sps,
        )
        self._say(self._phrase("pace_nudge", name=run.name))
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

    def _pace_limit(self) -> float | None:
        if not self.settings.pace_feedback:
            return None
        return self.settings.pace_target * (1.0 + self.settings.pace_margin)

    # -- questions ------------------------------------------------------------------

    def _choose(self, prompt: str, answers: list[str], timeout: float, default: str) -> str:
        """Ask, listen for one of `answers`, ask once more, then take `default`.

        `next` takes the default at once; after a breathing pause the question is
        asked afresh (it did not get a fair chance).
        """
        attempts = 2 if self.io.can_understand else 1
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
        self._emit(ev.Answer, text="", matched=default, default=True)
        if self.io.can_understand:
            self._say(self._phrase("ask_default", answer=default))
        return default

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
                self._breathing_pause(heard.over_db, "")
                return "again", ""
            if heard.reason != "command":
                return "time", ""
            start = self.io.now()
            if self._command(heard) == "next":
                return "next", ""
            until += self.io.now() - start

    def _ask(self, step: Ask, where: str) -> None:
        answers = [word for word, _ in step.answers]
        chosen = self._choose(self._pick(step.prompt), answers, step.timeout, answers[0])
        branch = dict(step.answers)[chosen]
        self._steps(branch, f"{where}.{chosen}.")

    def _yes(self, prompt: str, default: bool) -> bool:
        yes, no = self.lang.keywords["yes"], self.lang.keywords["no"]
        return self._choose(prompt, [yes, no], QUESTION_TIMEOUT, yes if default else no) == yes

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
        second: Partner = "B" if step.first == "A" else "A"
        for role in (step.first, second):
            self._rate_one(step, role, top)

    def _rate_one(self, step: Rate, role: Partner, top: str) -> None:
        """Ask one partner; an unclear answer is asked once more; a skip or silence skips."""
        name = self.names[role]
        text = self._phrase("rate_ask", name=name)
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
        pairs: list[tuple[Partner, Partner]] = [(step.sender, step.receiver)]
        if step.swap:
            pairs.append((step.receiver, step.sender))
        for index, (sender, receiver) in enumerate(pairs):
            roles = {"sender": self.names[sender], "receiver": self.names[receiver]}
            if index > 0:
                self._say(self._phrase("mirror_swap", **roles))
            elif step.prompt:
                self._say(self._pick(step.prompt))
            else:
                self._say(self._phrase("mirror_open", **roles))
            self._mirror_rounds(step, sender, receiver, roles)
        roles = {"sender": self.names[step.sender], "receiver": self.names[step.receiver]}
        self._say(self._phrase("mirror_close", **roles))

    def _mirror_rounds(
        self, step: Mirror, sender: Partner, receiver: Partner, roles: dict[str, str]
    ) -> None:
        """Up to `rounds` messages, each mirrored and checked; "is there more?" between."""
        for round_ in range(step.rounds):
            self._say(self._phrase("mirror_send" if round_ == 0 else "mirror_more_go", **roles))
            self._mirror_turn(step, sender, "message")
            self._say(self._phrase("mirror_reflect", **roles))
            self._mirror_turn(step, receiver, "mirror")
            self._mirror_checked(step, sender, receiver, roles)
            if round_ == step.rounds - 1:
                return
            if not self._yes(self._phrase("mirror_more", **roles), default=False):
                return

    def _mirror_checked(
        self, step: Mirror, sender: Partner, receiver: Partner, roles: dict[str, str]
    ) -> None:
        """Each mirror is checked; at most `corrections` corrections, each mirrored again."""
        for _ in range(step.corrections):
            if self._yes(self._phrase("mirror_check", **roles), default=True):
                return
            self._say(self._phrase("mirror_correct", **roles))
            self._mirror_turn(step, sender, "correction")
            self._say(self._phrase("mirror_reflect_again", **roles))
            self._mirror_turn(step, receiver, "mirror")
        self._yes(self._phrase("mirror_check", **roles), default=True)

    def _mirror_turn(self, step: Mirror, role: Partner, part: ev.TurnPart) -> None:
        seconds = step.seconds if part != "mirror" else step.mirror_seconds or step.seconds
        self._turn(role, seconds, step.warn_before, step.end_on_silence, part)

    # -- breathing ------------------------------------------------------------------

    def _breathe(self, step: Breathe, reason: ev.BreathingReason) -> None:
        """Speak the breathing plan on the clock; counts that would come late are left out."""
        self._emit(ev.BreathingStarted, reason=reason)
        began = self.io.now()
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

    def _breathing_pause(self, over_db: float, speaker: str) -> None:
        """Voices rose: name it kindly, breathe together, then go on or stop for tonight."""
        self._emit(ev.RaisedVoice, over_db=over_db, speaker=speaker)
        self.breathing_pauses += 1
        self._say(self._phrase("raised_voice"))
        self._breathe(self.script.settings.breathing or Breathe(), "raised_voice")
        self.io.after_breathing()
        go_on, stop = self.lang.keywords["continue"], self.lang.keywords["stop"]
        offer = self._phrase("breathing_offer")
        if self._choose(offer, [go_on, stop], QUESTION_TIMEOUT, go_on) == stop:
            self._farewell("stop_for_evening")
            raise StopSession("stop_for_evening", farewell_said=True)
        self._say(self._phrase("resume"))

    # -- calibration and summary ----------------------------------------------------

    def _calibrate(self, step: Calibrate) -> None:
        self._say(self._pick(step.prompt) if step.prompt else self._phrase("calibrate_open"))
        self.io.begin_calibration()
        until = self.io.now() + step.seconds
        while self.io.now() < until:
            heard = self._listen(ListenRequest(until=until), TurnState())
            if heard.reason == "command":
                self._command(heard)
        baseline = self.io.end_calibration()
        if baseline is not None:
            self._baseline = baseline
            self._emit(ev.Baseline, dbfs=baseline, source="calibrate")
        self._say(self._phrase("calibrate_done"))

    def summary_figures(self) -> dict[str, Any]:
        """Talk time per partner, balance, pauses and mean pace, for the summary event."""
        return summary.figures(self.names, self.talk, self.breathing_pauses)

    def _speak_summary(self) -> None:
        lines = summary.spoken_lines(
            self._phrase, self.lang, self.names, self.talk, self.breathing_pauses
        )
        for line in lines:
            self._say(line)

    # -- events ---------------------------------------------------------------------

    def _emit(self, cls: type[ev.Event], t: float | None = None, **fields: Any) -> None:
        self.log.emit(cls(t=self.io.now() if t is None else t, **fields))
