"""Fetching one file over HTTP: resumable, private until verified, then moved into place.

A download goes to `<file>.part` (mode 0600), resumes with an HTTP Range request
when interrupted, is checked (size and MD5 when published, plus any further check
such as a zip's CRC-32s) and only then moved into place with `os.replace`.

A hostile or broken server cannot make it run away: it stops reading at the
published size (or `max_bytes`), gives up when the whole transfer takes longer than
`deadline` seconds or runs slower than `min_rate` bytes per second over
`rate_window` seconds, and follows redirects only to the same host (or a host the
publisher is known to use, `TRUSTED_REDIRECTS`), never from https to http.
"""

from __future__ import annotations

import hashlib
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from voice_coach import __version__
from voice_coach.speech.model_errors import ChecksumError, ModelError
from voice_coach.speech.progress import NoProgress, Progress, format_mb

_CHUNK = 64 * 1024

DEFAULT_DEADLINE = 3 * 3600.0
"""Seconds a whole file may take (a 100 MB model at 10 kB/s still fits)."""
DEFAULT_MIN_RATE = 2048.0
"""Bytes per second a transfer must keep up, measured over `DEFAULT_RATE_WINDOW`."""
DEFAULT_RATE_WINDOW = 60.0
"""Seconds over which the minimum rate is measured."""

TRUSTED_REDIRECTS: dict[str, tuple[str, ...]] = {
    "huggingface.co": ("huggingface.co", "hf.co"),
}
"""Publisher host -> domains it redirects to (with their subdomains): huggingface.co
sends large files to its own CDN."""


def redirect_allowed(source: str, target: str) -> bool:
    """Whether a download may follow a redirect from `source` to `target` (URLs): the
    same host or a domain the publisher uses, and never from https down to http."""
    old, new = urlsplit(source), urlsplit(target)
    if new.scheme not in ("http", "https") or (old.scheme == "https" and new.scheme != "https"):
        return False
    old_host, new_host = (old.hostname or "").lower(), (new.hostname or "").lower()
    if new_host == old_host:
        return True
    trusted = TRUSTED_REDIRECTS.get(old_host, ())
    return any(new_host == d or new_host.endswith("." + d) for d in trusted)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only where `redirect_allowed` says so."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not redirect_allowed(req.full_url, newurl):
            raise RedirectRefusedError(
                f"the server at {urlsplit(req.full_url).netloc} sent the download to "
                f"{newurl}, another host or an unencrypted address; refused. "
                "Use the publisher's own address or a mirror you trust "
                "(VOICE_COACH_MODEL_MIRROR)"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_CheckedRedirects())


class ModelNotFoundError(ModelError):
    """The server has no such file (HTTP 404)."""


class OfflineError(ModelError):
    """The server cannot be reached."""


class InterruptedDownloadError(ModelError):
    """The transfer stopped part-way; the `.part` file is kept for a resume."""


class RedirectRefusedError(ModelError):
    """The server redirected to another host or from https to http."""


class TooSlowError(ModelError):
    """The transfer ran past its deadline or under the minimum rate; the part is kept."""


@dataclass(frozen=True)
class Limits:
    """How far a download may go: bytes, total seconds, minimum bytes per second."""

    max_bytes: int | None = None
    """Never store more than this (None: the published size, when known)."""
    deadline: float = DEFAULT_DEADLINE
    """Seconds the whole file may take, retries included."""
    min_rate: float = DEFAULT_MIN_RATE
    """Bytes per second the transfer must keep up over `rate_window` seconds."""
    rate_window: float = DEFAULT_RATE_WINDOW


class _Pace:
    """Watches a transfer against its deadline and minimum rate."""

    def __init__(self, limits: Limits, label: str) -> None:
        self.limits = limits
        self.label = label
        self.started = time.monotonic()
        self._window_start = self.started
        self._window_bytes = 0

    def remaining(self) -> float:
        """Seconds left before the deadline."""
        return self.limits.deadline - (time.monotonic() - self.started)

    def check(self, got: int) -> None:
        """Count `got` more bytes; raise TooSlowError past the deadline or under the rate."""
        now = time.monotonic()
        self._window_bytes += got
        if now - self.started > self.limits.deadline:
            raise TooSlowError(
                f"{self.label}: the download took longer than {self.limits.deadline:g} s; "
                "the part is kept: run the same command again to continue"
            )
        if now - self._window_start >= self.limits.rate_window:
            rate = self._window_bytes / (now - self._window_start)
            if rate < self.limits.min_rate:
                raise TooSlowError(
                    f"{self.label}: the server sends only {rate:.0f} bytes/s "
                    f"(under {self.limits.min_rate:g}); the part is kept: "
                    "run the same command again later to continue"
                )
            self._window_start, self._window_bytes = now, 0


