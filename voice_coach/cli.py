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

COMMANDS: dict[str, str] = {
    "run": "run a spoken exercise (live, from a WAV, or typed)",
    "validate": "check scripts and show every problem as PATH:LINE:COLUMN: message",
    "list": "show the scripts you can run: id, language, length, title, where from",
    "preview": "render the coach's part of a script to a WAV",
    "analyze": "show levels, raised voices and speaking pace of a recording",
    "models": "list, download and verify the voices and speech recognisers",
    "devices": "list microphones and speakers",
    "doctor": "check devices, models and permissions",
    "journal": "look back at past sessions: table, trends picture, export, forget",
    "serve": "the always-on coach: wake word, nightly invitation (live or from a WAV)",
    "service": "run `voice-coach serve` as a systemd user service (Raspberry Pi)",
}
"""Each subcommand (a module in `voice_coach.commands` with `register(subparsers)`) and
its one-line help, in the order `--help` lists them. Only the module of the command
being run is imported: `voice-coach --help` loads no engine, numpy or scipy (a test
checks this, and that each module's own help line matches this one)."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; `command`'s module fills in its subcommand in full."""
    parser = argparse.ArgumentParser(
        prog="voice-coach",
        description="A local, hands-free voice coach for couples.",
    )
    parser.add_argument("--version", action="version", version=f"voice-coach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary in COMMANDS.items():
        if name == command:
            importlib.import_module(f"voice_coach.commands.{name}").register(sub)
        else:
            sub.add_parser(name, help=summary)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand named in `argv` (the first word that is not an option)."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_in(words))
    args = parser.parse_args(words)
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
