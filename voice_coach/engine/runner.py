"""Builds and runs a session for each way of meeting a couple.

- simulated: a WAV is the microphone, the coach's voice goes into an output WAV;
- preview: nobody answers, turns last their planned length (a coach listens to a script);
- live: the sound card, through sounddevice;
- text: a terminal.
The session itself is the same object in every case.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from voice_coach.audio.sim import SilentMicrophone, TrackSpeaker, WavMicrophone
from voice_coach.config import Config
from voice_coach.engine.audio_io import AudioIO
from voice_coach.engine.build import Ports, audio_session, listen_settings
from voice_coach.engine.couple import CoupleRecord
from voice_coach.engine.events import EndReason, Event, EventLog, JsonlWriter, Notice
from voice_coach.engine.history import Recent
from voice_coach.engine.io import AudioMode
from voice_coach.engine.session import Session
from voice_coach.engine.text_io import TextIO
from voice_coach.lang import language
from voice_coach.printable import visible
from voice_coach.script.model import Script
from voice_coach.speech.recognizer import Recognizer, RecognizerError
from voice_coach.speech.voice import Voice

Notify = Callable[[str], None]


@dataclass
class RunOptions:
    """How to run a session (all optional)."""

    names: Sequence[str] = ()
    """The partners' names, A first."""
    seed: int | None = None
    """Seed for picking among wordings (simulations default to 0: repeatable)."""
    events_path: Path | None = None
    """Write the events as JSON lines here (readable by the user only)."""
    listeners: list[Callable[[Event], None]] = field(default_factory=list)
    """More consumers of events (the terminal log, the journal's recorder)."""
    history: Recent | None = None
    """The couple's recent evenings, for a `recap` step (the commands read the journal)."""
    couple: CoupleRecord | None = None
    """What the coach remembers of the couple (None: a fresh record in memory, as for a
    simulation or a preview)."""


def make_log(options: RunOptions) -> tuple[EventLog, JsonlWriter | None]:
    """An event log feeding the options' JSONL file and listeners."""
    log = EventLog()
    writer = JsonlWriter(options.events_path) if options.events_path else None
    if writer is not None:
        log.subscribe(writer)
    for listener in options.listeners:
        log.subscribe(listener)
    return log, writer


def repeatable(options: RunOptions) -> RunOptions:
    """The options with seed 0 unless one was given: simulations repeat exactly."""
    return options if options.seed is not None else dataclasses.replace(options, seed=0)


def run_logged(session: Session, writer: JsonlWriter | None) -> EndReason:
    """Run `session`, closing the event file `writer` (if any) however it ends."""
    try:
        return session.run()
    finally:
        if writer is not None:
            writer.close()


def run_audio(
    script: Script, config: Config, ports: Ports, mode: AudioMode, options: RunOptions
) -> tuple[EndReason, EventLog, AudioIO]:
    """Run `script` on the audio clock with `ports`; returns the end reason, the events
    and the IO (its clock says how long the session took)."""
    log, writer = make_log(options)
    try:
        session, io = audio_session(
            script,
            config.listen,
            ports,
            mode,
            log,
            options.names,
            options.seed,
            history=options.history,
            couple=options.couple,
        )
    except BaseException:
        if writer is not None:
            writer.close()
        raise
    return run_logged(session, writer), log, io


def simulate(
    script: Script,
    input_path: Path,
    voice: Voice,
    config: Config,
    options: RunOptions,
    output_path: Path | None = None,
    recognizer: Recognizer | None = None,
    word_timer: Recognizer | None = None,
) -> tuple[EndReason, EventLog, float]:
    """Run with a WAV as the microphone; returns (end reason, events, session seconds).

    The input is read and the output written as the session goes (both stream), so
    the length of the input costs time, not memory. A session that fails leaves no
    output WAV behind.
    """
    mic = WavMicrophone(input_path)
    speaker = TrackSpeaker(path=output_path)
    try:
        ports = Ports(mic, speaker, voice, recognizer, word_timer)
        reason, log, io = run_audio(script, config, ports, "simulated", repeatable(options))
        if reason == "disk_full":
            speaker.abort()
        else:
            speaker.finish(seconds=max(io.now(), mic.seconds))
    except BaseException:
        speaker.abort()
        raise
    finally:
        mic.close()
    return reason, log, io.now()


def preview(
    script: Script, voice: Voice, config: Config, output_path: Path, options: RunOptions
) -> tuple[EventLog, float]:
    """Render the coach's whole part; partner turns stay silent for their planned length."""
    speaker = TrackSpeaker(path=output_path)
    try:
        ports = Ports(SilentMicrophone(), speaker, voice)
        reason, log, io = run_audio(script, config, ports, "preview", repeatable(options))
        if reason == "disk_full":
            speaker.abort()
        else:
            speaker.finish(seconds=io.now())
    except BaseException:
        speaker.abort()
        raise
    return log, io.now()


def text_session(script: Script, config: Config, options: RunOptions) -> EndReason:
    """Run in the terminal: lines printed, turns and answers typed."""
    log, writer = make_log(options)
    lang = language(script.language)
    settings = listen_settings(config.listen, script)
    session = Session(
        script,
        TextIO(lang),
        lang,
        settings,
        log,
        options.names,
        options.seed,
        history=options.history,
        couple=options.couple,
    )
    return run_logged(session, writer)


def select_voice_for(script: Script, config: Config, notify: Notify) -> Voice:
    """The best voice available for the script's language, with a disk cache in front."""
    from voice_coach.speech.cache import CachedVoice
    from voice_coach.speech.select import select_voice

    voice = select_voice(script.language, config, notify)
    return CachedVoice(voice)


def recognizer_for(script: Script, config: Config, notify: Notify) -> Recognizer | None:
    """A recogniser for the script's language, or None (with a notice) when none is there."""
    from voice_coach.speech.vosk import open_recognizer

    try:
        recognizer = open_recognizer(script.language, config)
        recognizer.load()  # a model that does not load is found now, not mid-session
    except RecognizerError as err:
        notify(str(err))
        return None
    return recognizer


def word_timer_for(recognizer: Recognizer | None, config: Config) -> Recognizer | None:
    """A free-speech recogniser on the same model, for the pace cross-check in turns.

    None without a recogniser or when `pace_words` is off. The model is loaded once
    and shared, so this costs decoding time during turns, not memory.
    """
    from voice_coach.speech.vosk import VoskRecognizer

    if not config.listen.pace_words or not isinstance(recognizer, VoskRecognizer):
        return None
    return VoskRecognizer(recognizer.model_dir, recognizer.rate)


def notice_printer(log: EventLog | None = None) -> Notify:
    """Print a notice once on stderr (and record it when a log is given)."""
    seen: set[str] = set()

    def notify(text: str) -> None:
        if text in seen:
            return
        seen.add(text)
        print(f"voice-coach: {visible(text)}", file=sys.stderr)
        if log is not None:
            log.emit(Notice(t=0.0, text=text, code="notice"))

    return notify
