"""Builds the service for a live or a simulated evening and runs it.

Live: the sound card's microphone and speaker, the real clock, signal handlers
(SIGTERM ends kindly, SIGHUP reloads) and systemd's notify socket. Simulated: a WAV
is the microphone, `start` is the wall-clock time of its first sample, and the coach's
voice goes into an output track. Both run `Server.run`, the same loop.
"""

from __future__ import annotations

import datetime as dt
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from voice_coach.audio.ports import Speaker
from voice_coach.audio.sim import TrackSpeaker, WavMicrophone
from voice_coach.config import Config, load_config
from voice_coach.engine import events as ev
from voice_coach.engine.events import JsonlWriter
from voice_coach.serve.clock import ServeClock
from voice_coach.serve.journal import ServeJournal
from voice_coach.serve.mic import Log, ServeMicrophone, log_line
from voice_coach.serve.notify import Notifier
from voice_coach.serve.schedule import CheckinDone
from voice_coach.serve.server import Parts, ServeLog, Server
from voice_coach.serve.shelf import Shelf, Skip, load_shelf
from voice_coach.serve.wake import MicroWakeWordDetector, WakeDetector
from voice_coach.speech.recognizer import Recognizer, RecognizerError
from voice_coach.speech.voice import Voice


@dataclass
class ServeOptions:
    """How to run the service (all optional)."""

    input_path: Path | None = None
    """Simulate: this WAV is the microphone."""
    start: dt.datetime | None = None
    """Simulate: the wall-clock time of the WAV's first sample (default: now)."""
    output_path: Path | None = None
    """Simulate: write the coach's voice here."""
    events_path: Path | None = None
    """Write every event (the service's and the sessions') as JSON lines here."""
    mic: str | None = None
    speaker: str | None = None
    seed: int | None = None
    listeners: list[ev.Subscriber] = field(default_factory=list)
    """More consumers of the service's events (the terminal log)."""
    journal: bool = False
    """Remember each session in the journal, and ask it whether tonight's check-in
    already happened and what to recap (`[privacy] journal`; simulations: `--journal`)."""
    journal_path: Path | None = None
    """The journal file (None: the user's, in the data folder)."""
    checkin_done: CheckinDone | None = None
    """Overrides the journal's answer to "did this date's check-in happen?" (tests)."""


def voices(config: Config, log: Log) -> Callable[[str], Voice]:
    """The best voice per language (Piper, else espeak-ng), with the disk cache in front."""
    from voice_coach.speech.cache import CachedVoice
    from voice_coach.speech.select import select_voice

    made: dict[str, Voice] = {}

    def voice_for(code: str) -> Voice:
        if code not in made:
            made[code] = CachedVoice(select_voice(code, config, log))
        return made[code]

    return voice_for


def recognizers(config: Config, log: Log) -> Callable[[str], Recognizer | None]:
    """A recogniser per language, or None (said once) when no model is installed."""
    from voice_coach.speech.vosk import open_recognizer

    made: dict[str, Recognizer | None] = {}

    def recognizer_for(code: str) -> Recognizer | None:
        if code not in made:
            try:
                made[code] = open_recognizer(code, config)
            except RecognizerError as err:
                log(str(err))
                made[code] = None
        return made[code]

    return recognizer_for


def shelf_loader(config: Config, skip: Skip) -> Shelf:
    """The exercises in the service's language (built-in and the user's own)."""
    return load_shelf(config.serve.language, skip)


@contextmanager
def signal_handlers(server: Server) -> Iterator[None]:
    """SIGTERM: end kindly (a session closes with one line); SIGHUP: reload between sessions."""

    def stop(signum: int, frame: FrameType | None) -> None:
        server.mic.stop_requested = True

    def reload(signum: int, frame: FrameType | None) -> None:
        server.reload_requested = True

    old_term = signal.signal(signal.SIGTERM, stop)
    old_hup = signal.signal(signal.SIGHUP, reload)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGHUP, old_hup)


