"""One module per `voice-coach` subcommand; each has `register(subparsers)`.

A module's handler takes the parsed arguments and returns the exit code. Errors a
user can fix are raised as `UserError` and printed as one line, never a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; the message says what, where and how."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
