"""`voice-coach serve`: idle cost, false wakes, and how fast the chime follows the wake word.

1. One simulated hour of Dutch and English talk without the wake word (two voices per
   language at varied pace and level, a TV under it): CPU seconds per audio second of
   the whole idle loop (the wake-word model included), false wakes, and the resident
   memory every five audio minutes (it must not grow).
2. Detection delay on the audio clock: wake-word end -> wake event, over Piper and
   espeak-ng wake words at several speeds and levels (the chime is played at once).
3. Live on the PulseAudio test rig (when `pulseaudio` is installed): a wake word played
   into the virtual microphone; wake-word end (found in the captured stream) -> the
   chime handed to the sound card, plus the speaker's own output latency.

Run with `python -m bench serve` (a few minutes; the hour of talk is generated first).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from tests import evenings
from tests import speechgen as sg
from voice_coach.audio.chunk import AudioChunk, Samples
from voice_coach.audio.sim import TrackSpeaker
from voice_coach.config import Config, ScheduleSettings, ServeSettings
from voice_coach.engine import events as ev
from voice_coach.serve import events as sev
from voice_coach.serve.clock import ServeClock
from voice_coach.serve.mic import ServeMicrophone
from voice_coach.serve.server import Parts, ServeLog, Server
from voice_coach.serve.shelf import load_shelf
from voice_coach.serve.wake import MicroWakeWordDetector
from voice_coach.speech.voice import FakeVoice

RATE = evenings.RATE
SEGMENT_S = 300.0
"""Seconds of distinct talk; the hour is twelve segments at different levels."""


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


class HourOfTalk:
    """A microphone that plays the segments one after another (without copying an hour)."""

    def __init__(self, segments: list[Samples], repeats: int, memory: list[tuple[float, float]]):
        self._segments = segments
        self._order = [i % len(segments) for i in range(repeats)]
        self._gain = [10 ** (((i * 7) % 9 - 4) / 20) for i in range(repeats)]  # -4..+4 dB
        self._index = 0
        self._pos = 0
        self._read = 0
        self._memory = memory

    def read(self, frames: int) -> Samples | None:
        if self._index >= len(self._order):
            return None
        segment = self._segments[self._order[self._index]]
        block = segment[self._pos : self._pos + frames] * np.float32(self._gain[self._index])
        self._pos += len(block)
        if self._pos >= len(segment):
            self._index, self._pos = self._index + 1, 0
        before = self._read // (RATE * 300)
        self._read += len(block)
        if self._read // (RATE * 300) != before:
            self._memory.append((self._read / RATE, rss_mb()))
        return block

    def close(self) -> None:
        pass


def idle_hour() -> None:
    MicroWakeWordDetector(Config().wake)  # the model and its runtime loaded once
    print(f"resident memory before the talk is generated: {rss_mb():.0f} MB")
    started = time.perf_counter()
    segments = [
        evenings.talk_without_the_word(SEGMENT_S, seed=11 + i) for i in range(4)
    ]  # four distinct five-minute stretches, each played three times at other levels
    print(
        f"generated {len(segments) * SEGMENT_S / 60:.0f} min of talk in "
        f"{time.perf_counter() - started:.0f} s"
    )
    memory: list[tuple[float, float]] = []
    hour = HourOfTalk(segments, repeats=12, memory=memory)
    mic = ServeMicrophone(lambda: hour)
    log = ServeLog()
    wakes: list[ev.Event] = []
    log.subscribe(lambda e: wakes.append(e) if isinstance(e, sev.Wake) else None)
    config = Config(serve=ServeSettings(enabled_hours="00:00-23:59"))
    parts = Parts(
        mic=mic,
        speaker=TrackSpeaker(),
        wake=MicroWakeWordDetector(config.wake),
        voice_for=lambda code: FakeVoice(),
        recognizer_for=lambda code: None,
        shelf=lambda cfg, skip: load_shelf(cfg.serve.language, skip),
    )
    server = Server(
        config, parts, ServeClock(dt.datetime(2026, 11, 30, 19, 0)), log, mode="simulated"
    )
    memory.append((0.0, rss_mb()))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    server.run()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    audio_s = mic.seconds
    print(f"idle hour: {audio_s / 60:.0f} min of talk without the wake word in {wall:.1f} s wall")
    print(
        f"idle CPU: {cpu / audio_s * 1000:.1f} ms per audio second = "
        f"{cpu / audio_s * 100:.2f} % of one core (goal < 3 %)"
    )
    print(
        f"false wakes: {len(wakes)} in {audio_s / 3600:.2f} h of talk "
        f"({[round(w.t) for w in wakes]})"
    )
    mbs = [m for _, m in memory]
    print("resident memory every 5 audio min (MB): " + ", ".join(f"{m:.0f}" for m in mbs))
    print(f"memory growth over the hour (after the first 5 min): {mbs[-1] - mbs[1]:+.1f} MB")


def detection_delay() -> None:
    delays = []
    for voice, wpm in [("piper", 0), ("espeak", 120), ("espeak", 150), ("espeak", 180)]:
        for level in (-20.0, -30.0, -40.0):
            scene = evenings.evening(
                [("silence", 2.0), ("wake", (voice, wpm, level)), ("silence", 3.0)],
                background_dbfs=level - 20.0,
            )
            detector = MicroWakeWordDetector(Config().wake)
            hit_at = None
            for start in range(0, len(scene.samples), 480):
                if detector.process(scene.samples[start : start + 480]):
                    hit_at = (start + 480) / RATE
                    break
            if hit_at is None:
                print(f"  missed: {voice} {wpm} wpm at {level:g} dBFS")
                continue
            delays.append(hit_at - scene.marks["wake1"])
    ms = np.array(delays) * 1000
    print(
        f"detection delay, wake-word end -> wake (audio clock), {len(ms)} words: "
        f"median {np.median(ms):.0f} ms, max {ms.max():.0f} ms"
    )


class StampedSpeaker:
    """The live speaker, noting when each sound was handed to it (time.monotonic)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.plays: list[tuple[float, float]] = []

    def play(self, audio: AudioChunk, at_s: float) -> None:
        self.plays.append((time.monotonic(), audio.seconds))
        self.inner.play(audio, at_s)

    def stop(self) -> None:
        self.inner.stop()

    def remaining_s(self) -> float:
        return float(self.inner.remaining_s())

    def close(self) -> None:
        self.inner.close()


