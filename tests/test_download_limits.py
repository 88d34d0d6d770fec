"""Hostile and broken download servers: endless bodies, drips, foreign redirects,
zip bombs, a publisher's list of digests, and two downloads of one model at once."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.model_server import ModelServer, fake_vosk_zip
from tests.test_models_download import ONNX, ONNX_PATH, VOSK, ZIP, md5, vosk_entry
from voice_coach.speech.download import (
    Limits,
    RedirectRefusedError,
    TooSlowError,
    download_file,
    part_path,
    redirect_allowed,
)
from voice_coach.speech.layout import vosk_model_dir
from voice_coach.speech.manifest import ModelEntry, ModelFile
from voice_coach.speech.model_errors import ChecksumError
from voice_coach.speech.models import install


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModelServer]:
    monkeypatch.delenv("VOICE_COACH_MODEL_MIRROR", raising=False)
    with ModelServer({ONNX_PATH: ONNX, f"{VOSK}.zip": ZIP}) as running:
        yield running


def _model_list(name: str, data: bytes, digest: str | None = None) -> bytes:
    return json.dumps(
        [
            {"name": "vosk-model-other", "size": 1, "md5": "0" * 32},
            {"name": name, "size": len(data), "md5": digest or hashlib.md5(data).hexdigest()},
        ]
    ).encode()


# -- bytes and time --------------------------------------------------------------------


@pytest.mark.timeout(30)
def test_an_endless_body_without_length_stops_at_the_cap(
    server: ModelServer, tmp_path: Path
) -> None:
    """A server that never stops used to fill the disk (9 GB for a 63 MB voice)."""
    server.endless.add("endless.bin")
    dest = tmp_path / "x.onnx"
    with pytest.raises(ChecksumError, match="sends more than"):
        download_file(f"{server.url}/endless.bin", dest, limits=Limits(max_bytes=300_000),
                      retries=0, timeout=5.0)  # fmt: skip
    assert not dest.exists() and not part_path(dest).exists()


@pytest.mark.timeout(30)
def test_an_endless_body_stops_at_the_published_size(server: ModelServer, tmp_path: Path) -> None:
    server.endless.add(ONNX_PATH)
    dest = tmp_path / "x.onnx"
    with pytest.raises(ChecksumError, match="sends more than"):
        download_file(f"{server.url}/{ONNX_PATH}", dest, size=len(ONNX), md5=md5(ONNX),
                      retries=0, timeout=5.0)  # fmt: skip
    assert not part_path(dest).exists()


@pytest.mark.timeout(30)
@pytest.mark.slow  # waits in real time
def test_a_dripping_server_is_given_up_on_and_the_part_kept(
    server: ModelServer, tmp_path: Path
) -> None:
    """A byte every 0.1 s never trips a read timeout; the minimum rate does."""
    server.drip[ONNX_PATH] = 0.1
    dest = tmp_path / "x.onnx"
    started = time.monotonic()
    with pytest.raises(TooSlowError, match="bytes/s"):
        download_file(f"{server.url}/{ONNX_PATH}", dest, size=len(ONNX), retries=0,
                      timeout=5.0, limits=Limits(min_rate=1000, rate_window=1.0))  # fmt: skip
    assert time.monotonic() - started < 5
    assert part_path(dest).exists()  # kept for a resume


@pytest.mark.timeout(30)
@pytest.mark.slow  # waits in real time
def test_the_total_deadline_holds(server: ModelServer, tmp_path: Path) -> None:
    server.drip[ONNX_PATH] = 0.05
    with pytest.raises(TooSlowError, match="longer than"):
        download_file(f"{server.url}/{ONNX_PATH}", tmp_path / "x.onnx", size=len(ONNX),
                      retries=0, timeout=5.0,
                      limits=Limits(deadline=1.0, min_rate=1, rate_window=60))  # fmt: skip


# -- redirects ---------------------------------------------------------------------------


def test_a_redirect_to_another_host_is_refused(server: ModelServer, tmp_path: Path) -> None:
    other = f"http://localhost:{server.port}/{ONNX_PATH}"  # another host name
    server.redirect_urls["moved.onnx"] = other
    with pytest.raises(RedirectRefusedError, match="another host"):
        download_file(f"{server.url}/moved.onnx", tmp_path / "x.onnx", retries=0, timeout=5.0)
    assert [path for path, _ in server.requests] == ["moved.onnx"]  # never followed


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("https://huggingface.co/a", "https://cdn-lfs.hf.co/b", True),
        ("https://huggingface.co/a", "https://cas-bridge.xethub.hf.co/b", True),
        ("https://huggingface.co/a", "http://cdn-lfs.hf.co/b", False),
        ("https://huggingface.co/a", "https://evil.example/b", False),
        ("https://huggingface.co/a", "https://hf.co.evil.example/b", False),
        ("https://alphacephei.com/a", "http://alphacephei.com/b", False),
        ("https://alphacephei.com/a", "https://alphacephei.com/b", True),
        ("https://alphacephei.com/a", "https://huggingface.co/b", False),
        ("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/b", True),
        ("https://alphacephei.com/a", "file:///etc/passwd", False),
    ],
)
def test_redirect_policy(source: str, target: str, allowed: bool) -> None:
    assert redirect_allowed(source, target) is allowed


# -- Vosk zips: the publisher's list, zip bombs --------------------------------------------


def test_a_vosk_zip_is_checked_against_the_publishers_list(
    server: ModelServer, tmp_path: Path
) -> None:
    other = fake_vosk_zip(VOSK, {"README": b"not the published model\n"})
    server.files[f"{VOSK}.zip"] = other  # whole and valid, but not what the list says
    server.files["model-list.json"] = _model_list(VOSK, ZIP)
    with pytest.raises(ChecksumError, match="mismatch"):
        install(vosk_entry(server.url), tmp_path, retries=0)
    assert not vosk_model_dir(tmp_path, VOSK).exists()
    server.files[f"{VOSK}.zip"] = ZIP
    assert install(vosk_entry(server.url), tmp_path, retries=0).is_dir()


def test_a_digest_pinned_in_the_manifest_wins_over_the_list(
    server: ModelServer, tmp_path: Path
) -> None:
    server.files["model-list.json"] = _model_list(VOSK, ZIP, digest="f" * 32)  # a wrong list
    entry = vosk_entry(server.url)
    pinned = ModelEntry(**{**entry.__dict__, "files": (
        ModelFile(f"{VOSK}.zip", f"vosk/{VOSK}.zip", len(ZIP), md5(ZIP)),)})  # fmt: skip
    assert install(pinned, tmp_path, retries=0).is_dir()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(ZIP))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            archive.writestr(name, source.read(name))
        archive.writestr(f"{VOSK}/graph/padding.bin", b"\0" * (64 * 1024 * 1024))
    return buffer.getvalue()


def test_a_zip_that_unpacks_far_beyond_its_size_is_refused(
    server: ModelServer, tmp_path: Path
) -> None:
    bomb = _bomb()
    assert len(bomb) < 200_000
    server.files[f"{VOSK}.zip"] = bomb
    with pytest.raises(ChecksumError, match="would unpack to"):
        install(_roomy(vosk_entry(server.url)), tmp_path, retries=0)
    assert not vosk_model_dir(tmp_path, VOSK).exists()


def test_a_zip_with_too_many_files_is_refused(server: ModelServer, tmp_path: Path) -> None:
    many = {f"junk/{i}": b"" for i in range(10_001)}
    server.files[f"{VOSK}.zip"] = fake_vosk_zip(VOSK, many)
    with pytest.raises(ChecksumError, match="10009 files"):
        install(_roomy(vosk_entry(server.url)), tmp_path, retries=0)


def test_no_list_and_a_zip_far_over_the_manifest_size_is_stopped(
    server: ModelServer, tmp_path: Path
) -> None:
    server.files[f"{VOSK}.zip"] = _bomb()  # 0.1 MB where the manifest says about 0.004 MB
    with pytest.raises(ChecksumError, match="more than"):
        install(vosk_entry(server.url), tmp_path, retries=0)


def _roomy(entry: ModelEntry) -> ModelEntry:
    """The entry with an approximate size of 10 MB (the download cap is twice that)."""
    return ModelEntry(**{**entry.__dict__, "size": 10_000_000})


# -- two downloads of one model ------------------------------------------------------------


@pytest.mark.timeout(60)
def test_two_downloads_of_one_model_take_turns(server: ModelServer, tmp_path: Path) -> None:
    """They used to share one .part file: one or both failed and threw the bytes away."""
    server.drip[f"{VOSK}.zip"] = 0.0  # byte by byte, so the two would interleave
    errors: list[BaseException] = []

    def fetch() -> None:
        try:
            install(vosk_entry(server.url), tmp_path, retries=0, timeout=10.0)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (vosk_model_dir(tmp_path, VOSK) / "am" / "final.mdl").is_file()
