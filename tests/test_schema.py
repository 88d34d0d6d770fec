"""The JSON Schema and the loader agree: on good files, built-in scripts, bad fixtures."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from voice_coach.lang import PHRASES
from voice_coach.script import kinds, rules
from voice_coach.script.load import check_file
from voice_coach.script.schema_build import SCHEMA_PATH, build_schema, schema_text
from voice_coach.yaml12 import load_yaml

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
GOOD = sorted((DATA / "good").glob("*.yaml")) + sorted((ROOT / "scripts").rglob("*.yaml"))

# How the schema treats each bad fixture. "schema": it rejects it too. "loader-only":
# the check needs more than JSON Schema can say, so the schema accepts the file and
# only the loader rejects it. "not-yaml": no data to give the schema at all.
BAD: dict[str, str] = {
    "ask-empty.yaml": "schema",
    "bad-id.yaml": "schema",
    "durations.yaml": "schema",
    "indent.yaml": "schema",
    "language.yaml": "schema",
    "many.yaml": "schema",
    "new-keys.yaml": "schema",
    "mirror-same.yaml": "schema",
    "missing-keys.yaml": "schema",
    "not-mapping.yaml": "schema",
    "placeholder.yaml": "schema",
    "unknown-key.yaml": "schema",
    "unknown-step.yaml": "schema",
    "wrong-type.yaml": "schema",
    "duplicate-key.yaml": "loader-only",  # a YAML parser keeps the last value silently
    "warn-before.yaml": "loader-only",  # compares two keys' numbers
    "dup/one.yaml": "loader-only",  # ids used twice are found across files
    "dup/two.yaml": "loader-only",
    "syntax.yaml": "not-yaml",
}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _data(path: Path) -> Any:
    return load_yaml(path.read_text(encoding="utf-8"))


def test_schema_file_is_up_to_date() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "run: python -m voice_coach.script.schema_build"
    )


def test_schema_names_every_step_kind_and_phrase() -> None:
    schema = build_schema()
    assert list(schema["$defs"]["step"]["properties"]) == list(kinds.STEP_KINDS)
    assert list(schema["$defs"]["phrases"]["properties"]) == list(PHRASES)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: str(p.relative_to(ROOT)))
def test_good_files_pass_both(path: Path, validator: jsonschema.Draft202012Validator) -> None:
    assert check_file(path).problems == []
    assert [e.message for e in validator.iter_errors(_data(path))] == []


def test_every_bad_fixture_is_classified() -> None:
    found = sorted(str(p.relative_to(DATA / "bad")) for p in (DATA / "bad").rglob("*.yaml"))
    assert found == sorted(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_fixtures(name: str, validator: jsonschema.Draft202012Validator) -> None:
    path = DATA / "bad" / name
    kind = BAD[name]
    if name.startswith("dup/"):
        assert check_file(path).problems == []  # alone, each file is fine
    else:
        assert check_file(path).problems, "the loader must reject it"
    if kind == "not-yaml":
        with pytest.raises(Exception):  # noqa: B017 - any parser error will do
            _data(path)
        return
    errors = list(validator.iter_errors(_data(path)))
    if kind == "schema":
        assert errors, "the schema must reject it too"
    else:
        assert errors == [], "marked loader-only but the schema rejects it: update BAD"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Welkom {A} en {B}.", True),
        ("Geen plaatshouders.", True),
        ("Welkom {a}.", False),
        ("Welkom {A", False),
        ("   ", False),
    ],
)
def test_text_rules_agree(
    text: str, ok: bool, validator: jsonschema.Draft202012Validator, tmp_path: Path
) -> None:
    data = {"id": "t", "title": "T", "language": "nl", "steps": [{"say": text}]}
    path = tmp_path / "t.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML too
    assert (check_file(path).problems == []) is ok
    assert validator.is_valid(data) is ok


# -- the documentation's examples are valid scripts ---------------------------------

DOCS = ROOT / "docs" / "scripts.md"
HEAD = "id: doc-example\ntitle: Example\nlanguage: nl\n"


def _doc_examples() -> list[tuple[int, str]]:
    """Every ```yaml block of docs/scripts.md as a whole script, with its line."""
    text = DOCS.read_text(encoding="utf-8")
    examples = []
    for match in re.finditer(r"```yaml\n(.*?)```", text, re.S):
        block = match.group(1)
        body = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        line = text.count("\n", 0, match.start()) + 2
        if body.startswith("id:"):
            script = block
        elif body.startswith("- "):
            script = HEAD + "steps:\n" + "".join(f"  {row}\n" for row in block.splitlines())
        else:  # settings:, phrases:, x-... blocks: complete the script around them
            steps = "" if "steps:" in block else "steps:\n  - pause: 1\n"
            script = HEAD + block + steps
        examples.append((line, script))
    return examples


@pytest.mark.parametrize(("line", "script"), _doc_examples(), ids=lambda v: str(v)[:12])
def test_doc_examples_pass_both(
    line: int, script: str, tmp_path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(script, encoding="utf-8")
    assert check_file(path).problems == [], f"docs/scripts.md line {line}"
    assert validator.is_valid(_data(path)), f"docs/scripts.md line {line}"


def test_docs_name_every_key_step_and_phrase() -> None:
    text = DOCS.read_text(encoding="utf-8")
    names = [*kinds.STEP_KINDS, *PHRASES]
    for spec in (rules.TOP, rules.VOICE, rules.SETTINGS, *(k.fields for k in kinds.KINDS.values())):
        names.extend(spec)
    missing = [name for name in names if f"`{name}`" not in text]
    assert missing == []
