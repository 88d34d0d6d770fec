"""`voice-coach service install|uninstall|status`: the coach as a systemd user service."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `service` subcommand."""
    parser = sub.add_parser(
        "service",
        help="run `voice-coach serve` as a systemd user service (Raspberry Pi)",
        description=(
            "install writes a systemd user unit that runs `voice-coach serve` after the "
            "sound server (restarted on failure) and enables it; uninstall removes it; "
            "status says whether it runs and shows the last lines of its log."
        ),
    )
    parser.add_argument("action", choices=("install", "uninstall", "status"))
    parser.add_argument(
        "--no-start", action="store_true", help="install: enable for the next boot only"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Do what the action says and print what happened."""
    from voice_coach.serve import service

    if args.action == "install":
        outcome = service.install(start=not args.no_start)
    elif args.action == "uninstall":
        outcome = service.uninstall()
    else:
        outcome = service.status()
    for line in outcome.lines:
        print(line)
    return 0 if outcome.ok else 1
