"""Problems found in a script file, each with its place: path, line and column (1-based)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voice_coach.errors import VoiceCoachError


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a script file.

    `line` and `column` are 1-based and point at the offending key or value;
    both are 0 when the problem is about the file as a whole (e.g. it is missing).
    A `warning` is advice (`script.advice`): the script still runs.
    """

    path: str
    line: int
    column: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        message = f"warning: {self.message}" if self.warning else self.message
        if self.line <= 0:
            return f"{self.path}: {message}"
        return f"{self.path}:{self.line}:{self.column}: {message}"


class ScriptError(VoiceCoachError):
    """A script cannot be used; `problems` says where and why, one line each."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid script")


class ScriptNotFoundError(VoiceCoachError):
    """No script has the asked id and no file has the asked path."""
