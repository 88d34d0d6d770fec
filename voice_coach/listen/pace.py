"""Speaking rate from the sound itself: syllable nuclei per second of speech.

After de Jong & Wempe (2009), "Praat script to detect syllable nuclei": every
syllable has a vowel, and a vowel is a peak of loudness in voiced sound. So:

1. an intensity envelope (dB) of the speech band every 10 ms, smoothed with a
   Gaussian of 15 ms standard deviation so one vowel gives one peak;
2. peaks that rise `min_dip_db` above the dip before them and fall `min_dip_db`
   into the dip after them (the dip criterion);
3. of those, the ones above a threshold relative to the recent speech (the median
   envelope level of the last `window` seconds of speech, minus `below_median_db`);
4. that are voiced: the band-passed signal around the peak repeats itself at a
   pitch period between 2.5 and 12.5 ms (80-400 Hz), by normalised autocorrelation.

The paper uses a 2 dB dip on Praat's intensity curve; on this envelope 0.75 dB, a
threshold 12 dB under the median and a voicing threshold of 0.3, tuned on espeak-ng
(Dutch and English, two voices each, 120-220 words per minute) and the Piper joe
voice together (tests/listen_eval.py, bench/listen.py), so neither kind of voice
is favoured. Nothing depends on the language.

The rate is taken from one nucleus to the next: the intervals between neighbouring
nuclei within stretches of speech, their count over their summed length, over the
last `window` seconds of such intervals. Where the speech detector puts the start and
the end of an utterance, which a fan or a TV moves, then does not matter. Speech time
(active blocks plus pauses shorter than `min_pause`) is still counted, for the analysis.

A stretch ends at a pause: `min_pause` seconds without active speech, or, for a
speaker quicker than that, `pause_intervals` times their median interval (a gap
longer than one of their syllable steps and a bit). Under a TV this matters: a weak,
reduced syllable (the Piper voice's lie 13-18 dB under its stressed ones) sinks
under the TV's level, and the interval across it would count one syllable where two
were said. The quiet it leaves is longer than the speaker's usual step, so that
interval is left out instead (bench/pace_tv.py shows the syllables missed).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from voice_coach.audio.chunk import Samples
from voice_coach.listen.level import SPEECH_BAND_HZ, power_dbfs

_HOP_SECONDS = 0.01
_SMOOTH_SIGMA_HOPS = 1.5
_SMOOTH_REACH_HOPS = 4
_VOICING_SECONDS = 0.04
_PITCH_HZ = (80.0, 400.0)
_TYPICAL_AFTER = 5
"""Intervals in the window before their median says what the speaker's step is."""


@dataclass(frozen=True)
class PaceUpdate:
    """The pace meter's view after one block."""

    nuclei: int
    """Syllable nuclei confirmed during this block."""
    pace_sps: float | None
    """Syllables per second of speech over the window (None: too little speech yet)."""


