"""`analyze --words`: the pace cross-check with a real recogniser (the Korean model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import speechgen
from tests.conftest import korean_model_dir
from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.wav import write_wav
from voice_coach.cli import main

TEXTS = (
    "안녕하세요 오늘은 날씨가 좋네요",
    "저는 공원에서 오래 걸었어요",
    "내일은 친구를 만날 거예요",
)


def _recording(path: Path, words_per_minute: int) -> float:
    """Write Korean speech to `path`; returns its true syllables per second of speech."""
    scene = speechgen.Scene()
    for text in TEXTS:
        scene.say(speechgen.espeak(text, "ko", words_per_minute), -24.0, 0.7)
    write_wav(path, AudioChunk(scene.samples, LISTEN_RATE))
    blocks = sum(1 for text in TEXTS for c in text if "\uac00" <= c <= "\ud7a3")
    return blocks / sum(end - start for start, end in scene.speech)


@pytest.mark.slow
def test_word_timings_and_sound_agree_on_the_pace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    measured = {}
    for wpm in (110, 200):
        path = tmp_path / f"ko-{wpm}.wav"
        true = _recording(path, wpm)
        args = ["analyze", str(path), "--json", "--words", "--vosk-model", str(korean_model_dir())]
        assert main(args) == 0
        check = json.loads(capsys.readouterr().out)["words"]
        assert check["count"] >= 6
        assert check["syllables_per_s"] == pytest.approx(true, rel=0.2)
        assert check["acoustic_syllables_per_s"] == pytest.approx(true, rel=0.2)
        assert 0.8 <= check["ratio"] <= 1.25
        measured[wpm] = check["syllables_per_s"]
    assert measured[200] > measured[110] * 1.3


def test_words_without_a_model_says_how_to_get_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICE_COACH_MODELS", str(tmp_path / "models"))
    path = tmp_path / "a.wav"
    write_wav(path, AudioChunk.silence(1.0, LISTEN_RATE))
    assert main(["analyze", str(path), "--words", "--language", "nl"]) == 1
    assert "voice-coach models download nl" in capsys.readouterr().err
