"""Live audio figures: resampling cost, and (on the PulseAudio test rig) stop and recovery times."""

from __future__ import annotations

import shutil
import threading
import time

import numpy as np

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.live import LiveMicrophone, LiveSpeaker
from voice_coach.audio.resample import StreamResampler


def resampling() -> None:
    """Seconds of input converted to 16 kHz per wall second, in 20 ms blocks."""
    rng = np.random.default_rng(0)
    for rate in (48_000, 44_100):
        signal = (0.3 * rng.standard_normal(rate * 20)).astype(np.float32)
        block = rate // 50
        resampler = StreamResampler(rate, LISTEN_RATE)
        started = time.perf_counter()
        for pos in range(0, len(signal), block):
            resampler.process(signal[pos : pos + block])
        wall = time.perf_counter() - started
        print(
            f"resample {rate} -> {LISTEN_RATE} Hz in 20 ms blocks: {20 / wall:.0f}x real time "
            f"({wall / 1000 * 1e6:.0f} us a block); delay {resampler.delay_s * 1000:.2f} ms"
        )


def rig_figures() -> None:
    """Stop cut-off and device recovery on a private PulseAudio server."""
    from tests.pulse_rig import running_rig

    with running_rig() as rig:
        speaker = LiveSpeaker(rig.speaker)
        t = np.arange(LISTEN_RATE * 2) / LISTEN_RATE
        tone = AudioChunk((0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), LISTEN_RATE)
        extra = []
        for _ in range(3):
            recording = rig.start_recording()
            time.sleep(0.2)
            speaker.play(tone, 0.0)
            played = time.monotonic()
            time.sleep(0.5)
            speaker.stop()
            asked = time.monotonic() - played
            time.sleep(0.4)
            heard = recording.stop()
            loud = np.flatnonzero(np.abs(heard.samples) > 0.1)
            extra.append((loud[-1] - loud[0]) / heard.rate - asked)
        speaker.close()
        print(
            f"speaker: heard length minus the time from play() to stop(): "
            f"{np.mean(extra) * 1000:.0f} ms (max {np.max(extra) * 1000:.0f} ms), so stop() "
            f"cuts as fast as play() starts; output latency {speaker.latency_s * 1000:.0f} ms"
        )

        back_at: list[float] = []
        mic = LiveMicrophone(
            rig.mic,
            on_status=lambda code, _: (
                back_at.append(time.monotonic()) if code == "device_back" else None
            ),
            retry_s=0.2,
            stall_s=0.5,
        )
        mic.read(1600)
        replugged: list[float] = []

        def pull() -> None:
            rig.unplug()
            time.sleep(1.0)
            replugged.append(time.monotonic())
            rig.replug()

        thread = threading.Thread(target=pull)
        thread.start()
        mic.read(LISTEN_RATE * 2)
        thread.join()
        mic.close()
        print(
            f"microphone back {(back_at[0] - replugged[0]) * 1000:.0f} ms after the rig began "
            "to plug it back in (retry every 0.2 s)"
        )


def main() -> None:
    resampling()
    if shutil.which("pulseaudio"):
        rig_figures()
    else:
        print("pulseaudio not installed: no rig figures")


if __name__ == "__main__":
    main()
