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
(`rescan_devices`); every open live device closes and reopens its stream around that.

`sounddevice` is imported lazily: simulated sessions and tests without sound never
load PortAudio.
"""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from math import gcd
from typing import Any, Literal

import numpy as np

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk, Samples, mix_to_mono
from voice_coach.config import AudioSettings

StatusCallback = Callable[[str, str], None]
"""Called with (code, message): "device_lost", "device_back", "speaker_lost", "speaker_back"."""

Kind = Literal["input", "output"]

FALLBACK_RATES = (16_000, 48_000, 44_100)
"""Hertz. Capture rates tried, in order, after the one asked for."""


RESCAN_EVERY_S = 10.0
"""Seconds between device rescans a lost speaker asks for (each pauses the microphone)."""


class DeviceError(Exception):
    """A sound device cannot be used; the message says which and how to fix it."""


class DeviceLost(DeviceError):
    """A device went away during a session and did not come back in time."""


@dataclass(frozen=True)
class DeviceInfo:
    """One PortAudio device as `voice-coach devices` shows it."""

    index: int
    name: str
    hostapi: str
    inputs: int
    """Input channels (0: not a microphone)."""
    outputs: int
    """Output channels (0: not a speaker)."""
    default_rate: float
    """Hertz."""
    default_input: bool
    default_output: bool


def _sd() -> Any:
    """The `sounddevice` module, imported on first use."""
    try:
        import sounddevice
    except OSError as err:  # the Python package is there, the PortAudio library is not
        raise DeviceError(
            f"cannot load PortAudio ({err}); install it (Debian/Raspberry Pi OS: "
            "sudo apt install libportaudio2)"
        ) from err
    return sounddevice


def _default_index(kind: Kind) -> int:
    sd = _sd()
    pair = sd.default.device
    index = pair[0] if kind == "input" else pair[1]
    if index is None or int(index) < 0:
        # sounddevice keeps its own default (-1 = ask PortAudio) separate from PortAudio's.
        try:
            info = sd.query_devices(kind=kind)
        except (sd.PortAudioError, ValueError):
            return -1
        return int(info["index"])
    return int(index)


def list_devices() -> list[DeviceInfo]:
    """Every device PortAudio sees now, with the system defaults marked."""
    sd = _sd()
    default_in = _default_index("input")
    default_out = _default_index("output")
    hostapis = sd.query_hostapis()
    found = []
    for raw in sd.query_devices():
        index = int(raw["index"])
        found.append(
            DeviceInfo(
                index=index,
                name=str(raw["name"]),
                hostapi=str(hostapis[raw["hostapi"]]["name"]),
                inputs=int(raw["max_input_channels"]),
                outputs=int(raw["max_output_channels"]),
                default_rate=float(raw["default_samplerate"]),
                default_input=index == default_in,
                default_output=index == default_out,
            )
        )
    return found


def accepted_rates(index: int, kind: Kind, rates: tuple[int, ...] = FALLBACK_RATES) -> list[int]:
    """Which of `rates` (Hertz) the device accepts for mono (or its channel count)."""
    return [rate for rate in rates if _channels_for(index, kind, rate) is not None]


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Hide what PortAudio and ALSA print to stderr (file descriptor 2) meanwhile.

    Probing rates and reopening a lost device make them print a line per failed
    attempt ("Expression 'ret' failed in pa_linux_alsa.c"), which would bury the
    program's own messages; the failures are reported as DeviceError instead.
    """
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _channels_for(index: int, kind: Kind, rate: int) -> int | None:
    """1 when the device takes mono at `rate` Hz, else 2 (or its channel count), else None."""
    sd = _sd()
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    info = sd.query_devices(index)
    most = int(info["max_input_channels" if kind == "input" else "max_output_channels"])
    for channels in dict.fromkeys((1, min(2, most), most)):
        if channels < 1:
            continue
        try:
            with _quiet_stderr():
                check(device=index, samplerate=rate, channels=channels, dtype="float32")
        except (sd.PortAudioError, ValueError):
            continue
        return channels
    return None


