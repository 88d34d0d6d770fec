"""`voice-coach analyze RECORDING.wav`: levels, raised voices and pace of a recording.

Runs the same Listener a live session uses over the whole file and prints a
short summary, or one JSON object with `--json`; `--plot out.png` draws level
over time with the baseline, the raised-voice threshold, the raised stretches
and the pace of every stretch of speech. `--words` cross-checks the pace with a
speech recogniser's word timings; only counts are reported, never the words.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from voice_coach.audio.chunk import LISTEN_RATE
from voice_coach.audio.resample import resampled
from voice_coach.audio.wav import WavReader
from voice_coach.config import Config, ListenSettings, load_config
from voice_coach.files import check_target, write_private
from voice_coach.lang import SUPPORTED
from voice_coach.listen.analysis import Analysis, analyze_blocks
from voice_coach.listen.words import WordPace, word_pace
from voice_coach.speech.recognizer import Word


def register(sub: Any) -> None:
    """Add the `analyze` subcommand."""
    parser = sub.add_parser(
        "analyze",
        help="show levels, raised voices and speaking pace of a recording",
        description="Run the listening detectors of a session over a WAV recording.",
    )
    parser.add_argument("recording", type=Path, help="a WAV file (any rate, mono or stereo)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--plot", type=Path, metavar="OUT.png", help="draw a picture")
    parser.add_argument(
        "--words",
        action="store_true",
        help="cross-check the pace with the word timings of a speech recogniser "
        "(counts only: no words are printed or kept)",
    )
    parser.add_argument(
        "--language", choices=SUPPORTED, default="nl", help="recogniser language (--words)"
    )
    parser.add_argument(
        "--vosk-model", type=Path, metavar="DIR", help="use this Vosk model folder (--words)"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Analyse the recording; 0 on success."""
    config = load_config()
    settings = config.listen
    if args.plot is not None:
        check_target(args.plot, "--plot")
    with WavReader(args.recording) as reader:
        # Streamed: a whole evening's recording never sits in memory.
        result = analyze_blocks(reader.blocks(max(1, reader.rate)), reader.rate, settings)
        words = _word_pace(reader, args, config) if args.words else None
    if args.plot is not None:
        _write_plot(result, settings, args.plot, args.recording.name)
    if args.json:
        data = result.to_json()
        if words is not None:
            data["words"] = _crosscheck(result, words)
        print(json.dumps(data))
    else:
        print(summary(result, args.recording.name))
        if words is not None:
            check = _crosscheck(result, words)
            print(
                f"Pace from {check['count']} recognised words: "
                f"{check['syllables_per_s']:.1f} syllables/s "
                f"(sound alone: {check['acoustic_syllables_per_s']:.1f})"
            )
        if args.plot is not None:
            print(f"Picture: {args.plot}")
    return 0


def _word_pace(reader: WavReader, args: argparse.Namespace, config: Config) -> WordPace:
    """Run a free-speech recogniser over the recording and measure the pace of its words."""
    from voice_coach.speech.vosk import VoskRecognizer, open_recognizer

    if args.vosk_model is not None:
        recognizer = VoskRecognizer(args.vosk_model)
        recognizer.load()
    else:
        recognizer = open_recognizer(args.language, config)
    recognizer.expect(None)
    words: list[Word] = []
    seconds = reader.blocks(max(1, reader.rate // 10))  # a tenth of a second at a time
    for block in resampled(seconds, reader.rate, LISTEN_RATE):
        heard = recognizer.accept(block)
        if heard is not None:
            words.extend(heard.words)
    last = recognizer.flush()
    if last is not None:
        words.extend(last.words)
    return word_pace(words)


def _crosscheck(result: Analysis, words: WordPace) -> dict[str, Any]:
    speech = sum(s.speech_s for s in result.segments)
    acoustic = sum(s.syllables for s in result.segments) / speech if speech > 0 else 0.0
    return {
        "count": words.words,
        "syllables_per_s": round(words.syllables_per_s, 2),
        "speech_s": round(words.speech_s, 2),
        "acoustic_syllables_per_s": round(acoustic, 2),
        "ratio": round(acoustic / words.syllables_per_s, 2) if words.syllables_per_s else None,
    }


def _write_plot(result: Analysis, settings: ListenSettings, path: Path, title: str) -> None:
    from voice_coach.listen.plot import render_png

    png = render_png(result, settings, title)
    # The picture shows when a couple spoke and how loud: only for this user.
    write_private(path, png, "--plot")


def summary(result: Analysis, name: str) -> str:
    """A few lines a coach can read at a glance."""
    minutes, seconds = divmod(round(result.duration_s), 60)
    lines = [f"{name}: {minutes}:{seconds:02d}, speech {result.speech_ratio:.0%} of the time"]
    if result.baseline_dbfs is None:
        lines.append("Too little speech to learn the speaking level.")
    else:
        lines.append(
            f"Speaking level (baseline): {result.baseline_dbfs:.1f} dBFS; "
            f"background: {result.noise_floor_dbfs:.1f} dBFS"
        )
    if result.raised:
        lines.append(f"Raised voices: {len(result.raised)} time(s)")
        lines.extend(
            f"  {_clock(r.start_s)}-{_clock(r.end_s)}  +{r.over_db:.1f} dB over the baseline"
            for r in result.raised
        )
    else:
        lines.append("Raised voices: none")
    speech = sum(s.speech_s for s in result.segments)
    if speech > 0:
        syllables = sum(s.syllables for s in result.segments)
        fastest = max(result.segments, key=lambda s: s.syllables_per_s)
        lines.append(
            f"Pace: {syllables / speech:.1f} syllables/s on average over "
            f"{len(result.segments)} stretches of speech; fastest "
            f"{fastest.syllables_per_s:.1f} at {_clock(fastest.start_s)}"
        )
    return os.linesep.join(lines)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60.0)
    return f"{int(minutes)}:{rest:04.1f}"
