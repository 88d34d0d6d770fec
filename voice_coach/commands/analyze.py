"""`voice-coach analyze`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `analyze` subcommand."""
    parser = sub.add_parser("analyze", help="(not built yet)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Not built yet."""
    print("voice-coach analyze: not built yet")
    return 2
