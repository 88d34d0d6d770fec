"""The `voice-coach` command. Each subcommand lives in its own module in `commands/`.

Every error the user can act on is a `VoiceCoachError` (each area raises its own
subclass) and is printed here as one line; the exit code is 1 for a problem found,
2 for bad usage. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from voice_coach import __version__
from voice_coach.errors import VoiceCoachError
from voice_coach.printable import visible

COMMAND_MODULES = (
    "run",
    "validate",
    "list",
    "preview",
    "analyze",
    "models",
    "devices",
    "doctor",
)
"""Modules in `voice_coach.commands`, in the order `--help` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="voice-coach",
        description="A local, hands-free voice coach for couples.",
    )
    parser.add_argument("--version", action="version", version=f"voice-coach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"voice_coach.commands.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        code: int = args.handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:
        # `voice-coach list | head`: the reader has all it wanted. Quiet, like a Unix tool.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 141
    except VoiceCoachError as err:
        lines = [visible(line) for line in str(err).split("\n")]  # one line per problem
        print("voice-coach: " + "\n".join(lines), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("\nvoice-coach: stopped.", file=sys.stderr)
        return 130
