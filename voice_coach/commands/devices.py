"""`voice-coach devices`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `devices` subcommand."""
    parser = sub.add_parser("devices", help="(not built yet)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Not built yet."""
    print("voice-coach devices: not built yet")
    return 2
