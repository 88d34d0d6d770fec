"""The one base of every error a user can fix, importable from every package.

Each area raises its own subclass (`ScriptError`, `ConfigError`, `WavError`,
`DeviceError`, `ModelError`, ...), whose message says what is wrong, where, and how
to fix it. `voice-coach` catches `VoiceCoachError` once and prints that message as
one line; any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations


class VoiceCoachError(Exception):
    """A problem the user can fix; the message says what, where and how.

    `exit_code` is what `voice-coach` exits with: 1 for a problem found, 2 for a
    command used the wrong way.
    """

    exit_code: int = 1

    def __init__(self, message: str = "", exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
