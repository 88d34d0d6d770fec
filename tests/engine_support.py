"""Building and running sessions in tests: code-built scripts, fake voice, WAV inputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.sim import TrackSpeaker, WavMicrophone
from voice_coach.config import ListenSettings
from voice_coach.engine.audio_io import AudioIO
from voice_coach.engine.build import Ports, audio_session
from voice_coach.engine.events import Event, EventLog
from voice_coach.engine.history import Recent
from voice_coach.script.model import Script, Step
from voice_coach.speech.recognizer import Recognizer
from voice_coach.speech.voice import FakeVoice


def script_of(*steps: Step, lang: str = "nl", **kwargs: Any) -> Script:
    """A script built in code."""
    return Script(id="test", title="Test", language=lang, steps=tuple(steps), **kwargs)


def silence(seconds: float) -> AudioChunk:
    """Digital silence at the listening rate."""
    return AudioChunk.silence(seconds, LISTEN_RATE)


def with_noise_floor(audio: AudioChunk, dbfs: float = -60.0, seed: int = 1) -> AudioChunk:
    """`audio` plus steady white noise at `dbfs` (a quiet room)."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, 10 ** (dbfs / 20), len(audio.samples)).astype(np.float32)
    return AudioChunk(audio.samples + noise, audio.rate)


def place(base: AudioChunk, clip: AudioChunk, at_s: float) -> AudioChunk:
    """`base` with `clip` mixed in at `at_s` seconds (base is extended if needed)."""
    clip = clip.to_rate(base.rate)
    start = round(at_s * base.rate)
    end = start + len(clip.samples)
    samples = np.concatenate(
        [base.samples, np.zeros(max(0, end - len(base.samples)), dtype=np.float32)]
    )
    samples[start:end] += clip.samples
    return AudioChunk(samples, base.rate)


def run(
    script: Script,
    mic_audio: AudioChunk,
    recognizer: Recognizer | None = None,
    names: Sequence[str] = ("Anna", "Bram"),
    settings: ListenSettings | None = None,
    word_timer: Recognizer | None = None,
    listeners: Sequence[Callable[[Event], None]] = (),
    history: Recent | None = None,
) -> tuple[str, EventLog, AudioIO, TrackSpeaker]:
    """Run a simulated session with the fake voice; returns (reason, log, io, speaker).

    `listeners` get every event as it happens (a journal recorder, ...); `history` is
    what a recap step speaks from.
    """
    speaker = TrackSpeaker()
    ports = Ports(WavMicrophone(mic_audio), speaker, FakeVoice(), recognizer, word_timer)
    log = EventLog()
    for listener in listeners:
        log.subscribe(listener)
    base = settings or ListenSettings()
    session, io = audio_session(
        script, base, ports, "simulated", log, names, seed=0, history=history
    )
    return session.run(), log, io, speaker


def events_of(log: EventLog, kind: str) -> list[dict[str, Any]]:
    """The events of one type as dicts."""
    return [e.to_dict() for e in log.events if e.type == kind]


def espeak(text: str, voice: str = "nl", words_per_minute: int = 150) -> AudioChunk:
    """Real speech from espeak-ng at the listening rate, trimmed, at -20 dBFS RMS."""
    from tests import speechgen

    return AudioChunk(speechgen.espeak(text, voice, words_per_minute).samples, LISTEN_RATE)
