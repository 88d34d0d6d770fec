"""The listening facade the engine uses: feed a block, learn what was heard.

`Listener.hear` takes one block of mono float32 (16 kHz unless told otherwise)
and returns a `Hearing`. It only composes the detectors of this package:
levels (`level`), speech/silence (`vad`), the baseline (`baseline`), raised
voices (`raised`) and pace (`pace`). It counts time in fed audio only, so the
engine may skip blocks (while the coach speaks) without confusing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from voice_coach.audio.chunk import LISTEN_RATE, Samples
from voice_coach.config import ListenSettings
from voice_coach.listen.baseline import Baseline
from voice_coach.listen.level import band_dbfs, rms_dbfs
from voice_coach.listen.pace import PaceMeter
from voice_coach.listen.raised import RaisedVoiceDetector
from voice_coach.listen.vad import SpeechDetector

BLOCK_SECONDS = 0.03
"""Seconds: the block length the engine feeds (480 samples at 16 kHz)."""

__all__ = ["BLOCK_SECONDS", "Hearing", "Listener", "rms_dbfs"]


@dataclass(frozen=True)
class Hearing:
    """What the listeners made of one block of input."""

    seconds: float
    """Duration of the block in seconds."""
    level_dbfs: float
    """RMS level of the block in dBFS (full band)."""
    is_speech: bool
    """Whether the block is inside an utterance (against the tracked noise floor)."""
    raised_over_db: float | None = None
    """Set on the block where a sustained raised voice is detected: dB over baseline."""
    pace_sps: float | None = None
    """Speaking rate over the recent window, syllables per second of speech."""
    band_dbfs: float = -100.0
    """Speech-band (300-3400 Hz) level of the block in dBFS: what the detectors use."""
    active: bool = False
    """The block itself carries speech energy (no hangover)."""
    over_baseline_db: float | None = None
    """dB the recent speech level (80th percentile of the last second of speech) over
    the baseline; None until both are known."""
    nuclei: int = 0
    """Syllable nuclei confirmed in this block."""


class Listener:
    """Level, speech/silence, raised-voice and pace detection over a stream of blocks."""

    def __init__(self, settings: ListenSettings, rate: int = LISTEN_RATE) -> None:
        self.settings = settings
        self.rate = rate
        self.vad = SpeechDetector(BLOCK_SECONDS, margin_db=settings.silence_margin_db)
        self.baseline = Baseline()
        self.raised = RaisedVoiceDetector(
            BLOCK_SECONDS,
            threshold_db=settings.raised_voice_db,
            sustain_seconds=settings.raised_voice_seconds,
            cooldown_seconds=settings.breathing_cooldown,
        )
        self.pace = PaceMeter(rate, window=settings.pace_window)

    @property
    def noise_floor_dbfs(self) -> float:
        """Tracked background level (speech band) in dBFS."""
        return self.vad.floor.dbfs

    @property
    def baseline_dbfs(self) -> float | None:
        """The couple's normal speaking level (speech band) in dBFS, once learned."""
        return self.baseline.dbfs

    def hear(self, block: Samples) -> Hearing:
        """Analyse the next block of input (mono float32 at `rate`)."""
        seconds = len(block) / self.rate
        band = band_dbfs(block, self.rate)
        vad = self.vad.update(band, seconds, self.baseline.dbfs)
        self.baseline.update(band, seconds, vad.active)
        raised = self.raised.update(band, seconds, vad.active, self.baseline.reference)
        pace = self.pace.update(block, vad.active)
        return Hearing(
            seconds=seconds,
            level_dbfs=rms_dbfs(block),
            is_speech=vad.speech,
            raised_over_db=raised.detected_db,
            pace_sps=pace.pace_sps,
            band_dbfs=band,
            active=vad.active,
            over_baseline_db=raised.over_db,
            nuclei=pace.nuclei,
        )

    def start_turn(self) -> None:
        """A new speaker begins: forget the pace window of the previous one."""
        self.pace.reset()

    def begin_calibration(self) -> None:
        """Following speech blocks teach the baseline (a `calibrate` step)."""
        self.baseline.begin_calibration()

    def end_calibration(self) -> float | None:
        """Stop calibrating; the learned baseline in dBFS, if any speech was heard."""
        return self.baseline.end_calibration()

    def after_breathing(self) -> None:
        """A breathing pause ended: no raised-voice detection for `breathing_cooldown`
        seconds of fed audio."""
        self.raised.cool_down()
