"""The listening facade the engine uses: feed a block, learn what was heard.

`Listener.hear` takes one block of mono float32 (16 kHz unless told otherwise)
and returns a `Hearing`. It only composes the detectors of this package:
levels (`level`), speech/silence (`vad`), the baseline (`baseline`), raised
voices (`raised`) and pace (`pace`). It counts time in fed audio only, so the
engine may skip blocks (while the coach speaks) without confusing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from voice_coach.audio.chunk import LISTEN_RATE, Samples
from voice_coach.config import ListenSettings
from voice_coach.listen.baseline import Baseline
from voice_coach.listen.level import band_dbfs, rms_dbfs
from voice_coach.listen.pace import PaceMeter
from voice_coach.listen.pitch import PitchTracker, semitones
from voice_coach.listen.raised import VOICE_GAP_ST, RaisedVoiceDetector, Reference
from voice_coach.listen.room import Room
from voice_coach.listen.vad import SpeechDetector

BLOCK_SECONDS = 0.03
"""Seconds: the block length the engine feeds (480 samples at 16 kHz)."""

__all__ = ["BLOCK_SECONDS", "Hearing", "Listener", "Role", "rms_dbfs"]

PACE_START_DB = 6.0
"""dB under the speaker's level (dBFS, speech band) an utterance must come within to
count for the pace: background talk under them never does."""

CALM_UNDER_DB = 3.0
"""dB over the reference under which speech counts as calm (refines the reference)."""

Role = Literal["A", "B"]
"""A partner, as the script names them."""


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
    pitch_hz: float | None = None
    """Pitch of the block's voice in Hertz; None when unvoiced or not speech."""
    raised_above: bool = False
    """The block is the speaker's voice and stands above the raise threshold."""
    evidence: bool = False
    """The block counted as the speaker's voice for the raise detector."""


