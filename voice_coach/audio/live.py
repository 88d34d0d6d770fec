"""The sound card: a live microphone and speaker through PortAudio (`sounddevice`).

The microphone captures at whatever rate the device accepts (16 kHz when it can,
else its own default, e.g. 44.1 or 48 kHz: many USB microphones on a Raspberry Pi
refuse 16 kHz) and hands out 16 kHz mono float32 blocks. The PortAudio callbacks
only copy samples into or out of a queue; mixing to mono and resampling happen in
`read()`, on the caller's thread, so a slow Pi never drops audio inside the callback.

A device that disappears mid-session (a USB plug pulled) pauses the session: `read()`
reports ``("device_lost", message)`` through `on_status`, tries to reopen the device
about once a second, reports ``("device_back", message)`` when it returns, and raises
`DeviceLost` after `device_timeout` seconds. Because the session clock is the number
of samples read, a paused `read()` pauses the session clock as well. `on_status` runs
on the caller's thread, inside `read()`; an exception it raises ends that `read()`.

The speaker keeps one output stream open and plays from a queue: `play()` appends and
returns at once, `stop()` empties the queue (what is already in the device buffer,
`latency_s`, still sounds), `remaining_s()`/`busy` say how long the coach stays audible.

Finding a device that was plugged back in may need PortAudio restarted
(`devices.rescan_devices`); every open live device closes and reopens its stream
around that. Device discovery and selection live in `voice_coach.audio.devices`, the
streaming resampler in `voice_coach.audio.resample`.

`sounddevice` is imported lazily: simulated sessions and tests without sound never
load PortAudio.
"""

from __future__ import annotations

import collections
import contextlib
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk, Samples, mix_to_mono
from voice_coach.audio.devices import (
    FALLBACK_RATES,
    RESCAN_MEMBERS,
    DeviceError,
    DeviceLost,
    RescanMember,
    load_sounddevice,
    open_format,
    quiet_stderr,
    rescan_devices,
)
from voice_coach.audio.resample import StreamResampler
from voice_coach.config import AudioSettings

StatusCallback = Callable[[str, str], None]
"""Called with (code, message): "device_lost", "device_back", "speaker_lost", "speaker_back"."""

RESCAN_EVERY_S = 10.0
"""Seconds between device rescans a lost speaker asks for (each pauses the microphone)."""


# --- microphone ------------------------------------------------------------------


def _ignore_status(code: str, message: str) -> None:
    """Default `on_status`: say nothing."""


