"""`voice-coach models` end to end, with the shipped manifest and a local mirror."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.model_server import ModelServer, fake_vosk_zip
from voice_coach.cli import main
from voice_coach.speech.manifest import find_entry

NL_VOICE = "nl_BE-nathalie-medium"
NL_VOICE_PATH = f"nl/nl_BE/nathalie/medium/{NL_VOICE}.onnx"
NL_VOSK = "vosk-model-small-nl-0.22"
EN_VOSK = "vosk-model-small-en-us-0.15"


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv("VOICE_COACH_MODELS", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return folder


@pytest.fixture
def mirror(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModelServer]:
    """A mirror with the publishers' paths: real-looking zips, a fake Dutch voice."""
    files = {
        f"{EN_VOSK}.zip": fake_vosk_zip(EN_VOSK),
        f"{NL_VOSK}.zip": fake_vosk_zip(NL_VOSK),
        NL_VOICE_PATH: b"not the real voice" * 1000,
        NL_VOICE_PATH + ".json": b"{}",
    }
    with ModelServer(files) as server:
        monkeypatch.setenv("VOICE_COACH_MODEL_MIRROR", server.url)
        yield server


def place_dutch_models(models_dir: Path) -> None:
    """Files of the published sizes (zeros, so their MD5s are wrong) and a Vosk folder."""
    entry = find_entry(NL_VOICE, "voice")
    assert entry is not None
    for file in entry.files:
        path = models_dir / file.dest
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            assert file.size is not None
            handle.truncate(file.size)  # sparse: no 63 MB written
    vosk = models_dir / "vosk" / NL_VOSK
    (vosk / "am").mkdir(parents=True)
    (vosk / "am" / "final.mdl").write_bytes(b"model")
    (vosk / "graph").mkdir()
    (vosk / "graph" / "HCLr.fst").write_bytes(b"graph")


def test_download_english_fetches_the_recogniser_only(
    models_dir: Path, mirror: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "download", "en"]) == 0
    out, err = capsys.readouterr()
    assert f"recogniser {EN_VOSK}: ready in {models_dir / 'vosk' / EN_VOSK}" in out
    assert "voice en_US-joe-medium: installed with the package, nothing to fetch" in out
    assert f"downloading {EN_VOSK}.zip" in err
    # The publisher's list of digests first (this mirror has none), then the zip.
    assert [path for path, _ in mirror.requests] == ["model-list.json", f"{EN_VOSK}.zip"]
    assert (models_dir / "vosk" / EN_VOSK / "am" / "final.mdl").is_file()

    assert main(["models", "list"]) == 0
    listing = capsys.readouterr().out
    row = next(line for line in listing.splitlines() if EN_VOSK in line)
    assert row.rstrip().endswith("present")

    # Whole as published, but a fake: verify loads it the way a session would.
    assert main(["models", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"BAD  {EN_VOSK}: 8 files match their CRC-32, but it does not load" in out


def test_a_voice_that_is_not_the_published_file_is_refused(
    models_dir: Path, mirror: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "download", "nl"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"voice-coach: {NL_VOICE}.onnx: the server offers 18000 bytes")
    assert not (models_dir / "piper" / f"{NL_VOICE}.onnx").exists()
    assert not list(models_dir.rglob("*.part"))


def test_if_missing_does_nothing_when_present(
    models_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    place_dutch_models(models_dir)
    # Nothing listens here: any request would fail the command.
    monkeypatch.setenv("VOICE_COACH_MODEL_MIRROR", "http://127.0.0.1:9")
    assert main(["models", "download", "nl", "--if-missing"]) == 0
    out = capsys.readouterr().out
    assert f"voice {NL_VOICE}: ready in {models_dir / 'piper' / NL_VOICE}.onnx" in out
    assert f"recogniser {NL_VOSK}: ready in" in out


def test_verify_reports_a_corrupted_present_voice(
    models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    place_dutch_models(models_dir)
    assert main(["models", "verify"]) == 1
    out, err = capsys.readouterr()
    assert f"BAD  {NL_VOICE}: checksum mismatch (MD5) in {NL_VOICE}.onnx" in out
    # The hand-copied recogniser is a fake: whole in structure, but it does not load.
    assert f"BAD  {NL_VOSK}: structure ok (copied by hand" in out and "does not load" in out
    assert "2 damaged model(s)" in err
    assert "voice-coach models download" in err


def test_404_through_the_command_names_model_and_url(
    models_dir: Path, mirror: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "vosk-model-nl-spraakherkenning-0.6-lgraph"
    place_dutch_models(models_dir)
    code = main(["models", "download", "nl", "--if-missing", "--recognizer", name])
    assert code == 1
    out, err = capsys.readouterr()
    assert f"note: {name} is licensed CC-BY-NC-SA-4.0: non-commercial use only" in out
    assert f"{name}.zip: not found on the server (HTTP 404) at {mirror.url}/{name}.zip" in err


def test_unknown_voice_lists_the_known_ones(
    models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "download", "nl", "--voice", "nl_NL-nobody-low"]) == 1
    err = capsys.readouterr().err
    assert "unknown voice 'nl_NL-nobody-low'" in err
    assert "nl_BE-nathalie-x_low" in err
    assert f"copy it by hand into {models_dir / 'piper'}" in err


def test_unsupported_language_is_a_usage_error(
    models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "download", "fr"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_list_shows_supported_missing_partial_and_licences(
    models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (models_dir / "vosk").mkdir(parents=True)
    (models_dir / "vosk" / f"{NL_VOSK}.zip.part").write_bytes(b"x" * 2_000_000)
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert f"Models folder: {models_dir}" in out
    rows = {
        line.split()[2] if line.startswith("*") else line.split()[1]: line
        for line in out.splitlines()[2:-1]
    }
    assert rows[NL_VOICE].startswith("*")
    assert rows[NL_VOICE].rstrip().endswith("missing")
    assert "63 MB" in rows[NL_VOICE]
    assert "partly downloaded (2 MB)" in rows[NL_VOSK]
    assert "NON-COMMERCIAL" in rows["vosk-model-nl-spraakherkenning-0.6-lgraph"]
    assert "installed with the package" in rows["en_US-joe-medium"]