class PaceMeter:
    """Counts syllable nuclei in a stream of blocks and turns them into a rate."""

    def __init__(
        self,
        rate: int,
        window: float = 6.0,
        min_pause: float = 0.3,
        min_dip_db: float = 0.75,
        below_median_db: float = 12.0,
        voicing_threshold: float = 0.3,
        pause_intervals: float = 1.3,
    ) -> None:
        self.rate = rate
        self.window = window
        """Seconds of speech the rate is measured over."""
        self.min_pause = min_pause
        """Seconds: shorter silences count as speech time, longer ones are pauses."""
        self.pause_intervals = pause_intervals
        """A quiet gap this many of the speaker's median intervals long (if shorter
        than `min_pause`) ends a stretch too."""
        self.min_dip_db = min_dip_db
        """dB the envelope must dip between two syllable nuclei."""
        self.below_median_db = below_median_db
        """dB under the median speech envelope a nucleus may still lie."""
        self.voicing_threshold = voicing_threshold
        """Normalised autocorrelation at the pitch period that counts as voiced."""
        self._hop = round(rate * _HOP_SECONDS)
        from scipy.signal import butter, sosfilt, sosfilt_zi  # scipy loads in ~1 s: only here

        self._sosfilt = sosfilt
        self._sos = butter(4, SPEECH_BAND_HZ, btype="bandpass", fs=rate, output="sos")
        self._zi = sosfilt_zi(self._sos) * 0.0
        self._pending = np.zeros(0, dtype=np.float64)
        history = round(rate * _VOICING_SECONDS) + self._hop
        self._recent = np.zeros(history, dtype=np.float64)
        offsets = np.arange(-_SMOOTH_REACH_HOPS, _SMOOTH_REACH_HOPS + 1)
        kernel = np.exp(-0.5 * (offsets / _SMOOTH_SIGMA_HOPS) ** 2)
        self._kernel = kernel / kernel.sum()
        reach = 2 * _SMOOTH_REACH_HOPS + 1
        self._powers: deque[float] = deque(maxlen=reach)
        self._flags: deque[tuple[bool, bool]] = deque(maxlen=reach)
        self._levels: deque[float] = deque(maxlen=round(window / _HOP_SECONDS))
        self._threshold = -200.0
        self._seeking_peak = False
        self._extreme = float("inf")
        self._peak_flags = (False, False)
        self._nuclei: deque[float] = deque()
        self._intervals: deque[float] = deque()
        self._interval_sum = 0.0
        self._hops = 0
        self._peak_hop = 0
        self._last_nucleus: int | None = None
        self._speech_time = 0.0
        self._gap = 0.0
        self.total_nuclei = 0
        """Syllable nuclei counted since the meter was made."""
        self.total_speech_seconds = 0.0
        """Seconds of speech (pauses excluded) since the meter was made."""
        self.total_intervals = 0
        """Intervals from one syllable nucleus to the next within a stretch of speech."""
        self.total_interval_seconds = 0.0
        """Seconds those intervals add up to."""

    def update(self, block: Samples, active: bool) -> PaceUpdate:
        """Take one block (mono float32 at `rate`) and whether it is active speech."""
        seconds = len(block) / self.rate
        if active:
            bridged = self._gap if self._gap < self.min_pause else 0.0
            self._speech_time += bridged + seconds
            self.total_speech_seconds += bridged + seconds
            self._gap = 0.0
        else:
            self._gap += seconds
            if self._last_nucleus is not None and self._gap >= self._pause_seconds():
                self._last_nucleus = None  # a pause: the next nucleus starts a new stretch
        filtered, self._zi = self._sosfilt(self._sos, block.astype(np.float64), zi=self._zi)
        self._pending = np.concatenate([self._pending, filtered])
        found = 0
        while len(self._pending) >= self._hop:
            hop, self._pending = self._pending[: self._hop], self._pending[self._hop :]
            self._recent = np.concatenate([self._recent[len(hop) :], hop])
            voiced = active and self._is_voiced(self._recent)
            self._powers.append(float(np.mean(hop**2)))
            self._flags.append((active, voiced))
            self._hops += 1
            if len(self._powers) == self._powers.maxlen:
                found += self._step()
        return PaceUpdate(found, self.pace_sps())

    def pace_sps(self) -> float | None:
        """Syllables per second of speech over the last `window` seconds of speech.

        Measured from one syllable nucleus to the next within stretches of speech
        (intervals across a pause of `min_pause` or more do not count): the count of
        intervals over their summed length. Unlike nuclei over speech time, this does
        not depend on where the speech detector puts the start and end of each
        stretch, which a fan or a TV moves.
        """
        if self._interval_sum < self.window / 2:
            return None
        return len(self._intervals) / self._interval_sum

    @property
    def rate_sps(self) -> float | None:
        """Syllables per second of speech since the meter was made (None: no speech yet)."""
        if self.total_interval_seconds <= 0.0:
            return None
        return self.total_intervals / self.total_interval_seconds

    def reset(self) -> None:
        """A new speaker: forget the window (the envelope and filters carry on)."""
        self._nuclei.clear()
        self._intervals.clear()
        self._interval_sum = 0.0
        self._last_nucleus = None
        self._speech_time = 0.0

    def _pause_seconds(self) -> float:
        """Seconds without active speech that end a stretch: `min_pause`, or
        `pause_intervals` median intervals of this speaker if that is shorter."""
        if len(self._intervals) < _TYPICAL_AFTER:
            return self.min_pause
        typical = float(np.median(np.fromiter(self._intervals, float)))
        return min(self.min_pause, self.pause_intervals * typical)

    def _interval_to(self, hop: int) -> None:
        """A nucleus at `hop`: the interval from the previous one joins the window."""
        if self._last_nucleus is not None and hop > self._last_nucleus:
            seconds = (hop - self._last_nucleus) * _HOP_SECONDS
            self._intervals.append(seconds)
            self._interval_sum += seconds
            self.total_intervals += 1
            self.total_interval_seconds += seconds
            while self._interval_sum - self._intervals[0] >= self.window:
                self._interval_sum -= self._intervals.popleft()
        self._last_nucleus = hop

    def _step(self) -> int:
        """Advance the peak picker by one hop of the smoothed envelope; nuclei found."""
        level = power_dbfs(float(np.dot(self._kernel, np.fromiter(self._powers, float))))
        active, voiced = self._flags[_SMOOTH_REACH_HOPS]
        if active:
            self._levels.append(level)
            if len(self._levels) % 10 == 0 or len(self._levels) < 10:
                self._threshold = float(np.median(self._levels)) - self.below_median_db
        found = 0
        if self._seeking_peak:
            if level > self._extreme:
                self._extreme = level
                self._peak_hop = self._hops
                self._peak_flags = (active and level >= self._threshold, voiced)
            elif level < self._extreme - self.min_dip_db:
                if all(self._peak_flags):
                    self._nuclei.append(self._speech_time)
                    self.total_nuclei += 1
                    self._interval_to(self._peak_hop)
                    found = 1
                self._seeking_peak = False
                self._extreme = level
        elif level < self._extreme:
            self._extreme = level
        elif level > self._extreme + self.min_dip_db:
            self._seeking_peak = True
            self._extreme = level
            self._peak_hop = self._hops
            self._peak_flags = (active and level >= self._threshold, voiced)
        return found

    def _is_voiced(self, recent: np.ndarray) -> bool:
        """Whether the last 40 ms repeat at a pitch period (normalised autocorrelation)."""
        n = len(recent)
        energy = float(np.dot(recent, recent))
        if energy <= 1e-12:
            return False
        spectrum = np.fft.rfft(recent, 2 * n)
        acf = np.fft.irfft(np.abs(spectrum) ** 2)[:n]
        lo, hi = round(self.rate / _PITCH_HZ[1]), round(self.rate / _PITCH_HZ[0])
        lags = np.arange(lo, hi + 1)
        # Unbiased: a lag of tau compares only n - tau samples.
        normalised = acf[lo : hi + 1] / energy * n / (n - lags)
        return float(np.max(normalised)) >= self.voicing_threshold