def md5_of(path: Path) -> str:
    """Hex MD5 digest of a file."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def part_path(dest: Path) -> Path:
    """Where the bytes of `dest` collect until they are verified."""
    return dest.with_name(dest.name + ".part")


def _open_part(part: Path, append: bool) -> int:
    """A file descriptor on the .part file, private (0600) because it is unverified."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    flags |= os.O_APPEND if append else os.O_TRUNC
    return os.open(part, flags, 0o600)


def _content_range_start(header: str | None) -> tuple[int, int | None] | None:
    """(first byte, total) from 'bytes 100-199/200'; None when it cannot be read."""
    if not header or not header.startswith("bytes "):
        return None
    span, _, total = header[6:].partition("/")
    first = span.split("-")[0]
    try:
        return int(first), (int(total) if total.strip() not in ("", "*") else None)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Fetch:
    """One attempt at bringing a `.part` file to the whole download."""

    url: str
    part: Path
    size: int | None
    """Published size in bytes (None: not published)."""
    label: str
    progress: Progress
    timeout: float
    """Seconds to wait for the server to answer or send."""
    by_hand: str
    """How to fetch the file by hand, for the offline message."""
    pace: _Pace

    @property
    def cap(self) -> int | None:
        """The most bytes the file may have: its published size, else the limit."""
        return self.size if self.size is not None else self.pace.limits.max_bytes


def _fetch_once(job: _Fetch) -> None:
    """Bring `job.part` to the whole file, continuing where it stopped; raises on failure."""
    offset = job.part.stat().st_size if job.part.exists() else 0
    if job.cap is not None and offset > job.cap:
        job.part.unlink()
        offset = 0
    if job.size is not None and offset == job.size:
        return
    response = _open(job, offset)
    if response is None:
        return  # the part already holds the whole file (its size was not published)
    with response:
        append, total = _span(job, response, offset)
        _check_total(job, total)
        done = offset if append else 0
        expected = total if total is not None else job.size
        job.progress.start(job.label, expected, done)
        fd = _open_part(job.part, append)
        try:
            done = _copy(job, response, fd, done)
        finally:
            os.close(fd)
            job.progress.finish()
        if expected is not None and done < expected:
            raise InterruptedDownloadError(
                f"{job.label}: the connection broke after {format_mb(done)} of "
                f"{format_mb(expected)}"
            )


