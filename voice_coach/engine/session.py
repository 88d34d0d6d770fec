"""The step interpreter: runs a script's steps against a `SessionIO`.

All timing is on the IO's clock (audio samples for live and simulated sessions).
The session decides; the IO only speaks and listens. Steps are handled one method
each; turns and the mirroring loop share `TurnRunner`, questions share `_choose`.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from voice_coach.config import ListenSettings
from voice_coach.engine import events as ev
from voice_coach.engine import summary
from voice_coach.engine.breathing import LATE_BY, breathing_plan
from voice_coach.engine.io import Heard, InputEnded, ListenRequest, SessionIO, TurnState
from voice_coach.engine.summary import PartnerTalk
from voice_coach.files import DiskFullError
from voice_coach.lang import Language, fill, pick
from voice_coach.script.model import (
    Ask,
    Breathe,
    Calibrate,
    End,
    Mirror,
    Partner,
    Pause,
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

    def __init__(self, reason: str, farewell_said: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
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
    ) -> None:
        self.script = script
        self.io = io
        self.lang = lang
        self.settings = settings.with_overrides(script.settings.overrides())
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

    # -- the run --------------------------------------------------------------------

    def run(self) -> str:
        """Run the whole script; returns why it ended (done, stop, input_ended, ...)."""
        names = [self.names["A"], self.names["B"]]
        self._emit(
            ev.SessionStarted,
            script=self.script.id,
            language=self.lang.code,
            names=names,
            mode=self.io.mode,
        )
        reason = "error"  # replaced below unless something unexpected escapes
        try:
            if (
                not self.io.can_understand
                and self.io.mode != "preview"
                and any(isinstance(s, Ask | Mirror) for s in walk(self.script.steps))
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
            self._emit(ev.StepStarted, step=where, kind=type(step).__name__.lower(), line=step.line)
            self._step(step, where)

    def _step(self, step: Step, where: str) -> None:
        if isinstance(step, Say):
            self._say(self._pick(step.text))
        elif isinstance(step, Pause):
            self._wait(step.seconds)
        elif isinstance(step, Breathe):
            self._breathe(step, "script")
        elif isinstance(step, Turn):
            if step.prompt:
                self._say(self._pick(step.prompt))
            self._turn(step.speaker, step.seconds, step.warn_before, step.end_on_silence)
        elif isinstance(step, Mirror):
            self._mirror(step)
        elif isinstance(step, Ask):
            self._ask(step, where)
        elif isinstance(step, Repeat):
            for _ in range(step.times):
                self._steps(step.steps, f"{where}.")
        elif isinstance(step, Calibrate):
            self._calibrate(step)
        elif isinstance(step, Summary):
            self._speak_summary()
        elif isinstance(step, End):
            if step.text:
                self._say(self._pick(step.text), interruptible=False)
            raise StopSession("end_step", farewell_said=True)

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
        part: str = "turn",
    ) -> str:
        """One partner speaks; returns why the turn ended.

        The turn is recorded even when the session stops or the input ends inside it:
        what the couple already did is never lost.
        """
        name = self.names[role]
        self.io.start_turn()
        turn = _TurnClock(start=self.io.now(), seconds=seconds)
        state = TurnState()
        self._emit(ev.TurnStarted, speaker=name, role=role, seconds=seconds, part=part)
        reason = "command"
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
    ) -> str:
        warn = warn_before if warn_before is not None and warn_before < turn.seconds else None
        nudges = 0
        in_grace = False
        while True:
            pace_watch = nudges < self.settings.pace_nudges_per_turn and not in_grace
            request = ListenRequest(
                until=turn.deadline,
                warn_at=turn.deadline - warn if warn is not None and not in_grace else None,
                end_on_silence=GRACE_PAUSE if in_grace else end_on_silence,
                watch_raised=self.settings.breathing_pause,
                watch_pace=self._pace_limit() if pace_watch else None,
                prompt=name,
            )
            heard = self._listen(request, state)
            interjection = self.io.now()
            if heard.reason == "warn":
                self._emit(ev.TurnWarning, speaker=name, remaining=warn or 0.0)
                self._say(self._phrase("turn_warning", name=name, seconds=round(warn or 0)))
                warn = None
            elif heard.reason == "raised":
                self._breathing_pause(heard.over_db, name)
            elif heard.reason == "pace":
                self._emit(
                    ev.PaceFeedback,
                    speaker=name,
                    syllables_per_s=heard.pace_sps,
                    words_syllables_per_s=heard.words_sps,
                )
                self._say(self._phrase("pace_nudge", name=name))
                nudges += 1
            elif heard.reason == "command" and self._command(heard) == "next":
                return "command"
            elif heard.reason == "time" and state.in_speech and not in_grace:
                in_grace = True  # let them finish the sentence
                turn.deadline = self.io.now() + GRACE
                continue
            elif heard.reason in ("time", "silence", "done"):
                return "time" if in_grace else heard.reason
            turn.interjected(self.io.now() - interjection)

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

    # -- mirroring ------------------------------------------------------------------

    def _mirror(self, step: Mirror) -> None:
        pairs: list[tuple[Partner, Partner]] = [(step.sender, step.receiver)]
        if step.swap:
            pairs.append((step.receiver, step.sender))
        mirror_seconds = step.mirror_seconds or step.seconds
        for index, (sender, receiver) in enumerate(pairs):
            roles = {"sender": self.names[sender], "receiver": self.names[receiver]}
            if index == 0:
                self._say(
                    self._pick(step.prompt) if step.prompt else self._phrase("mirror_open", **roles)
                )
            else:
                self._say(self._phrase("mirror_swap", **roles))
            for round_ in range(step.rounds):
                self._say(self._phrase("mirror_send" if round_ == 0 else "mirror_more_go", **roles))
                self._turn(sender, step.seconds, step.warn_before, step.end_on_silence, "message")
                self._say(self._phrase("mirror_reflect", **roles))
                self._turn(
                    receiver, mirror_seconds, step.warn_before, step.end_on_silence, "mirror"
                )
                # Each mirror is checked; at most `corrections` corrections per round.
                for correction in range(step.corrections + 1):
                    right = self._yes(self._phrase("mirror_check", **roles), default=True)
                    if right or correction == step.corrections:
                        break
                    self._say(self._phrase("mirror_correct", **roles))
                    self._turn(
                        sender, step.seconds, step.warn_before, step.end_on_silence, "correction"
                    )
                    self._say(self._phrase("mirror_reflect_again", **roles))
                    self._turn(
                        receiver, mirror_seconds, step.warn_before, step.end_on_silence, "mirror"
                    )
                last = round_ == step.rounds - 1
                if last or not self._yes(self._phrase("mirror_more", **roles), default=False):
                    break
        roles = {"sender": self.names[step.sender], "receiver": self.names[step.receiver]}
        self._say(self._phrase("mirror_close", **roles))

    # -- breathing ------------------------------------------------------------------

    def _breathe(self, step: Breathe, reason: str) -> None:
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
