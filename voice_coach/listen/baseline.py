"""The couple's own speaking level, learned from their first speech.

The baseline is the speech level (`raised.speech_level`: the 80th percentile of
the speech-band levels, dBFS, of active blocks) over the learning stretch, kept
with the median (`raised.Reference`): percentiles hardly move for a single loud
word, a laugh or a bang. It is learned once, from
the first `learn_seconds` of speech in a session or from an explicit calibration,
and then frozen, so an escalation can never raise the bar it is measured against.
"""

from __future__ import annotations

from voice_coach.listen.raised import Reference


class Baseline:
    """Learns and then holds the normal speaking level in dBFS."""

    def __init__(self, learn_seconds: float = 6.0, min_calibration_seconds: float = 1.0) -> None:
        self.learn_seconds = learn_seconds
        """Seconds of active speech the automatic baseline is learned from."""
        self.min_calibration_seconds = min_calibration_seconds
        """Seconds of active speech a calibration needs to count."""
        self.reference: Reference | None = None
        """The learned levels; None until learned."""
        self._levels: list[float] = []
        self._seconds = 0.0
        self._calibrating = False

    def update(self, level_dbfs: float, seconds: float, active: bool) -> None:
        """Take one block: its speech-band level (dBFS), length (seconds), activity."""
        if not active or (self.reference is not None and not self._calibrating):
            return
        self._levels.append(level_dbfs)
        self._seconds += seconds
        if not self._calibrating and self._seconds >= self.learn_seconds:
            self.reference = Reference.of(self._levels)
            self._levels = []

    def begin_calibration(self) -> None:
        """Learn afresh from the following speech (replaces any automatic baseline)."""
        self._calibrating = True
        self._levels = []
        self._seconds = 0.0

    def end_calibration(self) -> float | None:
        """Stop calibrating; the baseline in dBFS (the old one if too little speech came)."""
        if self._calibrating and self._seconds >= self.min_calibration_seconds:
            self.reference = Reference.of(self._levels)
        self._calibrating = False
        self._levels = []
        self._seconds = 0.0
        return self.dbfs

    @property
    def dbfs(self) -> float | None:
        """The baseline speaking level in dBFS; None until learned."""
        return None if self.reference is None else self.reference.level_dbfs
