"""`audio.echo.probe` reading what `pactl` says on PipeWire and PulseAudio systems.

The PulseAudio case runs for real in tests/test_echo_cancel.py; PipeWire does not run
here, so its `pactl` answers are given as text (a fake of the command only)."""

from __future__ import annotations

from collections.abc import Sequence

from voice_coach.audio.echo import EchoCancel, probe, use_environment
from voice_coach.commands.doctor import check_echo_cancel

PIPEWIRE_INFO = """Server String: /run/user/1000/pulse/native
Server Name: PulseAudio (on PipeWire 1.0.5)
Default Sink: alsa_output.pci-0000_00_1f.3.analog-stereo
Default Source: alsa_input.pci-0000_00_1f.3.analog-stereo
"""
SOURCES = (
    "51\talsa_output.pci-0000_00_1f.3.analog-stereo.monitor\tPipeWire\ts32le 2ch 48000Hz\tIDLE\n"
    "52\talsa_input.pci-0000_00_1f.3.analog-stereo\tPipeWire\ts32le 2ch 48000Hz\tIDLE\n"
    "60\techo-cancel-source\tPipeWire\tfloat32le 1ch 48000Hz\tSUSPENDED\n"
)
SINKS = (
    "51\talsa_output.pci-0000_00_1f.3.analog-stereo\tPipeWire\ts32le 2ch 48000Hz\tIDLE\n"
    "61\techo-cancel-sink\tPipeWire\tfloat32le 1ch 48000Hz\tSUSPENDED\n"
)


def fake_pactl(answers: dict[str, str]) -> object:
    def run(args: Sequence[str]) -> str:
        return answers.get(" ".join(args), "")

    return run


def test_pipewire_echo_cancel_is_found_and_used() -> None:
    run = fake_pactl(
        {"info": PIPEWIRE_INFO, "list short sources": SOURCES, "list short sinks": SINKS}
    )
    echo = probe(run)  # type: ignore[arg-type]
    assert echo == EchoCancel(
        "PipeWire",
        "echo-cancel-source",
        "echo-cancel-sink",
        "alsa_input.pci-0000_00_1f.3.analog-stereo",
    )
    assert echo.available and not echo.active
    assert use_environment(echo) == {
        "PULSE_SOURCE": "echo-cancel-source",
        "PULSE_SINK": "echo-cancel-sink",
    }


def test_pipewire_without_it_gets_advice() -> None:
    sources = SOURCES.splitlines()[0] + "\n" + SOURCES.splitlines()[1] + "\n"
    run = fake_pactl({"info": PIPEWIRE_INFO, "list short sources": sources})
    echo = probe(run)  # type: ignore[arg-type]
    assert echo.server == "PipeWire" and not echo.available
    check = check_echo_cancel(echo)
    assert check.status == "WARN" and "pipewire.conf.d" in check.message


def test_no_sound_server() -> None:
    echo = probe(fake_pactl({}))  # type: ignore[arg-type]
    assert echo == EchoCancel(None) and use_environment(echo) == {}
    assert check_echo_cancel(echo).status == "OK"
