"""The live microphone and speaker, on a real PulseAudio server (tests/pulse_rig.py)."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.pulse_rig import RIG_RATE, PulseRig, pulse_rig_fixture  # noqa: F401
from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk, Samples, resample
from voice_coach.audio.devices import (
    DeviceError,
    DeviceLost,
    find_device,
    list_devices,
    rescan_devices,
)
from voice_coach.audio.live import LiveMicrophone, LiveSpeaker
from voice_coach.audio.resample import StreamResampler
from voice_coach.audio.wav import read_wav


def tone(seconds: float, rate: int, hertz: float = 440.0, amplitude: float = 0.5) -> AudioChunk:
    """A sine wave."""
    t = np.arange(round(seconds * rate)) / rate
    return AudioChunk((amplitude * np.sin(2 * np.pi * hertz * t)).astype(np.float32), rate)


def dominant_hertz(samples: Samples, rate: int) -> float:
    """The frequency (Hz) with the most energy."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


def loud_span(samples: Samples, rate: int, threshold: float = 0.1) -> tuple[float, float]:
    """Seconds from the first to the last sample above `threshold` (start, length)."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    assert len(loud) > 0, "nothing loud was recorded"
    return loud[0] / rate, (loud[-1] - loud[0]) / rate


def hear_clip(mic: LiveMicrophone, most_s: float = 5.0) -> Samples:
    """Read 0.1 s blocks until a sound has come and gone (0.3 s quiet after it)."""
    blocks: list[Samples] = []
    heard_something = False
    quiet = 0
    while len(blocks) < most_s * 10:
        block = mic.read(LISTEN_RATE // 10)
        assert block is not None
        blocks.append(block)
        if np.max(np.abs(block)) > 0.02:
            heard_something, quiet = True, 0
        elif heard_something:
            quiet += 1
            if quiet >= 3:
                break
    return np.concatenate(blocks)


class StatusLog:
    """Collects on_status calls."""

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.messages: list[str] = []

    def __call__(self, code: str, message: str) -> None:
        self.codes.append(code)
        self.messages.append(message)


# --- resampling (no sound server needed) ---------------------------------------


@pytest.mark.parametrize("from_rate", [48_000, 44_100, 22_050])
def test_block_wise_resampling_equals_whole_signal_resampling(from_rate: int) -> None:
    rng = np.random.default_rng(7)
    signal = (0.3 * rng.standard_normal(from_rate)).astype(np.float32)
    resampler = StreamResampler(from_rate, LISTEN_RATE)
    parts, pos = [], 0
    while pos < len(signal):
        size = int(rng.integers(1, 2500))  # odd sizes, as PortAudio may deliver
        parts.append(resampler.process(signal[pos : pos + size]))
        pos += size
    streamed = np.concatenate(parts)
    whole = resample(signal, from_rate, LISTEN_RATE)
    # Only the last few output samples (the held-back filter context) are still missing.
    assert len(whole) - 20 <= len(streamed) <= len(whole)
    assert np.max(np.abs(streamed - whole[: len(streamed)])) < 1e-5


def test_naive_block_resampling_would_leave_seams() -> None:
    """Why StreamResampler exists: per-block resample_poly clicks at block edges."""
    signal = tone(1.0, 48_000).samples
    naive = np.concatenate(
        [resample(signal[i : i + 960], 48_000, 16_000) for i in range(0, 48_000, 960)]
    )
    streamed = StreamResampler(48_000, 16_000).process(signal)
    whole = resample(signal, 48_000, 16_000)
    assert np.max(np.abs(naive - whole)) > 0.01
    assert np.max(np.abs(streamed - whole[: len(streamed)])) < 1e-5


def test_same_rate_passes_through() -> None:
    block = tone(0.1, LISTEN_RATE).samples
    assert np.array_equal(StreamResampler(LISTEN_RATE, LISTEN_RATE).process(block), block)


# --- the microphone -------------------------------------------------------------


@pytest.mark.pulse
@pytest.mark.parametrize("rate", [None, 48_000, 44_100])
def test_microphone_hears_a_tone_at_16k(pulse_rig: PulseRig, rate: int | None) -> None:
    mic = LiveMicrophone(pulse_rig.mic, rate=rate)
    try:
        assert mic.device_name == "coach_mic"
        assert mic.device_rate == (rate or LISTEN_RATE)
        mic.read(800)  # the stream is running
        player = pulse_rig.play_into_mic(tone(0.8, RIG_RATE))
        heard = hear_clip(mic)
        player.wait(timeout=10)
    finally:
        mic.close()
    assert heard.dtype == np.float32
    start, length = loud_span(heard, LISTEN_RATE)
    assert length == pytest.approx(0.8, abs=0.03)
    played = heard[round(start * LISTEN_RATE) : round((start + length) * LISTEN_RATE)]
    assert dominant_hertz(played, LISTEN_RATE) == pytest.approx(440, abs=3)
    rms = float(np.sqrt(np.mean(np.square(played))))
    assert rms == pytest.approx(0.5 / np.sqrt(2), rel=0.05)


@pytest.mark.pulse
def test_microphone_read_returns_exactly_what_was_asked(pulse_rig: PulseRig) -> None:
    mic = LiveMicrophone(pulse_rig.mic, rate=44_100)
    try:
        sizes = [1, 160, 333, 1600, 4000]
        blocks = [mic.read(n) for n in sizes]
    finally:
        mic.close()
    assert [len(b) for b in blocks if b is not None] == sizes
    assert mic.read(160) is None  # closed


# --- the speaker ----------------------------------------------------------------


@pytest.mark.pulse
def test_speaker_plays_what_it_is_given(pulse_rig: PulseRig) -> None:
    speaker = LiveSpeaker(pulse_rig.speaker)
    recording = pulse_rig.start_recording()
    try:
        time.sleep(0.2)
        speaker.play(tone(0.6, 22_050), at_s=0.0)  # Piper's rate, converted to the device's
        assert speaker.busy
        assert speaker.remaining_s() == pytest.approx(0.6 + speaker.latency_s, abs=0.05)
        deadline = time.monotonic() + 5
        while speaker.busy and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not speaker.busy
        time.sleep(0.3)
    finally:
        heard = recording.stop()
        speaker.close()
    start, length = loud_span(heard.samples, heard.rate)
    assert length == pytest.approx(0.6, abs=0.03)
    played = heard.samples[round(start * heard.rate) : round((start + length) * heard.rate)]
    assert dominant_hertz(played, heard.rate) == pytest.approx(440, abs=3)


@pytest.mark.pulse
def test_stop_cuts_playback_off(pulse_rig: PulseRig) -> None:
    speaker = LiveSpeaker(pulse_rig.speaker)
    recording = pulse_rig.start_recording()
    try:
        time.sleep(0.2)
        speaker.play(tone(2.0, 22_050), at_s=0.0)
        time.sleep(0.5)
        speaker.stop()
        assert not speaker.busy
        assert speaker.remaining_s() == 0.0
        time.sleep(0.6)
    finally:
        heard = recording.stop()
        speaker.close()
    _, length = loud_span(heard.samples, heard.rate)
    assert 0.2 < length < 0.9  # cut well before the two seconds it would have lasted


@pytest.mark.pulse
def test_queued_audio_plays_one_after_another(pulse_rig: PulseRig) -> None:
    speaker = LiveSpeaker(pulse_rig.speaker)
    recording = pulse_rig.start_recording()
    try:
        time.sleep(0.2)
        speaker.play(tone(0.3, 22_050, 440), at_s=0.0)
        speaker.play(tone(0.3, 22_050, 880), at_s=0.3)
        assert speaker.remaining_s() == pytest.approx(0.6 + speaker.latency_s, abs=0.05)
        time.sleep(1.0)
    finally:
        heard = recording.stop()
        speaker.close()
    start, length = loud_span(heard.samples, heard.rate)
    assert length == pytest.approx(0.6, abs=0.03)
    first = heard.samples[round((start + 0.05) * heard.rate) : round((start + 0.25) * heard.rate)]
    second = heard.samples[round((start + 0.35) * heard.rate) : round((start + 0.55) * heard.rate)]
    assert dominant_hertz(first, heard.rate) == pytest.approx(440, abs=6)
    assert dominant_hertz(second, heard.rate) == pytest.approx(880, abs=6)


# --- choosing devices -----------------------------------------------------------


@pytest.mark.pulse
def test_devices_chosen_by_name_part_or_index(pulse_rig: PulseRig) -> None:
    by_name = {d.name: d.index for d in list_devices()}
    assert find_device("COACH_M", "input") == by_name["coach_mic"]
    assert find_device("speaker", "output") == by_name["coach_speaker"]
    assert find_device(str(by_name["coach_mic"]), "input") == by_name["coach_mic"]
    assert find_device("", "input") == next(d.index for d in list_devices() if d.default_input)
    mic = LiveMicrophone(str(by_name["coach_mic"]))
    speaker = LiveSpeaker("Coach_Speak")
    try:
        assert mic.device_name == "coach_mic"
        assert speaker.device_name == "coach_speaker"
    finally:
        mic.close()
        speaker.close()


@pytest.mark.pulse
def test_a_missing_device_is_a_clear_error(pulse_rig: PulseRig) -> None:
    with pytest.raises(DeviceError) as info:
        LiveMicrophone("usb-headset-that-is-not-there")
    message = str(info.value)
    assert "usb-headset-that-is-not-there" in message
    assert "coach_mic" in message  # lists what there is
    assert "--mic" in message
    with pytest.raises(DeviceError, match="index 999"):
        LiveSpeaker("999")


# --- losing a device ------------------------------------------------------------


@pytest.mark.pulse
def test_lost_microphone_pauses_and_resumes(pulse_rig: PulseRig) -> None:
    status = StatusLog()
    mic = LiveMicrophone(
        pulse_rig.mic, on_status=status, device_timeout=20, retry_s=0.2, stall_s=0.5
    )

    def pull_the_plug() -> None:
        time.sleep(0.3)
        pulse_rig.unplug()
        time.sleep(1.0)
        pulse_rig.replug()

    try:
        mic.read(1600)
        unplugger = threading.Thread(target=pull_the_plug)
        unplugger.start()
        heard = mic.read(round(1.0 * LISTEN_RATE))  # spans the outage
        unplugger.join()
        assert status.codes == ["device_lost", "device_back"]
        assert "microphone" in status.messages[0] and "coach_mic" in status.messages[0]
        assert heard is not None and len(heard) == LISTEN_RATE
        # It really records again: a tone played now is heard.
        player = pulse_rig.play_into_mic(tone(0.4, RIG_RATE))
        after = hear_clip(mic)
        player.wait(timeout=10)
    finally:
        mic.close()
        pulse_rig.replug()
    assert after is not None
    assert loud_span(after, LISTEN_RATE)[1] == pytest.approx(0.4, abs=0.03)


@pytest.mark.pulse
def test_microphone_gone_too_long_raises_device_lost(pulse_rig: PulseRig) -> None:
    status = StatusLog()
    mic = LiveMicrophone(
        pulse_rig.mic, on_status=status, device_timeout=0.8, retry_s=0.2, stall_s=0.5
    )
    try:
        mic.read(1600)
        pulse_rig.unplug()
        with pytest.raises(DeviceLost, match=r"did not come back within 0\.8 s"):
            mic.read(LISTEN_RATE)
        assert status.codes == ["device_lost"]
    finally:
        mic.close()
        pulse_rig.replug()


@pytest.mark.pulse
def test_lost_speaker_reports_and_comes_back(pulse_rig: PulseRig) -> None:
    status = StatusLog()
    speaker = LiveSpeaker(pulse_rig.speaker, on_status=status)
    try:
        pulse_rig.unplug()
        time.sleep(0.3)
        speaker.play(tone(0.2, 22_050), at_s=0.0)
        assert status.codes == ["speaker_lost"]
        assert not speaker.busy  # dropped, not queued for a speaker that is not there
        pulse_rig.replug()
        recording = pulse_rig.start_recording()
        time.sleep(0.2)
        speaker.play(tone(0.3, 22_050), at_s=1.0)
        assert status.codes == ["speaker_lost", "speaker_back"]
        time.sleep(0.8)
        heard = recording.stop()
    finally:
        speaker.close()
        pulse_rig.replug()
    assert loud_span(heard.samples, heard.rate)[1] == pytest.approx(0.3, abs=0.03)


@pytest.mark.pulse
def test_a_rescan_keeps_working_devices_working(pulse_rig: PulseRig) -> None:
    """Restarting PortAudio (to find a returned device) must not lose the others."""
    status = StatusLog()
    mic = LiveMicrophone(pulse_rig.mic, on_status=status, stall_s=0.5)
    speaker = LiveSpeaker(pulse_rig.speaker, on_status=status)
    try:
        mic.read(1600)
        rescan_devices()
        recording = pulse_rig.start_recording()
        time.sleep(0.2)
        speaker.play(tone(0.3, 22_050), at_s=0.0)
        player = pulse_rig.play_into_mic(tone(0.3, RIG_RATE))
        heard = hear_clip(mic)
        player.wait(timeout=10)
        played = recording.stop()
    finally:
        mic.close()
        speaker.close()
    assert status.codes == []
    assert heard is not None
    assert loud_span(heard, LISTEN_RATE)[1] == pytest.approx(0.3, abs=0.03)
    assert loud_span(played.samples, played.rate)[1] == pytest.approx(0.3, abs=0.03)


@pytest.mark.pulse
def test_microphone_hears_speech_as_it_was_played(pulse_rig: PulseRig, tmp_path: Path) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt install espeak-ng)")
    wav = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "nl", "-w", str(wav), "Hoe was je dag?"], check=True)
    spoken = read_wav(wav)
    mic = LiveMicrophone(pulse_rig.mic, rate=48_000)
    try:
        mic.read(800)
        player = pulse_rig.play_into_mic(spoken)
        heard = hear_clip(mic)
        player.wait(timeout=10)
    finally:
        mic.close()
    assert heard is not None
    expected = spoken.to_rate(LISTEN_RATE).samples
    # Find where the speech landed, then compare it sample by sample.
    lag = int(np.argmax(np.correlate(heard, expected, mode="valid")))
    landed = heard[lag : lag + len(expected)]
    correlation = float(np.corrcoef(landed, expected)[0, 1])
    assert correlation > 0.95  # the rest: a sub-sample offset and 16-bit sinks
