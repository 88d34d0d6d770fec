"""Speech models in the models folder: installing, ensuring and verifying them.

`install` fetches a manifest entry (see `manifest`) with `download`, verifies it and
puts it in place (extracting a Vosk zip with `vosk_zip`); `ensure_models` does so for a
language's voice and recogniser when missing; `verify_models` checks what is there
against the manifest or the CRC-32s recorded at extraction.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from voice_coach.config import Config
from voice_coach.speech.download import Limits, download_file, fetch_small, md5_of
from voice_coach.speech.layout import (
    find_piper_voice,
    find_vosk_model,
    is_vosk_model,
    piper_voice_paths,
    vosk_model_dir,
)
from voice_coach.speech.manifest import (
    LANGUAGES,
    MANIFEST,
    PACKAGED_VOICES,
    ModelEntry,
    find_entry,
)
from voice_coach.speech.model_errors import ModelError
from voice_coach.speech.progress import Progress, format_mb
from voice_coach.speech.vosk_zip import FILES_RECORD, check_zip, extract_vosk_zip


def is_present(entry: ModelEntry, models_dir: Path) -> bool:
    """Whether the model is in place (files there with the published sizes)."""
    if entry.kind == "recognizer":
        return find_vosk_model(models_dir, entry.name) is not None
    for file in entry.files:
        path = models_dir / file.dest
        if not path.is_file() or (file.size is not None and path.stat().st_size != file.size):
            return False
    return True


@contextlib.contextmanager
def model_lock(models_dir: Path, name: str) -> Iterator[None]:
    """Hold the lock file of model `name`: two downloads of one model (two terminals,
    `make run` twice) take turns instead of writing into the same `.part` file."""
    folder = Path(models_dir) / ".locks"
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"{name}.lock", os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits for the other download to finish
        yield
    finally:
        os.close(fd)  # releases the lock


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


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
    """Download, verify and put `entry` in place; returns its path (.onnx or folder).

    Holds the model's lock file (`model_lock`) meanwhile."""
    with model_lock(models_dir, entry.name):
        return _install(entry, models_dir, progress, mirror, retries, retry_delay, timeout)


def _install(
    entry: ModelEntry,
    models_dir: Path,
    progress: Progress | None,
    mirror: str | None,
    retries: int,
    retry_delay: float,
    timeout: float,
) -> Path:
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
        size, md5 = vosk_published(entry, mirror, timeout)
        size, md5 = file.size or size, file.md5 or md5  # a digest pinned here wins
        download_file(
            entry.url(file, mirror),
            zip_path,
            size=size,
            md5=md5,
            limits=Limits(max_bytes=None if size else 2 * entry.size),
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


MODEL_LIST = "model-list.json"
"""The Vosk publisher's list of models (name, size, MD5) beside the zips."""


def vosk_published(
    entry: ModelEntry, mirror: str | None = None, timeout: float = 30.0
) -> tuple[int | None, str | None]:
    """(size in bytes, MD5) of a Vosk zip as the publisher's `model-list.json` lists it,
    fetched from the same place as the zip; (None, None) when the list cannot be had
    or does not list the model (the zip's CRC-32s still prove it whole)."""
    (file,) = entry.files
    list_url = entry.url(file, mirror).rsplit("/", 1)[0] + "/" + MODEL_LIST
    data = fetch_small(list_url, max_bytes=4 * 1024 * 1024, timeout=timeout)
    try:
        listed = json.loads(data) if data else []
    except ValueError:
        return None, None
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict) and item.get("name") == entry.name:
            size, md5 = item.get("size"), item.get("md5")
            good_size = size if isinstance(size, int) and size > 0 else None
            hex_md5 = isinstance(md5, str) and re.fullmatch(r"[0-9a-fA-F]{32}", md5)
            good_md5 = md5.lower() if hex_md5 and isinstance(md5, str) else None
            return good_size, good_md5
    return None, None


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
        return find_piper_voice(models_dir, name) is not None
    return find_vosk_model(models_dir, name) is not None


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
        with model_lock(models_dir, name):
            # Checked under the lock: a download that ran meanwhile counts.
            if if_missing and is_present(entry, models_dir):
                paths.append(_installed_path(kind, name, models_dir))
                continue
            paths.append(_install(entry, models_dir, progress, mirror, 2, 2.0, 30.0))
    return paths


