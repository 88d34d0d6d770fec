"""Build the JSON Schema (draft 2020-12) of the script language from `rules`.

`schema.json` beside this module is this function's output, written by
`python -m voice_coach.script.schema_build`; a test fails when they differ, and
another runs the schema and the loader on the same files so they agree.
Some checks are the loader's alone: an id used twice across files, a turn's
warning not before its end, duplicate keys, YAML aliases and file size.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from voice_coach.lang import PHRASES, SUPPORTED
from voice_coach.script import model, rules

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SCHEMA_ID = "https://voice-coach.invalid/schema/script.json"

STEP_DOCS: dict[str, str] = {
    "say": "The coach speaks a line (or one of several wordings). {A} and {B} are the names.",
    "pause": "Seconds of silence.",
    "breathe": "Guided breathing: pattern (slow-exhale, box, sigh) and/or seconds per phase.",
    "turn": "One partner speaks for at most `seconds`.",
    "mirror": "The mirroring loop: sender speaks, receiver mirrors, sender confirms.",
    "ask": "The coach asks a question and branches on the spoken answer.",
    "repeat": "Run the same steps several times.",
    "calibrate": "Both partners talk calmly so the coach learns their normal level.",
    "summary": "The coach speaks the session summary (true or {}).",
    "end": "The session ends here, after the coach's last words (a text, or true for none).",
}


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
        "string": {"type": "string", "pattern": r"\S"},
        "id": {"type": "string", "pattern": rules.ID_PATTERN.pattern},
        "language": {"enum": list(SUPPORTED)},
        "partner": {"enum": list(rules.PARTNERS)},
        "pattern": {"enum": list(rules.BREATHING_PATTERNS)},
    }
    if kind in simple:
        return {"description": doc, **simple[kind]}
    return {"description": doc, "$ref": f"#/$defs/{kind}"}


def _object(spec: dict[str, rules.Field], description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object"}
    if description:
        out["description"] = description
    out["properties"] = {name: _field(rule) for name, rule in spec.items()}
    required = [name for name, rule in spec.items() if rule.required]
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    return out


def _step() -> dict[str, Any]:
    kinds: dict[str, Any] = {
        "say": _text(rules.STEP_PLACEHOLDERS, STEP_DOCS["say"]),
        "pause": _number("seconds", STEP_DOCS["pause"]),
        "breathe": {
            "description": STEP_DOCS["breathe"],
            "anyOf": [{"$ref": "#/$defs/breathe"}, {"type": "null"}],
        },
        "calibrate": {
            "description": STEP_DOCS["calibrate"],
            "anyOf": [
                _number("seconds", "seconds of calm talk"),
                {"$ref": "#/$defs/calibrate"},
                {"type": "null"},
            ],
        },
        "end": {
            "description": STEP_DOCS["end"],
            "anyOf": [
                _text(rules.STEP_PLACEHOLDERS, "the coach's last words"),
                {"const": True},
                {"type": "object", "maxProperties": 0},
                {"type": "null"},
            ],
        },
        "summary": {
            "description": STEP_DOCS["summary"],
            "anyOf": [
                {"const": True},
                {"type": "object", "maxProperties": 0},
                {"type": "null"},
            ],
        },
    }
    for kind in ("turn", "mirror", "ask", "repeat"):
        kinds[kind] = {"description": STEP_DOCS[kind], "$ref": f"#/$defs/{kind}"}
    return {
        "description": "One step: a mapping with exactly one of: " + ", ".join(model.STEP_KINDS),
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {kind: kinds[kind] for kind in model.STEP_KINDS},
        "additionalProperties": False,
    }


def build_schema() -> dict[str, Any]:
    """The whole schema as a JSON-ready dict."""
    mirror = _object(rules.MIRROR)
    mirror["not"] = {
        "description": "sender and receiver are different partners",
        "anyOf": [
            {"properties": {"sender": {"const": p}, "receiver": {"const": p}}}
            for p in rules.PARTNERS
        ],
    }
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
            "turn": _object(rules.TURN),
            "mirror": mirror,
            "ask": _object(rules.ASK),
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
            "repeat": _object(rules.REPEAT),
            "calibrate": _object(rules.CALIBRATE),
        },
    }


def schema_text() -> str:
    """The schema as it is stored in schema.json."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Write schema.json."""
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")


if __name__ == "__main__":
    main()
