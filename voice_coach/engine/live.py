"""A live session: the sound card's microphone and speaker, in real time.

Reading the microphone is what makes time pass. A lost device pauses the session
(the microphone's `read` waits for it); one that stays away ends the session with
reason `device_lost`, after everything said so far is in the event log.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from voice_coach.audio.chunk import LISTEN_RATE, Samples
from voice_coach.audio.ports import Microphone
from voice_coach.audio.wav import WavWriter
from voice_coach.config import Config, data_dir
from voice_coach.engine.audio_io import AudioIO
from voice_coach.engine.build import Ports, audio_session
from voice_coach.engine.events import EndReason, Notice
from voice_coach.engine.io import InputEnded
from voice_coach.engine.prompts import fixed_lines
from voice_coach.engine.runner import RunOptions, make_log, run_logged, word_timer_for
from voice_coach.files import DiskFullError, private_dir
from voice_coach.lang import language
from voice_coach.script.model import Script
from voice_coach.speech.recognizer import Recognizer
from voice_coach.speech.voice import PrerenderingVoice, Voice


class GuardedMicrophone:
    """Turns a device that stayed away into the end of the input."""

    def __init__(self, mic: Microphone, lost: type[Exception]) -> None:
        self._mic = mic
        self._lost = lost

    def read(self, frames: int) -> Samples | None:
        try:
            return self._mic.read(frames)
        except self._lost as err:
            raise InputEnded("device_lost") from err

    def close(self) -> None:
        self._mic.close()


class RecordingMicrophone:
    """Streams what the microphone hears to a WAV at `path`, when the couple asked for it.

    The file is private and in place from the first block: after a crash (even
    `kill -9`) it is a WAV of everything heard until then; `close` fixes its header.
    A full disk ends the session (`DiskFullError`); the recording keeps what fitted.
    """

    def __init__(self, mic: Microphone, path: Path) -> None:
        self._mic = mic
        private_dir(path.parent)
        self._out: WavWriter | None = WavWriter(path, LISTEN_RATE, "recording", visible=True)
        self.path = path

    def read(self, frames: int) -> Samples | None:
        block = self._mic.read(frames)
        if block is not None and self._out is not None:
            try:
                self._out.write(block)
            except DiskFullError:
                self._out.abort()
                self._out = None
                raise
        return block

    def close(self) -> None:
        self._mic.close()
        if self._out is not None:
            out, self._out = self._out, None
            out.close()


def live_session(
    script: Script,
    config: Config,
    options: RunOptions,
    voice: Voice,
    recognizer: Recognizer | None,
    mic_name: str | None = None,
    speaker_name: str | None = None,
) -> EndReason:
    """Run `script` on the sound card; returns why the session ended."""
    from voice_coach.audio.devices import DeviceError, DeviceLost
    from voice_coach.audio.live import LiveMicrophone, LiveSpeaker

    log, writer = make_log(options)
    clock: list[AudioIO] = []

    def on_status(code: str, message: str) -> None:
        print(f"voice-coach: {message}", file=sys.stderr, flush=True)
        log.emit(Notice(t=clock[0].now() if clock else 0.0, text=message, code=code))

    _use_echo_cancellation(config, mic_name, speaker_name, on_status)
    try:
        speaker = LiveSpeaker.from_settings(config.audio, on_status, speaker_name)
        live_mic = LiveMicrophone.from_settings(config.audio, on_status, mic_name)
    except DeviceError as err:
        if writer is not None:
            writer.close()
        raise DeviceError(f"{err} (see `voice-coach devices`)") from err
    recording = None
    if config.privacy.keep_recordings:
        stamp = time.strftime("%Y-%m-%d-%H%M%S")
        where = data_dir() / "recordings" / f"{stamp}-{script.id}.wav"
        recording = RecordingMicrophone(live_mic, where)
    mic = GuardedMicrophone(recording or live_mic, DeviceLost)
    ports = Ports(mic, speaker, voice, recognizer, word_timer_for(recognizer, config))
    session, io = audio_session(
        script,
        config.listen,
        ports,
        "live",
        log,
        options.names,
        options.seed,
        history=options.history,
        couple=options.couple,
    )
    clock.append(io)
    lang = language(script.language)
    background = (
        voice.prerender(fixed_lines(script, lang, options.names), script.rate)
        if isinstance(voice, PrerenderingVoice)
        else None
    )
    try:
        reason = run_logged(session, writer)
    finally:
        if background is not None:
            background.stop()
        mic.close()
    return reason


def _use_echo_cancellation(
    config: Config,
    mic_name: str | None,
    speaker_name: str | None,
    on_status: Callable[[str, str], None],
) -> None:
    """With no devices chosen, record and play through the sound server's echo-cancelling
    pair when it has one that is not already the default (`audio.echo`)."""
    from voice_coach.audio.echo import probe, use_environment

    if mic_name or speaker_name or config.audio.mic or config.audio.speaker:
        return
    environment = use_environment(probe())
    if environment:
        os.environ.update(environment)
        on_status(
            "echo_cancel",
            f"echo cancellation on: recording from {environment['PULSE_SOURCE']}, "
            f"playing through {environment['PULSE_SINK']}",
        )
