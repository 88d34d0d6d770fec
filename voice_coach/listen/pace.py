"""Speaking rate from the sound itself: syllable nuclei per second of speech.

After de Jong & Wempe (2009), "Praat script to detect syllable nuclei": every
syllable has a vowel, and a vowel is a peak of loudness in voiced sound. So:

1. an intensity envelope (dB) of the speech band every 10 ms, smoothed with a
   Gaussian of 15 ms standard deviation so one vowel gives one peak;
2. peaks that rise `min_dip_db` above the dip before them and fall `min_dip_db`
   into the dip after them (the dip criterion), or, where the background could move
   the envelope more than that, by more power than the background's own swing;
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

A background that talks (a TV) makes peaks of its own: on a long vowel its syllables
split one nucleus into two, at a sentence's end they add one. Powers add, so the
background alone can raise a dip at level L (dBFS) by 10 log10(1 + S / P(L)) dB,
where S is its swing: the power between its quiet and its loud moments (10th and
90th percentile of the envelope between utterances, over the last 5 s), P(L) the
dip's power. A nucleus must rise out of its dips by more than that, so near the
background's level only a syllable that stands out of it counts; well above it, and
in a quiet room, the criterion stays `min_dip_db`. A constant hum has no swing and
changes nothing.

What the background hides is then lost: the speech detector counts nothing under its
audible level (the noise floor plus its margin), and with a TV that level lies over
the meter's own threshold. A voice whose syllables spread widely in level (the Piper
voice's weak ones lie 13-18 dB under its stressed ones) loses its weakest; a voice
that keeps them level loses none. So the rate is divided by 1 - `hidden_share`: the
share of a normal distribution of nucleus levels, fitted by maximum likelihood to the
nuclei heard (truncated at the audible level), that lies between the threshold and
the audible level. In a quiet room the audible level lies under the threshold, and
the share is 0.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
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
_STATS_EVERY = 10
"""Hops between two updates of the speech's median level and the background's swing
(over full windows, every hop cost more than the rest of the meter)."""
_BACKGROUND_SECONDS = 5.0
"""Seconds of envelope between utterances the background's swing is measured over."""
_BACKGROUND_PERCENTILES = (10.0, 90.0)
"""The background's quiet and loud moments: its swing is the power between them."""
_HIDDEN_FIT_NUCLEI = 100
"""Levels of the most recent nuclei the hidden share is estimated from."""
_HIDDEN_FIT_AFTER = 10
"""Nuclei above the audible level needed before a hidden share is estimated."""
_HIDDEN_REFIT = 8
"""Nuclei between two fits of the hidden share (it moves slowly; a fit costs ~1 ms)."""
_MAX_HIDDEN_SHARE = 0.3
"""The most the rate is corrected for syllables hidden under the background: the Piper
voice loses about a quarter under a TV 9 dB below it; more is a fit gone wrong."""


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
        self._flags: deque[tuple[bool, bool, bool]] = deque(maxlen=reach)
        self._background: deque[float] = deque(maxlen=round(_BACKGROUND_SECONDS / _HOP_SECONDS))
        self._swing = 0.0
        """Power (full scale = 1) between the background's quiet and loud moments."""
        self._audible: float | None = None
        self._heard_utterance = False
        self._nucleus_levels: deque[float] = deque(maxlen=_HIDDEN_FIT_NUCLEI)
        self.hidden_share = 0.0
        """Estimated share (0 to `_MAX_HIDDEN_SHARE`) of the speaker's syllables the
        background hides: under the audible level, yet over the meter's own threshold."""
        self._levels: deque[float] = deque(maxlen=round(window / _HOP_SECONDS))
        self._level_hops = 0
        self._background_hops = 0
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

    def update(
        self,
        block: Samples,
        active: bool,
        utterance: bool | None = None,
        audible_dbfs: float | None = None,
    ) -> PaceUpdate:
        """Take one block (mono float32 at `rate`) and whether it is active speech.

        `utterance`: whether the block lies inside an utterance (active, or in the
        short stops between active blocks); what lies between utterances is the
        background, whose swing a nucleus must stand out from. None: the same as
        `active`.
        `audible_dbfs`: the lowest speech-band level (dBFS) the speech detector counts
        as speech now (its noise floor plus margin); syllables under it cannot be
        counted, and the rate is corrected for them (`hidden_share`). None: no
        correction.
        """
        if utterance is None:
            utterance = active
        self._heard_utterance = self._heard_utterance or utterance
        # The background lies between utterances: before the first one, the speech
        # detector may still take speech for the room (its floor is not learned yet).
        between = self._heard_utterance and not utterance
        self._audible = audible_dbfs
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
            self._flags.append((active, voiced, between))
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
        return len(self._intervals) / self._interval_sum / (1.0 - self.hidden_share)

    @property
    def rate_sps(self) -> float | None:
        """Syllables per second of speech since the meter was made (None: no speech
        yet), corrected by the current `hidden_share` as `pace_sps` is."""
        if self.total_interval_seconds <= 0.0:
            return None
        return self.total_intervals / self.total_interval_seconds / (1.0 - self.hidden_share)

    def reset(self) -> None:
        """A new speaker: forget the window and the levels of their syllables (the
        envelope, the filters and the background carry on)."""
        self._nuclei.clear()
        self._nucleus_levels.clear()
        self.hidden_share = 0.0
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
        power = float(np.dot(self._kernel, np.fromiter(self._powers, float)))
        level = power_dbfs(power)
        active, voiced, _ = self._flags[_SMOOTH_REACH_HOPS]
        if all(between for _, _, between in self._flags):  # no speech smoothed into it
            self._background.append(power)
            self._background_hops += 1
            if self._background_hops % _STATS_EVERY == 0:
                quiet, loud = np.percentile(self._background, _BACKGROUND_PERCENTILES)
                self._swing = max(0.0, float(loud - quiet))
        if active:
            self._levels.append(level)
            self._level_hops += 1
            if self._level_hops % _STATS_EVERY == 0 or self._level_hops < _STATS_EVERY:
                self._threshold = float(np.median(self._levels)) - self.below_median_db
        found = 0
        if self._seeking_peak:
            if level > self._extreme:
                self._extreme = level
                self._peak_hop = self._hops
                self._peak_flags = (active and level >= self._threshold, voiced)
            elif level < self._extreme - self._dip_db(level):
                if all(self._peak_flags):
                    self._nuclei.append(self._speech_time)
                    self.total_nuclei += 1
                    self._nucleus_levels.append(self._extreme)
                    if self.total_nuclei % _HIDDEN_REFIT == 0:
                        self.hidden_share = self._hidden_share()
                    self._interval_to(self._peak_hop)
                    found = 1
                self._seeking_peak = False
                self._extreme = level
        elif level < self._extreme:
            self._extreme = level
        elif level > self._extreme + self._dip_db(self._extreme):
            self._seeking_peak = True
            self._extreme = level
            self._peak_hop = self._hops
            self._peak_flags = (active and level >= self._threshold, voiced)
        return found

    def _dip_db(self, level: float) -> float:
        """dB the envelope must rise out of a dip at `level` (dBFS), or fall into one,
        for a nucleus: `min_dip_db`, or what the background's swing alone could add
        to that level, if more."""
        if self._swing <= 0.0:
            return self.min_dip_db
        added = 10.0 * float(np.log10(1.0 + self._swing / 10.0 ** (level / 10.0)))
        return max(self.min_dip_db, added)

    def _hidden_share(self) -> float:
        """`hidden_share` of the nuclei seen, against the current audible level and
        threshold (0 without an audible level or with too few nuclei over it)."""
        if self._audible is None:
            return 0.0
        return hidden_share(self._nucleus_levels, self._audible, self._threshold)

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


