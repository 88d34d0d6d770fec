"""Walk a script's YAML node tree: build the model objects and collect every problem.

Used by `load.py`. Works on composed nodes (never on constructed Python data) so
that every problem keeps the line and column of its key or value, and so that
aliases are followed with a budget instead of being expanded up front.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from voice_coach.lang import PHRASES, SUPPORTED
from voice_coach.script import advice, estimate, model, rules
from voice_coach.script.errors import Problem
from voice_coach.script.kinds import (
    KINDS,
    MAX_EXPANDED_STEPS,
    MAX_PLANNED_SECONDS,
    STEP_KINDS,
    Form,
    Kind,
    with_pattern,
)
from voice_coach.script.rules import Field
from voice_coach.yaml12 import SafeLoader12

MAX_VISITS = 1_000_000
"""Most visits while walking one file (`yaml_tree` already refuses alias blow-ups)."""
MAX_STEP_DEPTH = 12
"""Most levels of steps inside ask/repeat inside each other."""
MAX_PROBLEMS = 100
"""Problems reported per file; after that the file is clearly not a script."""
MAX_TEXT_CHARS = 2_000
"""Most characters in one wording of a text (about three minutes of slow speech)."""

_TAG = "tag:yaml.org,2002:"


class Bad:
    """Marks a value that had a problem (already reported)."""


_BAD = Bad()
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
        self.warnings: list[Problem] = []
        """Advice on a valid script (`script.advice`)."""
        self.spoken: list[advice.Spoken] = []
        """Every wording the coach may speak, with its place."""
        self.step_columns: dict[int, int] = {}
        """Column of the step starting on each line."""
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

    def warn(self, line: int, column: int, message: str) -> None:
        self.warnings.append(Problem(self.path, line, column, message, warning=True))

    def tick(self, node: Node) -> None:
        self.budget -= 1
        if self.budget < 0:
            self.report(
                node,
                f"the file holds more than {MAX_VISITS} values to check; split the script",
            )
            raise Stopped

    def scalar(self, node: Node) -> object:
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
        spec: Mapping[str, Field],
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

    def value(self, rule: Field, name: str, node: Node, what: str, nested: int) -> object:
        """A checked value for key `name` of `what` (its type follows `rule.kind`), or _BAD."""
        label = f"'{name}'" if what == "the script" else f"{what} '{name}'"
        self.tick(node)
        if rule.nullable and node.tag == _TAG + "null":
            return None
        kind = rule.kind
        if kind in rules.NUMBERS:
            return self.number(node, label, rules.NUMBERS[kind])
        if kind == "bool":
            return self.flag(node, label)
        if kind == "scale":
            return self.scale(node, label)
        if kind == "text":
            return self.text(node, label, rules.STEP_PLACEHOLDERS)
        if kind == "names":
            return self.names(node, label)
        if kind in ("string", "id", "language", "pattern", *rules.WORD_CHOICES):
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
            return self.breathe(node, label)
        raise AssertionError(f"unknown field kind {kind}")  # pragma: no cover

    def number(self, node: Node, label: str, rule: rules.Number) -> float | Bad:
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

    def scale(self, node: Node, label: str) -> int | Bad:
        value = self.scalar(node) if isinstance(node, ScalarNode) else None
        if value is _BAD:
            return _BAD
        if isinstance(value, bool) or value not in rules.SCALES:
            tops = " or ".join(str(top) for top in rules.SCALES)
            self.report(
                node, f"{label} should be {tops} (the top of the scale), found {_found(node)}"
            )
            return _BAD
        return int(value)

    def flag(self, node: Node, label: str) -> bool | Bad:
        value = self.scalar(node) if isinstance(node, ScalarNode) else None
        if value is _BAD:
            return _BAD
        if not isinstance(value, bool):
            self.report(node, f"{label} should be true or false, found {_found(node)}")
            return _BAD
        return value

    def word(self, kind: str, node: Node, label: str) -> str | Bad:
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
        choices = rules.WORD_CHOICES.get(kind)
        if choices is not None and value not in choices:
            listed = ", ".join(choices[:-1]) + f" or {choices[-1]}"
            self.report(node, f"{label} should be {listed}, found {_found(node)}")
            return _BAD
        if kind == "pattern" and value not in rules.BREATHING_PATTERNS:
            patterns = rules.BREATHING_PATTERNS
            self.report(node, f"unknown breathing pattern '{value}'{_suggest(value, patterns)}")
            return _BAD
        if kind == "id":
            self.id, (self.id_line, self.id_column) = value, _where(node)
        return value

    def text(self, node: Node, label: str, allowed: tuple[str, ...]) -> model.Text | Bad:
        """A string or a non-empty list of strings, with only `allowed` placeholders,
        none longer than `MAX_TEXT_CHARS`."""
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
            line, column = _where(item)
            self.spoken.append(advice.Spoken(line, column, value))
            if len(value) > MAX_TEXT_CHARS:
                self.report(
                    item,
                    f"{label} is {len(value):,} characters long; the coach says at most "
                    f"{MAX_TEXT_CHARS:,} in one line: split it over several steps",
                )
                return _BAD
            texts.append(value)
        return tuple(texts)

    def names(self, node: Node, label: str) -> tuple[str, ...] | Bad:
        """Spoken names: a string or a list of them, each a few plain words."""
        texts = self.text(node, label, ())
        if isinstance(texts, Bad):
            return _BAD
        items = node.value if isinstance(node, SequenceNode) else [node]
        for item, name in zip(items, texts, strict=True):
            name = name.strip()
            if len(name) > rules.MAX_SPOKEN_CHARS or not rules.SPOKEN_NAME.match(name):
                self.report(
                    item,
                    f"{label} has '{name}': a name to say should be a few words of letters "
                    f"(at most {rules.MAX_SPOKEN_CHARS} characters), like 'avond check-in'",
                )
                return _BAD
        return tuple(t.strip() for t in texts)

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

    def steps(
        self, node: Node, label: str, nested: int, allow_empty: bool
    ) -> tuple[model.Step, ...] | Bad:
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
        good = [s for s in built if not isinstance(s, Bad)]
        return tuple(good) if len(good) == len(built) else _BAD

    def step(self, node: Node, nested: int) -> model.Step | Bad:
        pairs = self.pairs(node, "a step")
        if pairs is None:
            return _BAD
        if not pairs:
            self.report(node, f"empty step; start it with one of: {', '.join(STEP_KINDS)}")
            return _BAD
        kinds = [name for name in pairs if name in KINDS]
        if not kinds:
            name, (key, _) = next(iter(pairs.items()))
            self.report(key, f"unknown step kind '{name}'{_suggest(name, STEP_KINDS)}")
            return _BAD
        kind = KINDS[kinds[0]]
        ok = True
        for name, (key, _) in pairs.items():
            if name == kind.name:
                continue
            ok = False
            if name in KINDS:
                self.report(key, f"'{name}' is a step of its own: start it on a new line with '- '")
            elif name in kind.fields:
                self.report(
                    key,
                    f"'{name}' belongs inside '{kind.name}': indent it under "
                    f"'{kind.name}:' (two more spaces)",
                )
            else:
                self.report(
                    key,
                    f"unknown key '{name}' in a {kind.name} step"
                    f"{_suggest(name, kind.fields or [kind.name])}",
                )
        key, value = pairs[kind.name]
        line, column = _where(node)
        self.step_columns.setdefault(line, column)
        built = self.build(kind, key, value, line, nested)
        return built if ok else _BAD

    def build(
        self, kind: Kind[Any], key: Node, node: Node, line: int, nested: int
    ) -> model.Step | Bad:
        """The step of `kind` written as `node`, or _BAD (reported); see `Kind.forms`."""
        self.tick(node)
        values = self.step_values(kind, key, node, nested)
        if values is None:
            return _BAD
        if kind.prepare is not None:
            values = kind.prepare(values)
        if kind.check is not None and not kind.check(values, _StepChecker(self, node)):
            return _BAD
        step: model.Step = kind.model(line=line, **values)
        said = kind.advise(step)
        if said:
            self.warn(*_where(key), said)
        return step

    def step_values(
        self, kind: Kind[Any], key: Node, node: Node, nested: int
    ) -> dict[str, Any] | None:
        """The model's keyword arguments from whichever of the kind's forms `node` has."""
        form = self.form(kind, node)
        if form in ("null", "true", "empty"):
            return {}
        if form == "seconds":
            seconds = self.number(node, kind.name, rules.NUMBERS["seconds"])
            return None if isinstance(seconds, Bad) else {kind.shorthand: seconds}
        if form == "text":
            text = self.text(node, kind.name, rules.STEP_PLACEHOLDERS)
            return None if isinstance(text, Bad) else {kind.shorthand: text}
        if form is None and kind.shape:
            self.report(
                node, f"{kind.name} should be {kind.shape}, found {_found(node)}{kind.shape_hint}"
            )
            return None
        return self.fields(node, kind.fields, kind.name, key, nested)  # or reports a non-mapping

    def form(self, kind: Kind[Any], node: Node) -> Form | None:
        """Which of the kind's forms `node` is written in (None: none of them).

        A kind with one usual scalar form and no `shape` message gets that form anyway,
        so its own check says what is wrong ("pause should be a number of seconds").
        """
        scalar = self.scalar(node) if isinstance(node, ScalarNode) else None
        fits: dict[Form, bool] = {
            "null": node.tag == _TAG + "null",
            "true": scalar is True,
            "empty": isinstance(node, MappingNode) and not node.value,
            "mapping": isinstance(node, MappingNode),
            "seconds": isinstance(scalar, int | float) and not isinstance(scalar, bool),
            "text": isinstance(scalar, str) or isinstance(node, SequenceNode),
        }
        for form, fit in fits.items():
            if fit and form in kind.forms:
                return form
        first = kind.forms[0]
        return first if not kind.shape and first in ("seconds", "text") else None

    def breathe(self, node: Node, label: str) -> model.Breathe | Bad:
        """A breathing pattern written as a mapping (the settings' `breathing`)."""
        values = self.fields(node, rules.BREATHE, label, node)
        if values is None:
            return _BAD
        return model.Breathe(line=_where(node)[0], **with_pattern(values))

    def value_node(self, node: Node, name: str) -> Node:
        """The value of key `name` in mapping `node` (`node` itself when it has none)."""
        pairs = self._pairs(node, 0) if isinstance(node, MappingNode) else {}
        return pairs[name][1] if name in pairs else node

    def answers(
        self, node: Node, label: str, nested: int
    ) -> tuple[tuple[str, tuple[model.Step, ...]], ...] | Bad:
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
            if isinstance(steps, Bad):
                ok = False
            else:
                built.append((name, steps))
        return tuple(built) if ok else _BAD

    # -- top level -----------------------------------------------------------------

    def settings(self, node: Node) -> model.Settings | Bad:
        values = self.fields(node, rules.SETTINGS, "settings", node)
        return _BAD if values is None else model.Settings(**values)

    def phrases(self, node: Node) -> tuple[tuple[str, model.Text], ...] | Bad:
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
            if isinstance(text, Bad):
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
        if not self.bounded(values["steps"], self.value_node(tree, "steps")):
            return None
        voice = values.pop("voice", None) or {}
        script = model.Script(
            rate=voice.get("rate", model.Script.rate),
            path=self.path,
            **values,
        )
        self.advise(script, tree)
        return script

    def advise(self, script: model.Script, tree: MappingNode) -> None:
        """Warnings about the whole script: long lines, a long opening, a length promise."""
        found = advice.long_lines(self.spoken, script.rate)
        found += advice.opening(script, self.step_columns)
        if script.description:
            found += advice.promise(script, *_where(self.value_node(tree, "description")))
        for item in found:
            self.warn(item.line, item.column, item.message)

    def bounded(self, steps: tuple[model.Step, ...], node: Node) -> bool:
        """Whether the whole script stays within the step and length limits (reported)."""
        count, seconds = estimate.planned(steps)
        if count > MAX_EXPANDED_STEPS:
            self.report(
                node,
                f"the script runs {count:,} steps once its repeats are expanded; at most "
                f"{MAX_EXPANDED_STEPS:,}: use fewer repeats",
            )
            return False
        if seconds > MAX_PLANNED_SECONDS:
            self.report(
                node,
                f"the script plans about {seconds / 3600:.0f} hours; at most "
                f"{MAX_PLANNED_SECONDS / 3600:.0f}: use fewer repeats or shorter steps",
            )
            return False
        return True


class _StepChecker:
    """Lets a kind's `check` report at one of its keys' values (see `kinds.Checker`)."""

    def __init__(self, reader: Reader, node: Node) -> None:
        self._reader = reader
        self._node = node

    def problem(self, key: str, message: str) -> None:
        self._reader.report(self._reader.value_node(self._node, key), message)

    def planned(self, steps: Sequence[model.Step]) -> tuple[int, float]:
        return estimate.planned(steps)


def _is_number_text(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True
