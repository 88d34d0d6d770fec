"""`voice-coach run SCRIPT`: a session, live, simulated from a WAV, or typed."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
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
from voice_coach.files import FileError, check_target
from voice_coach.printable import visible
from voice_coach.script.model import Recap, Script, walk

if TYPE_CHECKING:  # the engine loads numpy and scipy: only when a session runs
    from voice_coach.engine.history import Recent
    from voice_coach.engine.runner import RunOptions
    from voice_coach.journal.recorder import JournalRecorder
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
    parser.add_argument(
        "--journal",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="remember the session in the journal (default: live sessions yes, as "
        "`[privacy] journal` says; --input and --text only with --journal)",
    )
    parser.add_argument(
        "--start",
        type=_moment,
        metavar="YYYY-MM-DDTHH:MM",
        help="simulate: the wall-clock time the session starts at, for the journal (default: now)",
    )
    parser.set_defaults(handler=handle)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(
            f"expected a date and time like 2024-05-06T21:00, not '{text}'"
        ) from err
    return moment if moment.tzinfo is not None else moment.astimezone()


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
    if args.text and args.input:
        raise UserError("--text and --input do not go together: pick one")
    # Checked before anything long starts: a typo must not cost a session.
    if args.events:
        check_target(Path(args.events), "--events")
    if args.output:
        check_target(Path(args.output), "--output")
    if args.start and not args.input:
        raise UserError("--start is for simulated sessions (--input); others start now")
    recorder = _journal(args, script, config)
    if recorder is not None:
        options.listeners.append(recorder)
        options.history = _history(script, args.start)
    try:
        return _run(args, script, config, options)
    finally:
        if recorder is not None:
            recorder.close()


def _journal(args: argparse.Namespace, script: Script, config: Config) -> JournalRecorder | None:
    """The journal's recorder when this session should be remembered (None: not, or the
    journal cannot be used tonight, which it has said in one line)."""
    if not journal_wanted(args.journal, config, simulated=bool(args.input or args.text)):
        return None
    from voice_coach.engine.runner import notice_printer
    from voice_coach.journal.recorder import open_recorder

    return open_recorder(notice_printer(), title=script.title, start=args.start)


def _history(script: Script, start: datetime | None) -> Recent | None:
    """The recent evenings for a `recap` step (read only when the script has one)."""
    if not any(isinstance(step, Recap) for step in walk(script.steps)):
        return None
    from voice_coach.journal.history import recent_evenings

    return recent_evenings(start or datetime.now().astimezone())


def journal_wanted(flag: bool | None, config: Config, simulated: bool) -> bool:
    """Whether to remember a session: `--journal`/`--no-journal` when given; otherwise
    live sessions as `[privacy] journal` says, simulated and typed ones not."""
    if flag is not None:
        return flag
    return config.privacy.journal and not simulated


def _run(args: argparse.Namespace, script: Script, config: Config, options: RunOptions) -> int:
    from voice_coach.engine import runner

    if not args.input:
        _meet_the_couple(script, options)
    if args.text:
        return _text(script, config, options)
    if not args.quiet:
        options.listeners.append(print_event)
    notify = runner.notice_printer()
    voice = runner.select_voice_for(script, config, notify)
    recognizer = runner.recognizer_for(script, config, notify)
    if args.input:
        return _simulate(args, script, config, options, voice, recognizer)
    return _live(args, script, config, options, voice, recognizer)


def _meet_the_couple(script: Script, options: RunOptions) -> None:
    """A real couple (live or typed): what the coach remembers of them, and their names,
    asked for once when nobody gave them and someone is at the terminal to answer."""
    from voice_coach.commands.names import ask_names, interactive
    from voice_coach.engine.couple import load_record

    options.couple = load_record()
    if options.names or options.couple.names_asked or not interactive():
        return
    options.names = ask_names(script.language)
    options.couple.names_asked = True
    try:
        options.couple.save()
    except FileError as err:
        print(f"voice-coach: {err}", file=sys.stderr)


def _text(script: Script, config: Config, options: RunOptions) -> int:
    from voice_coach.engine import runner

    print(f"{visible(script.title)} — type each turn and press Enter; type 'stop' to end.")
    reason = runner.text_session(script, config, options)
    print(f"Session ended ({reason}).")
    return 0


TEXT_INSTEAD = {
    "nl": "Het geluid kan niet open: {error}\n"
    "De oefening in de terminal doen, met getypte beurten? [J/n] ",
    "en": "The sound cannot be opened: {error}\n"
    "Do the exercise in the terminal, typing the turns? [Y/n] ",
}
YES = ("", "j", "ja", "y", "yes")


def _live(
    args: argparse.Namespace,
    script: Script,
    config: Config,
    options: RunOptions,
    voice: Voice,
    recognizer: Recognizer | None,
) -> int:
    """A live session; when the sound card cannot be opened, the terminal instead (asked
    when someone is there to answer, else said in the error)."""
    from voice_coach.audio.devices import DeviceError
    from voice_coach.commands.names import interactive
    from voice_coach.engine.live import live_session

    started: list[ev.Event] = []
    options.listeners.append(lambda e: started.append(e) if e.type == "session_started" else None)
    try:
        reason = live_session(script, config, options, voice, recognizer, args.mic, args.speaker)
    except DeviceError as err:
        if started:
            raise
        if not interactive():
            raise DeviceError(
                f"{err}; to do the exercise in the terminal instead: "
                f"voice-coach run {args.script} --text"
            ) from err
        question = TEXT_INSTEAD.get(script.language, TEXT_INSTEAD["en"])
        if input(question.format(error=err)).strip().lower() not in YES:
            return 1
        options.listeners = [f for f in options.listeners if f is not print_event]
        return _text(script, config, options)
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
    from voice_coach.engine import runner

    input_path = existing_file(args.input, "input WAV")
    output = Path(args.output) if args.output else None
    started = time.perf_counter()
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
