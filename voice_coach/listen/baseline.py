"""A speaker's (or the couple's) own calm level and pitch, learned from their first speech.

The baseline is the speech level (`raised.speech_level`: the 80th percentile of the
speech-band levels, dBFS) of the voiced active blocks over the learning stretch,
kept with the median and the median pitch (`raised.Reference`): percentiles hardly
move for a single loud word, a laugh or a bang. It is learned from the first
`learn_seconds` of speech (or from an explicit calibration, which then stands as
it is). Six seconds are two or three sentences, and sentences differ: a voice
starts a sentence higher than it ends it, so the calm pitch learned from so little
can lie a semitone off, enough to hide the pitch cue of a raise. So the automatic
baseline goes on learning from speech the detector vouches is calm (`calm=True`:
well under the raise threshold) until `refine_seconds` of speech, and freezes for
good at the first detected raise (`freeze`): an escalation never raises the bar it
is measured against. `restart` throws away a stretch being learned before any
reference (a raise was detected in it: it was not calm).
"""

from __future__ import annotations

from voice_coach.listen.raised import Reference, speech_level

MIN_PROVISIONAL_SECONDS = 1.0
"""Seconds of speech before the level heard so far stands in for a baseline being learned."""
REFINE_SECONDS = 30.0
"""Seconds of calm speech the automatic baseline goes on learning from."""
REFINE_EVERY_SECONDS = 1.0
"""Seconds of calm speech between two refinements of the reference."""


class Baseline:
    """Learns and then holds the normal speaking level (dBFS) and pitch (Hertz)."""

    def __init__(
        self,
        learn_seconds: float = 6.0,
        min_calibration_seconds: float = 1.0,
        refine_seconds: float = REFINE_SECONDS,
    ) -> None:
        self.learn_seconds = learn_seconds
        """Seconds of active speech the automatic baseline is first learned from."""
        self.refine_seconds = refine_seconds
        """Seconds of calm speech (the first `learn_seconds` included) it keeps learning
        from; after that, or after a detected raise, it is frozen."""
        self.min_calibration_seconds = min_calibration_seconds
        """Seconds of active speech a calibration needs to count."""
        self.reference: Reference | None = None
        """The learned levels; None until learned."""
        self._voiced: list[float] = []
        self._levels: list[float] = []
        self._pitches: list[float] = []
        self._seconds = 0.0
        self._calibrating = False
        self._refining = False
        self._since_refined = 0.0

    @property
    def learning(self) -> bool:
        """Whether blocks still teach this baseline."""
        return self.reference is None or self._calibrating

    def update(
        self,
        level_dbfs: float,
        seconds: float,
        active: bool,
        pitch_hz: float | None = None,
        calm: bool = False,
    ) -> None:
        """Take one block: its speech-band level (dBFS), length (seconds), activity,
        pitch (Hertz; None: unvoiced), and whether the detector deems the speech calm
        (only calm speech refines a learned reference)."""
        if not active:
            return
        if self.learning:
            self._take(level_dbfs, seconds, pitch_hz)
            if not self._calibrating and self._seconds >= self.learn_seconds:
                self.reference = self._learned()
                self._refining, self._since_refined = True, 0.0
                if self.refine_seconds <= self.learn_seconds:
                    self.freeze()
            return
        if not (self._refining and calm):
            return
        self._take(level_dbfs, seconds, pitch_hz)
        self._since_refined += seconds
        if self._since_refined >= REFINE_EVERY_SECONDS:
            self.reference, self._since_refined = self._learned(), 0.0
        if self._seconds >= self.refine_seconds:
            self.freeze()

    def _take(self, level_dbfs: float, seconds: float, pitch_hz: float | None) -> None:
        self._levels.append(level_dbfs)
        if pitch_hz is not None:
            self._voiced.append(level_dbfs)
            self._pitches.append(pitch_hz)
        self._seconds += seconds

    def freeze(self) -> None:
        """Keep the reference as it is from now on (a raise was heard, or enough calm
        speech); before any reference, this is `restart`."""
        self._refining = False
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
        self.freeze()

    def begin_calibration(self) -> None:
        """Learn afresh from the following speech (replaces any automatic baseline)."""
        self._calibrating = True
        self.freeze()

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
