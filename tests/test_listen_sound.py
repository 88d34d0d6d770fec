"""The listeners on generated speech: calm talk, fans, TVs, bangs, rises, pace.

Speech is espeak-ng (English and Dutch) from tests/speechgen.py, generated once
per test session.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import tests.speechgen as gen
from voice_coach.config import ListenSettings
from voice_coach.listen.listener import Hearing, Listener

BLOCK = 480


def hear_all(
    samples: np.ndarray, keep: np.ndarray | None = None
) -> Iterator[tuple[float, Hearing]]:
    """(start second, hearing) for every 30 ms block; blocks where `keep` is False
    are skipped, as the engine skips the audio while the coach speaks."""
    listener = Listener(ListenSettings())
    for start in range(0, len(samples) - BLOCK + 1, BLOCK):
        if keep is None or keep[start]:
            yield start / gen.RATE, listener.hear(samples[start : start + BLOCK])


def detections(samples: np.ndarray, keep: np.ndarray | None = None) -> list[float]:
    """Seconds at which a raised voice was detected."""
    return [t for t, h in hear_all(samples, keep) if h.raised_over_db is not None]


@pytest.fixture(scope="session")
def calm() -> gen.Scene:
    """A minute of calm English talk between two partners, with a room's hiss."""
    return gen.room(gen.dialogue(26))


@pytest.fixture(scope="session")
def escalation() -> gen.Scene:
    """Calm talk, then both partners 10 dB louder for five turns, then calm."""
    return gen.room(gen.escalation(rise_db=10.0))


def test_calm_talk_is_no_raise(calm: gen.Scene) -> None:
    assert detections(calm.samples) == []


def test_calm_dutch_at_a_far_microphone_is_no_raise() -> None:
    assert detections(gen.far(gen.room(gen.dialogue(16, language="nl"))).samples) == []


def test_fan_and_tv_are_no_raise(calm: gen.Scene) -> None:
    with_fan = gen.Scene(calm.samples.copy()).mix(gen.fan(calm.seconds, -42.0))
    assert detections(with_fan.samples) == []
    with_tv = gen.Scene(calm.samples.copy()).mix(gen.tv(calm.seconds, -48.0))
    assert detections(with_tv.samples) == []


def test_a_bang_is_no_raise(calm: gen.Scene) -> None:
    scene = gen.Scene(calm.samples.copy())
    for at in (12.0, 25.3, 40.1):  # in a sentence, and between sentences
        scene.mix(gen.bang(-3.0), at)
    heard = list(hear_all(scene.samples))
    assert max(h.level_dbfs for _, h in heard) > -10  # the bangs are there, and loud
    assert [t for t, h in heard if h.raised_over_db is not None] == []