@dataclass
class _Ends:
    """Where the evening's sound comes from and goes to, and its wall-clock start."""

    mic: ServeMicrophone
    speaker: Speaker
    start: dt.datetime
    track: TrackSpeaker | None = None
    """Simulated: the coach's output track (streamed to `--output`)."""
    wall_now: Callable[[], dt.datetime] | None = None
    """Live: the real clock (None simulated: time is the audio)."""


def _ends(config: Config, options: ServeOptions, log: Log, notifier: Notifier) -> _Ends:
    if options.input_path is None:
        mic, speaker = _live_devices(config, options, log, notifier)
        return _Ends(mic, speaker, dt.datetime.now(), wall_now=dt.datetime.now)
    path = options.input_path
    mic = ServeMicrophone(lambda: WavMicrophone(path), log=log, on_block=notifier.alive)
    track = TrackSpeaker(path=options.output_path)  # streams: an evening is long
    start = options.start or dt.datetime.now().replace(microsecond=0)
    return _Ends(mic, track, start, track=track)


def serve(
    config: Config,
    options: ServeOptions,
    *,
    wake: WakeDetector | None = None,
    voice_for: Callable[[str], Voice] | None = None,
    recognizer_for: Callable[[str], Recognizer | None] | None = None,
    log: Log = log_line,
) -> tuple[str, Server]:
    """Run the service until the input ends or a shutdown; returns (reason, server)."""
    from voice_coach.engine.runner import word_timer_for

    serve_log = ServeLog()
    writer = JsonlWriter(options.events_path) if options.events_path else None
    for subscriber in ([writer] if writer else []) + options.listeners:
        serve_log.subscribe(subscriber)
    notifier = Notifier()
    simulated = options.input_path is not None
    journal = ServeJournal(log, config.schedule.script, options.journal_path)
    try:
        ends = _ends(config, options, log, notifier)
        parts = Parts(
            mic=ends.mic,
            speaker=ends.speaker,
            wake=wake or MicroWakeWordDetector(config.wake),
            voice_for=voice_for or voices(config, log),
            recognizer_for=recognizer_for or recognizers(config, log),
            shelf=shelf_loader,
            words_for=lambda r: word_timer_for(r, config),
            reload_config=load_config,
            wall_now=ends.wall_now,
            notifier=notifier,
            log=log,
        )
        checkin_done = options.checkin_done
        if options.journal:
            parts.journal_for, parts.history_for = journal.record, journal.history
            checkin_done = checkin_done or journal.checkin_done
        server = Server(
            config,
            parts,
            ServeClock(ends.start, ends.mic.seconds),
            serve_log,
            mode="simulated" if simulated else "live",
            checkin_done=options.checkin_done
            or (journal.checkin_done if options.journal else None),
            seed=options.seed if options.seed is not None else (0 if simulated else None),
        )
        return _run(server, ends), server
    finally:
        if writer is not None:
            writer.close()


def _run(server: Server, ends: _Ends) -> str:
    """Run the evening; a simulated one's output track is whole, or not there at all."""
    try:
        with signal_handlers(server):
            reason = server.run()
    except BaseException:
        if ends.track is not None:
            ends.track.abort()  # no partial output WAV
        raise
    ends.mic.close()
    ends.speaker.close()
    if ends.track is not None:
        ends.track.finish(seconds=ends.mic.seconds)
    return reason


def _live_devices(
    config: Config, options: ServeOptions, log: Log, notifier: Notifier
) -> tuple[ServeMicrophone, Speaker]:
    from voice_coach.audio.devices import DeviceError, DeviceLost
    from voice_coach.audio.live import LiveMicrophone, LiveSpeaker

    def on_status(code: str, message: str) -> None:
        log(message)

    def open_mic() -> LiveMicrophone:
        return LiveMicrophone.from_settings(config.audio, on_status, options.mic)

    speaker = LiveSpeaker.from_settings(config.audio, on_status, options.speaker)
    try:
        mic = ServeMicrophone(
            open_mic, lost=(DeviceLost, DeviceError), log=log, on_block=notifier.alive
        )
    except DeviceError as err:
        speaker.close()
        raise DeviceError(f"{err} (see `voice-coach devices`)") from err
    return mic, speaker
