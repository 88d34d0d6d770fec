"""The journal: a local record of the couple's evenings, and the trends over weeks.

A subscriber of the session's event log (`engine.events.EventLog`); the session does
not know it exists. One SQLite file (`store.journal_path()`), one transaction per
finished step. What is kept: when, which exercise, how long, whose turn lasted how
long and how it ended, breathing pauses, pace means, matched answer words and
ratings. Never what was said: no turn words, no audio, no coach lines.

- `schema`: the tables and their forward migrations (`PRAGMA user_version`).
- `store`: opening the file safely (private, WAL, a damaged file set aside).
- `recorder`: the event subscriber that writes a session.
- `read`: sessions as plain data for the commands, the plot and `serve`
  (`checked_in_since`: did a check-in already happen tonight?).
- `history`: the recent evenings as the engine's plain `Recent`, for a `recap` step.
- `forget`, `export`, `table`, `plot`: what `voice-coach journal` does with them.
"""

from __future__ import annotations

from voice_coach.errors import VoiceCoachError


class JournalError(VoiceCoachError):
    """The journal cannot be read or changed; the message says why and what to do."""
