"""The WAV reader and writer: exact round trips, damaged files, unusual formats."""

from __future__ import annotations

import os
import shutil
import stat
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from voice_coach.audio.chunk import AudioChunk
from voice_coach.audio.wav import (
    WavError,
    WavReader,
    parse_wav,
    read_wav,
    riff_chunks,
    wav_header,
    write_wav,
)


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


def _float_wav(samples: np.ndarray, rate: int = 16_000, channels: int = 1) -> bytes:
    data = samples.astype("<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * 4 * channels, 4 * channels, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_float_samples_beyond_full_scale_are_clipped() -> None:
    """A float WAV holding 758.0 once gave a noise floor of +758 dBFS."""
    audio = parse_wav(_float_wav(np.array([758.0, -3.0, 0.5, np.nan, np.inf])))
    np.testing.assert_array_equal(audio.samples, [1.0, -1.0, 0.5, 0.0, 1.0])


def _rf64(pcm: bytes, rate: int = 16_000) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    ds64 = struct.pack("<QQQI", 0, len(pcm), len(pcm) // 2, 0)
    body = b"WAVE" + b"ds64" + struct.pack("<I", len(ds64)) + ds64
    body += b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", 0xFFFFFFFF) + pcm
    return b"RF64" + struct.pack("<I", 0xFFFFFFFF) + body


def test_rf64_is_read(tmp_path: Path) -> None:
    pcm = (np.arange(1000, dtype="<i2") * 16).tobytes()
    path = tmp_path / "long.wav"
    path.write_bytes(_rf64(pcm) + b"LIST" + struct.pack("<I", 4) + b"INFO")
    with WavReader(path) as reader:
        assert (reader.rate, reader.channels, reader.frames) == (16_000, 1, 1000)
        samples = np.concatenate(list(reader.blocks(300)))
    np.testing.assert_array_equal(samples, np.arange(1000) * 16 / 32768.0)


def test_sox_reads_our_rf64_the_same(tmp_path: Path) -> None:
    """sox, an independent reader, agrees with ours on an RF64 file we build."""
    sox = shutil.which("sox")
    if sox is None:
        pytest.skip("sox is not installed (sudo apt-get install sox)")
    pcm = (np.arange(8000, dtype="<i2") * 3).tobytes()
    path = tmp_path / "rf.wav"
    path.write_bytes(_rf64(pcm, 8000))
    raw = subprocess.run(
        [sox, str(path), "-t", "raw", "-e", "signed", "-b", "16", "-"],
        capture_output=True,
        check=True,
    ).stdout
    assert raw == pcm
    assert read_wav(path).seconds == 1.0


def test_blocks_stream_the_file_in_pieces(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    samples = (np.arange(10_001) % 200 / 400.0).astype(np.float32)
    write_wav(path, AudioChunk(samples, 22_050))
    with WavReader(path) as reader:
        assert reader.seconds == pytest.approx(10_001 / 22_050)
        blocks = list(reader.blocks(1024))
        again = list(reader.blocks(5000))
    assert [len(b) for b in blocks] == [1024] * 9 + [785]
    np.testing.assert_allclose(np.concatenate(blocks), samples, atol=1 / 32768)
    np.testing.assert_array_equal(np.concatenate(again), np.concatenate(blocks))


def test_a_streamed_wav_with_unknown_size_gives_what_it_holds(tmp_path: Path) -> None:
    header = wav_header(16_000, None)
    pcm = (np.ones(1234, dtype="<i2") * 1000).tobytes()
    assert len(parse_wav(header + pcm).samples) == 1234


@pytest.mark.timeout(20)
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    with pytest.raises(WavError, match="a pipe or a device"):
        read_wav(fifo)


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/urandom"])
def test_an_endless_device_is_refused(path: str) -> None:
    with pytest.raises(WavError, match="a pipe or a device"):
        WavReader(path)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WavError, match="folder"):
        read_wav(tmp_path)


@pytest.mark.timeout(30)
def test_analyze_and_run_on_a_device_or_fifo_say_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from voice_coach.cli import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    assert main(["analyze", "/dev/zero"]) == 1
    assert main(["analyze", str(fifo)]) == 1
    err = capsys.readouterr().err
    assert err.count("a pipe or a device") == 2 and err.count("\n") == 2
