"""Speech/silence segmentation: an energy detector against the tracked noise floor.

Each block is *active* when its speech-band level stands `margin_db` above the
noise floor (and, once the couple's baseline is known, not far below it: a TV
murmuring in the background is much quieter than the people at the microphone).
*Speech* is active blocks smoothed with a hangover, so the short stops inside
and between words do not chop an utterance into pieces.
"""

from __future__ import annotations

from dataclasses import dataclass

from voice_coach.listen.level import NoiseFloor


@dataclass(frozen=True)
class VadResult:
    """The detector's view of one block."""

    active: bool
    """The block itself carries speech energy (no smoothing)."""
    speech: bool
    """Inside an utterance: active, or within the hangover after an active block."""
    floor_dbfs: float
    """The noise floor (speech band) the decision was made against, dBFS."""


class SpeechDetector:
    """Energy voice-activity detection on speech-band levels (dBFS)."""

    def __init__(
        self,
        block_seconds: float,
        margin_db: float = 10.0,
        hangover: float = 0.3,
        below_baseline_db: float = 30.0,
    ) -> None:
        self.floor = NoiseFloor(block_seconds)
        self.margin_db = margin_db
        """dB above the noise floor that counts as speech."""
        self.hangover = hangover
        """Seconds an utterance lasts past its last active block."""
        self.below_baseline_db = below_baseline_db
        """dB: blocks this far under the couple's baseline are background, not them."""
        self._quiet_for = float("inf")

    def update(
        self, level_dbfs: float, seconds: float, baseline_dbfs: float | None = None
    ) -> VadResult:
        """Classify the next block from its speech-band level (dBFS) and length (seconds)."""
        floor = self.floor.update(level_dbfs)
        active = level_dbfs > floor + self.margin_db
        if active and baseline_dbfs is not None:
            active = level_dbfs > baseline_dbfs - self.below_baseline_db
        self._quiet_for = 0.0 if active else self._quiet_for + seconds
        # A small tolerance: block lengths summed in floating point.
        return VadResult(active, self._quiet_for <= self.hangover + 1e-9, floor)
