"""The coach's own voice, leaked from its speaker into the microphone, on a real
PulseAudio server (tests/pulse_rig.py) and its echo canceller (`module-echo-cancel`,
WebRTC). A loopback plays the speaker back into the room, as laptop speakers do.
(How much the canceller itself removes cannot be measured on this rig: on null sinks,
which have no clock of their own, the module keeps resynchronising and its source
stalls.)

- `audio.echo.probe` finds the canceller and `doctor` says whether it is on;
- a live session with the coach's voice leaking in at the level of the partner's own
  speech hears no raised voice, and counts only the partner's speech as theirs.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from tests.engine_support import espeak, script_of
from tests.pulse_rig import RIG_RATE, PulseRig, pulse_rig_fixture  # noqa: F401
from voice_coach.audio.echo import probe, use_environment
from voice_coach.commands.doctor import check_echo_cancel
from voice_coach.config import AudioSettings, Config
from voice_coach.engine.events import Event
from voice_coach.engine.live import live_session
from voice_coach.engine.runner import RunOptions
from voice_coach.script.model import Say, Turn
from voice_coach.speech.espeak import EspeakVoice

pytestmark = [pytest.mark.pulse, pytest.mark.slow]


@pytest.fixture(scope="module")
def leak(pulse_rig: PulseRig) -> Iterator[str]:
    """The coach's speaker played back into the room at full level; yields the module id."""
    module = pulse_rig.pactl(
        "load-module",
        "module-loopback",
        "source=coach_speaker.monitor",
        "sink=room",
        "latency_msec=30",
        "source_dont_move=true",
        "sink_dont_move=true",
    ).strip()
    time.sleep(0.5)  # the loopback starts moving
    # The coach's voice really comes back in: as loud as the partner's own speech.
    env = {**os.environ, **pulse_rig.env}
    loudest = -120.0
    for _ in range(3):  # a loaded machine may start the loopback late
        loudest = max(loudest, _leaked_level(env))
        if loudest > -30.0:
            break
    assert loudest > -30.0, loudest
    yield module
    pulse_rig.pactl("unload-module", module)


def _record(device: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            "parec",
            f"--device={device}",
            "--format=float32le",
            f"--rate={RIG_RATE}",
            "--channels=1",
            "--raw",
            "--latency-msec=20",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def _leaked_level(env: dict[str, str]) -> float:
    """Loudest half second (dBFS) of the microphone while a line plays on the speaker."""
    mic = _record("coach_mic", env)
    parts: list[bytes] = []
    started = threading.Event()

    def collect() -> None:
        assert mic.stdout is not None
        while chunk := mic.stdout.read1(65536):
            parts.append(chunk)
            started.set()

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    started.wait(timeout=10)  # parec takes a few tenths of a second to connect
    voice = espeak("Welkom Anna en Bram.", "nl", 150)  # -20 dBFS, as the partner's speech
    pacat = ["pacat", "--playback", "--device=coach_speaker", "--format=float32le"]
    pacat += [f"--rate={RIG_RATE}", "--channels=1", "--raw", "--latency-msec=30"]
    samples = voice.to_rate(RIG_RATE).samples.astype("<f4").tobytes()
    subprocess.run(pacat, input=samples, env=env, check=True, timeout=30)
    time.sleep(0.5)
    mic.terminate()
    mic.wait(timeout=10)
    reader.join(timeout=10)
    raw = b"".join(parts)
    heard = np.frombuffer(raw[: len(raw) - len(raw) % 4], "<f4")
    half = RIG_RATE // 2
    if len(heard) < half:
        return -120.0
    starts = range(0, max(1, len(heard) - half), half // 2)
    return max((_dbfs(heard[i : i + half]) for i in starts), default=-120.0)


def _dbfs(samples: np.ndarray) -> float:
    return 10 * float(np.log10(np.mean(samples.astype(np.float64) ** 2) + 1e-12))


def test_a_live_session_never_takes_the_coachs_voice_for_a_partners(
    pulse_rig: PulseRig, leak: str
) -> None:
    # No canceller: the engine's own deafness while it speaks is what protects it.
    script = script_of(
        Say(("Welkom Anna en Bram. Fijn dat jullie er zijn vanavond.",)),
        Turn("A", 30, ("{A}, vertel over je dag.",), end_on_silence=2.0),
        Say(("Dank jullie wel. Tot morgen.",)),
    )
    speech = espeak("Vandaag was een rustige dag. Ik heb lang gewandeld in het park.")
    events: list[Event] = []
    players = []

    def on_event(event: Event) -> None:
        events.append(event)
        if event.type == "turn_started":
            players.append(pulse_rig.play_into_mic(speech))

    config = Config(audio=AudioSettings(mic="coach_mic", speaker="coach_speaker"))
    options = RunOptions(names=["Anna", "Bram"], listeners=[on_event])
    result: dict[str, str] = {}

    def session() -> None:
        result["reason"] = live_session(script, config, options, EspeakVoice("nl"), None)

    thread = threading.Thread(target=session)
    thread.start()
    thread.join(timeout=90)
    assert not thread.is_alive(), "the live session did not end"
    assert result["reason"] == "done"
    kinds = [e.type for e in events]
    assert "raised_voice" not in kinds
    (ended,) = [e.to_dict() for e in events if e.type == "turn_ended"]
    assert ended["reason"] == "silence"
    # Anna's speech is hers; the coach's lines before and after it are not.
    assert ended["speech_seconds"] == pytest.approx(speech.seconds, rel=0.35)


def test_probe_and_doctor_see_the_canceller(pulse_rig: PulseRig) -> None:
    # Last in this module: unloading the canceller leaves the rig's sinks unsettled.
    before = probe()
    assert before.server == "PulseAudio" and not before.available
    check = check_echo_cancel(before)
    assert check.status == "WARN" and "module-echo-cancel" in check.message
    module = pulse_rig.pactl(
        "load-module",
        "module-echo-cancel",
        "source_master=coach_mic",
        "sink_master=coach_speaker",
        "aec_method=webrtc",
    ).strip()
    try:
        found = probe()
        assert found.source == "coach_mic.echo-cancel"
        assert found.sink == "coach_speaker.echo-cancel"
        assert found.available and not found.active
        assert use_environment(found) == {
            "PULSE_SOURCE": "coach_mic.echo-cancel",
            "PULSE_SINK": "coach_speaker.echo-cancel",
        }
        assert check_echo_cancel(found).status == "OK"
        pulse_rig.pactl("set-default-source", "coach_mic.echo-cancel")
        assert probe().active and "active" in check_echo_cancel().message
    finally:
        pulse_rig.pactl("set-default-source", "coach_mic")
        pulse_rig.pactl("unload-module", module)
