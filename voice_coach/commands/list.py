"""`voice-coach list`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `list` subcommand."""
    parser = sub.add_parser("list", help="(not built yet)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Not built yet."""
    print("voice-coach list: not built yet")
    return 2
