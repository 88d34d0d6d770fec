"""WAV files in and out: the simulated microphone and speaker read and write these.

The reader takes any WAV a user is likely to have: PCM 8/16/24/32 bit, 32/64-bit
float, WAVE_FORMAT_EXTENSIBLE, mono or multichannel, any rate. Anything else gets
a `WavError` that says what the file is and what we accept.
"""

from __future__ import annotations

import os
import struct
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from voice_coach.audio.chunk import AudioChunk, float_to_pcm16, mix_to_mono, pcm_to_float
from voice_coach.errors import VoiceCoachError

_PCM = 1
_FLOAT = 3
_EXTENSIBLE = 0xFFFE
_MAX_CHANNELS = 32
_ACCEPTED = "PCM WAV (8, 16, 24 or 32 bit) or 32/64-bit float WAV, mono or stereo"


class WavError(VoiceCoachError):
    """A file that is not a WAV we can read; the message says why and what we accept."""


def read_wav(path: str | os.PathLike[str]) -> AudioChunk:
    """Read a WAV file as mono float32 at its own rate."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise WavError(f"{path}: cannot read the file: {err.strerror or err}") from err
    return parse_wav(data, str(path))


def parse_wav(data: bytes, name: str = "<wav>") -> AudioChunk:
    """Parse the bytes of a WAV file into mono float32 audio."""
    if len(data) < 12 or data[:4] not in (b"RIFF", b"RIFX") or data[8:12] != b"WAVE":
        raise WavError(f"{name}: not a WAV file (expected {_ACCEPTED})")
    if data[:4] == b"RIFX":
        raise WavError(f"{name}: big-endian WAV (RIFX) is not supported; convert it with sox")
    fmt: tuple[int, int, int, int] | None = None
    pcm: bytes | None = None
    for chunk_id, body, _ in riff_chunks(data):
        if chunk_id == b"fmt ":
            fmt = _parse_fmt(body, name)
        elif chunk_id == b"data":
            pcm = body  # a truncated file still yields what it has
            if fmt is not None:
                break
    if fmt is None:
        raise WavError(f"{name}: the WAV has no format chunk; the file is damaged")
    if pcm is None:
        raise WavError(f"{name}: the WAV has no audio data chunk; the file is damaged")
    tag, channels, rate, bits = fmt
    width = bits // 8
    pcm = pcm[: len(pcm) - len(pcm) % (width * channels)]
    if tag == _FLOAT:
        dtype = "<f4" if bits == 32 else "<f8"
        floats = np.frombuffer(pcm, dtype=dtype)
        samples = mix_to_mono(np.nan_to_num(floats), channels)
    else:
        samples = pcm_to_float(pcm, width, channels)
    return AudioChunk(samples, rate)


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


def write_wav(path: str | os.PathLike[str], audio: AudioChunk) -> None:
    """Write mono 16-bit PCM, readable by the user only (it may hold a couple's voices)."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw, wave.open(raw, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio.rate)
        out.writeframes(float_to_pcm16(audio.samples))
