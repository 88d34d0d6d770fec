"""The listening exercises in whole simulated sessions, on generated real speech.

- An escalating conversation inside a turn: the coach interrupts kindly at a breath,
  guides breathing, and resumes the turn with its remaining time.
- Slowed-down talking: a fast speaker gets one nudge, at a pause; a calm one none.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests import speechgen
from tests.engine_support import events_of, place, run, script_of, silence
from tests.fakes import AnsweringRecognizer, FakeRecognizer
from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.script.model import Breathe, Say, Settings, Summary, Turn
from voice_coach.speech.vosk import VoskRecognizer

RESUME = "Laten we verdergaan waar we waren. Anna, jij was aan het woord."
RAISED = "Ik hoor de stemmen wat luider worden, dus laten we even samen ademhalen."


def _turn_start(script: Any, recognizer: AnsweringRecognizer | None = None) -> float:
    _, log, _, _ = run(script, silence(600), recognizer)
    return float(events_of(log, "turn_started")[0]["t"])


def _goes_on() -> AnsweringRecognizer:
    """Stands in for a Dutch Vosk model: answers "verder" a second after the coach asks
    whether to go on after a breathing pause."""
    return AnsweringRecognizer(["verder"], listen_for="genoeg")  # only the offer hears it


def _scene_at(scene: speechgen.Scene, at: float, total: float) -> AudioChunk:
    audio = place(silence(total), AudioChunk(scene.samples, LISTEN_RATE), at)
    noise = speechgen.coloured_noise(audio.seconds, 1.0, 11)
    return AudioChunk(audio.samples + speechgen.normalise(noise, -65.0), LISTEN_RATE)


@pytest.mark.parametrize("distance", ["near", "far"])
def test_an_escalation_is_met_with_a_breathing_pause_and_the_turn_resumes(
    distance: str,
) -> None:
    script = script_of(
        Say(("Welkom.",)),
        Turn("A", 240, ("{A}, vertel.",), warn_before=10, end_on_silence=8),
        Say(("Dank jullie.",)),
        Summary(),
    )
    start = _turn_start(script, _goes_on()) + 0.5
    scene = speechgen.escalation(rise_db=10.0, language="nl")
    if distance == "far":
        scene = speechgen.far(scene)
    mic = _scene_at(scene, start, 400)
    reason, log, _, _ = run(script, mic, _goes_on())
    assert reason == "done"

    (raised,) = events_of(log, "raised_voice")
    rise = start + scene.marks["rise"]
    assert rise < raised["t"] <= rise + 2.0 + 2.0  # detected within 2 s, spoken at a breath
    assert raised["over_db"] >= 6.0
    assert raised["speaker"] == "Anna"
    (breathing,) = events_of(log, "breathing_started")
    assert breathing["reason"] == "raised_voice"
    said = events_of(log, "said")
    texts = [e["text"] for e in said]
    # One sentence opens the pause (no second "let's breathe" before the counting), and
    # the coach names whose turn goes on.
    opened = texts.index(RAISED)
    assert texts[opened + 1] == "Adem in"
    assert RAISED.count(".") == 1 and "," in RAISED
    assert texts.index(RESUME) > opened
    (answer,) = events_of(log, "answer")
    assert answer["matched"] == "verder" and not answer["default"]
    # The interruption comes at a breath: the mic is quiet where the coach starts.
    cut = round(raised["t"] * LISTEN_RATE)
    assert float(np.max(np.abs(mic.samples[cut - 240 : cut]))) < 0.01
    # One turn, resumed after the pause: it ends after the resume line, and the time
    # the coach took does not count as Anna's.
    (ended,) = events_of(log, "turn_ended")
    resumed_at = next(e["t"] + e["seconds"] for e in said if e["text"] == RESUME)
    assert ended["t"] > resumed_at
    coach_time = ended["t"] - events_of(log, "turn_started")[0]["t"] - ended["seconds"]
    (breath_end,) = events_of(log, "breathing_ended")
    assert coach_time >= breath_end["seconds"]
    summary = events_of(log, "session_summary")[0]
    assert summary["breathing_pauses"] == 1
    assert "We namen één keer een ademhalingspauze." in texts


def test_calm_conversation_with_a_fan_and_a_bang_gets_no_breathing_pause() -> None:
    script = script_of(Turn("A", 200, ("{A}, vertel.",), end_on_silence=8))
    start = _turn_start(script) + 0.5
    scene = speechgen.room(speechgen.dialogue(14, -26.0, language="nl"))
    scene.mix(speechgen.fan(scene.seconds), 0.0)
    scene.mix(speechgen.bang(), scene.seconds / 2)
    _, log, _, _ = run(script, _scene_at(scene, start, 300))
    assert not events_of(log, "raised_voice")
    (ended,) = events_of(log, "turn_ended")
    assert ended["reason"] == "silence"
    assert ended["speech_seconds"] > 0.6 * sum(b - a for a, b in scene.speech)


def _monologue(words_per_minute: int) -> speechgen.Scene:
    scene = speechgen.Scene()
    for text, _ in speechgen.SENTENCES["nl"] * 2:
        scene.say(speechgen.espeak(text, "nl", words_per_minute), -24.0, pause=0.6)
    return scene


@pytest.mark.parametrize(("wpm", "nudged"), [(260, True), (110, False)])
def test_a_fast_speaker_is_nudged_once_at_a_pause_and_a_calm_one_not(
    wpm: int, nudged: bool
) -> None:
    settings = Settings(pace_feedback=True, pace_target=3.5, breathing_pause=False)
    script = script_of(
        Turn("A", 120, ("{A}, vertel.",), end_on_silence=6), Summary(), settings=settings
    )
    start = _turn_start(script) + 0.5
    scene = _monologue(wpm)
    mic = _scene_at(scene, start, 300)
    _, log, _, _ = run(script, mic)
    feedback = events_of(log, "pace_feedback")
    summary = events_of(log, "session_summary")[0]
    true_rate = (
        sum(speechgen.vowel_groups(t) for t, _ in speechgen.SENTENCES["nl"])
        * 2
        / sum(b - a for a, b in scene.speech)
    )
    assert summary["pace"]["Anna"] == pytest.approx(true_rate, rel=0.25)
    if not nudged:
        assert feedback == []
        return
    (nudge,) = feedback  # at most once per turn
    assert nudge["syllables_per_s"] > 3.5 * 1.3
    said = next(e for e in events_of(log, "said") if e["text"].startswith("Anna, probeer"))
    # Never over the speaker's words: the nudge starts in a pause of the input.
    in_speech = [start + a <= said["t"] <= start + b for a, b in scene.speech]
    assert not any(in_speech)
    spoken = [e["text"] for e in events_of(log, "said")]
    assert not any("lettergrepen" in t for t in spoken)  # no numbers read aloud


def test_the_baseline_is_learned_from_the_first_speech_and_logged() -> None:
    script = script_of(Turn("A", 120, ("{A}, vertel.",), end_on_silence=6))
    start = _turn_start(script) + 0.5
    scene = speechgen.room(speechgen.dialogue(6, -26.0, language="nl"))
    _, log, _, _ = run(script, _scene_at(scene, start, 200))
    (baseline,) = events_of(log, "baseline")
    assert baseline["source"] == "first_speech"
    assert -40.0 < baseline["dbfs"] < -15.0
    # Logged when the turn's listening returns: here at its end (no pace nudge comes to
    # interrupt ordinary speech any more).
    (ended,) = events_of(log, "turn_ended")
    assert start < baseline["t"] <= ended["t"]


def test_a_script_can_turn_the_breathing_pause_off() -> None:
    script = script_of(
        Turn("A", 240, ("{A}, vertel.",), end_on_silence=8),
        settings=Settings(breathing_pause=False),
    )
    start = _turn_start(script) + 0.5
    scene = speechgen.escalation(rise_db=12.0, language="nl")
    _, log, _, _ = run(script, _scene_at(scene, start, 400))
    assert not events_of(log, "raised_voice")
    assert not events_of(log, "breathing_started")


def test_a_script_chooses_the_threshold_and_the_breathing_pattern() -> None:
    script = script_of(
        Turn("A", 240, ("{A}, vertel.",), end_on_silence=8),
        settings=Settings(raised_voice_db=16.0),
    )
    start = _turn_start(script) + 0.5
    scene = speechgen.escalation(rise_db=10.0, language="nl")
    _, log, _, _ = run(script, _scene_at(scene, start, 400))
    # +10 dB (and 3 semitones higher) is well under this script's 16 dB, which even a
    # raised pitch brings down by 5 dB at most.
    assert not events_of(log, "raised_voice")
    box = Breathe(inhale=4, hold=4, exhale=4, hold_out=4, cycles=1)
    script = script_of(
        Turn("A", 240, ("{A}, vertel.",), end_on_silence=8),
        settings=Settings(breathing=box),
    )
    _, log, _, _ = run(script, _scene_at(scene, start, 400))
    texts = [e["text"] for e in events_of(log, "said")]
    assert texts.count("vasthouden") == 2 and texts.count("Adem in") == 1


def _fast_turn_script() -> Any:
    settings = Settings(pace_feedback=True, pace_target=3.5, breathing_pause=False)
    return script_of(Turn("A", 120, ("{A}, vertel.",), end_on_silence=6), settings=settings)


@pytest.mark.parametrize(("word_seconds", "nudged"), [(0.5, False), (0.15, True)])
def test_word_timings_overrule_a_fast_sound_estimate_only_when_they_disagree(
    word_seconds: float, nudged: bool
) -> None:
    script = _fast_turn_script()
    start = _turn_start(script) + 0.5
    scene = _monologue(260)
    # The fake stands in for a Dutch Vosk model: after each sentence it returns eight
    # one-syllable words, 0.5 s each (2 syllables/s: calm) or 0.15 s (6.7/s: fast).
    words = FakeRecognizer(
        [(start + end + 0.2, "ik ben heel blij met wat we nu doen") for _, end in scene.speech],
        word_seconds=word_seconds,
    )
    _, log, _, _ = run(script, _scene_at(scene, start, 300), word_timer=words)
    feedback = events_of(log, "pace_feedback")
    if not nudged:
        assert feedback == []
        return
    (nudge,) = feedback
    assert nudge["words_syllables_per_s"] == pytest.approx(1 / 0.15, rel=0.05)
    assert nudge["syllables_per_s"] > 3.5 * 1.3


@pytest.mark.slow
def test_the_real_recogniser_cross_checks_a_fast_pace(korean: VoskRecognizer) -> None:
    script = _fast_turn_script()
    start = _turn_start(script) + 0.5
    scene = speechgen.Scene()
    for text in ("안녕하세요 오늘은 날씨가 좋네요", "저는 공원에서 오래 걸었어요") * 3:
        scene.say(speechgen.espeak(text, "ko", 230), -24.0, pause=0.6)
    words = VoskRecognizer(korean.model_dir)
    _, log, _, _ = run(script, _scene_at(scene, start, 200), word_timer=words)
    (nudge,) = events_of(log, "pace_feedback")
    assert nudge["words_syllables_per_s"] is not None
    assert nudge["words_syllables_per_s"] > 3.5 * 1.3
    assert nudge["words_syllables_per_s"] == pytest.approx(nudge["syllables_per_s"], rel=0.35)
