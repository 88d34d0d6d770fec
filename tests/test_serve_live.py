"""`voice-coach serve` live on a real PulseAudio server (the test rig).

A wake word ("Okay Nabu", Piper joe) is played into the rig's virtual microphone; the
service hears it with the real model, chimes and starts the default exercise (no
recogniser here), and the chime and the coach's voice are recorded from the virtual
speaker. A real SIGTERM then stops the service, which exits its loop cleanly.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests import evenings
from tests.pulse_rig import PulseRig, pulse_rig_fixture  # noqa: F401
from voice_coach.audio.chunk import AudioChunk
from voice_coach.config import AudioSettings, Config, ScheduleSettings, ServeSettings
from voice_coach.engine import events as ev
from voice_coach.serve import events as sev
from voice_coach.serve.run import ServeOptions, serve
from voice_coach.speech.espeak import EspeakVoice

pytestmark = [pytest.mark.pulse, pytest.mark.slow]

SCRIPT = """\
id: kort
title: Kort
language: nl
spoken: [kort]
steps:
  - say: Fijn dat jullie er zijn. Dit is een korte oefening.
  - pause: 1
  - say: Dank jullie wel.
"""


def test_a_wake_word_into_the_microphone_starts_the_session_and_is_heard(
    pulse_rig: PulseRig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    scripts = tmp_path / "config" / "voice-coach" / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "kort.yaml").write_text(SCRIPT)
    config = Config(
        audio=AudioSettings(mic="coach_mic", speaker="coach_speaker"),
        serve=ServeSettings(default_script="kort", enabled_hours="00:00-23:59"),
        # No nightly invitation: this runs on the wall clock, and after 21:00 the
        # invitation came before the wake word.
        schedule=ScheduleSettings(checkin=""),
    )
    events: list[tuple[float, ev.Event]] = []
    started = threading.Event()
    ended = threading.Event()

    def on_event(event: ev.Event) -> None:
        events.append((time.monotonic(), event))
        if isinstance(event, sev.ServeStarted):
            started.set()
        if isinstance(event, sev.Idle):
            ended.set()

    wake = AudioChunk(evenings.okay_nabu("piper"), evenings.RATE)

    def drive() -> None:
        try:
            assert started.wait(60)
            time.sleep(1.0)
            pulse_rig.play_into_mic(wake).wait(timeout=20)
            ended.wait(60)
            time.sleep(0.5)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)  # what systemd sends on stop

    recording = pulse_rig.start_recording()
    helper = threading.Thread(target=drive, daemon=True)
    helper.start()
    reason, _ = serve(
        config,
        ServeOptions(listeners=[on_event]),
        voice_for=lambda code: EspeakVoice("nl"),
        recognizer_for=lambda code: None,
        log=lambda line: None,
    )
    audio = recording.stop()
    helper.join(timeout=10)
    assert reason == "shutdown"

    kinds = [e.type for _, e in events]
    assert kinds[:3] == ["serve_started", "wake", "awake"], kinds
    assert "session_started" in kinds and kinds[-1] == "serve_stopped"
    session_end = next(e for _, e in events if isinstance(e, ev.SessionEnded))
    assert session_end.reason == "done"
    (chosen,) = [e for _, e in events if isinstance(e, sev.ExerciseChosen)]
    assert (chosen.script, chosen.how) == ("kort", "default")

    # Heard on the speaker: first the chime (its first tone is 659 Hz), then the coach.
    samples, rate = audio.samples, audio.rate
    loud = np.flatnonzero(np.abs(samples) > 0.02)
    assert len(loud), "nothing was heard on the speaker"
    first = int(loud[0])
    window = samples[first : first + rate // 8]
    spectrum = np.abs(np.fft.rfft(window * np.hanning(len(window))))
    peak_hz = float(np.fft.rfftfreq(len(window), 1 / rate)[int(np.argmax(spectrum))])
    assert abs(peak_hz - 659.25) < 40, peak_hz
    said = [e for _, e in events if isinstance(e, ev.Said)]
    assert any("korte oefening" in s.text for s in said)
    after_chime = samples[first + rate : first + 12 * rate]
    assert float(np.max(np.abs(after_chime))) > 0.05  # the coach's voice after the chime
