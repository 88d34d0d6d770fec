"""The real wake-word model (pymicro-wakeword, okay_nabu) on generated speech."""

from __future__ import annotations

import numpy as np
import pytest

from tests import evenings
from tests import speechgen as sg
from voice_coach.config import WakeSettings
from voice_coach.serve.wake import MicroWakeWordDetector, threshold, wake_words

BLOCK = 480


def hits(samples: np.ndarray, detector: MicroWakeWordDetector) -> list[float]:
    """Seconds at which the detector fired, fed 30 ms blocks like the service."""
    found = []
    for start in range(0, len(samples), BLOCK):
        if detector.process(samples[start : start + BLOCK]) is not None:
            found.append((start + BLOCK) / evenings.RATE)
    return found


@pytest.fixture(scope="module")
def detector() -> MicroWakeWordDetector:
    return MicroWakeWordDetector(WakeSettings())


def test_the_shipped_wake_words_are_listed() -> None:
    listed = {w.id: w for w in wake_words()}
    assert set(listed) == {"okay_nabu", "hey_jarvis", "hey_mycroft", "alexa"}
    assert "nl" in listed["okay_nabu"].languages and listed["okay_nabu"].phrase == "Okay Nabu"


def test_sensitivity_moves_the_threshold_around_the_models_own() -> None:
    assert threshold(0.85, 0.5) == pytest.approx(0.85)
    assert threshold(0.85, 1.0) == pytest.approx(0.65)
    assert threshold(0.85, 0.0) == pytest.approx(0.995)


@pytest.mark.parametrize(
    ("voice", "wpm", "level", "background"),
    [
        ("piper", 0, -26.0, "fan"),
        ("piper", 0, -38.0, "tv"),
        ("espeak", 120, -26.0, "fan"),
        ("espeak", 150, -32.0, "tv"),
        ("espeak", 180, -20.0, "fan"),
        ("espeak", 150, -40.0, "fan"),
    ],
)
def test_okay_nabu_is_heard_in_a_room(
    detector: MicroWakeWordDetector, voice: str, wpm: int, level: float, background: str
) -> None:
    scene = evenings.evening(
        [("silence", 2.0), ("wake", (voice, wpm, level)), ("silence", 2.0)],
        background=background,
        background_dbfs=level - 20.0,
    )
    detector.reset()
    found = hits(scene.samples, detector)
    end = scene.marks["wake1"]
    assert len(found) == 1, found
    assert end - 0.3 <= found[0] <= end + 1.0  # heard as the word ends


def test_no_wake_in_talk_without_the_word(detector: MicroWakeWordDetector) -> None:
    """Three minutes of Dutch and English talk over a TV (the hour is in bench/)."""
    detector.reset()
    talk = evenings.talk_without_the_word(180.0)
    assert hits(talk, detector) == []


def test_hey_jarvis_does_not_answer_okay_nabu() -> None:
    jarvis = MicroWakeWordDetector(WakeSettings(word="hey_jarvis"))
    samples = np.concatenate(
        [np.zeros(16000, np.float32), sg.normalise(evenings.okay_nabu(), -26.0)]
    )
    assert hits(np.concatenate([samples, np.zeros(16000, np.float32)]), jarvis) == []
