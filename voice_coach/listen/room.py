"""Whether the room is still the room the couple's levels were learned in.

People pause: between sentences, for breath. In those pauses the microphone hears
the room (`quiet_dbfs`, the tracked noise floor while the pauses come). When a TV
is switched on, the pauses fill with its sound at the very moment its loudest
parts start to look like a raised voice; when a partner raises their voice, the
pauses between their sentences stay quiet. So:

* *busy*: no block has come within `pause_db` of the quiet level for `busy_seconds`
  of fed audio. A raise is not announced while the room is busy (it waits for a
  pause: the engine waits for a breath anyway);
* *changed*: busy for `change_seconds`. The background has changed for good (a TV,
  music, a loud fan); the levels learned before no longer describe the couple in
  this room, and are learned again. The quiet level follows.
"""

from __future__ import annotations


class Room:
    """Tracks pauses against the quiet level of the room (levels in dBFS, times in seconds)."""

    def __init__(
        self, pause_db: float = 12.0, busy_seconds: float = 3.0, change_seconds: float = 12.0
    ) -> None:
        self.pause_db = pause_db
        """dB over the quiet level a block may have and still be a pause."""
        self.busy_seconds = busy_seconds
        """Seconds without a pause after which the room is busy."""
        self.change_seconds = change_seconds
        """Seconds without a pause after which the room has changed."""
        self.quiet_dbfs: float | None = None
        """The room's level in the couple's pauses (speech band), dBFS."""
        self._since_pause = 0.0

    @property
    def busy(self) -> bool:
        """No pause for `busy_seconds`: something other than the couple fills the room."""
        return self._since_pause >= self.busy_seconds

    def update(self, level_dbfs: float, floor_dbfs: float, seconds: float) -> bool:
        """Take a block's level and the tracked noise floor (dBFS) and its length;
        True once when the room has changed (busy for `change_seconds`)."""
        if self.quiet_dbfs is None:
            self.quiet_dbfs = floor_dbfs
        if level_dbfs <= self.quiet_dbfs + self.pause_db:
            self._since_pause = 0.0
        else:
            self._since_pause += seconds
        if not self.busy:
            self.quiet_dbfs = floor_dbfs
        if self._since_pause >= self.change_seconds:
            self.quiet_dbfs = floor_dbfs
            self._since_pause = 0.0
            return True
        return False
