"""Walk a script's YAML node tree: build the model objects and collect every problem.

Used by `load.py`. Works on composed nodes (never on constructed Python data) so
that every problem keeps the line and column of its key or value, and so that
aliases are followed with a budget instead of being expanded up front.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voice_coach.lang import PHRASES, SUPPORTED
from voice_coach.script import model, rules
from voice_coach.script.errors import Problem
from voice_coach.script.rules import Field
from voice_coach.yaml12 import SafeLoader12

MAX_VISITS = 1_000_000
"""Most visits while walking one file (`yaml_tree` already refuses alias blow-ups)."""
MAX_STEP_DEPTH = 12
"""Most levels of steps inside ask/repeat inside each other."""
MAX_PROBLEMS = 100
"""Problems reported per file; after that the file is clearly not a script."""

_TAG = "tag:yaml.org,2002:"
_BAD: Any = object()
"""Marks a value that had a problem (already reported)."""
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PHRASE_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    name: tuple(re.findall(r"\{([A-Za-z_]+)\}", doc)) for name, doc in PHRASES.items()
}


class Stopped(Exception):
    """Walking stopped early (budget spent); the problem is already recorded."""


def _suggest(word: str, options: Iterable[str]) -> str:
    """' did you mean ...?' for a close option, else a list of the options."""
    options = list(options)
    lowered = {o.lower(): o for o in options}
    match = lowered.get(word.lower().replace("-", "_")) or lowered.get(word.lower())
    if match is None:
        close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
        match = lowered[close[0]] if close else None
    if match is not None:
        return f"; did you mean '{match}'?"
    return f"; expected one of: {', '.join(options)}"


def _found(node: Node, value: object = None) -> str:
    """What a node holds, in words, for 'expected X, found Y' messages."""
    if isinstance(node, MappingNode):
        return "a mapping (key: value lines)"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = str(node.tag)
    if tag == _TAG + "str":
        text = str(node.value)
        return f"text '{text[:40]}{'...' if len(text) > 40 else ''}'"
    if tag == _TAG + "null":
        return "an empty value"
    if tag == _TAG + "bool":
        return f"{str(node.value).lower()} (a yes/no value)"
    if tag in (_TAG + "int", _TAG + "float"):
        return f"the number {node.value}"
    if tag == _TAG + "timestamp":
        return f"the date '{node.value}'"
    return f"a value tagged {tag.replace(_TAG, '!!')}"


def _where(mark_node: Node) -> tuple[int, int]:
    mark = mark_node.start_mark
    return mark.line + 1, mark.column + 1


class Reader:
    """Walks one file's node tree, builds the model and collects every problem."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.budget = MAX_VISITS
        self.constructor = SafeLoader12("")
        self.id: str | None = None
        self.id_line = 0
        self.id_column = 0

    # -- bookkeeping -------------------------------------------------------------

    def report(self, node: Node, message: str) -> None:
        line, column = _where(node)
        self.problems.append(Problem(self.path, line, column, message))
        if len(self.problems) > 4 * MAX_PROBLEMS:
            raise Stopped

    def tick(self, node: Node) -> None:
        self.budget -= 1
        if self.budget < 0:
            self.report(
                node,
                f"the file holds more than {MAX_VISITS} values to check; split the script",
            )
            raise Stopped

    def scalar(self, node: Node) -> Any:
        """The Python value of a scalar node, or _BAD for an unknown tag."""
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError:
            tag = str(node.tag).replace(_TAG, "!!")
            self.report(node, f"unsupported YAML tag '{tag}'; remove the tag")
            return _BAD

    # -- mappings ----------------------------------------------------------------

    def pairs(self, node: Node, what: str) -> dict[str, tuple[Node, Node]] | None:
        """A mapping's keys -> (key node, value node), merge keys (<<) applied."""
        self.tick(node)
        if not isinstance(node, MappingNode) or node.tag != _TAG + "map":
            self.report(
                node, f"{what} should be a mapping (key: value lines), found {_found(node)}"
            )
            return None
        return self._pairs(node, 0)

    def _pairs(self, node: MappingNode, depth: int) -> dict[str, tuple[Node, Node]]:
        result: dict[str, tuple[Node, Node]] = {}
        merged: list[dict[str, tuple[Node, Node]]] = []
        for key, value in node.value:
            self.tick(key)
            if key.tag == _TAG + "merge":
                merged.extend(self._merge_sources(value, depth))
                continue
            if not isinstance(key, ScalarNode) or key.tag != _TAG + "str":
                self.report(
                    key,
                    f"a key should be a word, found {_found(key)}; "
                    "put it in quotes if it is meant as text",
                )
                continue
            name = str(key.value)
            if name in result:
                line, _ = _where(result[name][0])
                self.report(key, f"key '{name}' appears twice (first on line {line}); remove one")
                continue
            result[name] = (key, value)
        for source in merged:
            for name, pair in source.items():
                result.setdefault(name, pair)
        return result

    def _merge_sources(self, value: Node, depth: int) -> list[dict[str, tuple[Node, Node]]]:
        if depth > 8:
            self.report(value, "merge keys (<<) nested too deeply")
            return []
        sources = value.value if isinstance(value, SequenceNode) else [value]
        out = []
        for source in sources:
            self.tick(source)
            if isinstance(source, MappingNode):
                out.append(self._pairs(source, depth + 1))
            else:
                self.report(source, f"'<<' merges mappings only, found {_found(source)}")
        return out

    def fields(
        self,
        node: Node,
        spec: dict[str, Field],
        what: str,
        owner: Node,
        nested: int = 0,
    ) -> dict[str, Any] | None:
        """Check a mapping against `spec`: its values by key, or None after a problem.

        Missing required keys are reported at `owner` (the key naming the mapping).
        """
        pairs = self.pairs(node, what)
        if pairs is None:
            return None
        values: dict[str, Any] = {}
        ok = True
        suggested: set[str] = set()
        for name, (key, value) in pairs.items():
            if what == "the script" and name.startswith(rules.EXTENSION_PREFIX):
                continue  # room for YAML anchors to reuse, ignored by the coach
            if name not in spec:
                hint = _suggest(name, spec)
                self.report(key, f"unknown key '{name}' in {what}{hint}")
                suggested.update(n for n in spec if f"'{n}'" in hint and "did you" in hint)
                ok = False
                continue
            values[name] = self.value(spec[name], name, value, what, nested)
            ok = ok and values[name] is not _BAD
        for name, rule in spec.items():
            if rule.required and name not in pairs and name not in suggested:
                self.report(owner, f"{what} is missing '{name}' ({rule.doc})")
                ok = False
        return values if ok else None

    # -- values --------------------------------------------------------------------

    def value(self, rule: Field, name: str, node: Node, what: str, nested: int) -> Any:
        """A checked value for key `name` of `what`, or _BAD (reported)."""
        label = f"'{name}'" if what == "the script" else f"{what} '{name}'"
        self.tick(node)
        if rule.nullable and node.tag == _TAG + "null":
            return None
        kind = rule.kind
        if kind in rules.NUMBERS:
            return self.number(node, label, rules.NUMBERS[kind])
        if kind == "bool":
            return self.flag(node, label)
        if kind == "text":
            return self.text(node, label, rules.STEP_PLACEHOLDERS)
        if kind in ("string", "id", "language", "partner", "pattern"):
            return self.word(kind, node, label)
        if kind == "steps":
            return self.steps(node, label, nested, allow_empty=False)
        if kind == "answers":
            return self.answers(node, label, nested)
        if kind == "voice":
            voice = self.fields(node, rules.VOICE, "voice", node)
            return _BAD if voice is None else voice
        if kind == "settings":
            return self.settings(node)
        if kind == "phrases":
            return self.phrases(node)
        if kind == "breathe":
            return self.breathe(node, label, None)
        raise AssertionError(f"unknown field kind {kind}")  # pragma: no cover

    def number(self, node: Node, label: str, rule: rules.Number) -> Any:
        value = self.scalar(node) if isinstance(node, ScalarNode) else None
        if value is _BAD:
            return _BAD
        if isinstance(value, bool) or not isinstance(value, int | float):
            hint = "; write it without quotes" if _is_number_text(value) else ""
            self.report(node, f"{label} should be {rule.noun()}, found {_found(node)}{hint}")
            return _BAD
        wrong = rule.problem(value)
        if wrong:
            self.report(node, f"{label} should be {wrong}, found {node.value}")
            return _BAD
        return int(value) if rule.integer else float(value)

    def flag(self, node: Node, label: str) -> Any:
        value = self.scalar(node) if isinstance(node, ScalarNode) else None
        if value is _BAD:
            return _BAD
        if not isinstance(value, bool):
            self.report(node, f"{label} should be true or false, found {_found(node)}")
            return _BAD
        return value

    def word(self, kind: str, node: Node, label: str) -> Any:
        value = self.scalar(node) if isinstance(node, ScalarNode) else None
        if value is _BAD:
            return _BAD
        if not isinstance(value, str):
            hint = "; put it in quotes" if isinstance(value, int | float) else ""
            self.report(node, f"{label} should be text, found {_found(node)}{hint}")
            return _BAD
        if not value.strip():
            self.report(node, f"{label} is empty; write the text")
            return _BAD
        if kind == "id" and not rules.ID_PATTERN.match(value):
            slug = "-".join(re.findall(r"[a-z0-9]+", value.lower()))
            hint = f"; did you mean '{slug}'?" if slug else ""
            self.report(
                node,
                f"the id '{value}' may hold only lowercase letters, digits and single "
                f"dashes, like 'avond-checkin'{hint}",
            )
            return _BAD
        if kind == "language" and value not in SUPPORTED:
            self.report(node, f"unsupported language '{value}'{_suggest(value, SUPPORTED)}")
            return _BAD
        if kind == "partner" and value not in rules.PARTNERS:
            self.report(node, f"{label} should be A or B, found {_found(node)}")
            return _BAD
        if kind == "pattern" and value not in rules.BREATHING_PATTERNS:
            patterns = rules.BREATHING_PATTERNS
            self.report(node, f"unknown breathing pattern '{value}'{_suggest(value, patterns)}")
            return _BAD
        if kind == "id":
            self.id, (self.id_line, self.id_column) = value, _where(node)
        return value

    def text(self, node: Node, label: str, allowed: tuple[str, ...]) -> Any:
        """A string or a non-empty list of strings, with only `allowed` placeholders."""
        items = node.value if isinstance(node, SequenceNode) else [node]
        if isinstance(node, SequenceNode) and not items:
            self.report(node, f"{label} is an empty list; give at least one wording")
            return _BAD
        texts: list[str] = []
        for item in items:
            self.tick(item)
            value = self.scalar(item) if isinstance(item, ScalarNode) else None
            if value is _BAD:
                return _BAD
            if not isinstance(value, str):
                shape = "text or a list of texts" if item is node else "text"
                hint = "; put it in quotes" if isinstance(value, int | float) else ""
                self.report(item, f"{label} should be {shape}, found {_found(item)}{hint}")
                return _BAD
            if not value.strip():
                self.report(item, f"{label} is empty; write what the coach says")
                return _BAD
            if not self.placeholders(item, value, label, allowed):
                return _BAD
            texts.append(value)
        return tuple(texts)

    def placeholders(self, node: Node, text: str, label: str, allowed: tuple[str, ...]) -> bool:
        ok = True
        names = ", ".join("{" + a + "}" for a in allowed) or "no placeholders"
        for match in _PLACEHOLDER.finditer(text):
            name = match.group(1)
            if name in allowed:
                continue
            close = [a for a in allowed if a.lower() == name.strip().lower()]
            close = close or difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            hint = f"; did you mean {{{close[0]}}}?" if close else f"; use {names}"
            self.report(node, f"unknown placeholder {{{name}}} in {label}{hint}")
            ok = False
        stray = _PLACEHOLDER.sub("", text)
        if ok and ("{" in stray or "}" in stray):
            self.report(node, f"unmatched '{{' or '}}' in {label}; placeholders look like {names}")
            ok = False
        return ok

    # -- steps -----------------------------------------------------------------------

    def steps(self, node: Node, label: str, nested: int, allow_empty: bool) -> Any:
        self.tick(node)
        if allow_empty and node.tag == _TAG + "null":
            return ()
        if not isinstance(node, SequenceNode) or node.tag != _TAG + "seq":
            self.report(
                node,
                f"{label} should be a list of steps (lines starting with '- '), "
                f"found {_found(node)}",
            )
            return _BAD
        if not node.value and not allow_empty:
            self.report(node, f"{label} is empty; add at least one step")
            return _BAD
        if nested > MAX_STEP_DEPTH:
            self.report(
                node,
                f"steps nested more than {MAX_STEP_DEPTH} levels deep "
                "(ask and repeat inside each other)",
            )
            return _BAD
        built = [self.step(item, nested + 1) for item in node.value]
        return _BAD if any(s is _BAD for s in built) else tuple(built)

    def step(self, node: Node, nested: int) -> Any:
        pairs = self.pairs(node, "a step")
        if pairs is None:
            return _BAD
        if not pairs:
            self.report(node, f"empty step; start it with one of: {', '.join(model.STEP_KINDS)}")
            return _BAD
        kinds = [name for name in pairs if name in model.STEP_KINDS]
        if not kinds:
            name, (key, _) = next(iter(pairs.items()))
            self.report(key, f"unknown step kind '{name}'{_suggest(name, model.STEP_KINDS)}")
            return _BAD
        kind = kinds[0]
        ok = True
        for name, (key, _) in pairs.items():
            if name == kind:
                continue
            ok = False
            if name in model.STEP_KINDS:
                self.report(key, f"'{name}' is a step of its own: start it on a new line with '- '")
            elif name in rules.STEP_FIELDS.get(kind, {}):
                self.report(
                    key,
                    f"'{name}' belongs inside '{kind}': indent it under "
                    f"'{kind}:' (two more spaces)",
                )
            else:
                self.report(
                    key,
                    f"unknown key '{name}' in a {kind} step"
                    f"{_suggest(name, rules.STEP_FIELDS.get(kind, {}) or [kind])}",
                )
        key, value = pairs[kind]
        line = _where(node)[0]
        built = self.step_kind(kind, key, value, line, nested)
        return built if ok else _BAD

    def step_kind(self, kind: str, key: Node, node: Node, line: int, nested: int) -> Any:
        self.tick(node)
        if kind == "say":
            text = self.text(node, "say", rules.STEP_PLACEHOLDERS)
            return _BAD if text is _BAD else model.Say(text=text, line=line)
        if kind == "pause":
            seconds = self.number(node, "pause", rules.NUMBERS["seconds"])
            return _BAD if seconds is _BAD else model.Pause(seconds=seconds, line=line)
        if kind == "breathe":
            if node.tag == _TAG + "null":
                return model.Breathe(line=line)
            return self.breathe(node, "breathe", line)
        if kind == "calibrate":
            return self.calibrate(key, node, line)
        if kind == "summary":
            return self.summary(node, line)
        if kind == "end":
            return self.end(node, line)
        values = self.fields(node, rules.STEP_FIELDS[kind], kind, key, nested)
        if values is None:
            return _BAD
        if kind == "turn":
            return self.turn(values, node, line)
        if kind == "mirror":
            return self.mirror(values, node, line)
        if kind == "ask":
            return model.Ask(line=line, **values)
        return model.Repeat(line=line, **values)

    def breathe(self, node: Node, label: str, line: int | None) -> Any:
        values = self.fields(node, rules.BREATHE, label, node)
        if values is None:
            return _BAD
        pattern = values.pop("pattern", None)
        merged: dict[str, Any] = dict(rules.BREATHING_PATTERNS.get(pattern or "", {}))
        merged.update(values)
        return model.Breathe(line=line or _where(node)[0], **merged)

    def calibrate(self, key: Node, node: Node, line: int) -> Any:
        if node.tag == _TAG + "null":
            return model.Calibrate(line=line)
        if isinstance(node, ScalarNode):
            value = self.scalar(node)
            if isinstance(value, int | float) and not isinstance(value, bool):
                seconds = self.number(node, "calibrate", rules.NUMBERS["seconds"])
                return _BAD if seconds is _BAD else model.Calibrate(seconds=seconds, line=line)
            self.report(
                node,
                "calibrate should be a number of seconds or a mapping "
                f"with seconds and prompt, found {_found(node)}",
            )
            return _BAD
        values = self.fields(node, rules.CALIBRATE, "calibrate", key)
        return _BAD if values is None else model.Calibrate(line=line, **values)

    def end(self, node: Node, line: int) -> Any:
        """`end: "last words"`, a list of wordings, or `end: true` / `{}` for none."""
        empty_mapping = not isinstance(node, ScalarNode | SequenceNode) and not node.value
        if node.tag == _TAG + "null" or empty_mapping:
            return model.End(line=line)
        if isinstance(node, ScalarNode) and self.scalar(node) is True:
            return model.End(line=line)
        text = self.text(node, "end", rules.STEP_PLACEHOLDERS)
        return _BAD if text is _BAD else model.End(text=text, line=line)

    def summary(self, node: Node, line: int) -> Any:
        if node.tag == _TAG + "null":
            return model.Summary(line=line)
        if isinstance(node, ScalarNode):
            if self.scalar(node) is True:
                return model.Summary(line=line)
            self.report(
                node,
                f"summary should be true or {{}}, found {_found(node)}; "
                "remove the step to leave the summary out",
            )
            return _BAD
        values = self.fields(node, {}, "summary", node)
        return _BAD if values is None else model.Summary(line=line)

    def turn(self, values: dict[str, Any], node: Node, line: int) -> Any:
        warn = values.get("warn_before")
        if warn is not None and warn >= values["seconds"]:
            self.report(
                self._value_node(node, "warn_before"),
                f"turn 'warn_before' ({warn:g} s) should be smaller than 'seconds' "
                f"({values['seconds']:g} s)",
            )
            return _BAD
        return model.Turn(line=line, **values)

    def mirror(self, values: dict[str, Any], node: Node, line: int) -> Any:
        ok = True
        if values["sender"] == values["receiver"]:
            self.report(
                self._value_node(node, "receiver"),
                f"mirror 'receiver' should be the other partner than the sender "
                f"('{values['sender']}'); use A and B",
            )
            ok = False
        shortest = min(values["seconds"], values.get("mirror_seconds") or values["seconds"])
        if "warn_before" not in values and shortest <= rules.MIRROR_DEFAULT_WARN:
            values["warn_before"] = None  # the default warning does not fit so short a turn
        warn = values.get("warn_before")
        if warn is not None and warn >= shortest:
            self.report(
                self._value_node(node, "warn_before"),
                f"mirror 'warn_before' ({warn:g} s) should be smaller than the turn "
                f"({shortest:g} s)",
            )
            ok = False
        return model.Mirror(line=line, **values) if ok else _BAD

    def _value_node(self, node: Node, name: str) -> Node:
        pairs = self._pairs(node, 0) if isinstance(node, MappingNode) else {}
        return pairs[name][1] if name in pairs else node

    def answers(self, node: Node, label: str, nested: int) -> Any:
        pairs = self.pairs(node, label)
        if pairs is None:
            return _BAD
        if not pairs:
            if not node.value:  # else every key was already reported as not a word
                self.report(node, f"{label} is empty; give at least one answer, like 'ja: [...]'")
            return _BAD
        built: list[tuple[str, tuple[model.Step, ...]]] = []
        seen: dict[str, int] = {}
        ok = True
        for name, (key, value) in pairs.items():
            normal = " ".join(name.lower().split())
            if not normal:
                self.report(key, f"{label}: an answer word is empty")
                ok = False
                continue
            if normal in seen:
                self.report(key, f"answer '{name}' is given twice (first on line {seen[normal]})")
                ok = False
            seen[normal] = _where(key)[0]
            steps = self.steps(value, f"answer '{name}'", nested, allow_empty=True)
            if steps is _BAD:
                ok = False
            else:
                built.append((name, steps))
        return tuple(built) if ok else _BAD

    # -- top level -----------------------------------------------------------------

    def settings(self, node: Node) -> Any:
        values = self.fields(node, rules.SETTINGS, "settings", node)
        return _BAD if values is None else model.Settings(**values)

    def phrases(self, node: Node) -> Any:
        pairs = self.pairs(node, "phrases")
        if pairs is None:
            return _BAD
        built: list[tuple[str, model.Text]] = []
        ok = True
        for name, (key, value) in pairs.items():
            if name not in PHRASES:
                self.report(key, f"unknown phrase '{name}'{_suggest(name, PHRASES)}")
                ok = False
                continue
            text = self.text(value, f"phrase '{name}'", _PHRASE_PLACEHOLDERS[name])
            if text is _BAD:
                ok = False
            else:
                built.append((name, text))
        return tuple(built) if ok else _BAD

    def script(self, tree: Node | None) -> model.Script | None:
        if tree is None:
            self.problems.append(
                Problem(
                    self.path,
                    1,
                    1,
                    "the file is empty; a script needs id, title, language and steps",
                )
            )
            return None
        if not isinstance(tree, MappingNode):
            self.report(
                tree,
                "the top of a script should be a mapping with id, title, "
                f"language and steps, found {_found(tree)}",
            )
            return None
        values = self.fields(tree, rules.TOP, "the script", tree)
        if values is None:
            return None
        voice = values.pop("voice", None) or {}
        return model.Script(
            rate=voice.get("rate", model.Script.rate),
            path=self.path,
            **values,
        )


def _is_number_text(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True
