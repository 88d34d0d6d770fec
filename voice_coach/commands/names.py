"""Asking a couple's names once, at an interactive `voice-coach run`, and keeping them.

Names go into config.toml (`[couple] names = "Anna,Bram"`), where a couple can change
them by hand; the rest of the file is kept as it was. Whether the names were asked for
is kept in the couple's record (engine/couple.py), so a couple who pressed Enter is not
asked again: the coach then speaks without names.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from voice_coach.config import ConfigError, config_dir
from voice_coach.files import private_dir, write_private

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

QUESTION = {
    "nl": "Hoe heten jullie? Typ twee namen met een komma ertussen, of druk op Enter: ",
    "en": "What are your names? Type two names with a comma between them, or press Enter: ",
}
SAVED = {
    "nl": "De namen staan nu in {path}; daar kun je ze veranderen.",
    "en": "Your names are in {path} now; you can change them there.",
}
SKIPPED = {
    "nl": "Goed, de coach spreekt jullie zonder namen aan. In {path} kun je ze later zetten.",
    "en": "All right, the coach will speak to you without names. You can add them in {path}.",
}
_SECTION = re.compile(r"^\s*\[\s*couple\s*\]\s*(#.*)?$")
_ANY_SECTION = re.compile(r"^\s*\[")
_NAMES_KEY = re.compile(r"^\s*names\s*=")


def interactive() -> bool:
    """Whether someone is at the terminal to answer."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def ask_names(
    language: str, ask: Callable[[str], str] | None = None, path: Path | None = None
) -> list[str]:
    """Ask for the two names once (`ask`: how, `input` by default); save them when given.
    Returns them ([] when skipped)."""
    path = path or config_dir() / "config.toml"
    code = language if language in QUESTION else "en"
    try:
        answer = (ask or input)(QUESTION[code])
    except EOFError:
        answer = ""
    names = [part.strip() for part in answer.split(",") if part.strip()]
    if len(names) != 2 or any(len(n) > 40 or not n.isprintable() for n in names):
        print(SKIPPED[code].format(path=path))
        return []
    save_names(names, path)
    print(SAVED[code].format(path=path))
    return names


def save_names(names: list[str], path: Path) -> None:
    """Write `[couple] names` into the config file at `path`, keeping everything else.

    The file is written whole and privately (`files.write_private`); a result that would
    not read back as the same names is not written.
    """
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    value = ",".join(names)
    new = _with_names(old, f"names = {_toml_string(value)}")
    try:
        written = tomllib.loads(new).get("couple", {}).get("names")
    except tomllib.TOMLDecodeError:
        written = None
    if written != value:
        raise ConfigError(f"{path}: the names could not be written; set them by hand")
    private_dir(path.parent)
    write_private(path, new.encode("utf-8"), "config file")


def _with_names(text: str, line: str) -> str:
    """`text` (a TOML file) with `line` as the `names` of its `[couple]` table."""
    lines = text.splitlines()
    start = next((i for i, row in enumerate(lines) if _SECTION.match(row)), None)
    if start is None:
        gap = "\n" if text.strip() else ""
        body = text if text.endswith("\n") or not text else text + "\n"
        return f"{body}{gap}[couple]\n{line}\n"
    end = next(
        (i for i in range(start + 1, len(lines)) if _ANY_SECTION.match(lines[i])), len(lines)
    )
    for i in range(start + 1, end):
        if _NAMES_KEY.match(lines[i]):
            lines[i] = line
            break
    else:
        lines.insert(start + 1, line)
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    """`value` as a TOML basic string."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
