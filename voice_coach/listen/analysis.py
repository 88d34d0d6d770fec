"""A whole recording through the live Listener: the facts `voice-coach analyze` shows.

The recording is cut into the same 30 ms blocks the session engine feeds and run
through `Listener`, so the analysis and a live session can never disagree. It is
read as a stream (`analyze_blocks`): what is kept grows with the number of
stretches of speech, not with the length of the file; the trace for the picture is
thinned out to at most `TRACE_POINTS` points.

A raised stretch is the speaker's own voice standing above the raise threshold, in a
run that the detector announced; it ends on the last such block, so a loud minute
followed by silence is a loud minute, not a loud minute and the silence after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk, Samples
from voice_coach.audio.resample import resampled
from voice_coach.config import ListenSettings
from voice_coach.listen.listener import BLOCK_SECONDS, Hearing, Listener

MIN_SEGMENT_SPEECH = 0.25
"""Seconds of active speech a stretch needs to be listed (clicks and bangs are not)."""
STRETCH_GAP = 2.0
"""Seconds without the speaker's voice above the threshold that end a raised stretch."""
TRACE_POINTS = 4000
"""At most about this many points (up to twice) are kept for the picture."""
_MIN_LAST_BLOCK = 160
"""Samples (10 ms): a shorter last piece of a recording is not analysed."""


@dataclass(frozen=True)
class RaisedStretch:
    """A stretch where a sustained raised voice was detected."""

    start_s: float
    """Seconds from the start: the speaker's voice first stood above the threshold."""
    end_s: float
    """Seconds from the start: the end of the last block of their voice above it."""
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
    """Values over time for plots, thinned out to a bounded number of points: each
    point stands for `step_s` seconds."""

    times_s: np.ndarray
    """Start of each point, seconds."""
    band_dbfs: np.ndarray
    """Loudest speech-band level within each point, dBFS."""
    speech_level_dbfs: np.ndarray
    """Speech level the raised-voice detector compares (80th percentile of the recent
    voice), dBFS, highest within each point; NaN where no voice was heard."""
    is_speech: np.ndarray
    """Whether there was speech within each point."""
    pace_sps: np.ndarray
    """Windowed pace in syllables per second, last within each point; NaN until known."""
    step_s: float = BLOCK_SECONDS
    """Seconds each point stands for."""


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
    """Run the Listener over a recording held in memory (any rate; converted to 16 kHz)."""
    return analyze_blocks([audio.to_rate(LISTEN_RATE).samples], LISTEN_RATE, settings)


def analyze_blocks(
    blocks: Iterable[Samples], rate: int, settings: ListenSettings | None = None
) -> Analysis:
    """Run the Listener over a recording given as mono float32 blocks of any size at
    `rate` Hertz, as `audio.wav.WavReader.blocks` gives them: memory stays bounded."""
    settings = settings or ListenSettings()
    reader = _Reader(settings)
    size = round(BLOCK_SECONDS * LISTEN_RATE)
    counted = _Counted(blocks)
    pending = np.zeros(0, np.float32)
    for piece in resampled(counted, rate, LISTEN_RATE):
        pending = np.concatenate([pending, piece])
        whole = len(pending) // size * size
        for start in range(0, whole, size):
            reader.hear(pending[start : start + size])
        pending = pending[whole:]
    if len(pending) >= _MIN_LAST_BLOCK:
        reader.hear(pending)
    return reader.result(counted.samples / rate)


class _Counted:
    """Blocks passed on as they come, counting their samples."""

    def __init__(self, blocks: Iterable[Samples]) -> None:
        self._blocks = blocks
        self.samples = 0

    def __iter__(self) -> Iterator[Samples]:
        for block in self._blocks:
            self.samples += len(block)
            yield block


