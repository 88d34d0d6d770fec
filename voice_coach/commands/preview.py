"""`voice-coach preview SCRIPT -o preview.wav`: hear the coach's whole part."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from voice_coach.commands.common import add_names_option, load_script_arg, parse_names
from voice_coach.config import load_config
from voice_coach.files import check_target


def register(sub: Any) -> None:
    """Add the `preview` subcommand."""
    parser = sub.add_parser(
        "preview",
        help="render the coach's part of a script to a WAV",
        description=(
            "Render everything the coach says, with its pauses; each partner turn is "
            "silence of its planned length and each question, after its time to answer, "
            "takes its first answer: the script as written."
        ),
    )
    parser.add_argument("script", help="script id or path to a .yaml file")
    parser.add_argument("-o", "--output", required=True, metavar="WAV", help="WAV to write")
    parser.add_argument("--events", metavar="FILE", help="write events as JSON lines here")
    add_names_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Render the preview."""
    from voice_coach.engine import runner

    config = load_config()
    script = load_script_arg(args.script)
    check_target(Path(args.output), "-o")
    if args.events:
        check_target(Path(args.events), "--events")
    options = runner.RunOptions(
        names=parse_names(args.names or config.couple.names),
        events_path=Path(args.events) if args.events else None,
    )
    started = time.perf_counter()
    voice = runner.select_voice_for(script, config, runner.notice_printer())
    log, seconds = runner.preview(script, voice, config, Path(args.output), options)
    said = sum(1 for e in log.events if e.type == "said")
    print(
        f"Wrote {args.output}: {seconds / 60:.1f} minutes, {said} spoken lines "
        f"(rendered in {time.perf_counter() - started:.1f} s)."
    )
    return 0
