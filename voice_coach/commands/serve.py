"""`voice-coach serve`: the always-on coach (live, or an evening simulated from a WAV)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

from voice_coach.commands import UserError
from voice_coach.commands.common import existing_file
from voice_coach.config import load_config
from voice_coach.engine import events as ev
from voice_coach.files import check_target


def register(sub: Any) -> None:
    """Add the `serve` subcommand."""
    parser = sub.add_parser(
        "serve",
        help="the always-on coach: wake word, nightly invitation (live or from a WAV)",
        description=(
            "Listen all evening for the wake word (and invite the couple at the check-in "
            "time). The microphone is open during [serve] enabled_hours; idle audio is only "
            "held for a moment in memory, never written. --input simulates an evening from "
            "a WAV, as fast as the CPU allows, with the same code as live."
        ),
    )
    parser.add_argument("--input", metavar="WAV", help="simulate: this WAV is the microphone")
    parser.add_argument(
        "--start",
        metavar="TIME",
        help="simulate: wall-clock time of the WAV's first sample (20:58 or 2026-11-30T20:58)",
    )
    parser.add_argument("--output", metavar="WAV", help="simulate: write the coach's voice here")
    parser.add_argument("--events", metavar="FILE", help="write events as JSON lines here")
    parser.add_argument("--mic", help="live: input device (index or part of its name)")
    parser.add_argument("--speaker", help="live: output device (index or part of its name)")
    parser.add_argument("--seed", type=int, help="seed for picking among wordings")
    parser.add_argument("--quiet", action="store_true", help="do not print the event log")
    parser.add_argument(
        "--journal",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="remember each exercise in the journal and skip an evening whose check-in is "
        "in it (default: live yes, as `[privacy] journal` says; --input only with --journal)",
    )
    parser.add_argument(
        "--list-wake-words", action="store_true", help="list the wake words that can be used"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the service the arguments describe."""
    from voice_coach.commands.run import journal_wanted
    from voice_coach.serve.clock import parse_start
    from voice_coach.serve.run import ServeOptions, serve

    config = load_config()
    if args.list_wake_words:
        return _list_wake_words(config.wake.word)
    if (args.start or args.output) and not args.input:
        raise UserError("--start and --output need --input (a simulated evening)")
    start = None
    if args.start:
        try:
            start = parse_start(args.start, dt.date.today())
        except ValueError as err:
            raise UserError(f"--start: {err}", exit_code=2) from err
    for given, option in ((args.events, "--events"), (args.output, "--output")):
        if given:
            check_target(Path(given), option)  # before the evening, not after it
    options = ServeOptions(
        input_path=existing_file(args.input, "input WAV") if args.input else None,
        start=start,
        output_path=Path(args.output) if args.output else None,
        events_path=Path(args.events) if args.events else None,
        mic=args.mic,
        speaker=args.speaker,
        seed=args.seed,
        journal=journal_wanted(args.journal, config, simulated=bool(args.input)),
    )
    if not args.quiet:
        options.listeners.append(print_event)
    began = time.perf_counter()
    reason, server = serve(config, options)
    if args.input:
        wall = time.perf_counter() - began
        seconds = server.mic.seconds
        speed = seconds / wall if wall > 0 else float("inf")
        print(
            f"Simulated {seconds:.1f} s of evening in {wall:.2f} s ({speed:.0f}x real time); "
            f"stopped: {reason}.",
            file=sys.stderr,
        )
    return 0


def _list_wake_words(current: str) -> int:
    from voice_coach.serve.wake import wake_words

    for info in wake_words():
        mark = "*" if info.id == current else " "
        langs = ", ".join(info.languages)
        print(f'{mark} {info.id:12s} say "{info.phrase}"  (trained on: {langs})')
    print('Set it under [wake] word = "..." in the config file; * marks the one in use.')
    return 0


def print_event(event: ev.Event) -> None:
    """One readable line per event worth showing."""
    from voice_coach.commands.run import describe
    from voice_coach.serve import events as sev

    line: str | None
    if isinstance(event, sev.Wake):
        line = f"wake word {event.model} ({event.score:.2f})"
    elif isinstance(event, sev.Awake):
        line = f"awake ({event.why})"
    elif isinstance(event, sev.ExerciseChosen):
        line = f"exercise: {event.script} ({event.how}{': ' + event.heard if event.heard else ''})"
    elif isinstance(event, sev.Invitation):
        line = f"invitation {event.attempt} for {event.script}"
    elif isinstance(event, sev.InvitationAnswer):
        line = f"invitation answer: {event.answer}"
    elif isinstance(event, sev.Idle):
        line = f"idle ({event.after})"
    elif isinstance(event, sev.ServeStarted):
        line = f"listening for {event.wake_word} ({event.mode}, from {event.at})"
    elif isinstance(event, sev.ServeStopped):
        line = f"stopped ({event.reason})"
    else:
        line = describe(event)
    if line:
        stamp = getattr(event, "at", "")
        print(f"[{event.t:8.1f} s{' ' + stamp if stamp else ''}] {line}", flush=True)