class LiveMicrophone(RescanMember):
    """A sound-card input read as 16 kHz mono float32 blocks (the `Microphone` protocol).

    device: "" for the system default, an index, or a case-insensitive name part.
    rate: capture rate in Hertz; None tries 16 kHz, then the device's default rate.
    on_status: told ("device_lost", message) and ("device_back", message).
    device_timeout: seconds a lost device may stay away before `read` raises `DeviceLost`.
    retry_s: seconds between attempts to reopen a lost device.
    stall_s: seconds without any input after which the device counts as lost.
    """

    def __init__(
        self,
        device: str = "",
        *,
        rate: int | None = None,
        on_status: StatusCallback | None = None,
        device_timeout: float = AudioSettings.device_timeout,
        retry_s: float = 1.0,
        stall_s: float = 1.5,
    ) -> None:
        self.spec = device
        """What the user asked for (name part, index or "")."""
        self._wanted_rate = rate
        self._on_status = on_status or _ignore_status
        self.device_timeout = device_timeout
        self._retry_s = retry_s
        self._stall_s = stall_s
        self._stream: Any = None
        self._queue: queue.Queue[np.ndarray[Any, Any]] = queue.Queue()
        self._finished = threading.Event()
        self._out = np.zeros(0, dtype=np.float32)
        self._closed = False
        self._lost_at: float | None = None
        """time.monotonic() when the device went away; None while it works."""
        self._reopen_wanted = False
        self._flowing = False
        """True once the current stream has delivered a block."""
        self._last_error: DeviceError | None = None
        self.device_index = -1
        self.device_name = ""
        self.device_rate = 0
        """Hertz the device captures at (before conversion to 16 kHz)."""
        self.channels = 0
        self._resampler = StreamResampler(LISTEN_RATE, LISTEN_RATE)
        self._open(rescan=False)
        RESCAN_MEMBERS.add(self)

    @classmethod
    def from_settings(
        cls,
        settings: AudioSettings,
        on_status: StatusCallback | None = None,
        device: str | None = None,
    ) -> LiveMicrophone:
        """The microphone the settings name (`device`, e.g. a --mic flag, wins)."""
        return cls(
            settings.mic if device is None else device,
            on_status=on_status,
            device_timeout=settings.device_timeout,
        )

    # The stream ----------------------------------------------------------------

    def _open(self, rescan: bool) -> None:
        """Open and start the input stream (raises DeviceError when it cannot)."""
        sd = load_sounddevice()
        if rescan:
            rescan_devices()
        # 16 kHz first (no conversion), then what the device itself prefers.
        index, info, rate, channels = open_format(
            self.spec, "input", self._wanted_rate, (LISTEN_RATE,), FALLBACK_RATES
        )
        samples: queue.Queue[np.ndarray[Any, Any]] = queue.Queue()
        finished = threading.Event()

        # Runs on PortAudio's thread: only copy, never compute, never block.
        def callback(indata: Any, frames: int, when: Any, status: Any) -> None:
            samples.put_nowait(indata.copy())

        try:
            with quiet_stderr():
                stream = sd.InputStream(
                    device=index,
                    samplerate=rate,
                    channels=channels,
                    dtype="float32",
                    callback=callback,
                    finished_callback=finished.set,
                )
                stream.start()
        except (sd.PortAudioError, ValueError) as err:
            raise DeviceError(f"cannot open microphone '{info['name']}': {err}") from err
        self._stream, self._queue, self._finished = stream, samples, finished
        self._flowing = False
        self.device_index, self.device_name = index, str(info["name"])
        self.device_rate, self.channels = int(rate), channels
        if self._resampler.from_rate != rate:
            self._resampler = StreamResampler(int(rate), LISTEN_RATE)

    def _drop_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            # A stream whose device vanished may fail to close; it is gone either way.
            with contextlib.suppress(Exception):
                stream.abort()
            with contextlib.suppress(Exception):
                stream.close()

    def _release_for_rescan(self) -> None:
        self._reopen_wanted = self._stream is not None
        self._drop_stream()

    def _reopen_after_rescan(self) -> None:
        # Another device asked for the rescan while this one worked: carry on. If it
        # cannot reopen, `read` finds no stream and treats the device as lost.
        if self._reopen_wanted and not self._closed:
            with contextlib.suppress(DeviceError):
                self._open(rescan=False)
        self._reopen_wanted = False

    # Losing and finding the device ----------------------------------------------

    def _lose(self, why: str) -> None:
        """Drop the stream; tell `on_status` unless the device was already lost."""
        self._drop_stream()
        if self._lost_at is None:
            self._lost_at = time.monotonic()
            self._on_status(
                "device_lost",
                f"The microphone ({self.device_name}) stopped: {why}. "
                "Waiting for it to come back; check the cable or USB plug.",
            )

    def _reopen(self) -> None:
        """Open the lost device again, retrying every `retry_s`; DeviceLost on timeout.

        "device_back" is only reported once the new stream delivers sound (in `read`):
        a device that opens but stays silent is still lost, and its timeout runs on.
        """
        assert self._lost_at is not None
        while True:
            if self._timed_out():
                raise self._gone_for_good() from self._last_error
            try:
                try:
                    self._open(rescan=False)
                except DeviceError:
                    self._open(rescan=True)
                return
            except DeviceError as err:
                self._last_error = err
            left = self.device_timeout - (time.monotonic() - self._lost_at)
            time.sleep(min(self._retry_s, max(0.0, left)))

    def _gone_for_good(self) -> DeviceLost:
        self._drop_stream()
        return DeviceLost(
            f"the microphone ({self.device_name or self.spec or 'default'}) was "
            f"disconnected and did not come back within {self.device_timeout:g} s; "
            "reconnect it and start the session again"
        )

    # The Microphone protocol ---------------------------------------------------

    def read(self, frames: int) -> Samples | None:
        """The next `frames` samples at 16 kHz; blocks until they are recorded.

        Returns None once closed. Pauses (blocks) while the device is lost; raises
        `DeviceLost` when it stays away longer than `device_timeout` seconds.
        """
        parts = [self._out]
        have = len(self._out)
        while have < frames:
            if self._closed:
                return None
            if self._stream is None:
                self._lose("its stream could not be reopened")
                self._reopen()
            waited = 0.0
            block = None
            while block is None:
                try:
                    block = self._queue.get(timeout=0.1)
                except queue.Empty:
                    waited += 0.1
                    if self._finished.is_set():
                        self._lose("the device stopped delivering sound")
                        break
                    # A stream that just started may take a while for its first block
                    # (a PulseAudio sink waking from idle runs in blocks of up to 2 s).
                    limit = self._stall_s if self._flowing else max(self._stall_s, 3.0)
                    if waited >= limit:
                        self._lose(f"no sound arrived for {waited:.1f} s")
                        break
                    if self._timed_out():  # reopened, but still silent
                        raise self._gone_for_good() from self._last_error
            if block is None:
                continue
            self._flowing = True
            if self._lost_at is not None:
                self._lost_at = None
                self._on_status(
                    "device_back", f"The microphone ({self.device_name}) is back; continuing."
                )
            mono = mix_to_mono(block.reshape(-1), self.channels)
            converted = self._resampler.process(mono)
            parts.append(converted)
            have += len(converted)
        joined = np.concatenate(parts)
        self._out = joined[frames:]
        return joined[:frames]

    def _timed_out(self) -> bool:
        return self._lost_at is not None and time.monotonic() - self._lost_at >= self.device_timeout

    @property
    def lost(self) -> bool:
        """True while the device is gone and `read` is waiting for it."""
        return self._lost_at is not None

    def close(self) -> None:
        """Stop capturing and release the device."""
        self._closed = True
        self._drop_stream()
        RESCAN_MEMBERS.discard(self)


