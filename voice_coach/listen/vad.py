"""Speech/silence segmentation: an energy detector against the tracked noise floor.

A block is *loud* when its speech-band level stands `margin_db` above the noise
floor. An utterance starts on a loud block and lasts until `hangover` seconds
after the last loud block, so the short stops inside and between words do not
chop it into pieces. 0.15 s does that and ends an utterance close to its last word:
against the true extent of generated sentences, per 30 ms block, frame F1 0.970 in
a quiet room where 0.3 s gave 0.943 (bench/listen.py). A pre-roll (counting the
blocks before the first loud one) was measured too and only lowered it: the first
loud block already comes with the first sound of a word.

Once the couple's baseline is known, an utterance must start on a block no more
than `start_below_baseline_db` under it: a TV murmuring in the background is loud
against the floor, but much quieter than the people at the microphone; within an
utterance, blocks more than `keep_below_baseline_db` under it do not carry it on.
*Active* blocks are the loud blocks inside utterances: the ones the baseline, the
raised-voice detector and the pace meter learn from.
"""

from __future__ import annotations

from dataclasses import dataclass

from voice_coach.listen.level import NoiseFloor


@dataclass(frozen=True)
class VadResult:
    """The detector's view of one block."""

    active: bool
    """The block itself carries the couple's speech energy (no hangover)."""
    speech: bool
    """Inside an utterance: active, or within the hangover after an active block."""


class SpeechDetector:
    """Energy voice-activity detection on speech-band levels (dBFS)."""

    def __init__(
        self,
        block_seconds: float,
        margin_db: float = 10.0,
        hangover: float = 0.15,
        start_below_baseline_db: float = 15.0,
        keep_below_baseline_db: float = 25.0,
    ) -> None:
        self.floor = NoiseFloor(block_seconds)
        self.margin_db = margin_db
        """dB above the noise floor that counts as speech."""
        self.hangover = hangover
        """Seconds an utterance lasts past its last active block."""
        self.start_below_baseline_db = start_below_baseline_db
        """dB: an utterance cannot start on a block this far under the baseline."""
        self.keep_below_baseline_db = keep_below_baseline_db
        """dB: blocks this far under the baseline do not carry an utterance on."""
        self._quiet_for = float("inf")

    @property
    def audible_dbfs(self) -> float:
        """The speech-band level (dBFS) a block must stand over to be loud: the noise
        floor plus `margin_db`. Speech under it is not heard as speech."""
        return self.floor.dbfs + self.margin_db

    def update(
        self, level_dbfs: float, seconds: float, baseline_dbfs: float | None = None
    ) -> VadResult:
        """Classify the next block from its speech-band level (dBFS) and length (seconds)."""
        self.floor.update(level_dbfs)
        loud = level_dbfs > self.audible_dbfs
        # A small tolerance: block lengths are summed in floating point.
        in_utterance = self._quiet_for <= self.hangover + 1e-9
        if baseline_dbfs is None:
            active = loud
        else:
            under = baseline_dbfs - level_dbfs
            limit = self.keep_below_baseline_db if in_utterance else self.start_below_baseline_db
            active = loud and under <= limit
        self._quiet_for = 0.0 if active else self._quiet_for + seconds
        return VadResult(active, self._quiet_for <= self.hangover + 1e-9)
