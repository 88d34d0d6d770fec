"""`voice-coach devices`: the microphones and speakers this computer has.

Each device shows its index and name (either can go to --mic/--speaker or to
[audio] mic/speaker in the config file), channels, default rate, whether it is the
system default, and for microphones which of 16000/44100/48000 Hz it accepts.
"""

from __future__ import annotations

import argparse
from typing import Any

from voice_coach.config import config_dir


def register(sub: Any) -> None:
    """Add the `devices` subcommand."""
    parser = sub.add_parser(
        "devices",
        help="list microphones and speakers",
        description="List the sound devices PortAudio sees, for --mic and --speaker.",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the input and output devices; 1 when there are none."""
    from voice_coach.audio.devices import (
        FALLBACK_RATES,
        accepted_rates,
        list_devices,
    )

    devices = list_devices()
    rates = {
        d.index: accepted_rates(d.index, "input", tuple(sorted(FALLBACK_RATES)))
        for d in devices
        if d.inputs > 0
    }
    inputs = [d for d in devices if d.inputs > 0]
    outputs = [d for d in devices if d.outputs > 0]
    if not devices:
        print("No sound devices found. Connect a microphone and a speaker (on Linux, check")
        print("that `arecord -l` and `aplay -l` list them), then run `voice-coach devices` again.")
        return 1
    width = max(len(d.name) for d in devices)
    print("Microphones (input):")
    if not inputs:
        print("  none")
    for d in inputs:
        accepts = " ".join(str(r) for r in rates[d.index]) or "none of 16000/44100/48000"
        mark = "  (default)" if d.default_input else ""
        print(
            f"  {d.index:>3}  {d.name:<{width}}  {d.inputs:>2} ch  {d.default_rate:>7.0f} Hz"
            f"  accepts {accepts} Hz{mark}"
        )
    print("Speakers (output):")
    if not outputs:
        print("  none")
    for d in outputs:
        mark = "  (default)" if d.default_output else ""
        print(
            f"  {d.index:>3}  {d.name:<{width}}  {d.outputs:>2} ch  {d.default_rate:>7.0f} Hz{mark}"
        )
    print(
        "Choose with --mic/--speaker (an index or part of a name), or set [audio] mic and "
        f"speaker in {config_dir() / 'config.toml'}."
    )
    return 0
