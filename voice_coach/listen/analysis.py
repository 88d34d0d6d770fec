"""A whole recording through the live Listener: the facts `voice-coach analyze` shows.

The recording is cut into the same 30 ms blocks the session engine feeds and run
through `Listener`, so the analysis and a live session can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.config import ListenSettings
from voice_coach.listen.listener import BLOCK_SECONDS, Hearing, Listener

MIN_SEGMENT_SPEECH = 0.25
"""Seconds of active speech a stretch needs to be listed (clicks and bangs are not)."""


@dataclass(frozen=True)
class RaisedStretch:
    """A stretch where a sustained raised voice was detected."""

    start_s: float
    """Seconds from the start: the speech level first stood above the threshold."""
    end_s: float
    """Seconds from the start: the last speech above the threshold."""
    over_db: float
    """dB over the baseline at the loudest point of the stretch."""


@dataclass(frozen=True)
class Segment:
    """One stretch of speech (an utterance)."""

    start_s: float
    """Seconds from the start."""
    end_s: float
    """Seconds from the start (including the short hangover after the last word)."""
    syllables: int
    """Syllable nuclei counted."""
    speech_s: float
    """Seconds of speech in it, pauses excluded."""

    @property
    def syllables_per_s(self) -> float:
        """Speaking rate: syllables per second of speech."""
        return self.syllables / self.speech_s if self.speech_s > 0 else 0.0


@dataclass(frozen=True)
class Trace:
    """Block by block values, for plots."""

    times_s: np.ndarray
    """Start of each block, seconds."""
    band_dbfs: np.ndarray
    """Speech-band level of each block, dBFS."""
    speech_level_dbfs: np.ndarray
    """Speech level the raised-voice detector compares (80th percentile of the last second of
    speech), dBFS; NaN until known."""
    is_speech: np.ndarray
    """Speech/silence per block."""
    pace_sps: np.ndarray
    """Windowed pace in syllables per second; NaN until known."""


@dataclass(frozen=True)
class Analysis:
    """What the listeners made of a recording."""

    duration_s: float
    """Length of the recording, seconds."""
    baseline_dbfs: float | None
    """The couple's speaking level (speech band), dBFS; None if too little speech."""
    threshold_dbfs: float | None
    """Level that counts as raised: baseline + raised_voice_db, dBFS."""
    noise_floor_dbfs: float
    """Background level (speech band) at the end, dBFS."""
    speech_ratio: float
    """Fraction of the recording that is speech, 0 to 1."""
    raised: list[RaisedStretch] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    trace: Trace | None = None

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (times in seconds, levels in dBFS, rates in syllables/s)."""
        return {
            "duration_s": round(self.duration_s, 3),
            "baseline_dbfs": _round(self.baseline_dbfs),
            "threshold_dbfs": _round(self.threshold_dbfs),
            "noise_floor_dbfs": round(self.noise_floor_dbfs, 2),
            "speech_ratio": round(self.speech_ratio, 4),
            "raised": [
                {
                    "start_s": round(r.start_s, 2),
                    "end_s": round(r.end_s, 2),
                    "over_db": round(r.over_db, 2),
                }
                for r in self.raised
            ],
            "segments": [
                {
                    "start_s": round(s.start_s, 2),
                    "end_s": round(s.end_s, 2),
                    "syllables": s.syllables,
                    "speech_s": round(s.speech_s, 2),
                    "syllables_per_s": round(s.syllables_per_s, 2),
                }
                for s in self.segments
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def analyze(audio: AudioChunk, settings: ListenSettings | None = None) -> Analysis:
    """Run the Listener over a whole recording (any rate; converted to 16 kHz)."""
    settings = settings or ListenSettings()
    samples = audio.to_rate(LISTEN_RATE).samples
    listener = Listener(settings, LISTEN_RATE)
    size = round(BLOCK_SECONDS * LISTEN_RATE)
    hearings: list[Hearing] = []
    speech_clock: list[float] = []
    for start in range(0, len(samples), size):
        hearings.append(listener.hear(samples[start : start + size]))
        speech_clock.append(listener.pace.total_speech_seconds)
    baseline = listener.baseline_dbfs
    threshold = None if baseline is None else baseline + settings.raised_voice_db
    times = np.arange(len(hearings)) * BLOCK_SECONDS
    trace = Trace(
        times_s=times,
        band_dbfs=np.array([h.band_dbfs for h in hearings]),
        speech_level_dbfs=np.array(
            [
                np.nan
                if h.over_baseline_db is None or baseline is None
                else baseline + h.over_baseline_db
                for h in hearings
            ]
        ),
        is_speech=np.array([h.is_speech for h in hearings]),
        pace_sps=np.array([np.nan if h.pace_sps is None else h.pace_sps for h in hearings]),
    )
    duration = len(samples) / LISTEN_RATE
    ratio = float(sum(h.seconds for h in hearings if h.is_speech)) / duration if duration else 0.0
    return Analysis(
        duration_s=duration,
        baseline_dbfs=baseline,
        threshold_dbfs=threshold,
        noise_floor_dbfs=listener.noise_floor_dbfs,
        speech_ratio=ratio,
        raised=_raised_stretches(
            hearings, times, settings.raised_voice_db, listener.raised.rearm_db
        ),
        segments=_segments(hearings, times, speech_clock),
        trace=trace,
    )


def _segments(hearings: list[Hearing], times: np.ndarray, clock: list[float]) -> list[Segment]:
    """Stretches of speech with their pace; too little active speech: not listed."""
    found: list[Segment] = []
    start: int | None = None
    for i, heard in enumerate([*hearings, None]):
        speaking = heard is not None and heard.is_speech
        if speaking and start is None:
            start = i
        elif not speaking and start is not None:
            part = hearings[start:i]
            active = sum(h.seconds for h in part if h.active)
            if active >= MIN_SEGMENT_SPEECH:
                before = clock[start - 1] if start > 0 else 0.0
                found.append(
                    Segment(
                        start_s=float(times[start]),
                        end_s=float(times[i - 1]) + part[-1].seconds,
                        syllables=sum(h.nuclei for h in part),
                        speech_s=max(clock[i - 1] - before, active),
                    )
                )
            start = None
    return found


def _raised_stretches(
    hearings: list[Hearing], times: np.ndarray, threshold_db: float, rearm_db: float
) -> list[RaisedStretch]:
    """Runs of speech above the threshold that hold a detection.

    A run starts when the speech level reaches the threshold and lasts until it
    falls `rearm_db` under it, the same hysteresis the detector re-arms with.
    """
    stretches: list[RaisedStretch] = []
    run: list[int] = []
    detected = False

    def close() -> None:
        if run and detected:
            peak = max(hearings[j].over_baseline_db or 0.0 for j in run)
            end = float(times[run[-1]]) + hearings[run[-1]].seconds
            stretches.append(RaisedStretch(float(times[run[0]]), end, peak))

    for i, heard in enumerate(hearings):
        over = heard.over_baseline_db
        if not heard.active or over is None:
            continue
        if over >= threshold_db or (run and over >= threshold_db - rearm_db):
            if over >= threshold_db or heard.raised_over_db is not None:
                run.append(i)  # the stretch ends on its last block above the threshold
            detected = detected or heard.raised_over_db is not None
        else:
            close()
            run, detected = [], False
    close()
    return stretches