class _Reader:
    """Follows the Listener's hearings and keeps only what the analysis reports."""

    def __init__(self, settings: ListenSettings) -> None:
        self.settings = settings
        self.listener = Listener(settings, LISTEN_RATE)
        self.trace = TraceBuilder()
        self.segments: list[Segment] = []
        self.raised: list[RaisedStretch] = []
        self._t = 0.0
        self._speech_s = 0.0
        self._segment: _OpenSegment | None = None
        self._stretch: _OpenStretch | None = None
        self._clock = 0.0
        """Seconds of speech (pace clock) before the current block."""

    def hear(self, block: Samples) -> None:
        heard = self.listener.hear(block)
        t = self._t
        self._t += heard.seconds
        if heard.is_speech:
            self._speech_s += heard.seconds
        self._follow_segment(heard, t)
        self._follow_stretch(heard, t)
        reference = self.listener.reference
        level = (
            reference.level_dbfs + heard.over_baseline_db
            if heard.evidence and heard.over_baseline_db is not None and reference is not None
            else float("nan")
        )
        pace = float("nan") if heard.pace_sps is None else heard.pace_sps
        self.trace.add(t, heard.band_dbfs, level, heard.is_speech, pace)

    def _follow_segment(self, heard: Hearing, t: float) -> None:
        before, self._clock = self._clock, self.listener.pace.total_speech_seconds
        if heard.is_speech:
            if self._segment is None:
                self._segment = _OpenSegment(t, before)
            self._segment.add(heard, t, self._clock)
        elif self._segment is not None:
            self._close_segment()

    def _close_segment(self) -> None:
        segment, self._segment = self._segment, None
        if segment is not None and segment.active_s >= MIN_SEGMENT_SPEECH:
            self.segments.append(segment.closed())

    def _follow_stretch(self, heard: Hearing, t: float) -> None:
        over = heard.over_baseline_db
        stretch = self._stretch
        if stretch is not None and t - stretch.last_end > STRETCH_GAP:
            self._close_stretch()
            stretch = None
        if heard.evidence and heard.raised_above and over is not None:
            if stretch is None:
                stretch = self._stretch = _OpenStretch(t)
            stretch.last_end = t + heard.seconds
            stretch.peak = max(stretch.peak, over)
        elif (
            stretch is not None
            and heard.evidence
            and over is not None
            and over < self.settings.raised_voice_db - self.listener.raised.rearm_db
        ):
            self._close_stretch()
            stretch = None
        if stretch is not None and heard.raised_over_db is not None:
            stretch.detected = True
            stretch.peak = max(stretch.peak, heard.raised_over_db)

    def _close_stretch(self) -> None:
        stretch, self._stretch = self._stretch, None
        if stretch is not None and stretch.detected:
            self.raised.append(RaisedStretch(stretch.start, stretch.last_end, stretch.peak))

    def result(self, duration: float) -> Analysis:
        self._close_segment()
        self._close_stretch()
        baseline = self.listener.baseline_dbfs
        return Analysis(
            duration_s=duration,
            baseline_dbfs=baseline,
            threshold_dbfs=None if baseline is None else baseline + self.settings.raised_voice_db,
            noise_floor_dbfs=self.listener.noise_floor_dbfs,
            speech_ratio=self._speech_s / duration if duration else 0.0,
            raised=self.raised,
            segments=self.segments,
            trace=self.trace.done(),
        )


@dataclass
class _OpenSegment:
    start: float
    clock_before: float
    end: float = 0.0
    active_s: float = 0.0
    nuclei: int = 0
    clock: float = 0.0

    def add(self, heard: Hearing, t: float, clock: float) -> None:
        self.end = t + heard.seconds
        self.nuclei += heard.nuclei
        self.clock = clock
        if heard.active:
            self.active_s += heard.seconds

    def closed(self) -> Segment:
        speech = max(self.clock - self.clock_before, self.active_s)
        return Segment(self.start, self.end, self.nuclei, speech)


@dataclass
class _OpenStretch:
    start: float
    last_end: float = 0.0
    peak: float = float("-inf")
    detected: bool = False


class TraceBuilder:
    """Per-block values thinned to at most 2 x `TRACE_POINTS` points: when full, every
    two neighbouring points are merged into one (loudest level, any speech, last pace)."""

    def __init__(self) -> None:
        self.step = 1
        """Blocks per point."""
        self._points: list[tuple[float, float, float, bool, float]] = []
        self._open: list[tuple[float, float, float, bool, float]] = []

    def add(self, t: float, band: float, level: float, speech: bool, pace: float) -> None:
        self._open.append((t, band, level, speech, pace))
        if len(self._open) == self.step:
            self._points.append(_merge(self._open))
            self._open = []
            if len(self._points) >= 2 * TRACE_POINTS:
                pairs = zip(self._points[::2], self._points[1::2], strict=False)
                self._points = [_merge([a, b]) for a, b in pairs]
                self.step *= 2

    def done(self) -> Trace:
        points = self._points + ([_merge(self._open)] if self._open else [])
        return Trace(
            times_s=np.array([p[0] for p in points], float),
            band_dbfs=np.array([p[1] for p in points], float),
            speech_level_dbfs=np.array([p[2] for p in points], float),
            is_speech=np.array([p[3] for p in points], bool),
            pace_sps=np.array([p[4] for p in points], float),
            step_s=self.step * BLOCK_SECONDS,
        )


def _merge(
    points: list[tuple[float, float, float, bool, float]],
) -> tuple[float, float, float, bool, float]:
    levels = [p[2] for p in points if not np.isnan(p[2])]
    paces = [p[4] for p in points if not np.isnan(p[4])]
    return (
        points[0][0],
        max(p[1] for p in points),
        max(levels) if levels else float("nan"),
        any(p[3] for p in points),
        paces[-1] if paces else float("nan"),
    )
