"""Downloads against a local HTTP server: success, damage, interruptions, resumes."""

from __future__ import annotations

import hashlib
import io
import json
import random
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.model_server import ModelServer, fake_vosk_zip
from voice_coach.speech.download import (
    InterruptedDownloadError,
    ModelNotFoundError,
    OfflineError,
    download_file,
    part_path,
)
from voice_coach.speech.layout import piper_voice_paths, vosk_model_dir
from voice_coach.speech.manifest import ModelEntry, ModelFile
from voice_coach.speech.model_errors import ChecksumError, ModelError
from voice_coach.speech.models import install, is_present, verify_models
from voice_coach.speech.progress import ConsoleProgress

VOICE = "xx_XX-test-low"
VOSK = "vosk-model-small-xx-0.1"
ONNX = random.Random(7).randbytes(300_000)
"""A fake .onnx of 300 kB: its MD5 goes into the test manifest."""
CONFIG = json.dumps({"audio": {"sample_rate": 22050}}).encode()
ZIP = fake_vosk_zip(VOSK)
ONNX_PATH = f"xx/{VOICE}.onnx"


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def voice_entry(base_url: str) -> ModelEntry:
    return ModelEntry(
        name=VOICE,
        kind="voice",
        language="xx",
        size=len(ONNX) + len(CONFIG),
        licence="test",
        noncommercial=False,
        base_url=base_url,
        files=(
            ModelFile(ONNX_PATH, f"piper/{VOICE}.onnx", len(ONNX), md5(ONNX)),
            ModelFile(
                f"xx/{VOICE}.onnx.json", f"piper/{VOICE}.onnx.json", len(CONFIG), md5(CONFIG)
            ),
        ),
    )


def vosk_entry(base_url: str) -> ModelEntry:
    return ModelEntry(
        name=VOSK,
        kind="recognizer",
        language="xx",
        size=len(ZIP),
        licence="test",
        noncommercial=False,
        base_url=base_url,
        files=(ModelFile(f"{VOSK}.zip", f"vosk/{VOSK}.zip"),),
    )


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModelServer]:
    monkeypatch.delenv("VOICE_COACH_MODEL_MIRROR", raising=False)
    files = {ONNX_PATH: ONNX, f"xx/{VOICE}.onnx.json": CONFIG, f"{VOSK}.zip": ZIP}
    with ModelServer(files) as running:
        yield running


def fetch_onnx(server: ModelServer, dest: Path, retries: int = 0) -> Path:
    return download_file(
        f"{server.url}/{ONNX_PATH}",
        dest,
        size=len(ONNX),
        md5=md5(ONNX),
        retries=retries,
        retry_delay=0.0,
        timeout=5.0,
    )


def test_voice_download_puts_verified_files_in_place(server: ModelServer, tmp_path: Path) -> None:
    log = io.StringIO()
    path = install(voice_entry(server.url), tmp_path, ConsoleProgress(log, tty=False))
    onnx, config = piper_voice_paths(tmp_path, VOICE)
    assert path == onnx
    assert onnx.read_bytes() == ONNX
    assert config.read_bytes() == CONFIG
    assert stat.S_IMODE(onnx.stat().st_mode) == 0o644
    assert not list(tmp_path.rglob("*.part"))
    assert is_present(voice_entry(server.url), tmp_path)
    lines = log.getvalue().splitlines()
    assert lines[0] == f"downloading {VOICE}.onnx (0.3 MB)"
    assert any("100.0%" in line and "MB/s" in line for line in lines)


def test_corrupt_bytes_are_refused_and_deleted(server: ModelServer, tmp_path: Path) -> None:
    server.corrupt.add(ONNX_PATH)
    dest = tmp_path / "piper" / f"{VOICE}.onnx"
    with pytest.raises(ChecksumError, match="checksum mismatch") as err:
        fetch_onnx(server, dest)
    assert "deleted" in str(err.value)
    assert not dest.exists()
    assert not part_path(dest).exists()


def test_truncated_transfer_keeps_a_private_part_and_resumes(
    server: ModelServer, tmp_path: Path
) -> None:
    server.cut_after[ONNX_PATH] = 100_000
    dest = tmp_path / "piper" / f"{VOICE}.onnx"
    with pytest.raises(InterruptedDownloadError, match="run the same command again"):
        fetch_onnx(server, dest)
    part = part_path(dest)
    assert not dest.exists(), "a cut download must never look like a model"
    assert part.stat().st_size == 100_000
    assert stat.S_IMODE(part.stat().st_mode) == 0o600
    fetch_onnx(server, dest)
    assert dest.read_bytes() == ONNX
    assert server.requests[-1] == (ONNX_PATH, "bytes=100000-")


