"""`voice-coach validate`: not built yet."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `validate` subcommand."""
    parser = sub.add_parser("validate", help="(not built yet)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Not built yet."""
    print("voice-coach validate: not built yet")
    return 2
