"""The engine with the real Vosk recogniser in the loop (the Korean model from PyPI).

No Dutch or English model can be downloaded here, so the answer words of these
scripts are Korean; everything else (grammar switching per listening moment, the
whole-utterance rule, answers choosing branches) is the path a Dutch couple takes.
"""

from __future__ import annotations

import pytest

from tests.engine_support import espeak, events_of, place, run, script_of, silence
from voice_coach.script.model import Ask, Say, Turn
from voice_coach.speech.vosk import VoskRecognizer

pytestmark = pytest.mark.slow

ASK = Ask(
    ("Klaar?",),
    (("네", (Say(("Ja gekozen.",)),)), ("아니요", (Say(("Nee gekozen.",)),))),
    timeout=6,
)


@pytest.mark.parametrize(("word", "branch"), [("아니요", "Nee gekozen."), ("네", "Ja gekozen.")])
def test_a_spoken_answer_recognised_by_vosk_chooses_the_branch(
    korean: VoskRecognizer,
    word: str,
    branch: str,
) -> None:
    script = script_of(ASK)
    _, dry, _, _ = run(script, silence(30), korean)
    prompt = events_of(dry, "said")[0]
    listening = prompt["t"] + prompt["seconds"]
    mic = place(silence(30), espeak(word, "ko", 130), listening + 0.5)
    _, log, _, _ = run(script, mic, korean)
    (answer,) = events_of(log, "answer")
    assert answer["matched"] == word and not answer["default"]
    assert listening + 0.5 < answer["t"] < listening + 6.0
    assert events_of(log, "said")[-1]["text"] == branch


def test_speech_in_a_turn_is_not_taken_for_a_command(
    korean: VoskRecognizer,
) -> None:
    script = script_of(Say(("Welkom.",)), Turn("A", 20, ("{A}?",), end_on_silence=3))
    mic = place(silence(60), espeak("안녕하세요 오늘은 날씨가 좋네요", "ko"), 3.0)
    reason, log, _, _ = run(script, mic, korean)
    assert reason == "done"
    assert not events_of(log, "command")
    (ended,) = events_of(log, "turn_ended")
    assert ended["reason"] == "silence" and ended["speech_seconds"] > 1.0
