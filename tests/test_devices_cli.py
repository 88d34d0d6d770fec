"""`voice-coach devices` lists what PortAudio sees."""

from __future__ import annotations

import re

import pytest

from tests.pulse_rig import PulseRig, pulse_rig_fixture  # noqa: F401
from voice_coach.cli import main


@pytest.mark.pulse
def test_devices_lists_the_rigs_microphone_and_speaker(
    pulse_rig: PulseRig, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["devices"]) == 0
    out = capsys.readouterr().out
    microphones, speakers = out.split("Speakers (output):")
    assert "Microphones (input):" in microphones
    mic_line = next(line for line in microphones.splitlines() if "coach_mic" in line)
    # index, name, channels, default rate, accepted rates
    assert re.match(
        r"\s+\d+\s+coach_mic\s+\d+ ch\s+\d+ Hz\s+accepts 16000 44100 48000 Hz", mic_line
    )
    assert "coach_speaker" in speakers
    assert "coach_speaker" not in microphones  # playback-only devices are not microphones
    assert "coach_mic" not in speakers
    default_lines = [line for line in out.splitlines() if "(default)" in line]
    assert len(default_lines) == 2  # one default microphone, one default speaker
    assert "--mic" in out and "config.toml" in out


def test_devices_without_any_device_says_what_to_do(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fake, empty device list: a machine without sound devices cannot be made here
    # (PortAudio aborts on an empty ALSA configuration).
    import voice_coach.audio.devices as devices

    monkeypatch.setattr(devices, "list_devices", lambda: [])
    assert main(["devices"]) == 1
    assert "No sound devices found" in capsys.readouterr().out
