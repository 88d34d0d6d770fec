"""`voice-coach models`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `models` subcommand."""
    parser = sub.add_parser("models", help="(not built yet)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Not built yet."""
    print("voice-coach models: not built yet")
    return 2
