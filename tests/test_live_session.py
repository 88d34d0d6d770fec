"""A whole session live through sounddevice, on a real PulseAudio server.

The coach speaks into the rig's speaker (recorded from its monitor); a partner's
recorded speech is played into the rig's microphone when the turn starts. The test
checks the coach spoke when the events say, kept quiet during the turn, and ended the
turn on the partner's silence.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest

from tests.engine_support import espeak, script_of
from tests.pulse_rig import LEAD_IN_S, PulseRig, pulse_rig_fixture  # noqa: F401
from voice_coach.config import AudioSettings, Config
from voice_coach.engine.events import Event
from voice_coach.engine.live import live_session
from voice_coach.engine.runner import RunOptions
from voice_coach.script.model import Say, Turn
from voice_coach.speech.espeak import EspeakVoice

pytestmark = [pytest.mark.pulse, pytest.mark.slow]

SILENCE_END = 2.0


def _loud(samples: np.ndarray[Any, Any], rate: int, start: float, end: float) -> float:
    """Peak amplitude between two moments (seconds) of a recording."""
    part = samples[max(0, round(start * rate)) : max(0, round(end * rate))]
    return float(np.max(np.abs(part))) if len(part) else 0.0


def test_live_session_speaks_on_time_and_ends_the_turn_on_silence(pulse_rig: PulseRig) -> None:
    script = script_of(
        Say(("Welkom Anna en Bram.",)),
        Turn("A", 30, ("{A}, vertel over je dag.",), end_on_silence=SILENCE_END),
        Say(("Dank jullie wel.",)),
    )
    speech = espeak("Vandaag was een rustige dag. Ik heb lang gewandeld in het park.")
    events: list[tuple[float, Event]] = []
    players = []

    def on_event(event: Event) -> None:
        events.append((time.monotonic(), event))
        if event.type == "turn_started":
            players.append(pulse_rig.play_into_mic(speech))

    config = Config(audio=AudioSettings(mic="coach_mic", speaker="coach_speaker"))
    options = RunOptions(names=["Anna", "Bram"], listeners=[on_event])
    recording = pulse_rig.start_recording()
    result: dict[str, str] = {}

    def session() -> None:
        result["reason"] = live_session(script, config, options, EspeakVoice("nl"), None)

    thread = threading.Thread(target=session)
    thread.start()
    thread.join(timeout=90)
    audio = recording.stop()
    assert not thread.is_alive(), "the live session did not end"
    assert result["reason"] == "done"

    by_type = {}
    for _, event in events:
        by_type.setdefault(event.type, []).append(event.to_dict())
    (ended,) = by_type["turn_ended"]
    (started,) = by_type["turn_started"]
    # The partner's speech starts LEAD_IN_S after the player starts; the turn ends on
    # SILENCE_END seconds of silence after it (give a second either way for the server).
    expected = LEAD_IN_S + speech.seconds + SILENCE_END
    assert ended["reason"] == "silence"
    assert ended["seconds"] == pytest.approx(expected, abs=1.0)
    assert ended["speech_seconds"] == pytest.approx(speech.seconds, rel=0.35)

    # Line the recording up with the session clock at the coach's first sound.
    rate = audio.rate
    first_sound = int(np.flatnonzero(np.abs(audio.samples) > 0.02)[0]) / rate
    said = by_type["said"]
    offset = first_sound - said[0]["t"]
    for line in said:
        middle = offset + line["t"] + line["seconds"] / 2
        assert _loud(audio.samples, rate, middle - 0.3, middle + 0.3) > 0.05, line["text"]
    quiet = _loud(audio.samples, rate, offset + started["t"] + 0.3, offset + ended["t"] - 0.3)
    assert quiet < 0.01, "the coach made sound during the partner's turn"
    for player in players:
        player.wait(timeout=10)
