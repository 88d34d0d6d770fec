"""One module per `voice-coach` subcommand; each has `register(subparsers)`.

A module's handler takes the parsed arguments and returns the exit code. Errors a
user can fix are `VoiceCoachError`s (each area has its own subclass; `UserError` is
the commands' own) and `cli.main` prints them as one line, never a traceback.
"""

from __future__ import annotations

from voice_coach.errors import VoiceCoachError


class UserError(VoiceCoachError):
    """A command was given something it cannot use; the message says what and how."""
