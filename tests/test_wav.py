"""The WAV reader and writer: exact round trips, damaged files, unusual formats."""

from __future__ import annotations

import stat
import struct
from pathlib import Path

import numpy as np
import pytest

from voice_coach.audio.chunk import AudioChunk
from voice_coach.audio.wav import WavError, parse_wav, read_wav, riff_chunks, write_wav


def test_write_then_read_gives_the_same_samples_and_a_private_file(tmp_path: Path) -> None:
    samples = (np.arange(-32768, 32768, 37, dtype=np.float32) / 32768.0).astype(np.float32)
    path = tmp_path / "a.wav"
    write_wav(path, AudioChunk(samples, 16_000))
    back = read_wav(path)
    assert back.rate == 16_000
    np.testing.assert_array_equal(back.samples, samples)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_truncated_file_still_gives_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    write_wav(path, AudioChunk(np.full(1000, 0.5, np.float32), 8_000))
    data = path.read_bytes()[:-500]  # cut mid-way through the data chunk
    (_, body, size), *_ = [c for c in riff_chunks(data) if c[0] == b"data"]
    assert size == 2000 and len(body) == 1500
    assert len(parse_wav(data).samples) == 750


def test_extensible_float_stereo_is_read_as_mono() -> None:
    frames = np.array([[0.5, -0.5], [0.25, 0.75]], dtype="<f4")
    fmt = struct.pack("<HHIIHH", 0xFFFE, 2, 48_000, 48_000 * 8, 8, 32)
    fmt += struct.pack("<HHI", 22, 32, 3) + struct.pack("<H", 3) + b"\0" * 14  # float GUID
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", frames.nbytes) + frames.tobytes()
    audio = parse_wav(b"RIFF" + struct.pack("<I", len(body)) + body)
    assert audio.rate == 48_000
    np.testing.assert_allclose(audio.samples, [0.0, 0.5])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello, not a wav", "not a WAV file"),
        (b"RIFX\0\0\0\0WAVE", "big-endian"),
        (b"RIFF\4\0\0\0WAVE", "no format chunk"),
    ],
)
def test_damaged_or_foreign_files_are_named(data: bytes, message: str) -> None:
    with pytest.raises(WavError, match=message):
        parse_wav(data, "x.wav")