def find_device(spec: str, kind: Kind) -> int:
    """The index of the device `spec` names: "" (system default), an index or a name part.

    Names match case-insensitively on any part; an exact name wins over a partial one.
    Raises `DeviceError` listing the devices there are when nothing fits.
    """
    what = "microphone" if kind == "input" else "speaker"
    flag = "--mic" if kind == "input" else "--speaker"
    key = "mic" if kind == "input" else "speaker"
    devices = [d for d in list_devices() if (d.inputs if kind == "input" else d.outputs) > 0]
    listing = "; ".join(f"{d.index}: {d.name}" for d in devices) or "none"
    fix = (
        f"pass {flag} with a name part or index, or set [audio] {key} in the config file "
        "(`voice-coach devices` lists them)"
    )
    spec = spec.strip()
    if not spec:
        index = _default_index(kind)
        if index < 0:
            raise DeviceError(
                f"there is no default {what}; connect one, or {fix}. {what.capitalize()}s: "
                f"{listing}"
            )
        return index
    if spec.lstrip("-").isdigit():
        index = int(spec)
        if any(d.index == index for d in devices):
            return index
        raise DeviceError(f"there is no {what} with index {index}; {fix}. Found: {listing}")
    wanted = spec.casefold()
    exact = [d for d in devices if d.name.casefold() == wanted]
    partial = [d for d in devices if wanted in d.name.casefold()]
    if exact or partial:
        return (exact or partial)[0].index
    raise DeviceError(f"no {what} matches '{spec}'; {fix}. {what.capitalize()}s: {listing}")


# --- re-scanning -----------------------------------------------------------------
# PortAudio reads the device list once, when it starts. A USB device that comes back
# may get another card number, so finding it again needs PortAudio restarted, which
# invalidates every open stream in the process. Every live device registers here and
# gives its stream up before a restart and reopens it after.

_LIVE: weakref.WeakSet[_LiveDevice] = weakref.WeakSet()
_RESCAN_LOCK = threading.RLock()


class _LiveDevice:
    def _release_for_rescan(self) -> None:
        raise NotImplementedError

    def _reopen_after_rescan(self) -> None:
        raise NotImplementedError


def rescan_devices() -> None:
    """Restart PortAudio so it sees devices plugged in (or back) since it started.

    Open live microphones and speakers close their streams first and reopen them
    afterwards (one that cannot reopen reports itself lost on its next use).
    """
    sd = _sd()
    with _RESCAN_LOCK:
        members = list(_LIVE)
        for member in members:
            member._release_for_rescan()
        # sounddevice has no public re-scan; these two are its own start and stop.
        try:
            if sd._initialized:
                sd._terminate()
            sd._initialize()
        except sd.PortAudioError as err:
            raise DeviceError(f"cannot restart PortAudio to look for devices: {err}") from err
        finally:
            for member in members:
                member._reopen_after_rescan()


# --- resampling ------------------------------------------------------------------