class StampedMic:
    """The live microphone, keeping what it read and when (bench only)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.blocks: list[Samples] = []
        self.read_at: list[float] = []

    def read(self, frames: int) -> Samples | None:
        block = self.inner.read(frames)
        if block is not None:
            self.blocks.append(block.copy())
            self.read_at.append(time.monotonic())
        return block

    def close(self) -> None:
        self.inner.close()


def live_latency() -> None:
    if shutil.which("pulseaudio") is None or shutil.which("pacat") is None:
        print("live latency: skipped (pulseaudio is not installed)")
        return
    from tests.pulse_rig import running_rig
    from voice_coach.audio.live import LiveMicrophone, LiveSpeaker

    results = []
    with running_rig() as rig:
        for kind, wpm in [("piper", 0), ("espeak", 150), ("espeak", 130)]:
            speaker = StampedSpeaker(LiveSpeaker("coach_speaker"))
            stamped = StampedMic(LiveMicrophone("coach_mic"))
            mic = ServeMicrophone(lambda s=stamped: s)  # type: ignore[misc]
            # No nightly invitation: this runs on the wall clock.
            config = Config(
                serve=ServeSettings(enabled_hours="00:00-23:59"),
                schedule=ScheduleSettings(checkin=""),
            )
            log = ServeLog()
            woke = threading.Event()

            wake_t: list[float] = []

            def on_idle(
                event: ev.Event, woke: threading.Event = woke, wake_t: list[float] = wake_t
            ) -> None:
                if isinstance(event, sev.Wake):
                    wake_t.append(event.t)
                if isinstance(event, sev.Idle):
                    woke.set()

            log.subscribe(on_idle)
            parts = Parts(
                mic=mic,
                speaker=speaker,
                wake=MicroWakeWordDetector(config.wake),
                voice_for=lambda code: FakeVoice(),
                recognizer_for=lambda code: None,
                shelf=lambda cfg, skip: load_shelf(cfg.serve.language, skip),
            )
            server = Server(config, parts, ServeClock(dt.datetime.now()), log, mode="live")
            clip = sg.normalise(evenings.okay_nabu(kind, wpm), -20.0)

            def drive(
                server: Server = server, clip: Samples = clip, woke: threading.Event = woke
            ) -> None:
                time.sleep(1.5)
                rig.play_into_mic(AudioChunk(clip, RATE)).wait(timeout=20)
                woke.wait(5.0)
                time.sleep(0.5)
                server.mic.stop_requested = True

            helper = threading.Thread(target=drive)
            helper.start()
            server.run()
            helper.join()
            speaker.close()
            mic.close()
            if not speaker.plays:
                print(f"  live: {kind} {wpm}: not woken")
                continue
            captured = np.concatenate(stamped.blocks)
            ends = np.cumsum([len(b) for b in stamped.blocks])
            # The word ends before the sample at which it was detected (later sound, such
            # as a glitch of the server, is not the word).
            heard_at = round(wake_t[0] * RATE) if wake_t else len(captured)
            loud = np.flatnonzero(np.abs(captured[:heard_at]) > 0.02)
            word_end = int(loud[-1]) if len(loud) else 0
            block = int(np.searchsorted(ends, word_end))  # the block holding the word's end
            end_at = stamped.read_at[block] - (ends[block] - word_end) / RATE
            chime_at = speaker.plays[0][0] + speaker.inner.latency_s
            results.append(chime_at - end_at)
    if results:
        ms = np.array(results) * 1000
        print(
            f"live wake-word end -> chime at the sound card (+ its output latency), "
            f"{len(ms)} words: " + ", ".join(f"{x:.0f}" for x in ms) + " ms (goal <= 300 ms)"
        )


def main() -> None:
    detection_delay()
    live_latency()
    idle_hour()


if __name__ == "__main__":
    main()
