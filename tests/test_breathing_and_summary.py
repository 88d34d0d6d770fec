"""The pure parts of the session: the breathing plan and the summary."""

from __future__ import annotations

import pytest

from voice_coach.engine.breathing import Cue, breathing_plan
from voice_coach.engine.summary import PartnerTalk, balance, figures, spoken_lines
from voice_coach.lang import language
from voice_coach.script.model import Breathe


def test_slow_exhale_counts_each_second_of_each_phase() -> None:
    cues, seconds = breathing_plan(Breathe(inhale=4, exhale=6, cycles=1))
    assert seconds == 10
    assert cues == [
        Cue(0, phrase="breathe_in"), Cue(1, count=2), Cue(2, count=3), Cue(3, count=4),
        Cue(4, phrase="breathe_out"), Cue(5, count=2), Cue(6, count=3), Cue(7, count=4),
        Cue(8, count=5), Cue(9, count=6),
    ]  # fmt: skip


def test_box_breathing_holds_after_each_breath_and_the_sigh_inhales_twice() -> None:
    box, seconds = breathing_plan(Breathe(inhale=4, hold=4, exhale=4, hold_out=4, cycles=2))
    assert seconds == 32
    phrases = [c.phrase for c in box if c.phrase]
    assert phrases == ["breathe_in", "breathe_hold", "breathe_out", "breathe_hold"] * 2
    sigh, seconds = breathing_plan(Breathe(inhale=2, exhale=6, double_inhale=True, cycles=1))
    assert [c.phrase for c in sigh if c.phrase] == ["breathe_in", "breathe_in_more", "breathe_out"]
    assert seconds == 9
    assert all(c.optional == (c.count > 0) for c in sigh)


def test_balance_and_figures() -> None:
    assert balance(30, 60) == 0.5 and balance(0, 0) == 1.0
    talk = {"A": PartnerTalk(90.0, [3.0, 4.0]), "B": PartnerTalk(30.0)}
    names = {"A": "Anna", "B": "Bram"}
    assert figures(names, talk, 1) == {
        "talk_seconds": {"Anna": 90.0, "Bram": 30.0},
        "balance": 0.33,
        "breathing_pauses": 1,
        "pace": {"Anna": 3.5},
        "shared_seconds": 0.0,
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("nl", [
            "Anna sprak ongeveer 1,5 minuten, Bram ongeveer 30 seconden.",
            "Anna sprak deze keer meer dan Bram. Misschien mag Bram de volgende keer beginnen.",
            "We namen één keer een ademhalingspauze.",
        ]),
        ("en", [
            "Anna spoke for about 1.5 minutes, Bram for about 30 seconds.",
            "Anna spoke more than Bram this time. Maybe Bram could begin next time.",
            "We took a breathing pause once.",
        ]),
    ],
)  # fmt: skip
def test_spoken_summary_lines(code: str, expected: list[str]) -> None:
    lang = language(code)

    def phrase(key: str, **values: object) -> str:
        text = lang.phrases[key][0]
        for name, value in {"A": "Anna", "B": "Bram", **values}.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    talk = {"A": PartnerTalk(90.0, [3.0, 4.0]), "B": PartnerTalk(30.0)}
    assert spoken_lines(phrase, lang, {"A": "Anna", "B": "Bram"}, talk, 1) == expected


def test_a_summary_without_any_talk_says_no_talk_times() -> None:
    lang = language("nl")

    def phrase(key: str, **values: object) -> str:
        return key

    silent = {"A": PartnerTalk(0.0), "B": PartnerTalk(0.0)}
    assert spoken_lines(phrase, lang, {"A": "Anna", "B": "Bram"}, silent, 1) == ["summary_pauses"]
    both = PartnerTalk(40.0)  # heard only in a turn of both: that time is still said
    lines = spoken_lines(phrase, lang, {"A": "Anna", "B": "Bram"}, silent, 0, shared=both)
    assert lines == ["summary_shared"]
    # Nothing heard and nothing else to say: one line says so (after the script's
    # "a quick look at how the time was shared" there must be something).
    assert spoken_lines(phrase, lang, {"A": "Anna", "B": "Bram"}, silent, 0) == ["summary_unheard"]
