"""Fuzzing the script language: seeded, grammar-aware mutations of the built-in scripts.

Each mutant goes through `validate` (in process and through the CLI); a mutant that
validates also runs simulated (fake voice, a short quiet input) and in text mode (a
pipe of typed lines, odd bytes included). Problems are fine, tracebacks are not: any
exception other than a one-line `VoiceCoachError` is a bug, listed with its seed so
it can be replayed (`mutant(seed)`).
"""

from __future__ import annotations

import io
import math
import os
import random
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.engine_support import run, silence, with_noise_floor
from voice_coach.cli import main
from voice_coach.config import Config, builtin_scripts_dir
from voice_coach.engine.events import EventLog
from voice_coach.engine.session import Session
from voice_coach.engine.text_io import TextIO
from voice_coach.errors import VoiceCoachError
from voice_coach.lang import language
from voice_coach.script import rules
from voice_coach.script.kinds import KINDS
from voice_coach.script.load import check_file
from voice_coach.yaml12 import load_yaml

MUTANTS = 300
"""Mutants per run; seeds 0..MUTANTS-1, so a failure replays with its seed."""
INPUT = with_noise_floor(silence(12.0))
"""What the simulated microphone hears: a quiet room for 12 s."""

SOURCES = sorted(builtin_scripts_dir().glob("*/*.yaml"))
TEXTS = {path: path.read_text(encoding="utf-8") for path in SOURCES}
TREES = {path: load_yaml(text) for path, text in TEXTS.items()}
STEPS = [step for tree in TREES.values() for step in tree["steps"]]

KEYS = sorted(
    {*rules.TOP, *rules.VOICE, *rules.BREATHE, *rules.SETTINGS, *KINDS}
    | {key for kind in KINDS.values() for key in kind.fields}
)
ODD_VALUES: list[Any] = [
    0, -1, 1, 2, 7, 99, 100, 101, 3600, 3601, 1e9, -1e9, 0.5, 1.5, 3.5, 1e-9,
    math.nan, math.inf, "", " ", "ja", "nee", "yes", "A", "B", "C", "{A}", "{C}", "{",
    "}", "{{A}}", "%s", "x" * 2500, "woord " * 400, "\x1b]0;title\x07", "\x1b[2J",
    "\u202eevil", "\x00", "tab\there", "ë" * 10, True, False, None, [], {}, [[]],
    {"a": 1}, ["ja", "nee"], [None], {"ja": []}, "stop", "pauze", "slow-exhale", "box",
    "sigh", "nl", "en", "de",
]  # fmt: skip


def _pick_node(rng: random.Random, tree: Any) -> tuple[Any, Any] | None:
    """A random (container, key or index) somewhere in the tree."""
    spots: list[tuple[Any, Any]] = []

    def walk(node: Any, depth: int) -> None:
        if depth > 12:
            return
        if isinstance(node, dict):
            for key in list(node):
                spots.append((node, key))
                walk(node[key], depth + 1)
        elif isinstance(node, list):
            for index in range(len(node)):
                spots.append((node, index))
                walk(node[index], depth + 1)

    walk(tree, 0)
    return rng.choice(spots) if spots else None


def _mutate_tree(rng: random.Random, tree: Any) -> None:
    spot = _pick_node(rng, tree)
    if spot is None:
        return
    parent, key = spot
    action = rng.randrange(12)
    value = parent[key]
    if action >= 9 and isinstance(value, str):  # text that stays text, with odd letters
        parent[key] = value + rng.choice([" {A} en {B}", "\x1b]0;x\x07", " \u202e!", " ë ß 日本",
                                          "\r\n", " \x7f", "", " {B}?"])  # fmt: skip
    elif action >= 9 and isinstance(value, (int, float)) and not isinstance(value, bool):
        parent[key] = rng.choice([1, 2, 3, 5, 8, 0.5, 1.0, 12.5, 30, 60])  # often in range
    elif action >= 9 and isinstance(parent, list):  # a plain say or pause in between
        parent.insert(key, rng.choice([{"say": "Even stil."}, {"pause": 1}, {"summary": None},
                                       {"end": None}, {"calibrate": {"seconds": 3}}]))  # fmt: skip
    elif action == 0:  # another value, often of another type
        parent[key] = rng.choice(ODD_VALUES)
    elif action == 1 and isinstance(parent, dict):  # a key goes
        del parent[key]
    elif action == 2 and isinstance(parent, dict):  # a key, known somewhere, appears
        parent[rng.choice(KEYS)] = rng.choice(ODD_VALUES)
    elif action == 3 and isinstance(parent, dict):  # a key renamed to another known one
        parent[rng.choice(KEYS)] = parent.pop(key)
    elif action == 4 and isinstance(parent, list):  # duplicated, dropped or reordered
        choice = rng.randrange(3)
        if choice == 0:
            parent.insert(key, parent[key])
        elif choice == 1:
            del parent[key]
        else:
            rng.shuffle(parent)
    elif action == 5:  # wrapped in a repeat (nested repeats grow fast)
        parent[key] = {"repeat": {"times": rng.choice([0, 1, 2, 100, 1000]),
                                  "steps": [parent[key]]}}  # fmt: skip
    elif action == 6 and isinstance(parent, list):  # a step from another script
        parent.insert(key, rng.choice(STEPS))
    elif action == 7:  # a number nudged out of its range, or to its edge
        value = parent[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            parent[key] = rng.choice([value * 1000, -value, 0, value + 0.5, value - 1])
        else:
            parent[key] = rng.choice(ODD_VALUES)
    else:  # a step of a random kind, with random keys of that kind
        kind = KINDS[rng.choice(list(KINDS))]
        body = {name: rng.choice(ODD_VALUES) for name in rng.sample(
            list(kind.fields), k=min(len(kind.fields), rng.randrange(4)))}  # fmt: skip
        step = {kind.name: body or rng.choice(ODD_VALUES)}
        if isinstance(parent, list):
            parent.insert(key, step)
        else:
            parent[key] = [step]


def _mutate_text(rng: random.Random, text: str) -> bytes:
    lines = text.split("\n")
    spot = rng.randrange(len(lines))
    action = rng.randrange(8)
    if action == 0:
        del lines[spot]
    elif action == 1:
        lines.insert(spot, lines[spot])
    elif action == 2:
        lines[spot] = " " * rng.randrange(1, 5) + lines[spot]
    elif action == 3:
        lines[spot] = lines[spot].replace(" ", "\t", 1)
    elif action == 4:
        lines = lines[:spot]
    elif action == 5:
        lines.insert(spot, rng.choice(["x-a: &a {say: hi}", "  - *a", "<<: *a", "- !!python/none",
                                       "---", "...", "%YAML 1.1", "? complex", "{[}"]))  # fmt: skip
    data = "\n".join(lines).encode("utf-8")
    if action == 6:
        data = b"\xef\xbb\xbf" + data
    elif action == 7:
        at = rng.randrange(len(data) + 1)
        data = data[:at] + rng.choice([b"\xff", b"\xc3", b"\x00", b"\r"]) + data[at:]
    return data


def mutant(seed: int) -> bytes:
    """The bytes of mutant `seed`: one to three mutations of one built-in script."""
    rng = random.Random(seed)
    source = rng.choice(SOURCES)
    if rng.random() < 0.25:
        return _mutate_text(rng, TEXTS[source])
    tree = load_yaml(TEXTS[source])
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        _mutate_tree(rng, tree)
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False).encode("utf-8")


