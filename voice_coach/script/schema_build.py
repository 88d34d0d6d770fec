"""Build the JSON Schema (draft 2020-12) of the script language from `rules` and `kinds`.

`schema.json` beside this module is this function's output, written by
`python -m voice_coach.script.schema_build`; a test fails when they differ, and
another runs the schema and the loader on the same files so they agree.
Some checks are the loader's alone: an id used twice across files, a turn's
warning not before its end, duplicate keys, YAML aliases and file size.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from voice_coach.lang import PHRASES, SUPPORTED
from voice_coach.script import rules
from voice_coach.script.kinds import KINDS, STEP_KINDS, Form, Kind

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SCHEMA_ID = "https://voice-coach.invalid/schema/script.json"


def text_pattern(placeholders: tuple[str, ...]) -> str:
    """Regex for one wording: not blank, braces only in the allowed placeholders."""
    allowed = "|".join(re.escape(p) for p in placeholders)
    inner = rf"[^{{}}]|\{{(?:{allowed})\}}" if placeholders else r"[^{}]"
    return rf"^(?=[\s\S]*\S)(?:{inner})*$"


def _text(placeholders: tuple[str, ...], description: str) -> dict[str, Any]:
    line = {"type": "string", "pattern": text_pattern(placeholders)}
    return {
        "description": description,
        "anyOf": [line, {"type": "array", "minItems": 1, "items": line}],
    }


def _names(description: str) -> dict[str, Any]:
    name = {
        "type": "string",
        "pattern": rules.SPOKEN_NAME.pattern,
        "maxLength": rules.MAX_SPOKEN_CHARS,
    }
    return {
        "description": description,
        "anyOf": [name, {"type": "array", "minItems": 1, "items": name}],
    }


def _number(kind: str, description: str, nullable: bool = False) -> dict[str, Any]:
    rule = rules.NUMBERS[kind]
    kind_type = "integer" if rule.integer else "number"
    out: dict[str, Any] = {
        "description": description,
        "type": [kind_type, "null"] if nullable else kind_type,
        ("exclusiveMinimum" if rule.exclusive else "minimum"): rule.minimum,
        "maximum": rule.maximum,
    }
    return out


def _field(rule: rules.Field) -> dict[str, Any]:
    kind, doc = rule.kind, rule.doc
    if kind in rules.NUMBERS:
        return _number(kind, doc, rule.nullable)
    simple: dict[str, dict[str, Any]] = {
        "bool": {"type": "boolean"},
        "text": _text(rules.STEP_PLACEHOLDERS, doc),
        "names": _names(doc),
        "string": {"type": "string", "pattern": r"\S"},
        "id": {"type": "string", "pattern": rules.ID_PATTERN.pattern},
        "language": {"enum": list(SUPPORTED)},
        **{name: {"enum": list(words)} for name, words in rules.WORD_CHOICES.items()},
        "pattern": {"enum": list(rules.BREATHING_PATTERNS)},
        "scale": {"enum": list(rules.SCALES)},
    }
    if kind in simple:
        return {"description": doc, **simple[kind]}
    return {"description": doc, "$ref": f"#/$defs/{kind}"}


def _object(spec: Mapping[str, rules.Field], description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object"}
    if description:
        out["description"] = description
    out["properties"] = {name: _field(rule) for name, rule in spec.items()}
    required = [name for name, rule in spec.items() if rule.required]
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    return out


def _form(kind: Kind[Any], form: Form) -> dict[str, Any]:
    """The schema of one way to write a step of `kind`."""
    if form == "text":
        return _text(rules.STEP_PLACEHOLDERS, kind.summary)
    if form == "seconds":
        return _number("seconds", kind.summary)
    if form == "mapping":
        return {"$ref": f"#/$defs/{kind.name}"} if kind.fields else _EMPTY
    if form == "empty":
        return _EMPTY
    if form == "true":
        return {"const": True}
    return {"type": "null"}


_EMPTY: dict[str, Any] = {"type": "object", "maxProperties": 0}

_EXTRA: dict[str, dict[str, Any]] = {
    "mirror": {
        "not": {
            "description": "sender and receiver are different partners",
            "anyOf": [
                {"properties": {"sender": {"const": p}, "receiver": {"const": p}}}
                for p in rules.PARTNERS
            ],
        }
    }
}
"""Checks across keys that JSON Schema can express, by step kind."""


def _step_schema(kind: Kind[Any]) -> dict[str, Any]:
    forms = [_form(kind, form) for form in kind.forms]
    if len(forms) == 1:
        only = forms[0]
        return only if "description" in only else {"description": kind.summary, **only}
    return {"description": kind.summary, "anyOf": forms}


def _step() -> dict[str, Any]:
    return {
        "description": "One step: a mapping with exactly one of: " + ", ".join(STEP_KINDS),
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {name: _step_schema(kind) for name, kind in KINDS.items()},
        "additionalProperties": False,
    }


def build_schema() -> dict[str, Any]:
    """The whole schema as a JSON-ready dict."""
    phrases = {
        "type": "object",
        "description": "Overrides of the coach's own phrases, by phrase name.",
        "properties": {
            name: _text(tuple(re.findall(r"\{([A-Za-z_]+)\}", doc)), doc)
            for name, doc in PHRASES.items()
        },
        "additionalProperties": False,
    }
    top = _object(rules.TOP)
    top["patternProperties"] = {
        "^" + rules.EXTENSION_PREFIX: {
            "description": "Ignored by the coach: a place for YAML anchors (&name) to reuse."
        }
    }
    kinds = {
        name: {**_object(kind.fields), **_EXTRA.get(name, {})}
        for name, kind in KINDS.items()
        if kind.fields
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "voice_coach spoken script",
        "description": "A spoken exercise for the voice coach; see docs/scripts.md.",
        **top,
        "$defs": {
            "steps": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/step"}},
            "step": _step(),
            "voice": _object(rules.VOICE),
            "settings": _object(rules.SETTINGS),
            "phrases": phrases,
            "breathe": _object(rules.BREATHE),
            "answers": {
                "type": "object",
                "minProperties": 1,
                "description": "Answer word -> steps (may be empty); the first is the default.",
                "additionalProperties": {
                    "anyOf": [
                        {"type": "array", "items": {"$ref": "#/$defs/step"}},
                        {"type": "null"},
                    ]
                },
            },
            **kinds,
        },
    }


def schema_text() -> str:
    """The schema as it is stored in schema.json."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Write schema.json and the step reference in docs/scripts.md (in a checkout)."""
    from voice_coach.script.docs_build import DOCS_PATH, docs_text

    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    if DOCS_PATH.is_file():
        DOCS_PATH.write_text(docs_text(DOCS_PATH.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"wrote {DOCS_PATH}")


if __name__ == "__main__":
    main()
