"""A microphone that stays away ends the session cleanly, with the event log complete."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.engine_support import script_of, silence
from voice_coach.audio.chunk import LISTEN_RATE, Samples
from voice_coach.audio.devices import DeviceLost
from voice_coach.audio.sim import TrackSpeaker, WavMicrophone
from voice_coach.config import Config
from voice_coach.engine.build import Ports
from voice_coach.engine.live import GuardedMicrophone
from voice_coach.engine.runner import RunOptions, run_audio
from voice_coach.script.model import Say, Turn
from voice_coach.speech.voice import FakeVoice


class UnpluggedAfter(WavMicrophone):
    """Silence, then the real DeviceLost that LiveMicrophone raises after its timeout."""

    def __init__(self, seconds: float) -> None:
        super().__init__(silence(600))
        self._left = round(seconds * LISTEN_RATE)

    def read(self, frames: int) -> Samples | None:
        if self._left <= 0:
            raise DeviceLost("the microphone stayed away for 120 s")
        self._left -= frames
        return super().read(frames)


def test_a_lost_microphone_ends_the_session_with_everything_logged(tmp_path: Path) -> None:
    script = script_of(Say(("Welkom.",)), Turn("A", 60, ("{A}, vertel.",)), Say(("Nooit.",)))
    mic = GuardedMicrophone(UnpluggedAfter(10.0), DeviceLost)
    events_path = tmp_path / "events.jsonl"
    options = RunOptions(names=["Anna", "Bram"], events_path=events_path)
    reason, _, _ = run_audio(
        script, Config(), Ports(mic, TrackSpeaker(), FakeVoice()), "live", options
    )
    assert reason == "device_lost"
    events = [json.loads(line) for line in events_path.read_text().splitlines()]
    types = [e["type"] for e in events]
    assert types[-3:] == ["turn_ended", "session_summary", "session_ended"]
    assert events[-1]["reason"] == "device_lost"
    assert events[-3]["reason"] == "device_lost"  # the turn is kept, not lost
    said = [e["text"] for e in events if e["type"] == "said"]
    assert said[1:] == ["Welkom.", "Anna, vertel."]  # after how to stop without a recogniser
    assert stat.S_IMODE(events_path.stat().st_mode) == 0o600


def test_a_kept_recording_is_readable_by_the_user_only(tmp_path: Path) -> None:
    from voice_coach.audio.wav import read_wav
    from voice_coach.engine.live import RecordingMicrophone

    path = tmp_path / "recordings" / "session.wav"
    mic = RecordingMicrophone(WavMicrophone(silence(2.0)), path)
    while mic.read(480) is not None:
        pass
    mic.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert read_wav(path).seconds == 2.0