def hidden_share(levels_dbfs: Iterable[float], audible_dbfs: float, threshold_dbfs: float) -> float:
    """Share of a speaker's syllable nuclei that lie between `threshold_dbfs` and
    `audible_dbfs` (both dBFS), where only those at or over `audible_dbfs` could be
    heard: a normal distribution of nucleus levels (dB), fitted by maximum likelihood
    to the levels heard, truncated there. 0 when nothing lies hidden (the audible
    level under the threshold) or fewer than `_HIDDEN_FIT_AFTER` were heard; at most
    `_MAX_HIDDEN_SHARE`."""
    if audible_dbfs <= threshold_dbfs:
        return 0.0
    seen = np.array([x for x in levels_dbfs if x >= audible_dbfs])
    if len(seen) < _HIDDEN_FIT_AFTER:
        return 0.0
    from scipy.optimize import minimize  # loaded with scipy.signal already
    from scipy.special import log_ndtr, ndtr

    def unlikelihood(params: np.ndarray) -> float:
        mean, log_sd = float(params[0]), float(params[1])
        z = (seen - mean) / np.exp(log_sd)
        truncation = len(seen) * log_ndtr((mean - audible_dbfs) / np.exp(log_sd))
        return float(np.sum(0.5 * z**2) + len(seen) * log_sd + truncation)

    start = np.array([float(np.median(seen)), float(np.log(np.std(seen) + 1.0))])
    mean, log_sd = minimize(unlikelihood, start, method="Nelder-Mead").x
    sd = float(np.exp(log_sd))
    share = float(ndtr((audible_dbfs - mean) / sd) - ndtr((threshold_dbfs - mean) / sd))
    return min(_MAX_HIDDEN_SHARE, max(0.0, share))