def _installed_path(kind: str, name: str, models_dir: Path) -> Path:
    if kind == "voice":
        return piper_voice_paths(models_dir, name)[0]
    return find_vosk_model(models_dir, name) or vosk_model_dir(models_dir, name)


# ---------------------------------------------------------------------- verify


@dataclass(frozen=True)
class ModelVerdict:
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


def verify_vosk_folder(folder: Path, load: bool = True) -> ModelVerdict:
    """Check an extracted Vosk folder against the sizes and CRC-32s recorded at install,
    then (with `load`) load it the way a session does."""
    found = _verify_vosk_files(folder)
    if not found.ok or not load:
        return found
    from voice_coach.speech.vosk import load_problem

    problem = load_problem(folder)
    if problem is None:
        return ModelVerdict(found.name, folder, True, f"{found.detail}; loads")
    return ModelVerdict(
        found.name, folder, False, f"{found.detail}, but it does not load: {problem}"
    )


def _verify_vosk_files(folder: Path) -> ModelVerdict:
    name = folder.name
    if not is_vosk_model(folder):
        return ModelVerdict(
            name, folder, False, "not a whole Vosk model (no am/final.mdl or graph)"
        )
    record_path = folder / FILES_RECORD
    if not record_path.is_file():
        return ModelVerdict(
            name, folder, True, "structure ok (copied by hand: no checksums to compare)"
        )
    try:
        record: dict[str, dict[str, int]] = json.loads(record_path.read_text())
    except (OSError, ValueError) as err:
        return ModelVerdict(name, folder, False, f"cannot read {FILES_RECORD}: {err}")
    for member, expected in sorted(record.items()):
        path = folder / member
        if not path.is_file():
            return ModelVerdict(name, folder, False, f"missing file {member}")
        if path.stat().st_size != expected["size"]:
            return ModelVerdict(name, folder, False, f"size mismatch in {member}")
        if _crc32_of(path) != expected["crc32"]:
            return ModelVerdict(name, folder, False, f"checksum mismatch (CRC-32) in {member}")
    return ModelVerdict(name, folder, True, f"{len(record)} files match their CRC-32")


def verify_voice(
    models_dir: Path, name: str, manifest: Sequence[ModelEntry] = MANIFEST
) -> ModelVerdict:
    """Check a Piper voice's files against the manifest (or that its config parses)."""
    onnx, config = piper_voice_paths(models_dir, name)
    entry = find_entry(name, "voice", manifest)
    if not config.is_file():
        return ModelVerdict(name, onnx, False, f"{config.name} is missing")
    if not onnx.is_file():
        return ModelVerdict(name, onnx, False, f"{onnx.name} is missing")
    if entry is None:
        try:
            json.loads(config.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            return ModelVerdict(name, onnx, False, f"{config.name} is not valid JSON ({err})")
        return ModelVerdict(
            name, onnx, True, "not in the manifest: config readable, no checksum known"
        )
    for file in entry.files:
        path = models_dir / file.dest
        if file.size is not None and path.stat().st_size != file.size:
            return ModelVerdict(
                name,
                onnx,
                False,
                f"size mismatch in {path.name}: {path.stat().st_size} bytes, expected {file.size}",
            )
        if file.md5 is not None and md5_of(path) != file.md5:
            return ModelVerdict(name, onnx, False, f"checksum mismatch (MD5) in {path.name}")
    return ModelVerdict(name, onnx, True, "sizes and MD5s match")


def verify_models(
    models_dir: Path, manifest: Sequence[ModelEntry] = MANIFEST, load: bool = True
) -> list[ModelVerdict]:
    """Check every model present in the models folder, and report leftovers; with
    `load`, each recogniser must also load."""
    checks: list[ModelVerdict] = []
    piper = models_dir / "piper"
    if piper.is_dir():
        names = {p.name[: -len(".onnx")] for p in piper.glob("*.onnx")}
        names |= {p.name[: -len(".onnx.json")] for p in piper.glob("*.onnx.json")}
        checks += [verify_voice(models_dir, n, manifest) for n in sorted(names)]
    for folder in _vosk_folders(models_dir):
        checks.append(verify_vosk_folder(folder, load))
    for part in sorted(models_dir.glob("*/*.part")):
        checks.append(
            ModelVerdict(
                part.name,
                part,
                True,
                f"an interrupted download ({format_mb(part.stat().st_size)}): "
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
