"""Pace from word timings: syllable counts and speech time without pauses."""

from __future__ import annotations

import pytest

from voice_coach.listen.words import syllables, word_pace
from voice_coach.speech.recognizer import Word


@pytest.mark.parametrize(
    ("word", "count"),
    [("ja", 1), ("vandaag", 2), ("gewandeld", 3), ("mooi", 1), ("tijd", 1),
     ("make", 1), ("little", 2), ("conversation", 4), ("안녕하세요", 5), ("", 0)],
)  # fmt: skip
def test_syllables_from_spelling(word: str, count: int) -> None:
    assert syllables(word) == count


def test_pauses_between_words_do_not_count_as_speech() -> None:
    words = [
        Word("ik", 0.0, 0.2),
        Word("wandel", 0.25, 0.7),  # joined: gap 0.05 s
        Word("graag", 2.0, 2.4),  # a pause of 1.3 s before it
    ]
    pace = word_pace(words)
    assert pace.words == 3 and pace.syllables == 4
    assert pace.speech_s == pytest.approx(0.7 + 0.4)
    assert pace.syllables_per_s == pytest.approx(4 / 1.1)
