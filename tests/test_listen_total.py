"""Every detector is total: any block length >= 1, any rate, any samples in [-1, 1].

A recording's last block can be 1 or 2 samples long (a 10.02 s 44.1 kHz file in
`analyze`; a simulation whose input ends mid-block), so the listening stack must
give an answer for every length, never an exception or a NaN level.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from voice_coach.audio.chunk import AudioChunk
from voice_coach.config import ListenSettings
from voice_coach.listen.analysis import analyze
from voice_coach.listen.level import FLOOR_DBFS, band_dbfs, rms_dbfs
from voice_coach.listen.listener import Listener

RATES = st.sampled_from([8000, 11025, 16000, 22050, 44100, 48000])
KINDS = st.sampled_from(["silence", "noise", "tone", "full", "clicks"])


def _block(kind: str, n: int, rate: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    if kind == "silence":
        x = np.zeros(n)
    elif kind == "noise":
        x = 0.3 * rng.standard_normal(n)
    elif kind == "tone":
        x = 0.5 * np.sin(2 * np.pi * 440 * t)
    elif kind == "full":
        x = np.sign(rng.standard_normal(n))
    else:
        x = (rng.random(n) > 0.98).astype(float)
    return np.clip(x, -1, 1).astype(np.float32)


def test_two_sample_block_has_a_level() -> None:
    """np.hanning(2) is all zeros: the old band level divided by zero."""
    for n in (1, 2, 3):
        level = band_dbfs(np.full(n, 0.5, dtype=np.float32), 16_000)
        assert math.isfinite(level) and level >= FLOOR_DBFS


def test_analyze_a_file_whose_last_block_is_two_samples() -> None:
    """10.02 s at 44.1 kHz ends in a 2-sample 16 kHz block: it used to raise."""
    rng = np.random.default_rng(3)
    audio = AudioChunk((0.1 * rng.standard_normal(441_882)).astype(np.float32), 44_100)
    result = analyze(audio)
    assert result.duration_s > 10.0


@settings(max_examples=60, deadline=None)
@given(
    rate=RATES,
    lengths=st.lists(st.integers(min_value=1, max_value=2000), min_size=1, max_size=40),
    kinds=st.lists(KINDS, min_size=1, max_size=5),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_listener_hears_any_block_length(
    rate: int, lengths: list[int], kinds: list[str], seed: int
) -> None:
    listener = Listener(ListenSettings(), rate)
    for i, n in enumerate(lengths):
        block = _block(kinds[i % len(kinds)], n, rate, seed + i)
        heard = listener.hear(block)
        assert heard.seconds == n / rate
        for value in (heard.level_dbfs, heard.band_dbfs):
            assert math.isfinite(value) and value >= FLOOR_DBFS
        assert heard.pace_sps is None or math.isfinite(heard.pace_sps)
        assert heard.over_baseline_db is None or math.isfinite(heard.over_baseline_db)
        assert heard.nuclei >= 0
    assert math.isfinite(listener.noise_floor_dbfs)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=1, max_value=64), rate=RATES, kind=KINDS, seed=st.integers(0, 99))
def test_levels_of_short_blocks(n: int, rate: int, kind: str, seed: int) -> None:
    block = _block(kind, n, rate, seed)
    for value in (rms_dbfs(block), band_dbfs(block, rate)):
        assert math.isfinite(value) and FLOOR_DBFS <= value <= 10.0
