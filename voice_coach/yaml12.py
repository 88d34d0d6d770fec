"""A safe YAML loader with YAML 1.2 booleans.

PyYAML follows YAML 1.1, where `yes`, `no`, `on` and `off` are booleans: an English
script with `answers: {yes: ..., no: ...}` would silently get keys True and False.
Here only `true` and `false` are booleans; every other word stays a string.
The loader is PyYAML's SafeLoader otherwise: a script is data, never code.
"""

from __future__ import annotations

import re
from typing import Any

import yaml


class SafeLoader12(yaml.SafeLoader):
    """SafeLoader whose booleans are only true/false (any case)."""


SafeLoader12.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SafeLoader12.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load_yaml(text: str) -> Any:
    """Parse YAML text with `SafeLoader12`."""
    return yaml.load(text, Loader=SafeLoader12)
