"""WAV files in and out: the simulated microphone and speaker read and write these.

The reader takes any WAV a user is likely to have: PCM 8/16/24/32 bit, 32/64-bit
float, WAVE_FORMAT_EXTENSIBLE, RF64 (the 64-bit WAV of long broadcast recordings),
mono or multichannel, any rate. Anything else gets a `WavError` that says what the
file is and what we accept.

`WavReader` streams: it reads the header, then hands out blocks, so a two-hour
recording costs a block's worth of memory, not the file's. `read_wav` reads a whole
(small) file. Only regular files are read: a pipe, `/dev/zero` or a sound device
would never end, and gets a one-line `WavError` instead of a hang.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import struct
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import numpy as np

from voice_coach.audio.chunk import AudioChunk, Samples, float_to_pcm16, mix_to_mono, pcm_to_float
from voice_coach.errors import VoiceCoachError

_PCM = 1
_FLOAT = 3
_EXTENSIBLE = 0xFFFE
_MAX_CHANNELS = 32
_UNKNOWN_SIZE = 0xFFFFFFFF
"""A 32-bit chunk size meaning "see ds64" (RF64) or "until the end" (a streamed WAV)."""
_MAX_FMT = 4096
"""Bytes of a format chunk we read; real ones are 16 to 40."""
_ACCEPTED = "PCM WAV (8, 16, 24 or 32 bit) or 32/64-bit float WAV, mono or stereo"


class WavError(VoiceCoachError):
    """A file that is not a WAV we can read; the message says why and what we accept."""


class WavReader:
    """A WAV file opened for streaming: the header now, the samples block by block.

    Use as a context manager. `rate` (Hz), `channels`, `frames` and `seconds` describe
    the audio; `blocks(frames)` yields it as mono float32 at `rate`, clipped to ±1.
    A file cut short (a recording whose writer died) gives what it holds.
    """

    def __init__(self, source: str | os.PathLike[str] | BinaryIO, name: str | None = None) -> None:
        if isinstance(source, (str, os.PathLike)):
            self.name = name or str(source)
            self._file: BinaryIO = _open_regular(Path(source), self.name)
        else:
            self.name = name or "<wav>"
            self._file = source
        try:
            self._read_header()
        except BaseException:
            self.close()
            raise

    @property
    def seconds(self) -> float:
        """Length of the audio in seconds."""
        return self.frames / self.rate

    def blocks(self, frames: int) -> Iterator[Samples]:
        """The audio from its start, `frames` frames (mono float32, ±1) at a time; the
        last block may be shorter."""
        if frames < 1:
            raise ValueError("frames must be at least 1")
        self._file.seek(self._data_start)
        left = self.frames
        while left > 0:
            want = min(frames, left)
            raw = self._file.read(want * self._align)
            usable = len(raw) - len(raw) % self._align
            if usable <= 0:
                return  # the file shrank under us: what it held is all there is
            left -= usable // self._align
            yield self._decode(raw[:usable])

    def read_all(self) -> AudioChunk:
        """The whole audio as one chunk (for small files)."""
        parts = list(self.blocks(1 << 20))
        samples = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        return AudioChunk(samples, self.rate)

    def close(self) -> None:
        """Release the file."""
        self._file.close()

    def __enter__(self) -> WavReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- inside ----------------------------------------------------------------------

    def _read_header(self) -> None:
        name = self.name
        head = self._file.read(12)
        if len(head) < 12 or head[:4] not in (b"RIFF", b"RIFX", b"RF64") or head[8:12] != b"WAVE":
            raise WavError(f"{name}: not a WAV file (expected {_ACCEPTED})")
        if head[:4] == b"RIFX":
            raise WavError(f"{name}: big-endian WAV (RIFX) is not supported; convert it with sox")
        rf64 = head[:4] == b"RF64"
        end = self._file.seek(0, io.SEEK_END)
        fmt: tuple[int, int, int, int] | None = None
        data: tuple[int, int] | None = None
        ds64_data: int | None = None
        pos = 12
        while pos + 8 <= end:
            self._file.seek(pos)
            chunk_id, size = struct.unpack("<4sI", self._file.read(8))
            if chunk_id == b"ds64" and rf64:
                body = self._file.read(min(size, 28))
                if len(body) < 16:
                    raise WavError(f"{name}: the RF64 size chunk (ds64) is damaged")
                (ds64_data,) = struct.unpack_from("<Q", body, 8)
            elif chunk_id == b"fmt ":
                fmt = _parse_fmt(self._file.read(min(size, _MAX_FMT)), name)
            elif chunk_id == b"data":
                if size == _UNKNOWN_SIZE and ds64_data is not None:
                    size = ds64_data
                elif size == _UNKNOWN_SIZE and rf64:
                    raise WavError(f"{name}: an RF64 file without its size chunk (ds64)")
                # A streamed WAV (unknown size) or one cut short: what is there.
                size = min(size, end - (pos + 8))
                data = (pos + 8, size)
                if fmt is not None:
                    break
            pos += 8 + size + (size & 1)
        if fmt is None:
            raise WavError(f"{name}: the WAV has no format chunk; the file is damaged")
        if data is None:
            raise WavError(f"{name}: the WAV has no audio data chunk; the file is damaged")
        self._tag, self.channels, self.rate, bits = fmt
        """Format tag, channels, rate (Hz) and bits per sample."""
        self._width = bits // 8
        self._align = self._width * self.channels
        self._data_start = data[0]
        self.frames = data[1] // self._align
        """Frames (samples per channel) in the file."""

    def _decode(self, raw: bytes) -> Samples:
        if self._tag == _FLOAT:
            floats = np.frombuffer(raw, dtype="<f4" if self._width == 4 else "<f8")
            # Float WAVs may hold anything: NaN is silence, beyond full scale is clipped.
            clean = np.clip(np.nan_to_num(floats, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
            return mix_to_mono(clean, self.channels)
        return pcm_to_float(raw, self._width, self.channels)


def _open_regular(path: Path, name: str) -> BinaryIO:
    """Open a regular file for reading; anything else (a pipe, a device) is refused
    without waiting for it (O_NONBLOCK: opening a FIFO with no writer would block)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError as err:
        raise WavError(f"{name}: is a folder, not a WAV file") from err
    except OSError as err:
        raise WavError(f"{name}: cannot read the file: {err.strerror or err}") from err
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = "a folder" if stat.S_ISDIR(mode) else "a pipe or a device, not a file"
        raise WavError(f"{name}: is {what}; save the recording as a WAV file and give its path")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_wav(path: str | os.PathLike[str]) -> AudioChunk:
    """Read a whole WAV file as mono float32 at its own rate (use `WavReader` for long
    files)."""
    with WavReader(path) as reader:
        return reader.read_all()


