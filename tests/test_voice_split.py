"""Talk time in a turn of both partners, split by their calm voices."""

from __future__ import annotations

import numpy as np
import pytest

from tests import speechgen
from tests.engine_support import events_of, place, run, script_of, silence
from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.listen.voices import VoiceSplit
from voice_coach.script.model import Turn

BLOCK = 0.03
LOW, HIGH = 110.0, 220.0  # a man's and a woman's calm pitch, Hertz


def _feed(split: VoiceSplit, blocks: list[tuple[bool, float | None]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for speech, pitch in blocks:
        for role, seconds in split.update(BLOCK, speech, pitch).items():
            total[role] = total.get(role, 0.0) + seconds
    return {role: round(seconds, 2) for role, seconds in total.items()}


def test_no_split_without_two_calm_voices_far_enough_apart() -> None:
    assert VoiceSplit.of({"A": LOW}) is None
    assert VoiceSplit.of({"A": LOW, "B": LOW * 1.1}) is None  # under 4 semitones apart
    assert VoiceSplit.of({"A": LOW, "B": HIGH}) is not None


def test_an_utterance_goes_to_the_voice_heard_in_it_from_its_first_block() -> None:
    split = VoiceSplit({"A": LOW, "B": HIGH})
    # 3 unvoiced blocks, then A's voice, an unvoiced block, A again; a pause; then B.
    blocks = [(True, None)] * 3 + [(True, 115.0), (True, None), (True, 108.0)]
    blocks += [(False, None)] * 5 + [(True, 230.0)] * 4
    assert _feed(split, blocks) == {"A": 0.18, "B": 0.12}


def test_a_pitch_between_the_voices_decides_nothing() -> None:
    split = VoiceSplit({"A": LOW, "B": HIGH})
    assert split.voice_of(155.0) is None  # about halfway, in semitones
    assert _feed(split, [(True, 155.0)] * 10) == {}
    assert split.pending_s == pytest.approx(0.3)


def test_a_short_slip_of_pitch_does_not_hand_the_utterance_over() -> None:
    split = VoiceSplit({"A": LOW, "B": HIGH})
    blocks = [(True, 110.0)] * 5 + [(True, 225.0)] * 2 + [(True, 110.0)] * 3
    assert _feed(split, blocks) == {"A": 0.3}
    blocks = [(True, 225.0)] * 4 + [(True, 220.0)] * 2  # the other voice, for a moment
    assert _feed(split, blocks) == {"A": 0.09, "B": 0.09}


@pytest.mark.slow
def test_a_turn_of_both_splits_the_talk_between_the_two_voices() -> None:
    """A man (espeak nl) and a woman (espeak nl+f2) each take a turn, then talk
    together in one stretch: A says four sentences, B two. The summary gives each their
    own talk time instead of calling it all shared."""
    script = script_of(
        Turn("A", 20, ("{A}, vertel.",)),
        Turn("B", 20, ("{B}, vertel.",)),
        Turn("both", 60, ("Praat samen.",)),
    )
    _, log, _, _ = run(script, silence(200))
    starts = [float(e["t"]) for e in events_of(log, "turn_started")]
    sentences = [text for text, _ in speechgen.SENTENCES["nl"]]

    def voice(name: str, texts: list[str]) -> speechgen.Scene:
        scene = speechgen.Scene()
        for text in texts:
            scene.say(speechgen.espeak(text, name, 150), -26.0, pause=0.6)
        return scene

    voices = {"A": "nl", "B": "nl+f2"}
    a_turn, b_turn = voice(voices["A"], sentences[:4]), voice(voices["B"], sentences[:4])
    both = speechgen.Scene()
    truth = {"A": 0.0, "B": 0.0}
    order = [("A", 0), ("A", 1), ("B", 2), ("A", 3), ("A", 4), ("B", 5)]  # A twice as much
    for role, index in order:
        utterance = speechgen.espeak(sentences[index % len(sentences)], voices[role], 150)
        both.say(utterance, -26.0, pause=0.8)
        truth[role] += utterance.seconds
    mic = silence(200)
    for scene, at in ((a_turn, starts[0]), (b_turn, starts[1]), (both, starts[2])):
        mic = place(mic, AudioChunk(scene.samples, LISTEN_RATE), at + 0.5)
    noise = speechgen.normalise(speechgen.coloured_noise(mic.seconds, 1.0, 5), -65.0)
    _, log, _, _ = run(script, AudioChunk(mic.samples + noise, LISTEN_RATE))
    (summary,) = events_of(log, "session_summary")
    ended = events_of(log, "turn_ended")
    own = {role: float(e["speech_seconds"]) for e, role in zip(ended[:2], "AB", strict=True)}
    split = {
        role: summary["talk_seconds"][name] - own[role]
        for role, name in (("A", "Anna"), ("B", "Bram"))
    }
    heard = float(ended[2]["speech_seconds"])
    assert split["A"] == pytest.approx(truth["A"], rel=0.25)
    assert split["B"] == pytest.approx(truth["B"], rel=0.25)
    assert summary["shared_seconds"] < 0.2 * heard  # nearly all of it attributed
    assert np.isclose(split["A"] + split["B"] + summary["shared_seconds"], heard, atol=0.2)