# --- speaker ---------------------------------------------------------------------


class LiveSpeaker(RescanMember):
    """A sound-card output (the `Speaker` protocol) fed from a queue.

    device: "" for the system default, an index, or a case-insensitive name part.
    rate: output rate in Hertz; None uses the device's default rate.
    on_status: told ("speaker_lost", message) and ("speaker_back", message).

    `play` appends to the queue and returns at once; live audio plays as soon as what
    is queued before it has played (`at_s` only matters to a simulated speaker).
    `remaining_s()` and `busy` tell whether the coach is still audible.
    """

    def __init__(
        self,
        device: str = "",
        *,
        rate: int | None = None,
        on_status: StatusCallback | None = None,
    ) -> None:
        self.spec = device
        self._wanted_rate = rate
        self._on_status = on_status or _ignore_status
        self._lock = threading.Lock()
        self._pending: collections.deque[np.ndarray[Any, np.dtype[np.float32]]] = (
            collections.deque()
        )
        self._offset = 0
        """Samples of `_pending[0]` already sent to the device."""
        self._queued = 0
        """Samples queued and not yet sent to the device."""
        self._stream: Any = None
        self._finished = threading.Event()
        self._lost = False
        self._last_rescan = -RESCAN_EVERY_S
        self.device_index = -1
        self.device_name = ""
        self.rate = 0
        """Hertz the device plays at."""
        self.channels = 0
        self.latency_s = 0.0
        """Seconds between handing samples to the device and hearing them."""
        self._open(rescan=False)
        RESCAN_MEMBERS.add(self)

    @classmethod
    def from_settings(
        cls,
        settings: AudioSettings,
        on_status: StatusCallback | None = None,
        device: str | None = None,
    ) -> LiveSpeaker:
        """The speaker the settings name (`device`, e.g. a --speaker flag, wins)."""
        return cls(settings.speaker if device is None else device, on_status=on_status)

    def _open(self, rescan: bool) -> None:
        sd = load_sounddevice()
        if rescan:
            rescan_devices()
        index, info, rate, channels = open_format(
            self.spec, "output", self._wanted_rate, (), (48_000, 44_100, 22_050)
        )
        finished = threading.Event()
        try:
            with quiet_stderr():
                stream = sd.OutputStream(
                    device=index,
                    samplerate=rate,
                    channels=channels,
                    dtype="float32",
                    # PortAudio's "high" latency (tens of ms): no underruns on a busy Pi,
                    # still short enough for `stop` to sound immediate.
                    latency="high",
                    callback=self._callback,
                    finished_callback=finished.set,
                )
                stream.start()
        except (sd.PortAudioError, ValueError) as err:
            raise DeviceError(f"cannot open speaker '{info['name']}': {err}") from err
        self._stream, self._finished = stream, finished
        self.device_index, self.device_name = index, str(info["name"])
        self.rate, self.channels = int(rate), channels
        self.latency_s = float(stream.latency)

    # Runs on PortAudio's thread: only copy queued samples out, never compute.
    def _callback(self, outdata: Any, frames: int, when: Any, status: Any) -> None:
        filled = 0
        with self._lock:
            while filled < frames and self._pending:
                head = self._pending[0]
                take = min(frames - filled, len(head) - self._offset)
                outdata[filled : filled + take, :] = head[
                    self._offset : self._offset + take, np.newaxis
                ]
                filled += take
                self._offset += take
                self._queued -= take
                if self._offset >= len(head):
                    self._pending.popleft()
                    self._offset = 0
        outdata[filled:, :] = 0.0

    def _drop_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.abort()
            with contextlib.suppress(Exception):
                stream.close()

    def _release_for_rescan(self) -> None:
        self._drop_stream()

    def _reopen_after_rescan(self) -> None:
        with contextlib.suppress(DeviceError):
            self._open(rescan=False)

    def _alive(self) -> bool:
        """Make sure there is a working stream, reopening a lost one; False if none."""
        if self._stream is not None and not self._finished.is_set():
            return True
        self._drop_stream()
        try:
            try:
                self._open(rescan=False)
            except DeviceError:
                # A rescan interrupts the microphone for a moment: not on every prompt.
                if time.monotonic() - self._last_rescan < RESCAN_EVERY_S:
                    raise
                self._last_rescan = time.monotonic()
                self._open(rescan=True)
        except DeviceError as err:
            if not self._lost:
                self._lost = True
                self._on_status(
                    "speaker_lost",
                    f"The speaker ({self.device_name or self.spec or 'default'}) is gone: "
                    f"{err}. Check the cable or USB plug.",
                )
            self._clear()
            return False
        if self._lost:
            self._lost = False
            self._on_status("speaker_back", f"The speaker ({self.device_name}) is back.")
        return True

    def _clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self._offset = 0
            self._queued = 0

    # The Speaker protocol ------------------------------------------------------

    def play(self, audio: AudioChunk, at_s: float) -> None:
        """Queue `audio` after whatever is playing; returns at once.

        `at_s` (session seconds) is ignored: a live speaker plays in real time. When the
        speaker is gone the audio is dropped and `on_status` is told "speaker_lost".
        """
        if not self._alive():
            return
        samples = np.ascontiguousarray(audio.to_rate(self.rate).samples, dtype=np.float32)
        if len(samples) == 0:
            return
        with self._lock:
            self._pending.append(samples)
            self._queued += len(samples)

    def stop(self) -> None:
        """Cut off what is playing and everything queued (within the device latency)."""
        self._clear()

    def remaining_s(self) -> float:
        """Seconds until what is queued has been heard (0 when silent).

        A method, as in the `Speaker` protocol; the engine keeps listening meanwhile.
        """
        with self._lock:
            queued = self._queued
        if queued == 0 or self.rate == 0:
            return 0.0
        return queued / self.rate + self.latency_s

    @property
    def busy(self) -> bool:
        """True while queued audio is still to be played."""
        return self.remaining_s() > 0.0

    def close(self, timeout_s: float = 30.0) -> None:
        """Let queued audio finish (at most `timeout_s` seconds), then release the device."""
        deadline = time.monotonic() + timeout_s
        while self.busy and self._stream is not None and time.monotonic() < deadline:
            if self._finished.is_set():
                break
            time.sleep(0.02)
        if self._stream is not None and not self._finished.is_set():
            time.sleep(self.latency_s)  # the last block is still in the device's buffer
        self._drop_stream()
        RESCAN_MEMBERS.discard(self)