def test_a_cut_transfer_is_resumed_by_a_retry(server: ModelServer, tmp_path: Path) -> None:
    server.cut_after[ONNX_PATH] = 50_000
    dest = fetch_onnx(server, tmp_path / f"{VOICE}.onnx", retries=1)
    assert dest.read_bytes() == ONNX
    assert [r for _, r in server.requests] == [None, "bytes=50000-"]


def test_a_redirect_is_followed_and_keeps_the_range(server: ModelServer, tmp_path: Path) -> None:
    server.files["cdn/blob"] = ONNX
    server.redirects[ONNX_PATH] = "cdn/blob"
    server.cut_after["cdn/blob"] = 10_000
    fetch_onnx(server, tmp_path / f"{VOICE}.onnx", retries=1)
    assert (tmp_path / f"{VOICE}.onnx").read_bytes() == ONNX
    assert server.requests[-1] == ("cdn/blob", "bytes=10000-")


def test_a_server_that_ignores_range_makes_us_start_over(
    server: ModelServer, tmp_path: Path
) -> None:
    dest = tmp_path / f"{VOICE}.onnx"
    part_path(dest).write_bytes(ONNX[:70_000])
    server.ignore_range = True
    fetch_onnx(server, dest)
    assert dest.read_bytes() == ONNX


def test_a_stale_part_with_other_bytes_fails_the_checksum(
    server: ModelServer, tmp_path: Path
) -> None:
    # A part left from another version of the file: the MD5 over the whole catches it.
    dest = tmp_path / f"{VOICE}.onnx"
    part_path(dest).write_bytes(b"\0" * 70_000)
    with pytest.raises(ChecksumError):
        fetch_onnx(server, dest)
    assert not part_path(dest).exists()
    fetch_onnx(server, dest)
    assert dest.read_bytes() == ONNX


def test_404_names_the_model_and_the_url(server: ModelServer, tmp_path: Path) -> None:
    entry = voice_entry(server.url + "/nowhere")
    with pytest.raises(ModelNotFoundError) as err:
        install(entry, tmp_path, retries=0)
    message = str(err.value)
    assert f"{VOICE}.onnx" in message
    assert f"{server.url}/nowhere/{ONNX_PATH}" in message
    assert "404" in message
    assert not (tmp_path / "piper" / f"{VOICE}.onnx").exists()


def test_server_gone_mid_way_then_back(server: ModelServer, tmp_path: Path) -> None:
    server.vanish_after[ONNX_PATH] = 120_000
    entry = voice_entry(server.url)
    with pytest.raises(OfflineError) as err:
        install(entry, tmp_path, retries=2, retry_delay=0.0, timeout=5.0)
    message = str(err.value)
    assert "no connection to 127.0.0.1" in message
    assert "already downloaded are kept" in message
    assert f"by hand into {tmp_path / 'piper'}" in message
    onnx, _ = piper_voice_paths(tmp_path, VOICE)
    assert part_path(onnx).stat().st_size == 120_000
    assert not is_present(entry, tmp_path)
    server.start()
    install(entry, tmp_path, retries=0)
    assert onnx.read_bytes() == ONNX
    assert (ONNX_PATH, "bytes=120000-") in server.requests


def test_no_connection_names_the_models_folder(tmp_path: Path) -> None:
    server = ModelServer().start()
    url = server.url
    server.stop()
    with pytest.raises(OfflineError) as err:
        install(vosk_entry(url), tmp_path, retries=0)
    assert "no connection" in str(err.value)
    assert f"copy the extracted folder {VOSK} by hand into {tmp_path / 'vosk'}" in str(err.value)


def test_server_size_other_than_published_is_refused(server: ModelServer, tmp_path: Path) -> None:
    server.files[ONNX_PATH] = ONNX + b"more"
    with pytest.raises(ChecksumError, match="published size"):
        fetch_onnx(server, tmp_path / f"{VOICE}.onnx")