def test_a_laugh_and_a_cough_are_no_raise(calm: gen.Scene) -> None:
    scene = gen.Scene(calm.samples.copy())
    laugh = gen.espeak("ha ha ha ha ha ha", "en+f3", 200).samples
    rng = np.random.default_rng(4)
    cough = gen.normalise((rng.standard_normal(gen.RATE * 3 // 10)).astype(np.float32), -12.0)
    # Half-second laughs 14 dB over their talk. (A 0.7 s laugh on top of speech can
    # pass for the second of raised speech the detector waits for.)
    for at, seconds in ((10.2, 0.5), (30.5, 0.5)):
        scene.mix(gen.normalise(laugh[: round(seconds * gen.RATE)], -12.0), at)
    scene.mix(cough, 20.1).mix(cough, 45.3)
    assert detections(scene.samples) == []


@pytest.mark.parametrize("microphone", ["near", "far"])
def test_sustained_rise_is_detected_within_two_seconds(
    escalation: gen.Scene, microphone: str
) -> None:
    scene = escalation if microphone == "near" else gen.far(escalation)
    found = detections(scene.samples)
    rise = scene.marks["rise"]
    assert len(found) == 1
    assert rise < found[0] <= rise + 2.0


def test_rise_in_dutch_with_a_fan_is_detected() -> None:
    scene = gen.escalation(rise_db=10.0, language="nl")
    scene.mix(gen.fan(scene.seconds, -45.0))
    found = detections(scene.samples)
    assert found and scene.marks["rise"] < found[0] <= scene.marks["rise"] + 2.0


def test_detection_copes_with_skipped_audio(escalation: gen.Scene) -> None:
    # Feed only the utterances: the engine skips the pauses when the coach talks.
    keep = np.zeros(len(escalation.samples), bool)
    for start, end in escalation.speech:
        keep[round(start * gen.RATE) : round(end * gen.RATE)] = True
    found = detections(escalation.samples, keep)
    assert len(found) == 1
    assert escalation.marks["rise"] < found[0] <= escalation.marks["rise"] + 2.0


@pytest.mark.parametrize("background", ["fan", "tv"])
def test_silences_are_found_with_a_fan_or_a_tv(background: str) -> None:
    scene = gen.Scene().silence(2.0)
    for i, (text, _) in enumerate(gen.SENTENCES["en"] * 2):
        scene.say(gen.espeak(text, ("en", "en+f3")[i % 2]), -26.0 + (i % 3), 1.5)
    if background == "fan":
        scene.mix(gen.fan(scene.seconds, -42.0))
    else:
        gen.room(scene).mix(gen.tv(scene.seconds, -48.0))
    said = np.zeros(len(scene.samples) // BLOCK, bool)
    for start, end in scene.speech:
        said[round(start * gen.RATE / BLOCK) : round(end * gen.RATE / BLOCK)] = True
    heard = np.array([h.is_speech for _, h in hear_all(scene.samples)])
    said = said[: len(heard)]
    # Speech is heard as speech ...
    assert heard[said].mean() > 0.95
    # ... and the pauses as silence, once the hangover after the last word is over:
    # with a fan from the first second, with a TV once the couple's level is known
    # (the TV is then too quiet to be them).
    settled = ~said & ~np.convolve(said, np.ones(13), "full")[: len(said)].astype(bool)
    learned = 1.0 if background == "fan" else 12.0
    settled[: round(learned * gen.RATE / BLOCK)] = False
    assert (~heard[settled]).mean() > (0.95 if background == "fan" else 0.9)


def pace_of(utterances: list[gen.Utterance], noise: bool = False) -> tuple[float, float, float]:
    """(true rate, measured rate, last windowed rate) in syllables per second of speech.

    The true rate is the syllables of the texts over the duration of the speech
    (each utterance trimmed of silence); the measured rate is the nuclei the
    Listener counted over the speech time it measured (pauses excluded); the
    windowed rate is what the Listener reports at the end (the last 6 s of speech).
    """
    scene = gen.Scene()
    for u in utterances:
        scene.say(u, -26.0, 0.6)
    gen.room(scene)
    if noise:
        scene.mix(gen.fan(scene.seconds, -45.0))
    listener = Listener(ListenSettings())
    last = None
    for start in range(0, len(scene.samples) - BLOCK + 1, BLOCK):
        last = listener.hear(scene.samples[start : start + BLOCK]).pace_sps or last
    assert last is not None
    true = sum(u.syllables for u in utterances) / sum(u.seconds for u in utterances)
    measured = listener.pace.total_nuclei / listener.pace.total_speech_seconds
    return true, measured, last


@pytest.mark.parametrize(
    ("language", "voice"), [("en", "en"), ("en", "en+f3"), ("nl", "nl"), ("nl", "nl+f2")]
)
def test_pace_is_within_20_percent_and_orders_slow_and_fast(language: str, voice: str) -> None:
    rates = []
    for wpm in (100, 160, 230):
        texts = [t for t, _ in gen.SENTENCES[language]]
        true, measured, windowed = pace_of(
            [gen.espeak(t, voice, wpm) for t in texts], noise=wpm == 160
        )
        assert abs(measured - true) / true < 0.2, (wpm, true, measured)
        assert abs(windowed - true) / true < 0.2, (wpm, true, windowed)
        rates.append(windowed)
    assert rates == sorted(rates) and rates[2] > 1.5 * rates[0]


def test_a_new_turn_starts_a_new_pace_window() -> None:
    listener = Listener(ListenSettings())
    fast = [gen.espeak(t, "en", 230) for t, _ in gen.SENTENCES["en"]]
    scene = gen.Scene()
    for u in fast:
        scene.say(u, -26.0, 0.5)
    gen.room(scene)
    paces = [
        listener.hear(scene.samples[i : i + BLOCK]).pace_sps
        for i in range(0, len(scene.samples) - BLOCK + 1, BLOCK)
    ]
    assert paces[-1] is not None and paces[-1] > 5.5
    listener.start_turn()
    assert listener.hear(scene.samples[:BLOCK]).pace_sps is None


@pytest.mark.slow
def test_pace_of_the_piper_voice() -> None:
    texts = [t for t, _ in gen.SENTENCES["en"]]
    slow = pace_of([gen.piper_joe(t, 1.6) for t in texts])
    fast = pace_of([gen.piper_joe(t, 0.8) for t in texts])
    for true, measured, windowed in (slow, fast):
        assert abs(measured - true) / true < 0.2, (true, measured)
        assert abs(windowed - true) / true < 0.2, (true, windowed)
    assert slow[2] < fast[2]
