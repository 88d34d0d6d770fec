"""Simulation speed: seconds of session per wall-clock second, for a ten-minute script."""

from __future__ import annotations

import time

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.sim import TrackSpeaker, WavMicrophone
from voice_coach.config import ListenSettings
from voice_coach.engine.build import Ports, audio_session
from voice_coach.engine.events import EventLog
from voice_coach.script.model import Mirror, Script, Turn
from voice_coach.speech.voice import FakeVoice


def main() -> None:
    steps = [Turn("A" if i % 2 == 0 else "B", 60, ("Vertel.",), 10) for i in range(8)]
    steps.append(Mirror("A", "B", 45, rounds=2, swap=True))
    script = Script(id="bench", title="Bench", language="nl", steps=tuple(steps))
    mic = WavMicrophone(AudioChunk.silence(900, LISTEN_RATE))
    ports = Ports(mic, TrackSpeaker(), FakeVoice())
    session, io = audio_session(script, ListenSettings(), ports, "simulated", EventLog(), seed=0)
    started = time.perf_counter()
    session.run()
    wall = time.perf_counter() - started
    print(f"simulated {io.now():.0f} s of session in {wall:.2f} s wall")
    print(f"simulation speed: {io.now() / wall:.0f} audio seconds per wall second")


if __name__ == "__main__":
    main()
