"""Vosk model zips: checking their CRC-32s and extracting them whole or not at all.

A zip is extracted into a hidden folder beside the target and renamed into place, so
a killed extraction never leaves anything that looks like a model.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from voice_coach.speech.layout import is_vosk_model
from voice_coach.speech.model_errors import ChecksumError, ModelError

FILES_RECORD = ".voice-coach-files.json"
"""Written into an extracted Vosk folder: each member's size and CRC-32 from the zip."""

MAX_FILES = 10_000
"""Members a Vosk zip may hold (real ones hold a few dozen)."""
MAX_TOTAL_BYTES = 4 * 1024**3
"""Bytes a Vosk zip may unpack to (the largest real models unpack to about 3 GB)."""
MAX_RATIO = 20
"""How many times its own size a zip may unpack to (Kaldi models compress about 2:1;
a zip bomb a thousand to one)."""


def check_zip(path: Path) -> None:
    """Raise ChecksumError unless every member of the zip matches its CRC-32."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, EOFError, OSError) as err:
        raise ChecksumError(f"not a readable zip archive ({err})") from err
    if bad is not None:
        raise ChecksumError(f"checksum mismatch: CRC-32 of {bad} in the zip")


def _safe_members(archive: zipfile.ZipFile, zip_path: Path) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise ChecksumError(
            f"{zip_path.name}: the archive holds {len(infos)} files, more than a model "
            f"has ({MAX_FILES}); not extracted"
        )
    total = sum(i.file_size for i in infos)
    limit = min(MAX_TOTAL_BYTES, MAX_RATIO * max(zip_path.stat().st_size, 1))
    if total > limit:
        raise ChecksumError(
            f"{zip_path.name}: the archive would unpack to {total / 1e6:.0f} MB, more than "
            f"a model of its size does ({limit / 1e6:.0f} MB); not extracted"
        )
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
