"""The sound server's echo cancellation: is it there, is it in use, how to turn it on.

Through laptop speakers the coach's own voice reaches the microphone. The engine
already does not listen while the coach speaks (and for an echo tail after); echo
cancellation in the sound server takes the coach's voice out of the microphone's
signal itself, so what leaks past that tail, or rings on in the room, is gone too.

PulseAudio has it as `module-echo-cancel`; PipeWire as `libpipewire-module-echo-cancel`
(its PulseAudio layer loads it as `module-echo-cancel` too). Both make a pair: a
source whose sound has the echo removed, and a sink whose sound is the reference the
echo is removed against: the coach must record from the one and play into the other.
`pactl` reaches both servers, so one probe serves both.

Using it: when the couple has not chosen devices, the live session points PulseAudio
clients (the ALSA `pulse` plugin PortAudio goes through) at that pair with
`PULSE_SOURCE` and `PULSE_SINK` (`use_environment`).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass

PULSE_ARGS = ("aec_method=webrtc", 'aec_args="analog_gain_control=0 digital_gain_control=0"')
"""The `module-echo-cancel` arguments `doctor` advises: the WebRTC canceller with its
automatic gain control off. Left on (the module's default), it turns the microphone's
own volume up and down (on the test rig it left it at 51-66 %), so voices would be
measured against a moving level. On the PulseAudio test rig these take the coach's
leaked voice down by 25 to 42 dB a run and leave a partner speaking alone within 1 dB
(bench/echo_cancel.py)."""

Run = Callable[[Sequence[str]], str]
"""Runs a command and gives its standard output ("" when it fails)."""

_MARKS = ("echo-cancel", "echo_cancel", "echocancel", "aec")
"""Parts of a source or sink name that echo-cancelling devices carry."""


@dataclass(frozen=True)
class EchoCancel:
    """What the sound server offers."""

    server: str | None
    """"PulseAudio", "PipeWire" or None (no sound server answered)."""
    source: str | None = None
    """Name of the echo-cancelled source (the microphone to record from), if any."""
    sink: str | None = None
    """Name of its reference sink (the speaker to play into), if any."""
    default_source: str | None = None
    """The server's default source."""

    @property
    def available(self) -> bool:
        """An echo-cancelled source and its sink exist."""
        return self.source is not None and self.sink is not None

    @property
    def active(self) -> bool:
        """They are the server's defaults: every client already goes through them."""
        return self.available and self.default_source == self.source

    def advice(self) -> str:
        """One sentence on how to turn echo cancellation on."""
        if self.server == "PipeWire":
            return (
                "turn on PipeWire's echo-cancel with its gain control off: a "
                "libpipewire-module-echo-cancel block with aec.args = { "
                "webrtc.gain_control = false } in ~/.config/pipewire/pipewire.conf.d/, "
                "then make its source and sink the defaults"
            )
        if self.server == "PulseAudio":
            method, gain = PULSE_ARGS
            return (
                "turn on PulseAudio's echo canceller with its gain control off: pactl "
                f"load-module module-echo-cancel {method} '{gain}' (for every login: "
                f"load-module module-echo-cancel {method} {gain} in "
                "~/.config/pulse/default.pa), then make its source and sink the defaults"
            )
        return (
            "no PulseAudio or PipeWire server answered (pactl); the coach relies on not "
            "listening while it speaks"
        )


def _pactl(args: Sequence[str]) -> str:
    if shutil.which("pactl") is None:
        return ""
    try:
        done = subprocess.run(
            ["pactl", *args], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""


def probe(run: Run = _pactl) -> EchoCancel:
    """Ask the sound server (through `pactl`) what echo cancellation it has."""
    info = run(["info"])
    if not info:
        return EchoCancel(None)
    server = "PipeWire" if "PipeWire" in info else "PulseAudio"
    default_source = _field(info, "Default Source")
    source = _echo_name(run(["list", "short", "sources"]), monitor=False)
    sink = _echo_name(run(["list", "short", "sinks"]), monitor=False)
    return EchoCancel(server, source, sink, default_source)


def _field(info: str, name: str) -> str | None:
    for line in info.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip() or None
    return None


def _echo_name(listing: str, monitor: bool) -> str | None:
    """The first echo-cancelling device in `pactl list short` output."""
    for line in listing.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        name = parts[1]
        if name.endswith(".monitor") and not monitor:
            continue
        if any(mark in name.lower() for mark in _MARKS):
            return name
    return None


def use_environment(echo: EchoCancel) -> dict[str, str]:
    """Environment that points PulseAudio clients at the echo-cancelling pair ({} if none)."""
    if not echo.available or echo.active:
        return {}
    assert echo.source is not None and echo.sink is not None
    return {"PULSE_SOURCE": echo.source, "PULSE_SINK": echo.sink}
