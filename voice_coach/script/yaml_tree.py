"""Read a script file into a YAML node tree that keeps every key's line and column.

Hostile files must cost little and never crash: the size is capped before reading,
binary data and invalid UTF-8 are refused with their position, nesting depth is
capped before Python's recursion limit, and the number of nodes is capped. Aliases
stay shared in the tree (not expanded); the loader walking it keeps its own budget.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from voice_coach.yaml12 import SafeLoader12

MAX_BYTES = 128 * 1024
"""Largest script file read, in bytes; real scripts are a few kilobytes, and the
pure-Python YAML parser (needed for the depth guard) reads about 150 KB per second."""
MAX_DEPTH = 50
"""Deepest nesting of lists and mappings; real scripts need fewer than 15 levels."""
MAX_NODES = 100_000
"""Most YAML nodes (keys, values, items) in one file."""


class TreeError(Exception):
    """The file cannot be read as YAML; line and column are 1-based (0: whole file)."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message


class _GuardedLoader(SafeLoader12):
    """SafeLoader12 that counts depth and nodes while composing (no construction)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._depth += 1
        self._nodes += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise TreeError(
                    mark.line + 1,
                    mark.column + 1,
                    f"nested more than {MAX_DEPTH} levels deep; a script needs far fewer, "
                    "check the indentation and the brackets",
                )
            if self._nodes > MAX_NODES:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise TreeError(
                    mark.line + 1,
                    mark.column + 1,
                    f"more than {MAX_NODES} values in one file; split the script",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing files above MAX_BYTES without reading them whole."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise TreeError(0, 0, "is a folder, not a script file") from None
    except FileNotFoundError:
        raise TreeError(0, 0, "no such file") from None
    except OSError as err:
        raise TreeError(0, 0, f"cannot read the file: {err.strerror or err}") from None
    if len(data) > MAX_BYTES:
        raise TreeError(
            1,
            1,
            f"file is larger than {MAX_BYTES // 1024} KB; a script is a short text file "
            "(is this the right file?)",
        )
    return data


def decode(data: bytes) -> str:
    """UTF-8 text of a script file (a leading byte-order mark is allowed)."""
    if b"\x00" in data:
        line, column = _position(data, data.index(b"\x00"))
        raise TreeError(
            line,
            column,
            "this is not a text file (it holds binary data); a script is YAML text",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, column = _position(data, err.start)
        raise TreeError(
            line,
            column,
            f"not valid UTF-8 text (byte 0x{data[err.start]:02x}); save the file as UTF-8",
        ) from None


def parse(text: str) -> Node | None:
    """The single YAML document in `text` as a node tree (None when there is none)."""
    loader: _GuardedLoader | None = None
    try:
        loader = _GuardedLoader(text)
        root = loader.get_single_node()
        if root is not None:
            check_expansion(root)
        return root
    except TreeError:
        raise
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise TreeError(line, column, _syntax_message(err)) from None
    except yaml.reader.ReaderError as err:
        line, column = _text_position(text, err.position)
        raise TreeError(
            line,
            column,
            f"control character U+{_code(err.character):04X} is not allowed in YAML text; "
            "remove it",
        ) from None
    except yaml.YAMLError as err:  # any other parser complaint, still one clean line
        raise TreeError(1, 1, f"YAML error: {err}") from None
    except RecursionError:  # pragma: no cover - the depth cap comes first
        raise TreeError(1, 1, "nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


MAX_EXPANDED = 100_000
"""Most values a file may hold once every alias (*name) is written out."""


def check_expansion(root: Node) -> None:
    """Refuse trees that aliases blow up ("billion laughs") or make self-referring.

    Counts each node's expanded size once (memoised by identity), so the check is
    linear in the file, however large the expansion would be.
    """
    sizes: dict[int, int] = {}
    busy: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children = _children(node)
        if children_done:
            busy.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_EXPANDED:
                mark = node.start_mark
                raise TreeError(
                    mark.line + 1,
                    mark.column + 1,
                    f"this value expands to more than {MAX_EXPANDED} values through YAML "
                    "aliases (*name); write it out or use fewer aliases",
                )
            continue
        if key in busy:
            mark = node.start_mark
            raise TreeError(
                mark.line + 1,
                mark.column + 1,
                "an alias (*name) is used inside the value of its own anchor (&name); "
                "a script cannot contain itself",
            )
        busy.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _code(character: object) -> int:
    return character if isinstance(character, int) else ord(str(character)[:1] or "?")


def _syntax_message(err: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (err.context, err.problem) if p]
    message = "YAML syntax error: " + ", ".join(parts)
    if err.problem and "'\\t'" in err.problem:
        message += " (indent with spaces, not tabs)"
    elif err.context and "single document" in err.context:
        message = "a script file holds one YAML document; remove the '---' separator"
    return message


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def _text_position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def read_tree(path: Path) -> Node | None:
    """Read, decode and compose a script file; raises TreeError with a position."""
    return parse(decode(read_bytes(path)))
