"""Write the step reference of docs/scripts.md from the kinds table (`kinds.KINDS`).

The part of docs/scripts.md between `BEGIN` and `END` is this module's output, like
schema.json is `schema_build`'s; `python -m voice_coach.script.schema_build` rewrites
both, and a test fails when either is out of date. So a step kind is documented where
it is defined, and every example in the docs is a step the loader accepts (tested).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from voice_coach.script.kinds import KINDS, Form, Kind

DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "scripts.md"
"""docs/scripts.md in a source checkout."""

BEGIN = (
    "<!-- steps: written by `python -m voice_coach.script.schema_build` from script/kinds.py -->"
)
END = "<!-- end of steps -->"

_FORM_WORDS: dict[Form, str] = {
    "text": "a text (or a list of wordings)",
    "seconds": "a number of seconds",
    "mapping": "a mapping with the keys below",
    "empty": "`{}`",
    "null": "nothing",
    "true": "`true`",
}


def _forms(kind: Kind[Any]) -> str:
    words = [_FORM_WORDS[form] for form in kind.forms if kind.fields or form != "mapping"]
    if not kind.fields and "mapping" in kind.forms:
        words.append(_FORM_WORDS["empty"])
    words = list(dict.fromkeys(words))
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return f"Written as {listed}."


def _section(kind: Kind[Any]) -> str:
    parts = [f"### `{kind.name}` — {kind.title}", kind.summary + " " + _forms(kind)]
    if kind.notes:
        parts.append(kind.notes)
    if kind.fields:
        rows = ["| key | default | meaning |", "|---|---|---|"]
        for name, rule in kind.fields.items():
            default = "required" if rule.required else (rule.default or "–")
            rows.append(f"| `{name}` | {default} | {rule.doc} |")
        parts.append("\n".join(rows))
    if kind.examples:
        parts.append("```yaml\n" + "\n".join(kind.examples) + "\n```")
    return "\n\n".join(parts)


def steps_reference() -> str:
    """The generated part: one section per step kind, in table order."""
    return "\n\n".join(_section(kind) for kind in KINDS.values())


def docs_text(current: str) -> str:
    """`current` (the docs' text) with the part between the markers written afresh."""
    head, sep, rest = current.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"docs/scripts.md lacks the markers {BEGIN!r} and {END!r}")
    return f"{head}{BEGIN}\n\n{steps_reference()}\n\n{END}{tail}"