def _text_mode(script: Any, typed: bytes) -> str:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, typed)  # a few lines typed ahead, then the end of input
    os.close(write_fd)
    out = io.StringIO()
    with os.fdopen(read_fd, "rb") as stdin:
        text_io = TextIO(language(script.language), stdin=stdin, stdout=out)  # type: ignore[arg-type]
        return Session(
            script, text_io, language(script.language), Config().listen, EventLog(), ["A", "B"]
        ).run()


TYPED = [b"\n", b"ja\n", b"nee\n", b"yes\n", b"verder\n", b"\xff\xfe\n", b"pauze\n",
         b"herhaal\n", b"volgende\n", b"\x1b[A\n", b"hallo daar\n", b"\x04"]  # fmt: skip


def _check(seed: int, folder: Path, fail: Callable[[str], None]) -> str:
    """Run mutant `seed` through everything; returns how far it got."""
    path = folder / f"mutant-{seed}.yaml"
    path.write_bytes(mutant(seed))
    checked = check_file(path)
    if checked.problems:
        assert checked.script is None
        return "refused"
    script = checked.script
    assert script is not None
    reason, log, _, _ = run(script, INPUT)
    if log.events[-1].type != "session_ended":
        fail(f"simulation ended without session_ended ({reason})")
    rng = random.Random(seed)
    typed = b"".join(rng.choice(TYPED) for _ in range(rng.randrange(1, 6))) + b"stop\n"
    holder: list[BaseException] = []

    def text() -> None:
        try:
            _text_mode(script, typed)
        except BaseException as err:
            holder.append(err)

    thread = threading.Thread(target=text, daemon=True)
    thread.start()
    thread.join(timeout=30)
    if thread.is_alive():
        fail("text mode did not stop on 'stop' and the end of input")
    if holder:
        raise holder[0]
    return "ran"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_mutated_builtin_scripts_never_give_a_traceback(tmp_path: Path) -> None:
    assert len(SOURCES) >= 10
    failures: list[str] = []
    outcomes: dict[str, int] = {}
    for seed in range(MUTANTS):

        def fail(message: str, seed: int = seed) -> None:
            failures.append(f"seed {seed}: {message}")

        try:
            outcome = _check(seed, tmp_path, fail)
        except VoiceCoachError:
            outcome = "one-line error"
        except Exception:
            failures.append(f"seed {seed}: {traceback.format_exc(limit=-3)}")
            outcome = "traceback"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert not failures, "\n".join(failures[:10])
    # The mutations must reach every stage, or the test proves little.
    assert outcomes.get("refused", 0) >= MUTANTS // 4, outcomes
    assert outcomes.get("ran", 0) >= MUTANTS // 10, outcomes


def test_validate_cli_on_mutants_is_one_line_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for seed in range(0, MUTANTS, 5):
        path = tmp_path / f"m{seed}.yaml"
        path.write_bytes(mutant(seed))
        assert main(["validate", str(path)]) in (0, 1)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err
        *problems, summary = captured.out.splitlines()
        assert "checked" in summary, (seed, summary)
        # One line per problem, each starting with its place; nothing the terminal runs.
        assert all(line.startswith(str(path)) for line in problems), (seed, problems)
        assert not any(c in captured.out for c in "\x1b\x07\r"), seed
