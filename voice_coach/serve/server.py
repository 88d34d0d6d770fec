"""The always-on loop: one microphone stream for idle listening and every session.

Idle, each 30 ms block goes to the wake-word model only (and the clock is checked for
the invitation). On the wake word the coach chimes, asks which exercise, and runs it
with the engine's `Session` on the same microphone; afterwards, past a refractory
second or two, it listens for the wake word again. Live and simulated evenings run
this same loop: only the microphone, the speaker and the wall-clock start differ.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from voice_coach.audio.chunk import Samples
from voice_coach.audio.ports import Speaker
from voice_coach.config import Config, data_dir
from voice_coach.engine import events as ev
from voice_coach.engine.audio_io import BLOCK, AudioIO
from voice_coach.engine.build import Ports, audio_session
from voice_coach.engine.couple import load_record
from voice_coach.engine.events import EndReason
from voice_coach.engine.history import Recent
from voice_coach.engine.io import Heard, InputEnded, ListenRequest, TurnState
from voice_coach.engine.live import RecordingMicrophone
from voice_coach.lang import language
from voice_coach.listen.listener import Listener
from voice_coach.script.model import Script
from voice_coach.serve import chooser
from voice_coach.serve import events as sev
from voice_coach.serve.clock import ServeClock, within
from voice_coach.serve.lines import LINES, Lines, wake_name
from voice_coach.serve.machine import IdleMachine
from voice_coach.serve.mic import Log, OffsetSpeaker, ServeMicrophone, SessionMicrophone, Shutdown
from voice_coach.serve.notify import Notifier
from voice_coach.serve.schedule import CheckinDone, Invitations
from voice_coach.serve.shelf import Shelf, Skip
from voice_coach.serve.wake import WakeDetector
from voice_coach.speech.recognizer import Recognizer
from voice_coach.speech.voice import Voice

ServeMode = Literal["live", "simulated"]

FINISHED = ("done", "end_step")
"""Session end reasons that count as an exercise done (for skipping the invitation)."""
INVITE_WAKE_WINDOW = 10 * 60.0
"""Seconds after a spoken invitation (without a recogniser) in which the wake word starts
the invited exercise rather than the default one."""
SUGGESTED = (
    "avond-checkin",
    "evening-checkin",
    "spiegelen",
    "mirroring",
    "ademhaling",
    "breathing",
)
"""Built-in exercises the coach names as examples after the wake word (after the configured
ones; a couple's own scripts are still heard by name)."""
DESK_RATE = 0.9
"""Speech speed of the coach's own questions (1.0: the voice's normal pace)."""
GOODBYE_WITHIN = 2.0
"""Seconds the closing line on shutdown may take, rendering included."""
KEEP_EVENTS = 2000
"""Events the service keeps in memory (all of them go to the listeners and the file)."""


class ServeLog(ev.EventLog):
    """An event log that keeps only the last `KEEP_EVENTS` in memory: it runs for weeks."""

    def __init__(self) -> None:
        super().__init__()
        self.recent: deque[ev.Event] = deque(maxlen=KEEP_EVENTS)

    def emit(self, event: ev.Event) -> None:
        self.recent.append(event)
        for listener in self._listeners:
            listener(event)


class SessionRecord(Protocol):
    """Where one session is remembered (the journal's recorder): every event, then close."""

    def __call__(self, event: ev.Event) -> None:
        """Take one of the session's events (session time)."""
        ...

    def close(self) -> None:
        """The session is over: write what is left."""
        ...


@dataclass
class Parts:
    """What the service is built from; tests and the command line fill it."""

    mic: ServeMicrophone
    speaker: Speaker
    wake: WakeDetector
    voice_for: Callable[[str], Voice]
    """The coach's voice for a language code."""
    recognizer_for: Callable[[str], Recognizer | None]
    """A recogniser for a language code (None: none is installed)."""
    shelf: Callable[[Config, Skip], Shelf]
    """Reads the exercises (again on SIGHUP), telling `Skip` about each broken script."""
    words_for: Callable[[Recognizer | None], Recognizer | None] = lambda _: None
    """The free-speech recogniser for the pace cross-check in sessions (None: none)."""
    journal_for: Callable[[Script, dt.datetime], SessionRecord | None] = lambda s, t: None
    """The journal's recorder for a session of a script starting at a wall-clock time
    (None: the journal is off, or cannot be used tonight)."""
    history_for: Callable[[dt.datetime], Recent | None] = lambda t: None
    """The couple's recent evenings at a wall-clock time, for a `recap` step."""
    reload_config: Callable[[], Config] | None = None
    """Reads the config file again on SIGHUP (None: keep the one given)."""
    wall_now: Callable[[], dt.datetime] | None = None
    """Live: the real clock, to rebase on after the microphone was away. None simulated."""
    notifier: Notifier = field(default_factory=lambda: Notifier({}))
    log: Log = lambda text: None


@dataclass(frozen=True)
class Done:
    """One session the service ran."""

    script: str
    reason: str
    date: dt.date


class Server:
    """The evening loop; `run()` returns why it stopped."""

    def __init__(
        self,
        config: Config,
        parts: Parts,
        clock: ServeClock,
        log: ev.EventLog,
        *,
        mode: ServeMode = "live",
        checkin_done: CheckinDone | None = None,
        seed: int | None = None,
    ) -> None:
        self.config = config
        self.parts = parts
        self.mic = parts.mic
        self.clock = clock
        self.log = log
        self.mode: ServeMode = mode
        self.seed = seed
        self.machine = IdleMachine(config.serve.refractory)
        self.invitations = Invitations(config.schedule)
        self.sessions: list[Done] = []
        """Sessions run by this service, in order."""
        self._journal_done = checkin_done or (lambda day: False)
        self.reload_requested = False
        """Set by SIGHUP: config and scripts are read again before the next wake."""
        self._shelf = self._load_shelf()
        self._hours = config.serve.hours
        self._told_no_recognizer = False
        self._invited_at: float | None = None
        self._hearing: bool | None = None
        self._reopened = 0
        self._session_paused = False
        self._last_invite_check = -1

    # -- the loop -------------------------------------------------------------------

    def run(self) -> str:
        """Listen until the input ends or a shutdown; returns input_ended or shutdown."""
        start = self.clock.wall(self.mic.seconds)
        self._emit(
            sev.ServeStarted,
            at=start.isoformat(timespec="seconds"),
            wake_word=self._wake_id,
            mode=self.mode,
        )
        # Load the voice and find the recogniser now, not between the wake word and the chime.
        self.parts.voice_for(self._shelf.language)
        self.parts.recognizer_for(self._shelf.language)
        self.parts.notifier.ready(f"listening for {self._wake_id}")
        reason = "input_ended"
        try:
            while True:
                block = self.mic.read(BLOCK)
                if block is None:
                    break
                self._step(block)
        except InputEnded:  # the WAV ended while the coach spoke or asked
            reason = "input_ended"
        except Shutdown:
            reason = "shutdown"
        except KeyboardInterrupt:
            reason = "interrupted"
        finally:
            self.parts.notifier.stopping()
            self._emit(sev.ServeStopped, at=self._at(), reason=reason)
        return reason

    def _step(self, block: Samples) -> None:
        now = self.mic.seconds
        self._rebase()
        self.machine.tick(now)
        hearing = within(self.clock.wall(now).time(), self._hours)
        if hearing != self._hearing:
            self._hearing = hearing
            self.parts.notifier.status(
                f"listening for {self._wake_id}" if hearing else "deaf outside enabled_hours"
            )
            if not hearing:
                self.parts.wake.reset()  # nothing heard before the quiet hours carries over
        if not hearing:
            return  # the block is dropped unheard
        hit = self.parts.wake.process(block)
        if not self.machine.listening:
            return
        if self.reload_requested:
            self._reload()
        if hit is not None:
            self._emit(sev.Wake, at=self._at(), model=hit.model, score=hit.score)
            self._guarded(self._woken)
        elif int(now) != self._last_invite_check:  # once per audio second is enough
            self._last_invite_check = int(now)
            if self.invitations.due(self.clock.wall(now), self.checkin_done):
                self._guarded(self._invite)

    def _guarded(self, awake: Callable[[], None]) -> None:
        """Run an awake phase; an unexpected error is logged and the coach goes back to idle."""
        try:
            awake()
        except (Shutdown, InputEnded, KeyboardInterrupt):
            raise
        except Exception:  # a broken voice or recogniser must not end the evening
            self.parts.log(f"back to idle after an error:\n{traceback.format_exc().rstrip()}")
            self.mic.in_session = False
            if self.machine.phase in ("awake", "session"):
                self._finish("error")

    def _rebase(self) -> None:
        if self.parts.wall_now is not None and self.mic.reopened != self._reopened:
            self._reopened = self.mic.reopened
            self.clock.rebase(self.parts.wall_now(), self.mic.seconds)

    # -- awake ----------------------------------------------------------------------

    def _woken(self) -> None:
        self.machine.wake(self.mic.seconds)
        self._emit(sev.Awake, at=self._at(), why="wake")
        desk = self._desk()
        desk.chime()
        invited = (
            self._invited_at is not None
            and self.mic.seconds - self._invited_at <= INVITE_WAKE_WINDOW
        )
        if invited:
            self._invited_at = None
            script = self._shelf.get(self.config.schedule.script)
            if script is not None:
                self._run(script, "", "invitation")
                return
        choice = self._choose(desk)
        if choice is None:
            return
        script, heard, how = choice
        self._run(script, heard, how)

    def _choose(self, desk: AudioIO) -> tuple[Script, str, str] | None:
        """Ask which exercise; None when the couple cancelled or said nothing."""
        lines = self._lines
        default = self._shelf.get(self.config.serve.default_script)
        if not desk.can_understand:
            if default is None:
                self.parts.log(
                    f"the default script '{self.config.serve.default_script}' is not among the "
                    f"{self._shelf.language} scripts; set [serve] default_script"
                )
                self._finish("no_choice")
                return None
            if not self._told_no_recognizer:
                self._told_no_recognizer = True
                self._say(desk, lines.no_recognizer.format(title=default.title))
            return default, "", "default"
        offers = chooser.offers(list(self._shelf.scripts.values()))
        first = [self.config.schedule.script, self.config.serve.default_script, *SUGGESTED]
        names = chooser.examples(offers, first)
        self._say(desk, lines.which.format(examples=language(self._shelf.language).either(names)))
        heard = desk.listen(
            ListenRequest(
                until=desk.now() + self.config.serve.choose_timeout,
                answers=chooser.grammar(offers, lines.cancel),
            ),
            TurnState(),
        )
        said = heard.text if heard.reason in ("answer", "command") else ""
        offer = chooser.choose(said, offers) if said else None
        if offer is not None:
            return offer.script, said, "spoken"
        if said:
            self._say(desk, lines.cancelled)
            self._finish("cancelled")
        else:
            self._say(desk, lines.not_heard)
            self._finish("no_choice")
        return None

    # -- the invitation -------------------------------------------------------------

    def _invite(self) -> None:
        now = self.clock.wall(self.mic.seconds)
        if not self.machine.invite(self.mic.seconds):
            return
        attempt = self.invitations.asked(now)
        script_id = self.config.schedule.script
        self._emit(sev.Awake, at=self._at(), why="invitation")
        self._emit(sev.Invitation, at=self._at(), script=script_id, attempt=attempt)
        lines = self._lines
        desk = self._desk()
        desk.chime()
        script = self._shelf.get(script_id)
        if script is None:
            self.parts.log(f"the invitation's script '{script_id}' cannot be found; skipped")
            self.invitations.answered("none", now)
            self._finish("invitation_no_script")
            return
        if not desk.can_understand:
            wake = wake_name(lines, self._wake_id, getattr(self.parts.wake, "phrase", ""))
            self._say(desk, lines.invite_wake.format(wake=wake))
            self._invited_at = self.mic.seconds
            self.invitations.answered("none", now)
            self._emit(sev.InvitationAnswer, at=self._at(), answer="wake", heard="")
            self._finish("invitation_wake")
            return
        self._say(desk, lines.invite if attempt == 1 else lines.invite_again)
        heard = desk.listen(
            ListenRequest(
                until=desk.now() + self.config.serve.choose_timeout,
                answers=lines.answer_words(),
            ),
            TurnState(),
        )
        answer = self._invitation_answer(heard, lines)
        self._emit(sev.InvitationAnswer, at=self._at(), answer=answer, heard=heard.text)
        self.invitations.answered(answer, self.clock.wall(self.mic.seconds))  # type: ignore[arg-type]
        if answer == "yes":
            self._run(script, heard.text, "invitation")
            return
        evening = self.invitations.evening(self.clock.wall(self.mic.seconds))
        if answer == "later" and evening.next_ask is not None:
            self._say(desk, lines.later.format(minutes=f"{self.config.schedule.snooze:g}"))
        elif answer == "no":
            self._say(desk, lines.declined)
        else:
            self._say(desk, lines.unanswered)
        self._finish(f"invitation_{answer}")

    @staticmethod
    def _invitation_answer(heard: Heard, lines: Lines) -> str:
        if heard.reason == "command" and heard.command == "stop":
            return "no"
        if heard.reason not in ("answer", "command"):
            return "none"
        return lines.invitation_answer(heard.text)

    def checkin_done(self, day: dt.date) -> bool:
        """The seam the invitation asks: did `day`'s check-in happen (journal or here)?"""
        script = self.config.schedule.script
        here = any(
            d.date == day and d.script == script and d.reason in FINISHED for d in self.sessions
        )
        return here or self._journal_done(day)

    # -- a session ------------------------------------------------------------------

    def _run(self, script: Script, heard: str, how: str) -> None:
        """Run one exercise on the evening's microphone, then go back to idle."""
        self._emit(sev.ExerciseChosen, at=self._at(), script=script.id, heard=heard, how=how)
        self.machine.start_session(self.mic.seconds)
        day = self.clock.wall(self.mic.seconds).date()
        offset = self.mic.seconds
        log = ev.EventLog()
        log.subscribe(self._forward(offset))
        began = self.clock.wall(offset)
        record = self.parts.journal_for(script, began)
        if record is not None:
            log.subscribe(record)
        self.mic.in_session = True
        self._session_paused = False
        reason: EndReason = "error"
        # Only a session's own audio, and only when the couple asked: never idle audio.
        recording = None
        if self.config.privacy.keep_recordings:
            stamp = self.clock.wall(offset).strftime("%Y-%m-%d-%H%M%S")
            where = data_dir() / "recordings" / f"{stamp}-{script.id}.wav"
            recording = RecordingMicrophone(SessionMicrophone(self.mic), where)
        try:
            code = script.language
            recognizer = self.parts.recognizer_for(code)
            ports = Ports(
                recording or SessionMicrophone(self.mic),
                OffsetSpeaker(self.parts.speaker, offset),
                self.parts.voice_for(code),
                recognizer,
                self.parts.words_for(recognizer),
                interrupt=self._pause_on_wake,
            )
            history = self.parts.history_for(began)
            wake = wake_name(self._lines, self._wake_id, getattr(self.parts.wake, "phrase", ""))
            session, _ = audio_session(
                script,
                self.config.listen,
                ports,
                self.mode,
                log,
                self._names(),
                self.seed,
                history,
                couple=load_record() if self.mode == "live" else None,
                wake=wake,
            )
            reason = session.run()
        except Exception:  # one bad session must not end the evening
            self.parts.log(f"the session '{script.id}' failed:\n{traceback.format_exc().rstrip()}")
            if not any(isinstance(e, ev.SessionEnded) for e in log.events):
                log.emit(ev.SessionEnded(t=self.mic.seconds - offset, reason="error"))
        finally:
            self.mic.in_session = False
            if record is not None:
                record.close()
            if recording is not None:
                recording.close()  # the WAV's header; the evening's microphone stays open
        self.sessions.append(Done(script.id, reason, day))
        if reason == "shutdown":
            self._goodbye()
            raise Shutdown
        self.parts.wake.reset()
        self._finish(reason)

    def _pause_on_wake(self, block: Samples) -> Heard | None:
        """The wake word inside a session: pause (or continue, when already paused)."""
        hit = self.parts.wake.process(block)
        if hit is None:
            return None
        self._emit(sev.Wake, at=self._at(), model=hit.model, score=hit.score)
        command = "continue" if self._session_paused else "pause"
        return Heard("command", text=hit.model, command=command)

    def _forward(self, offset: float) -> ev.Subscriber:
        def forward(event: ev.Event) -> None:
            if isinstance(event, ev.Paused):
                self._session_paused = True
            elif isinstance(event, ev.Resumed):
                self._session_paused = False
            self.log.emit(dataclasses.replace(event, t=event.t + offset))

        return forward

    def _goodbye(self) -> None:
        """One short closing line on shutdown, if it can be heard within 2 s."""
        deadline = time.monotonic() + GOODBYE_WITHIN
        speaker = self.parts.speaker
        voice = self.parts.voice_for(self._shelf.language)
        try:
            start, played = self.mic.seconds, 0.0
            for chunk in voice.speak(self._lines.goodbye, 1.0):
                if time.monotonic() > deadline:
                    break
                speaker.play(chunk, start + played)
                played += chunk.seconds
            self._emit(ev.Said, text=self._lines.goodbye, seconds=played, t=start)
            while speaker.remaining_s() > 0 and time.monotonic() < deadline:
                time.sleep(0.05)
        except Exception as err:  # the service is stopping: never fail on the way out
            self.parts.log(f"could not say goodbye: {err}")

    # -- pieces ---------------------------------------------------------------------

    def _desk(self) -> AudioIO:
        """The coach's own voice and ears between sessions (the serve language)."""
        code = self._shelf.language
        return AudioIO(
            SessionMicrophone(self.mic),
            OffsetSpeaker(self.parts.speaker, self.mic.seconds),
            self.parts.voice_for(code),
            language(code),
            Listener(self.config.listen),
            speech_rate=DESK_RATE,
            recognizer=self.parts.recognizer_for(code),
            mode=self.mode,
            echo_tail=self.config.listen.echo_tail,
        )

    def _say(self, desk: AudioIO, text: str) -> None:
        start = desk.now()
        desk.say(text)
        self._emit(
            ev.Said,
            text=text,
            seconds=desk.now() - start,
            t=self.mic.seconds - (desk.now() - start),
        )

    def _finish(self, after: str) -> None:
        """Back towards idle (past the refractory period)."""
        self.machine.done(self.mic.seconds)
        self.parts.wake.reset()
        self._emit(sev.Idle, at=self._at(), after=after)

    def _reload(self) -> None:
        self.reload_requested = False
        if self.parts.reload_config is not None:
            try:
                self.config = self.parts.reload_config()
            except Exception as err:  # a broken config file keeps the old settings
                self.parts.log(f"kept the old settings: {err}")
        self.machine.refractory_s = self.config.serve.refractory
        self._hours = self.config.serve.hours
        self.invitations.settings = self.config.schedule
        self._shelf = self._load_shelf()
        self.parts.log(f"reloaded: {len(self._shelf.scripts)} scripts")

    def _load_shelf(self) -> Shelf:
        def skip(path: str, problem: str) -> None:
            self.parts.log(f"skipped a script that cannot be loaded: {problem}")
            self._emit(sev.ScriptSkipped, path=path, problem=problem)

        return self.parts.shelf(self.config, skip)

    def _names(self) -> list[str]:
        return [n.strip() for n in self.config.couple.names.split(",") if n.strip()][:2]

    @property
    def _lines(self) -> Lines:
        return LINES[self._shelf.language]

    @property
    def _wake_id(self) -> str:
        return self.parts.wake.model

    def _at(self) -> str:
        return self.clock.wall(self.mic.seconds).strftime("%H:%M:%S")

    def _emit(self, cls: type[ev.Event], t: float | None = None, **values: object) -> None:
        self.log.emit(cls(t=self.mic.seconds if t is None else t, **values))