class StreamResampler:
    """Polyphase resampling of an endless stream, block by block, without seams.

    Each block is resampled together with enough samples on either side that the
    filter never sees the zero padding `resample_poly` adds at array edges, so the
    output equals resampling the whole stream at once. The price is a delay of about
    `delay_s` seconds (the filter's half length: under 2 ms for 48 or 44.1 kHz).
    """

    def __init__(self, from_rate: int, to_rate: int) -> None:
        common = gcd(from_rate, to_rate)
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._up = to_rate // common
        self._down = from_rate // common
        self._h: np.ndarray[Any, np.dtype[np.float64]] | None = None
        self._context = 0
        if self._up != self._down:
            from scipy.signal import firwin

            # The same low-pass filter `resample_poly` designs (and chunk.resample uses).
            most = max(self._up, self._down)
            half_len = 10 * most
            self._h = np.asarray(firwin(2 * half_len + 1, 1.0 / most, window=("kaiser", 5.0)))
            self._context = -(-half_len // self._up) + 1
        self._buf = np.zeros(0, dtype=np.float64)
        self._start = 0
        """Stream position (input samples) of `_buf[0]`; always a multiple of `_down`."""
        self._done = 0
        """Output samples handed out so far."""

    @property
    def delay_s(self) -> float:
        """Seconds of input held back to give the filter its right-hand context."""
        return self._context / self.from_rate

    def process(self, samples: Samples) -> Samples:
        """Resample the next block; returns the output that is complete so far."""
        if self._h is None:
            return np.asarray(samples, dtype=np.float32)
        from scipy.signal import resample_poly

        self._buf = np.concatenate([self._buf, samples.astype(np.float64)])
        end = self._start + len(self._buf)
        if end - self._context < 0:
            return np.zeros(0, dtype=np.float32)
        # Output m sits at input position m * down / up; it is final once `context`
        # input samples past that position have arrived.
        stop = (end - self._context) * self._up // self._down + 1
        if stop <= self._done:
            return np.zeros(0, dtype=np.float32)
        out = resample_poly(self._buf, self._up, self._down, window=self._h)
        offset = self._start * self._up // self._down
        block = out[self._done - offset : stop - offset]
        self._done = stop
        keep_from = max(self._start, ((stop * self._down) // self._up - self._context))
        keep_from = max(self._start, keep_from // self._down * self._down)
        self._buf = self._buf[keep_from - self._start :]
        self._start = keep_from
        return np.asarray(block, dtype=np.float32)


# --- microphone ------------------------------------------------------------------


def _ignore_status(code: str, message: str) -> None:
    """Default `on_status`: say nothing."""


class LiveMicrophone(_LiveDevice):
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
        _LIVE.add(self)

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
        sd = _sd()
        if rescan:
            rescan_devices()
        index = find_device(self.spec, "input")
        info = sd.query_devices(index)
        rates: tuple[int, ...] = (self._wanted_rate,) if self._wanted_rate else ()
        if not self._wanted_rate:
            rates = (LISTEN_RATE, int(info["default_samplerate"]), *FALLBACK_RATES)
        for rate in dict.fromkeys(rates):
            channels = _channels_for(index, "input", rate)
            if channels is not None:
                break
        else:
            raise DeviceError(
                f"microphone '{info['name']}' accepts none of the rates "
                f"{', '.join(str(r) for r in dict.fromkeys(rates))} Hz; choose another with --mic"
            )
        samples: queue.Queue[np.ndarray[Any, Any]] = queue.Queue()
        finished = threading.Event()

        # Runs on PortAudio's thread: only copy, never compute, never block.
        def callback(indata: Any, frames: int, when: Any, status: Any) -> None:
            samples.put_nowait(indata.copy())

        try:
            with _quiet_stderr():
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
        _LIVE.discard(self)


# --- speaker ---------------------------------------------------------------------


class LiveSpeaker(_LiveDevice):
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
        _LIVE.add(self)

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
        sd = _sd()
        if rescan:
            rescan_devices()
        index = find_device(self.spec, "output")
        info = sd.query_devices(index)
        rates: tuple[int, ...] = (self._wanted_rate,) if self._wanted_rate else ()
        if not self._wanted_rate:
            rates = (int(info["default_samplerate"]), 48_000, 44_100, 22_050)
        for rate in dict.fromkeys(rates):
            channels = _channels_for(index, "output", rate)
            if channels is not None:
                break
        else:
            raise DeviceError(
                f"speaker '{info['name']}' accepts none of the rates "
                f"{', '.join(str(r) for r in dict.fromkeys(rates))} Hz; choose another "
                "with --speaker"
            )
        finished = threading.Event()
        try:
            with _quiet_stderr():
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
        _LIVE.discard(self)
