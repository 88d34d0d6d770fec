"""Finding sound devices: listing, choosing one by name or index, probing rates, rescans.

`find_device` turns what a user typed (--mic, --speaker, [audio] mic/speaker) into a
PortAudio device index; `accepted_rates` and `channels_for` probe which rates (Hertz)
and channel counts a device takes. `rescan_devices` restarts PortAudio so it sees a
device plugged in (or back) since it started; every open live device registered in
`RESCAN_MEMBERS` closes and reopens its stream around that.

`sounddevice` is imported lazily (`load_sounddevice`): simulated sessions and tests
without sound never load PortAudio.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from voice_coach.errors import VoiceCoachError

Kind = Literal["input", "output"]

FALLBACK_RATES = (16_000, 48_000, 44_100)
"""Hertz. Capture rates tried, in order, after the one asked for."""


class DeviceError(VoiceCoachError):
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


def load_sounddevice() -> Any:
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
    sd = load_sounddevice()
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
    sd = load_sounddevice()
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
    return [rate for rate in rates if channels_for(index, kind, rate) is not None]


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
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


def channels_for(index: int, kind: Kind, rate: int) -> int | None:
    """1 when the device takes mono at `rate` Hz, else 2 (or its channel count), else None."""
    sd = load_sounddevice()
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    info = sd.query_devices(index)
    most = int(info["max_input_channels" if kind == "input" else "max_output_channels"])
    for channels in dict.fromkeys((1, min(2, most), most)):
        if channels < 1:
            continue
        try:
            with quiet_stderr():
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

RESCAN_MEMBERS: weakref.WeakSet[RescanMember] = weakref.WeakSet()
_RESCAN_LOCK = threading.RLock()


class RescanMember:
    """An open live device: gives its stream up before a PortAudio restart, reopens it after."""

    def _release_for_rescan(self) -> None:
        raise NotImplementedError

    def _reopen_after_rescan(self) -> None:
        raise NotImplementedError


def rescan_devices() -> None:
    """Restart PortAudio so it sees devices plugged in (or back) since it started.

    Open live microphones and speakers close their streams first and reopen them
    afterwards (one that cannot reopen reports itself lost on its next use).
    """
    sd = load_sounddevice()
    with _RESCAN_LOCK:
        members = list(RESCAN_MEMBERS)
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


def open_format(
    spec: str,
    kind: Kind,
    wanted_rate: int | None,
    before_default: tuple[int, ...],
    after_default: tuple[int, ...],
) -> tuple[int, Any, int, int]:
    """The device `spec` names and the first rate (Hz) it accepts, with its channels.

    Tries `wanted_rate` alone when given; else `before_default`, the device's own
    default rate, then `after_default`. Returns (index, info, rate, channels).
    """
    index = find_device(spec, kind)
    info = load_sounddevice().query_devices(index)
    rates = (
        (wanted_rate,)
        if wanted_rate
        else (*before_default, int(info["default_samplerate"]), *after_default)
    )
    for rate in dict.fromkeys(rates):
        channels = channels_for(index, kind, rate)
        if channels is not None:
            return index, info, rate, channels
    what, flag = ("microphone", "--mic") if kind == "input" else ("speaker", "--speaker")
    tried = ", ".join(str(r) for r in dict.fromkeys(rates))
    raise DeviceError(
        f"{what} '{info['name']}' accepts none of the rates {tried} Hz; choose another with {flag}"
    )