def _open(job: _Fetch, offset: int) -> Any:
    """The server's response from `offset` on (None: nothing is left to fetch)."""
    headers = {"User-Agent": f"voice-coach/{__version__}"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(job.url, headers=headers)
    try:
        return _OPENER.open(request, timeout=max(0.1, min(job.timeout, job.pace.remaining())))
    except RedirectRefusedError as err:
        raise RedirectRefusedError(f"{job.label}: {err}") from err
    except urllib.error.HTTPError as err:
        if err.code == 416 and offset:
            return None
        if err.code == 404:
            raise ModelNotFoundError(
                f"{job.label}: not found on the server (HTTP 404) at {job.url}; "
                "check the name with `voice-coach models list`"
            ) from err
        raise InterruptedDownloadError(
            f"{job.label}: the server answered HTTP {err.code} for {job.url}"
        ) from err
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        host = urlsplit(job.url).netloc
        kept = f" ({format_mb(offset)} already downloaded are kept)" if offset else ""
        raise OfflineError(
            f"{job.label}: no connection to {host} ({reason}){kept}; "
            f"connect to the internet and run the same command again, or {job.by_hand}"
        ) from err


def _span(job: _Fetch, response: Any, offset: int) -> tuple[bool, int | None]:
    """Whether the response continues the part (a 206 from `offset`), and the file's
    whole size when the server says it."""
    if offset and response.status == 206:
        span = _content_range_start(response.headers.get("Content-Range"))
        if span is None or span[0] != offset:
            # Another span than asked for: useless for this part; start over.
            job.part.unlink(missing_ok=True)
            raise InterruptedDownloadError(
                f"{job.label}: the server answered another byte range than asked for"
            )
        return True, span[1]
    # The server ignored our Range (200): start over.
    length = response.headers.get("Content-Length")
    return False, int(length) if length and length.isdigit() else None


def _check_total(job: _Fetch, total: int | None) -> None:
    """Refuse a file whose announced size is not the published one, or too large."""
    if total is None:
        return
    if job.size is not None and total != job.size:
        job.part.unlink(missing_ok=True)
        raise ChecksumError(
            f"{job.label}: the server offers {total} bytes but the published size is "
            f"{job.size}; nothing was kept. The file at {job.url} is not the one we know."
        )
    if job.cap is not None and total > job.cap:
        job.part.unlink(missing_ok=True)
        raise ChecksumError(
            f"{job.label}: the server offers {format_mb(total)}, more than the "
            f"{format_mb(job.cap)} this model can be; nothing was kept"
        )


def _copy(job: _Fetch, response: Any, fd: int, done: int) -> int:
    """Copy the response's body to `fd` within the cap and the pace; the bytes done."""
    cap = job.cap
    while True:
        want = _CHUNK if cap is None else min(_CHUNK, cap - done + 1)
        try:
            # read1: whatever has arrived, so a dripping server is seen as slow
            block = response.read1(want)
        except (OSError, ValueError) as err:  # reset, timeout, closed socket
            raise InterruptedDownloadError(
                f"{job.label}: the connection broke after {format_mb(done)} ({err})"
            ) from err
        if not block:
            return done
        if cap is not None and done + len(block) > cap:
            job.part.unlink(missing_ok=True)
            raise ChecksumError(
                f"{job.label}: the server sends more than the {format_mb(cap)} "
                f"published; stopped and deleted. The file at {job.url} is not ours"
            )
        os.write(fd, block)
        done += len(block)
        job.progress.update(done)
        job.pace.check(len(block))


def download_file(
    url: str,
    dest: Path,
    *,
    size: int | None = None,
    md5: str | None = None,
    label: str | None = None,
    progress: Progress | None = None,
    check: Callable[[Path], None] | None = None,
    retries: int = 2,
    retry_delay: float = 2.0,
    timeout: float = 30.0,
    by_hand: str | None = None,
    limits: Limits | None = None,
) -> Path:
    """Fetch `url` to `dest`, resuming a kept `<dest>.part`, verified before it is moved.

    `size` (bytes) and `md5` (hex) are checked when given; `check` may raise
    ChecksumError for further checks of the complete .part file. Interrupted transfers
    are resumed up to `retries` times, `retry_delay` seconds apart. `by_hand` tells
    how to put the model in place without a connection. `limits` bound the bytes and
    the time (see `Limits`). Raises a ModelError.
    """
    limits = limits or Limits()
    label = label or dest.name
    by_hand = by_hand or f"copy {dest.name} by hand into {dest.parent}"
    progress = progress or NoProgress()
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(dest)
    pace = _Pace(limits, label)
    attempt = 0
    while True:
        try:
            _fetch_once(_Fetch(url, part, size, label, progress, timeout, by_hand, pace))
            break
        except InterruptedDownloadError as err:
            # Only a transfer that broke part-way is retried; no connection at all is
            # reported at once (OfflineError), keeping what was fetched.
            if attempt >= retries:
                raise InterruptedDownloadError(
                    f"{err}; the part is kept in {part}: "
                    "run the same command again to continue where it stopped"
                ) from err
            attempt += 1
            time.sleep(retry_delay)
    _verify_part(part, size, md5, label, url, check)
    os.chmod(part, 0o644)
    os.replace(part, dest)
    return dest


def _verify_part(
    part: Path,
    size: int | None,
    md5: str | None,
    label: str,
    url: str,
    check: Callable[[Path], None] | None,
) -> None:
    """Raise ChecksumError (and delete the part) unless it is the published file."""
    problem = None
    actual_size = part.stat().st_size
    if size is not None and actual_size != size:
        problem = f"size mismatch: {actual_size} bytes, expected {size}"
    elif md5 is not None and (actual := md5_of(part)) != md5.lower():
        problem = f"checksum mismatch: MD5 {actual}, expected {md5}"
    if problem is None and check is not None:
        try:
            check(part)
        except ChecksumError as err:
            problem = str(err)
    if problem is not None:
        part.unlink(missing_ok=True)
        raise ChecksumError(
            f"{label}: {problem}; the damaged download was deleted. "
            f"Run the same command again; if it persists, the file at {url} has changed"
        )


def fetch_small(url: str, max_bytes: int, timeout: float = 30.0) -> bytes | None:
    """A small file (a publisher's list) in memory, or None when it cannot be had:
    not there, no connection, a refused redirect, or larger than `max_bytes`."""
    request = urllib.request.Request(url, headers={"User-Agent": f"voice-coach/{__version__}"})
    started = time.monotonic()
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            data = b""
            while len(data) <= max_bytes:
                if time.monotonic() - started > timeout:
                    return None
                block = response.read1(_CHUNK)
                if not block:
                    return data
                data += block
            return None
    except (ModelError, urllib.error.URLError, OSError, ValueError):
        return None