def parse_wav(data: bytes, name: str = "<wav>") -> AudioChunk:
    """Parse the bytes of a WAV file into mono float32 audio."""
    with WavReader(io.BytesIO(data), name) as reader:
        return reader.read_all()


def riff_chunks(data: bytes) -> Iterator[tuple[bytes, bytes, int]]:
    """(id, body, declared size) of each chunk after a RIFF/WAVE header.

    A body cut short by the end of `data` is shorter than its declared size; readers
    decide whether that is damage (a cache entry) or still useful (a recording).
    """
    pos = 12
    while pos + 8 <= len(data):
        (size,) = struct.unpack_from("<I", data, pos + 4)
        yield data[pos : pos + 4], data[pos + 8 : pos + 8 + size], size
        pos += 8 + size + (size & 1)


def _parse_fmt(body: bytes, name: str) -> tuple[int, int, int, int]:
    if len(body) < 16:
        raise WavError(f"{name}: the WAV format chunk is too short; the file is damaged")
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
    if tag == _EXTENSIBLE and len(body) >= 26:
        (tag,) = struct.unpack_from("<H", body, 24)  # first two bytes of the sub-format GUID
    supported = (tag == _PCM and bits in (8, 16, 24, 32)) or (tag == _FLOAT and bits in (32, 64))
    if not supported:
        kind = {_PCM: "PCM", _FLOAT: "float"}.get(tag, f"compressed (format tag {tag:#x})")
        raise WavError(f"{name}: {kind} WAV with {bits} bits is not supported; use {_ACCEPTED}")
    if not 1 <= channels <= _MAX_CHANNELS:
        raise WavError(f"{name}: the WAV says it has {channels} channels; the file is damaged")
    if not 1000 <= rate <= 768_000:
        raise WavError(f"{name}: the WAV says its rate is {rate} Hz; the file is damaged")
    return tag, channels, rate, bits


def wav_header(rate: int, frames: int | None) -> bytes:
    """The 44-byte header of a mono 16-bit PCM WAV of `frames` frames (None: not known
    yet, written as the largest size so a reader takes the data up to the end)."""
    data = _UNKNOWN_SIZE - 36 if frames is None else min(frames * 2, _UNKNOWN_SIZE - 36)
    fmt = struct.pack("<HHIIHH", _PCM, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", min(36 + data, _UNKNOWN_SIZE))
        + b"WAVEfmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", data)
    )


def wav_bytes(audio: AudioChunk) -> bytes:
    """A whole mono 16-bit PCM WAV file."""
    return wav_header(audio.rate, len(audio.samples)) + float_to_pcm16(audio.samples)


def write_wav(path: str | os.PathLike[str], audio: AudioChunk) -> None:
    """Write mono 16-bit PCM, readable by the user only (it may hold a couple's voices)."""
    from voice_coach.files import write_private

    write_private(Path(path), wav_bytes(audio))


class WavWriter:
    """Streams mono 16-bit PCM into a private file (`files.PrivateFile`).

    The header says "until the end" while writing and is fixed up by `close`. With
    `visible=True` the file is in place from the start, so a recording cut by a
    crash is still a WAV that every reader takes; otherwise it appears only whole.
    """

    def __init__(self, path: Path, rate: int, what: str = "WAV", *, visible: bool = False) -> None:
        from voice_coach.files import PrivateFile

        self.rate = rate
        self.frames = 0
        """Frames written so far."""
        self._file = PrivateFile(Path(path), what, visible=visible)
        try:
            self._file.write(wav_header(rate, None))
        except BaseException:
            self._file.abort()
            raise

    @property
    def path(self) -> Path:
        """Where the file is (or will be, once closed)."""
        return self._file.path

    def write(self, samples: Samples) -> None:
        """Append mono float32 samples (±1, clipped)."""
        self._file.write(float_to_pcm16(samples))
        self.frames += len(samples)

    def close(self) -> None:
        """Fix the header's sizes and put the file in place."""
        try:
            self._file.write_at(0, wav_header(self.rate, self.frames))
        except BaseException:
            self._file.abort()
            raise
        self._file.commit()

    def abort(self) -> None:
        """Stop writing: a hidden file is removed, a visible one keeps its whole frames
        (with its header fixed up where the disk allows)."""
        with contextlib.suppress(VoiceCoachError):
            self._file.write_at(0, wav_header(self.rate, self.frames))
        self._file.abort()
