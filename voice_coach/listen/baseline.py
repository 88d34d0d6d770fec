"""A speaker's (or the couple's) own calm level and pitch, learned from their first speech.

The baseline is the speech level (`raised.speech_level`: the 80th percentile of the
speech-band levels, dBFS) of the voiced active blocks over the learning stretch,
kept with the median and the median pitch (`raised.Reference`): percentiles hardly
move for a single loud word, a laugh or a bang. It is learned once, from the first
`learn_seconds` of speech or from an explicit calibration, and then frozen, so an
escalation can never raise the bar it is measured against. `restart` throws away a
stretch being learned (a raise was detected in it: it was not calm).
"""

from __future__ import annotations

from voice_coach.listen.raised import Reference, speech_level

MIN_PROVISIONAL_SECONDS = 1.0
"""Seconds of speech before the level heard so far stands in for a baseline being learned."""


class Baseline:
    """Learns and then holds the normal speaking level (dBFS) and pitch (Hertz)."""

    def __init__(self, learn_seconds: float = 6.0, min_calibration_seconds: float = 1.0) -> None:
        self.learn_seconds = learn_seconds
        """Seconds of active speech the automatic baseline is learned from."""
        self.min_calibration_seconds = min_calibration_seconds
        """Seconds of active speech a calibration needs to count."""
        self.reference: Reference | None = None
        """The learned levels; None until learned."""
        self._voiced: list[float] = []
        self._levels: list[float] = []
        self._pitches: list[float] = []
        self._seconds = 0.0
        self._calibrating = False

    @property
    def learning(self) -> bool:
        """Whether blocks still teach this baseline."""
        return self.reference is None or self._calibrating

    def update(
        self, level_dbfs: float, seconds: float, active: bool, pitch_hz: float | None = None
    ) -> None:
        """Take one block: its speech-band level (dBFS), length (seconds), activity and
        pitch (Hertz; None: unvoiced)."""
        if not active or not self.learning:
            return
        self._levels.append(level_dbfs)
        if pitch_hz is not None:
            self._voiced.append(level_dbfs)
            self._pitches.append(pitch_hz)
        self._seconds += seconds
        if not self._calibrating and self._seconds >= self.learn_seconds:
            self.reference = self._learned()
            self.restart()

    @property
    def level_dbfs(self) -> float | None:
        """The speaking level (dBFS): learned, or while learning the level so far
        (after `MIN_PROVISIONAL_SECONDS`); None before."""
        if self.reference is not None:
            return self.reference.level_dbfs
        if self._seconds < MIN_PROVISIONAL_SECONDS:
            return None
        return speech_level(self._voiced if len(self._voiced) >= 10 else self._levels)

    def _learned(self) -> Reference:
        # The voiced blocks are the evidence the detector compares; without enough of
        # them (a whisper, a voice the pitch tracker misses) all active blocks count.
        voiced = len(self._voiced) >= max(10, len(self._levels) // 4)
        return Reference.of(self._voiced if voiced else self._levels, self._pitches)

    def restart(self) -> None:
        """Forget what is being learned (not a learned reference)."""
        self._levels, self._voiced, self._pitches = [], [], []
        self._seconds = 0.0

    def forget(self) -> None:
        """Forget the learned reference too: learn it again from the next speech."""
        self.reference = None
        self.restart()

    def begin_calibration(self) -> None:
        """Learn afresh from the following speech (replaces any automatic baseline)."""
        self._calibrating = True
        self.restart()

    def end_calibration(self) -> float | None:
        """Stop calibrating; the baseline in dBFS (the old one if too little speech came)."""
        if self._calibrating and self._seconds >= self.min_calibration_seconds:
            self.reference = self._learned()
        self._calibrating = False
        self.restart()
        return self.dbfs

    @property
    def dbfs(self) -> float | None:
        """The baseline speaking level in dBFS; None until learned."""
        return None if self.reference is None else self.reference.level_dbfs
