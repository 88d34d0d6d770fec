"""`voice-coach run SCRIPT`: a session, live, simulated from a WAV, or typed."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voice_coach.commands import UserError
from voice_coach.commands.common import (
    add_names_option,
    existing_file,
    load_script_arg,
    parse_names,
)
from voice_coach.config import Config, load_config
from voice_coach.engine import events as ev
from voice_coach.files import check_target
from voice_coach.printable import visible
from voice_coach.script.model import Script

if TYPE_CHECKING:  # the engine loads numpy and scipy: only when a session runs
    from voice_coach.engine.runner import RunOptions
    from voice_coach.speech.recognizer import Recognizer
    from voice_coach.speech.voice import Voice


def register(sub: Any) -> None:
    """Add the `run` subcommand."""
    parser = sub.add_parser(
        "run",
        help="run a spoken exercise (live, from a WAV, or typed)",
        description=(
            "Run a script by id (see `voice-coach list`) or by path. Live by default; "
            "--input runs it simulated with a WAV as the microphone; --text in the terminal."
        ),
    )
    parser.add_argument("script", help="script id or path to a .yaml file")
    add_names_option(parser)
    parser.add_argument("--input", metavar="WAV", help="simulate: this WAV is the microphone")
    parser.add_argument("--output", metavar="WAV", help="simulate: write the coach's voice here")
    parser.add_argument("--events", metavar="FILE", help="write events as JSON lines here")
    parser.add_argument("--text", action="store_true", help="run in the terminal: type turns")
    parser.add_argument("--mic", help="live: input device (index or part of its name)")
    parser.add_argument("--speaker", help="live: output device (index or part of its name)")
    parser.add_argument("--seed", type=int, help="seed for picking among wordings")
    parser.add_argument("--quiet", action="store_true", help="do not print the session log")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the session the arguments describe."""
    from voice_coach.engine import runner

    config = load_config()
    script = load_script_arg(args.script)
    options = runner.RunOptions(
        names=parse_names(args.names or config.couple.names),
        seed=args.seed,
        events_path=Path(args.events) if args.events else None,
    )
    if args.output and not args.input:
        raise UserError("--output needs --input (a simulated session); live audio is not saved")
    # Checked before anything long starts: a typo must not cost a session.
    if args.events:
        check_target(Path(args.events), "--events")
    if args.output:
        check_target(Path(args.output), "--output")
    if args.text:
        if args.input:
            raise UserError("--text and --input do not go together: pick one")
        print(f"{visible(script.title)} — type each turn and press Enter; type 'stop' to end.")
        reason = runner.text_session(script, config, options)
        print(f"Session ended ({reason}).")
        return 0
    if not args.quiet:
        options.listeners.append(print_event)
    notify = runner.notice_printer()
    voice = runner.select_voice_for(script, config, notify)
    recognizer = runner.recognizer_for(script, config, notify)
    if args.input:
        return _simulate(args, script, config, options, voice, recognizer)
    from voice_coach.engine.live import live_session

    reason = live_session(script, config, options, voice, recognizer, args.mic, args.speaker)
    print(f"Session ended ({reason}).")
    return _disk_full(args) if reason == "disk_full" else 0


def _simulate(
    args: argparse.Namespace,
    script: Script,
    config: Config,
    options: RunOptions,
    voice: Voice,
    recognizer: Recognizer | None,
) -> int:
    input_path = existing_file(args.input, "input WAV")
    output = Path(args.output) if args.output else None
    started = time.perf_counter()
    from voice_coach.engine import runner

    word_timer = runner.word_timer_for(recognizer, config)
    reason, _, seconds = runner.simulate(
        script, input_path, voice, config, options, output, recognizer, word_timer
    )
    wall = time.perf_counter() - started
    speed = seconds / wall if wall > 0 else float("inf")
    print(
        f"Simulated {seconds:.1f} s of session in {wall:.2f} s ({speed:.0f}x real time); "
        f"ended: {reason}.",
        file=sys.stderr,
    )
    return _disk_full(args) if reason == "disk_full" else 0


def _disk_full(args: argparse.Namespace) -> int:
    """One line when the disk filled up mid-session; exit code 1."""
    kept = f"; {args.events} holds the events up to then" if args.events else ""
    output = "; no output WAV was written" if getattr(args, "output", None) else ""
    print(
        f"voice-coach: the disk is full: the session ended early{kept}{output}; "
        "free some space and run it again",
        file=sys.stderr,
    )
    return 1


def print_event(event: ev.Event) -> None:
    """One readable line per event worth showing on the terminal."""
    line = describe(event)
    if line:
        print(f"[{event.t:7.1f} s] {visible(line)}", flush=True)


def describe(event: ev.Event) -> str | None:
    """A short human description of an event, or None for the ones not worth a line."""
    if isinstance(event, ev.Said):
        return f"coach: {event.text}"
    if isinstance(event, ev.TurnStarted):
        return f"{event.speaker}: {event.part}, up to {event.seconds:g} s"
    if isinstance(event, ev.TurnEnded):
        return f"{event.speaker}: done after {event.seconds:.1f} s ({event.reason})"
    if isinstance(event, ev.Answer):
        how = "no answer, default" if event.default else f"heard '{event.text}'"
        return f"answer: {event.matched} ({how})"
    if isinstance(event, ev.Command):
        return f"command: {event.name}"
    if isinstance(event, ev.RaisedVoice):
        return f"voices raised: {event.over_db:+.1f} dB over the baseline"
    if isinstance(event, ev.PaceFeedback):
        return f"{event.speaker} talks fast: {event.syllables_per_s:.1f} syllables/s"
    if isinstance(event, ev.Notice):
        return f"note: {event.text}"
    if isinstance(event, ev.SessionEnded):
        return f"session ended: {event.reason}"
    return None
