"""Wiring, once: the audio IO and the session for a script, whatever the mode.

Live, simulated and preview sessions differ only in their ports (where sound comes
from and goes to, which voice and recogniser) and their mode; everything else — the
script's settings over the user's, the listener, the coach's speech rate, the echo
tail — is decided here, in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voice_coach.audio.ports import Microphone, Speaker
from voice_coach.config import ListenSettings
from voice_coach.engine.audio_io import AudioIO, Interrupt
from voice_coach.engine.couple import CoupleRecord
from voice_coach.engine.events import EventLog
from voice_coach.engine.history import Recent
from voice_coach.engine.io import AudioMode
from voice_coach.engine.session import Session
from voice_coach.lang import language
from voice_coach.listen.listener import Listener
from voice_coach.script.model import Script
from voice_coach.speech.recognizer import Recognizer
from voice_coach.speech.voice import Voice


@dataclass(frozen=True)
class Ports:
    """Where a session's sound comes from and goes to, and what speaks and hears."""

    mic: Microphone
    speaker: Speaker
    voice: Voice
    recognizer: Recognizer | None = None
    """Hears answers and commands (None: nothing can be understood)."""
    word_timer: Recognizer | None = None
    """A free-speech recogniser for the pace cross-check in turns (None: off)."""
    interrupt: Interrupt | None = None
    """Hears every block, also over the coach (`voice-coach serve`'s wake word: pause)."""


def listen_settings(base: ListenSettings, script: Script) -> ListenSettings:
    """The user's listening settings with the script's own settings over them."""
    return base.with_overrides(script.settings.overrides())


def audio_io(script: Script, settings: ListenSettings, ports: Ports, mode: AudioMode) -> AudioIO:
    """The audio IO for `script`; `settings` already hold the script's overrides."""
    return AudioIO(
        ports.mic,
        ports.speaker,
        ports.voice,
        language(script.language),
        Listener(settings),
        speech_rate=script.rate,
        recognizer=ports.recognizer,
        word_timer=ports.word_timer,
        mode=mode,
        echo_tail=settings.echo_tail,
        interrupt=ports.interrupt,
    )


def audio_session(
    script: Script,
    base: ListenSettings,
    ports: Ports,
    mode: AudioMode,
    log: EventLog,
    names: Sequence[str] = (),
    seed: int | None = None,
    history: Recent | None = None,
    couple: CoupleRecord | None = None,
    wake: str = "",
) -> tuple[Session, AudioIO]:
    """A session of `script` on the audio clock, and its IO (for the clock and output);
    `history` is what a `recap` step speaks from, `couple` what the coach remembers of
    the couple (None: a fresh record in memory), `wake` how to say the wake word that
    pauses it (`ports.interrupt`; "" for none)."""
    settings = listen_settings(base, script)
    io = audio_io(script, settings, ports, mode)
    lang = language(script.language)
    session = Session(
        script, io, lang, settings, log, names, seed, history=history, couple=couple, wake=wake
    )
    return session, io
