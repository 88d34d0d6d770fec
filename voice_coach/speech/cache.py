"""A disk cache of rendered prompts, so the coach answers at once.

A script's fixed prompts are the same every evening; rendering them once and playing
them from disk turns a Piper render (about 0.1 s per second of speech here, ten
times more on a Raspberry Pi) into a file read. `CachedVoice` wraps any voice:

- hit: the sentences come from one WAV file, at once;
- miss: the sentences stream from the inner voice as they render (playback starts on
  the first one) and the entry is written, atomically, once the last one is done;
- `prerender(texts, rate)` renders prompts in a background thread ahead of time and
  gives way to the foreground after every sentence.

An entry is a mono 16-bit WAV (readable by any player) whose standard `cue ` chunk
marks where each sentence starts. Its name is a SHA-256 of the voice's name and
model identity, the text, the rate and `RENDER_VERSION`. Files are mode 0600 (prompts
can hold the partners' names); the folder is kept under a size bound, least recently
used entries first out. A damaged entry is deleted and rendered again.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import struct
import threading
import time
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path

import numpy as np

from voice_coach.audio.chunk import AudioChunk, float_to_pcm16, pcm_to_float
from voice_coach.audio.wav import riff_chunks
from voice_coach.config import data_dir
from voice_coach.files import FileError, private_dir, write_private
from voice_coach.speech.voice import Voice, VoiceError, check_rate

RENDER_VERSION = 1
"""Bump when rendering changes (trimming, gaps, volume) so old entries are not used."""

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
"""Size bound of the cache folder: about 80 minutes of 22050 Hz speech."""

_STALE_TMP_SECONDS = 3600.0  # a half-written file this old belongs to a dead process


def default_cache_dir() -> Path:
    """Where rendered prompts are kept: `<data dir>/cache/speech`."""
    return data_dir() / "cache" / "speech"


class CacheCorrupt(Exception):
    """A cache entry that cannot be read back; it is deleted and rendered again."""


class CachedVoice:
    """A voice whose renders are kept on disk. Implements `Voice`.

    Thread-safe: `speak` may run while a `prerender` runs; the inner voice renders one
    sentence at a time and the foreground goes first. Call `close()` (or use `with`)
    to stop background renders when the session ends.
    """

    def __init__(
        self,
        voice: Voice,
        cache_dir: Path | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.inner = voice
        """The voice that renders misses. Speak text that holds what a partner said
        (their own words read back) with `speak(..., store=False)` or with `inner`,
        so it never reaches the disk."""
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.max_bytes = max_bytes
        """Bytes the cache folder may hold before the least recently used go."""
        self.name = voice.name
        self._turns = _Turns()
        self._jobs: list[Prerender] = []
        self._jobs_lock = threading.Lock()
        self._dir_lock = threading.Lock()
        self._dir_ready = False

    def __enter__(self) -> CachedVoice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CachedVoice({self.inner!r}, {str(self.cache_dir)!r})"

    # --- speaking -------------------------------------------------------------------

    def speak(self, text: str, rate: float, *, store: bool = True) -> Iterator[AudioChunk]:
        """Audio for `text`, one chunk per sentence, from disk when rendered before.

        With `store=False` nothing is written (an existing entry is still played).
        Stopping early (closing the iterator) writes nothing.
        """
        check_rate(rate)
        path = self.entry_path(text, rate)
        cached = self._read(path)
        if cached is not None:
            yield from cached
            return
        chunks: list[AudioChunk] = []
        with contextlib.closing(self._render(text, rate)) as renders:
            for chunk in renders:
                chunks.append(chunk)
                yield chunk
        if store:
            self._store(path, chunks)

    def is_cached(self, text: str, rate: float) -> bool:
        """Whether an entry for `text` at `rate` is on disk (not checked for damage)."""
        return self.entry_path(text, rate).is_file()

    def entry_path(self, text: str, rate: float) -> Path:
        """The file that holds (or will hold) `text` spoken at `rate`."""
        identity = str(getattr(self.inner, "identity", ""))
        key = json.dumps(
            [RENDER_VERSION, self.inner.name, identity, text, round(rate, 4)],
            ensure_ascii=False,
        )
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", self.inner.name)[:60]
        return self.cache_dir / f"{safe}-{digest}.wav"

    # --- rendering ahead ------------------------------------------------------------

    def prerender(self, texts: Iterable[str], rate: float) -> Prerender:
        """Render `texts` at `rate` in a background thread; returns its handle.

        Already cached texts are skipped. The thread pauses whenever `speak` renders,
        and stops within one sentence after `Prerender.stop()` or `close()`.
        """
        check_rate(rate)
        job = Prerender(self, list(dict.fromkeys(texts)), rate)
        with self._jobs_lock:
            self._jobs = [j for j in self._jobs if not j.done]
            self._jobs.append(job)
        job.start()
        return job

    def close(self, timeout: float = 5.0) -> None:
        """Stop every background render and wait for it (at most `timeout` seconds)."""
        with self._jobs_lock:
            jobs, self._jobs = self._jobs, []
        for job in jobs:
            job.cancel()
        deadline = time.monotonic() + timeout
        for job in jobs:
            job.wait(max(0.0, deadline - time.monotonic()))

    # --- housekeeping ---------------------------------------------------------------

    def size(self) -> int:
        """Bytes the cache folder holds in entries."""
        return sum(size for _, size, _ in self._entries())

    def prune(self, max_bytes: int | None = None) -> int:
        """Delete least recently used entries until at most `max_bytes` remain (default
        the cache's bound), and half-written files left by a crash; returns bytes freed."""
        limit = self.max_bytes if max_bytes is None else max_bytes
        freed = 0
        now = time.time()
        with contextlib.suppress(OSError):
            for tmp in self.cache_dir.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    if now - tmp.stat().st_mtime > _STALE_TMP_SECONDS:
                        tmp.unlink()
        entries = sorted(self._entries(), key=lambda e: e[2])  # oldest use first
        total = sum(size for _, size, _ in entries)
        for path, size, _ in entries:
            if total <= limit:
                break
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                freed += size
            total -= size
        return freed

    def clear(self) -> int:
        """Delete every entry; returns bytes freed."""
        return self.prune(0)

    def _entries(self) -> list[tuple[Path, int, float]]:
        found = []
        with contextlib.suppress(OSError):
            for path in self.cache_dir.glob("*.wav"):
                with contextlib.suppress(OSError):
                    stat = path.stat()
                    found.append((path, stat.st_size, stat.st_mtime))
        return found

    # --- inside ---------------------------------------------------------------------

    def _render(
        self, text: str, rate: float, cancel: threading.Event | None = None
    ) -> Generator[AudioChunk, None, None]:
        """Sentences from the inner voice, one render at a time, each rounded to 16 bits
        so a miss sounds bit for bit like the later hits. With `cancel` it is a
        background render: it gives way to the foreground and ends once `cancel` is set.
        """
        sentences = iter(self.inner.speak(text, rate))
        first_rate: int | None = None
        try:
            while True:
                with self._turns.turn(cancel) as go:
                    chunk = next(sentences, None) if go else None
                if chunk is None:
                    return
                first_rate = first_rate or chunk.rate
                yield _as_stored(chunk.to_rate(first_rate))
        finally:
            close = getattr(sentences, "close", None)
            if close is not None:
                close()

    def _read(self, path: Path) -> list[AudioChunk] | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            return None  # unreadable: render instead; the write will replace it
        try:
            chunks = decode_entry(data)
        except CacheCorrupt:
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # marks it recently used for `prune`
        return chunks

    def _store(self, path: Path, chunks: list[AudioChunk]) -> None:
        if not chunks:
            return
        try:
            self._ensure_dir()
            # Private, whole or not at all: readers see the old entry or the new one.
            write_private(path, encode_entry(chunks), "speech cache entry")
        except (OSError, FileError):
            return  # a cache that cannot be written only costs speed
        if self.max_bytes >= 0:
            self.prune()

    def _ensure_dir(self) -> None:
        with self._dir_lock:
            if not self._dir_ready:
                private_dir(self.cache_dir)
                self._dir_ready = True


class Prerender:
    """A background render of fixed prompts (from `CachedVoice.prerender`)."""

    def __init__(self, cache: CachedVoice, texts: list[str], rate: float) -> None:
        self.texts = texts
        self.rate = rate
        self.rendered = 0
        """Prompts rendered by this job (cached ones skipped are not counted)."""
        self.errors: list[tuple[str, str]] = []
        """(text, message) for each prompt the voice could not render."""
        self._cache = cache
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="voice-prerender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def done(self) -> bool:
        """Whether the thread has finished (all rendered, or stopped)."""
        return not self._thread.is_alive()

    def cancel(self) -> None:
        """Ask the thread to stop after the sentence it is rendering; returns at once."""
        self._cancel.set()
        self._cache._turns.wake()

    def stop(self, timeout: float | None = 5.0) -> bool:
        """Stop and wait for the thread; True when it has ended within `timeout` s."""
        self.cancel()
        return self.wait(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until all prompts are rendered or the job stopped; True when done."""
        self._thread.join(timeout)
        return self.done

    def _run(self) -> None:
        for text in self.texts:
            if self._cancel.is_set():
                return
            try:
                if self._render_one(text):
                    self.rendered += 1
            except VoiceError as err:
                self.errors.append((text, str(err)))

    def _render_one(self, text: str) -> bool:
        cache = self._cache
        path = cache.entry_path(text, self.rate)
        if cache._read(path) is not None:
            return False
        with contextlib.closing(cache._render(text, self.rate, self._cancel)) as renders:
            chunks = list(renders)
        if self._cancel.is_set():
            return False  # a half-rendered prompt is dropped, not stored
        cache._store(path, chunks)
        return True


class _Turns:
    """Who may use the inner voice next: one sentence at a time, foreground first.

    A background render waits while any foreground render wants the voice, so a
    prompt the coach needs now never queues behind prompts needed later (it waits at
    most for the one sentence already rendering).
    """

    def __init__(self) -> None:
        self._voice = threading.Lock()
        self._state = threading.Condition()
        self._foreground_waiting = 0

    @contextlib.contextmanager
    def turn(self, cancel: threading.Event | None) -> Iterator[bool]:
        """Hold the voice for one sentence. The foreground (`cancel` None) always gets
        it; the background gets it when no foreground waits, or False once cancelled."""
        if cancel is None:
            with self._state:
                self._foreground_waiting += 1
            try:
                with self._voice:
                    yield True
            finally:
                with self._state:
                    self._foreground_waiting -= 1
                    self._state.notify_all()
            return
        with self._state:
            self._state.wait_for(lambda: self._foreground_waiting == 0 or cancel.is_set())
        if cancel.is_set():
            yield False
            return
        with self._voice:
            yield not cancel.is_set()

    def wake(self) -> None:
        with self._state:
            self._state.notify_all()


# --- the entry format: a mono 16-bit WAV with a cue point per sentence --------------


def _as_stored(chunk: AudioChunk) -> AudioChunk:
    return AudioChunk(pcm_to_float(float_to_pcm16(chunk.samples), 2, 1), chunk.rate)


def encode_entry(chunks: list[AudioChunk]) -> bytes:
    """The bytes of an entry: the sentences one after another, a cue at each start."""
    rate = chunks[0].rate
    pcm = b"".join(float_to_pcm16(c.to_rate(rate).samples) for c in chunks)
    starts = np.cumsum([0] + [len(c.to_rate(rate).samples) for c in chunks[:-1]])
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    cue = struct.pack("<I", len(chunks)) + b"".join(
        struct.pack("<II4sIII", i + 1, int(start), b"data", 0, 0, int(start))
        for i, start in enumerate(starts)
    )
    body = b"WAVE" + _riff_chunk(b"fmt ", fmt) + _riff_chunk(b"cue ", cue)
    body += _riff_chunk(b"data", pcm)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _riff_chunk(tag: bytes, payload: bytes) -> bytes:
    pad = b"\0" if len(payload) % 2 else b""
    return tag + struct.pack("<I", len(payload)) + payload + pad


def decode_entry(data: bytes) -> list[AudioChunk]:
    """The sentences of an entry; CacheCorrupt if it is not exactly what we write."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise CacheCorrupt("not a WAV file")
    if struct.unpack_from("<I", data, 4)[0] != len(data) - 8:
        raise CacheCorrupt("truncated or overlong")
    found: dict[bytes, bytes] = {}
    for tag, body, size in riff_chunks(data):
        if len(body) != size:
            raise CacheCorrupt(f"chunk {tag!r} runs past the end")
        found[tag] = body
    try:
        fmt, cue, pcm = found[b"fmt "], found[b"cue "], found[b"data"]
    except KeyError as err:
        raise CacheCorrupt(f"missing chunk {err}") from err
    if len(fmt) != 16:
        raise CacheCorrupt("bad format chunk")
    tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", fmt)
    if (tag, channels, bits) != (1, 1, 16) or not 1000 <= rate <= 768_000 or len(pcm) % 2:
        raise CacheCorrupt("not mono 16-bit PCM")
    if len(cue) < 4:
        raise CacheCorrupt("bad cue chunk")
    (count,) = struct.unpack_from("<I", cue)
    if count < 1 or len(cue) != 4 + 24 * count:
        raise CacheCorrupt("bad cue chunk")
    frames = len(pcm) // 2
    starts = [struct.unpack_from("<II4sIII", cue, 4 + 24 * i)[1] for i in range(count)]
    bounds = [*starts, frames]
    if starts[0] != 0 or any(a >= b for a, b in itertools.pairwise(bounds)):
        raise CacheCorrupt("cue points out of order")
    samples = pcm_to_float(pcm, 2, 1)
    return [AudioChunk(samples[a:b], rate) for a, b in itertools.pairwise(bounds)]
