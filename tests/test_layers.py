"""Imports run one way: a package imports only from the packages below it.

The layers, lowest first (docs/architecture.md draws them):

    errors, yaml12, files, printable (and the package's own __init__: the version)
    config        settings dataclasses and the user's folders
    audio         chunks, WAV, devices
    lang          what the coach says and understands, per language
    listen        pure detectors (no engines, no scripts)
    speech        voices and recognisers
    script        the script language
    engine        sessions on the audio clock
    journal       the record of evenings (a subscriber of the engine's events)
    serve         the always-on coach (uses the engine and the journal)
    commands, cli the command line

Any import counts, also one inside a function: a lazy import still runs the wrong way.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "voice_coach"

BASE = {"__init__", "__main__", "errors", "yaml12", "files", "printable"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "yaml12": {"errors"},
    "files": {"errors"},
    "printable": set(),
    "config": {"errors", "files"},
    "audio": {"errors", "files", "config"},
    "lang": {"errors", "files", "yaml12"},
    "listen": {"errors", "files", "config", "audio"},
    "speech": {"errors", "files", "config", "audio", "lang"},
    "script": {"errors", "files", "yaml12", "config", "lang"},
    "engine": {
        "errors",
        "files",
        "printable",
        "config",
        "audio",
        "lang",
        "listen",
        "speech",
        "script",
    },
    "journal": {"errors", "files", "config", "lang", "script", "engine"},
    "serve": {
        "errors",
        "files",
        "printable",
        "config",
        "audio",
        "lang",
        "listen",
        "speech",
        "script",
        "engine",
        "journal",
    },
}
TOP = {"commands", "cli", "__main__"}
"""May import anything."""


def _area(module: str) -> str:
    """`voice_coach.engine.session` -> engine; `voice_coach` -> __init__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_module(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "voice_coach":  # a subpackage, or a name from __init__
                found.extend(
                    (node.lineno, f"voice_coach.{a.name}" if _is_module(a.name) else "voice_coach")
                    for a in node.names
                )
            elif node.module.startswith("voice_coach."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names if a.name.startswith("voice_"))
    return found


def _files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_downwards(path: Path) -> None:
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    if own in TOP:
        return
    assert own in ALLOWED or own in BASE, f"{own}: add the new package to the layers"
    allowed = ALLOWED.get(own, set()) | {own} | {"__init__"}
    wrong = [
        f"{path.relative_to(PACKAGE)}:{line}: imports {module}"
        for line, module in _imports(path)
        if _area(module) not in allowed
    ]
    assert not wrong, "imports that run upwards:\n" + "\n".join(wrong)


def test_every_package_has_a_layer() -> None:
    areas = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in _files()}
    missing = areas - set(ALLOWED) - BASE - TOP
    assert not missing, f"give these a layer in ALLOWED: {sorted(missing)}"


def test_the_test_catches_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from voice_coach.commands import UserError\n")
    assert _imports(bad) == [(2, "voice_coach.commands")]
    assert _area("voice_coach.commands") not in ALLOWED["script"]