def test_vosk_zip_is_checked_extracted_and_put_in_place(
    server: ModelServer, tmp_path: Path
) -> None:
    folder = install(vosk_entry(server.url), tmp_path, retries=0)
    assert folder == vosk_model_dir(tmp_path, VOSK)
    assert (folder / "am" / "final.mdl").read_bytes() == b"acoustic model " * 500
    assert (folder / "graph" / "HCLr.fst").is_file()
    # Nothing else is left: no zip, no part, no hidden extraction folder.
    assert sorted(p.name for p in (tmp_path / "vosk").iterdir()) == [VOSK]
    assert is_present(vosk_entry(server.url), tmp_path)
    assert all(check.ok for check in verify_models(tmp_path, load=False))  # a fake model


def test_vosk_zip_with_a_bad_crc_is_refused(server: ModelServer, tmp_path: Path) -> None:
    server.corrupt.add(f"{VOSK}.zip")
    with pytest.raises(ChecksumError, match="deleted"):
        install(vosk_entry(server.url), tmp_path, retries=0)
    assert not vosk_model_dir(tmp_path, VOSK).exists()
    assert not list((tmp_path / "vosk").iterdir())


def test_a_zip_without_a_model_is_refused(server: ModelServer, tmp_path: Path) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{VOSK}/README", "just a readme")
    server.files[f"{VOSK}.zip"] = buffer.getvalue()
    with pytest.raises(ModelError, match="no Vosk model"):
        install(vosk_entry(server.url), tmp_path, retries=0)
    assert not list((tmp_path / "vosk").iterdir()), "neither a folder nor the zip is kept"


def test_a_killed_extraction_is_never_taken_for_a_model(
    server: ModelServer, tmp_path: Path
) -> None:
    leftover = tmp_path / "vosk" / f".{VOSK}.x1y2" / VOSK / "am"
    leftover.mkdir(parents=True)
    (leftover / "final.mdl").write_bytes(b"half")
    assert not is_present(vosk_entry(server.url), tmp_path)
    install(vosk_entry(server.url), tmp_path, retries=0)
    assert sorted(p.name for p in (tmp_path / "vosk").iterdir()) == [VOSK]


def test_verify_reports_a_corrupted_voice_and_recogniser(
    server: ModelServer, tmp_path: Path
) -> None:
    install(voice_entry(server.url), tmp_path, retries=0)
    install(vosk_entry(server.url), tmp_path, retries=0)
    manifest = [voice_entry(server.url)]
    assert all(check.ok for check in verify_models(tmp_path, manifest, load=False))
    onnx, _ = piper_voice_paths(tmp_path, VOICE)
    damaged = bytearray(onnx.read_bytes())
    damaged[1000] ^= 0x01
    onnx.write_bytes(bytes(damaged))
    mdl = vosk_model_dir(tmp_path, VOSK) / "am" / "final.mdl"
    mdl.write_bytes(b"x" + mdl.read_bytes()[1:])
    checks = {c.name: c for c in verify_models(tmp_path, manifest, load=False)}
    assert checks[VOICE].ok is False
    assert checks[VOICE].detail == f"checksum mismatch (MD5) in {VOICE}.onnx"
    assert checks[VOSK].ok is False
    assert "checksum mismatch (CRC-32) in am/final.mdl" in checks[VOSK].detail


def test_console_progress_on_a_terminal_draws_one_line() -> None:
    stream = io.StringIO()
    now = [0.0]
    progress = ConsoleProgress(stream, tty=True, clock=lambda: now[0])
    progress.start("voice.onnx", 4_000_000)
    now[0] = 1.0
    progress.update(2_000_000)
    progress.update(2_100_000)  # within 0.1 s of the last draw: not drawn
    now[0] = 2.0
    progress.update(4_000_000)
    progress.finish()
    out = stream.getvalue()
    assert out.count("\r") == 3
    assert "[###############...............]  50.0% 2.0 MB of 4.0 MB 2.0 MB/s" in out
    assert "100.0% 4.0 MB of 4.0 MB 2.0 MB/s" in out
    assert out.endswith("\n")


def test_a_partial_answer_from_another_offset_starts_over(
    server: ModelServer, tmp_path: Path
) -> None:
    dest = tmp_path / f"{VOICE}.onnx"
    part_path(dest).write_bytes(ONNX[:40_000])
    server.wrong_range_start = 1
    fetch_onnx(server, dest, retries=1)
    assert dest.read_bytes() == ONNX
    assert [r for _, r in server.requests] == ["bytes=40000-", None]