class Listener:
    """Level, speech/silence, raised-voice and pace detection over a stream of blocks.

    The engine says whose turn it is (`start_turn`). Each partner gets their own
    reference, learned from their first `Baseline.learn_seconds` of speech in their
    turns and refined from their calm speech after; until then, and in open talk,
    the couple's shared reference counts, each voice in it against its own level.
    """

    def __init__(self, settings: ListenSettings, rate: int = LISTEN_RATE) -> None:
        self.settings = settings
        self.rate = rate
        self.vad = SpeechDetector(BLOCK_SECONDS, margin_db=settings.silence_margin_db)
        self.baseline = Baseline(refine_seconds=0.0)
        """The couple's shared reference (open talk, and partners not learned yet). It
        is not refined: in open talk more speech can blur the two voices it holds into
        one (the onset of a raise, between them in pitch, before it is detected)."""
        self.partners: dict[Role, Baseline] = {"A": Baseline(), "B": Baseline()}
        """Each partner's own reference, learned in their turns."""
        self.role: Role | None = None
        """Whose turn it is; None in open talk."""
        self.pitch = PitchTracker(rate)
        self.raised = RaisedVoiceDetector(
            BLOCK_SECONDS,
            threshold_db=settings.raised_voice_db,
            sustain_seconds=settings.raised_voice_seconds,
            cooldown_seconds=settings.breathing_cooldown,
        )
        self.pace = PaceMeter(rate, window=settings.pace_window)
        self.room = Room()
        self._reached = False

    @property
    def noise_floor_dbfs(self) -> float:
        """Tracked background level (speech band) in dBFS."""
        return self.vad.floor.dbfs

    @property
    def baseline_dbfs(self) -> float | None:
        """The couple's normal speaking level (speech band) in dBFS, once learned."""
        return self.baseline.dbfs

    @property
    def reference(self) -> Reference | None:
        """What the current speech is measured against: the partner's whose turn it
        is, once learned; else the shared one, each voice in it measured against its
        own calm level: the partners' where their turns taught them, the shared
        reference's own voices for the rest."""
        if self.role is not None:
            own = self.partners[self.role].reference
            if own is not None:
                return own
        shared = self.baseline.reference
        if shared is None:
            return None
        known = [
            (ref.pitches_hz[0], (ref.level_dbfs, ref.bulk_dbfs))
            for baseline in self.partners.values()
            if (ref := baseline.reference) is not None and len(ref.pitches_hz) == 1
        ]
        if not known:
            return shared
        own_levels = shared.voice_levels or ((shared.level_dbfs, shared.bulk_dbfs),) * len(
            shared.pitches_hz
        )
        for pitch, levels in zip(shared.pitches_hz, own_levels, strict=True):
            if all(abs(semitones(pitch, hz)) >= VOICE_GAP_ST for hz, _ in known):
                known.append((pitch, levels))  # a voice no turn has taught yet
        return replace(
            shared,
            pitches_hz=tuple(hz for hz, _ in known),
            voice_levels=tuple(levels for _, levels in known),
        )

    def hear(self, block: Samples) -> Hearing:
        """Analyse the next block of input (mono float32 at `rate`)."""
        seconds = len(block) / self.rate
        band = band_dbfs(block, self.rate)
        reference = self.reference
        level = None if reference is None else reference.level_dbfs
        vad = self.vad.update(band, seconds, level)
        if self.room.update(band, self.vad.floor.dbfs, seconds):
            self._forget_levels()  # a TV, music: the couple's levels are learned again
        if vad.active:
            pitch = self.pitch.update(block)
        else:
            self.pitch.feed(block)
            pitch = None
        raised = self.raised.update(
            band, seconds, vad.active, reference, pitch, hold_back=self.room.busy
        )
        calm = raised.over_db is not None and raised.over_db < CALM_UNDER_DB and not raised.above
        learner = None if self.role is None else self.partners[self.role]
        for baseline in (self.baseline, learner):
            if baseline is None:
                continue
            baseline.update(band, seconds, vad.active, pitch, calm)
            if raised.detected_db is not None:
                baseline.freeze()  # what it learns from now on may not be calm
        # Pace counts the speaker, not a TV talking in their pauses: only utterances
        # that come within PACE_START_DB of the speaker's level.
        speaker = self._speaker_level()
        if not vad.speech:
            self._reached = False
        elif speaker is None or band >= speaker - PACE_START_DB:
            self._reached = True
        pace = self.pace.update(
            block,
            vad.active and self._reached,
            utterance=vad.speech and self._reached,
            audible_dbfs=self.vad.audible_dbfs,
        )
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
            pitch_hz=pitch,
            raised_above=raised.above,
            evidence=raised.evidence,
        )

    def partner_pitches(self) -> dict[str, float]:
        """Each partner's calm pitch in Hertz, where their own turns taught one."""
        return {
            role: ref.pitches_hz[0]
            for role, baseline in self.partners.items()
            if (ref := baseline.reference) is not None and len(ref.pitches_hz) == 1
        }

    def _speaker_level(self) -> float | None:
        """The level (dBFS) of whoever speaks now: learned, or heard so far."""
        if self.role is not None:
            own = self.partners[self.role].level_dbfs
            if own is not None:
                return own
        return self.baseline.level_dbfs

    def start_turn(self, role: Role | None = None) -> None:
        """A new speaker begins: partner "A" or "B" in a turn, None for open talk
        (questions, check-ins). Forgets the pace window and the raise evidence of the
        previous speaker."""
        self.role = role
        self.pace.reset()
        self.raised.new_speaker()

    def _forget_levels(self) -> None:
        for baseline in (self.baseline, *self.partners.values()):
            baseline.forget()
        self.raised.new_speaker()

    def begin_calibration(self) -> None:
        """Following speech blocks teach the shared baseline (a `calibrate` step)."""
        self.baseline.begin_calibration()

    def end_calibration(self) -> float | None:
        """Stop calibrating; the learned baseline in dBFS, if any speech was heard."""
        return self.baseline.end_calibration()

    def after_breathing(self) -> None:
        """A breathing pause ended: no raised-voice detection for `breathing_cooldown`
        seconds of fed audio."""
        self.raised.cool_down()
