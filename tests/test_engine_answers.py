"""Answers and commands reach the engine through a recogniser (here the fake for Vosk)."""

from __future__ import annotations

import pytest

from tests.engine_support import events_of, run, script_of, silence
from tests.fakes import FakeRecognizer
from voice_coach.script.model import Ask, End, Mirror, Pause, Say, Turn

ASK = Ask(
    ("Willen jullie nog een ronde?",),
    (("ja", (Say(("Goed, we gaan door.",)),)), ("nee", (Say(("Dan sluiten we af.",)),))),
    timeout=8,
)


def _when(log_events: list[dict[str, object]], text: str) -> float:
    return float(next(e["t"] for e in log_events if e["text"] == text))  # type: ignore[arg-type]


def test_an_answer_by_synonym_picks_its_branch() -> None:
    _, log, _, _ = run(script_of(ASK), silence(60), FakeRecognizer([(4.0, "nee hoor")]))
    (answer,) = events_of(log, "answer")
    assert answer["matched"] == "nee" and answer["text"] == "nee hoor" and not answer["default"]
    assert "Dan sluiten we af." in [e["text"] for e in events_of(log, "said")]


def test_no_match_asks_once_more_then_takes_the_first_answer() -> None:
    _, log, _, _ = run(script_of(ASK), silence(60), FakeRecognizer([(4.0, "misschien")]))
    said = [e["text"] for e in events_of(log, "said")]
    assert said[1] == "Ik heb het niet goed verstaan. Zeg maar ja of nee."
    (answer,) = events_of(log, "answer")
    assert answer == {**answer, "matched": "ja", "default": True, "text": ""}
    assert "Ik hoorde geen antwoord, dus ik houd het op ja." in said
    assert "Goed, we gaan door." in said


def test_without_a_recogniser_the_coach_says_so_and_takes_defaults() -> None:
    _, log, _, _ = run(script_of(ASK), silence(60), recognizer=None)
    (notice,) = events_of(log, "notice")
    assert notice["code"] == "no_recognizer"
    (answer,) = events_of(log, "answer")
    assert answer["default"] and answer["matched"] == "ja"
    asked = [e for e in events_of(log, "said") if e["text"] == "Willen jullie nog een ronde?"]
    assert len(asked) == 1  # no second asking when nobody can be understood


def test_the_recogniser_listens_for_the_answers_and_the_commands() -> None:
    recognizer = FakeRecognizer([])
    run(script_of(ASK), silence(40), recognizer)
    grammar = next(g for g in recognizer.grammars if g and "jazeker" in g)
    assert {"ja", "nee", "klopt", "stop", "pauze", "verder", "herhaal"} <= set(grammar)


def test_a_wrong_mirror_is_corrected_and_mirrored_again() -> None:
    script = script_of(Mirror("A", "B", 30, rounds=1, end_on_silence=3))
    # Dry run: when does the coach ask "klopt dat?"
    _, dry, _, _ = run(script, silence(300), FakeRecognizer([]))
    check = _when(events_of(dry, "said"), "Anna, klopt dat?")
    recognizer = FakeRecognizer([(check + 3.0, "nee"), (check + 40.0, "ja")])
    _, log, _, _ = run(script, silence(300), recognizer)
    parts = [e["part"] for e in events_of(log, "turn_started")]
    assert parts == ["message", "mirror", "correction", "mirror"]
    assert [a["matched"] for a in events_of(log, "answer")][:1] == ["nee"]
    said = [e["text"] for e in events_of(log, "said")]
    assert "Anna, vertel wat er anders is, of wat er nog mist." in said
    assert "Bram, zeg nog eens terug wat je nu hoort." in said


def test_is_there_more_yes_gives_the_sender_another_message() -> None:
    script = script_of(Mirror("A", "B", 30, rounds=2, end_on_silence=3))
    _, dry, _, _ = run(script, silence(300), FakeRecognizer([]))
    more = _when(events_of(dry, "said"), "Anna, is er meer?")
    _, log, _, _ = run(script, silence(300), FakeRecognizer([(more + 2.5, "ja")]))
    parts = [e["part"] for e in events_of(log, "turn_started")]
    assert parts == ["message", "mirror", "message", "mirror", "summary"]
    said = [e["text"] for e in events_of(log, "said")]
    assert "Vertel maar, Anna." in said
    assert "Bram, vat nu kort samen wat Anna je allemaal vertelde." in said


def test_stop_during_a_turn_ends_the_session_politely() -> None:
    script = script_of(Turn("A", 60, ("{A}, vertel.",)), Say(("Nooit gezegd.",)))
    reason, log, _, _ = run(script, silence(120), FakeRecognizer([(10.0, "stop")]))
    assert reason == "stop"
    (ended,) = events_of(log, "turn_ended")
    said = [e["text"] for e in events_of(log, "said")]
    assert said[-1] == "We stoppen hier. Dank jullie wel voor deze tijd samen."
    assert "Nooit gezegd." not in said
    assert events_of(log, "session_ended")[-1]["reason"] == "stop"
    assert ended is not None


def test_a_stop_spoken_over_the_coach_cuts_it_off() -> None:
    script = script_of(Say(("Dit is een hele lange zin die de coach nu rustig uitspreekt.",)))
    reason, log, _, _ = run(script, silence(60), FakeRecognizer([(1.0, "stop")]))
    assert reason == "stop"
    first = events_of(log, "said")[0]
    assert first["seconds"] < 1.2  # cut off, not the full ~4 s line


def test_only_a_whole_short_utterance_is_a_command() -> None:
    script = script_of(Turn("A", 20, ("{A}, vertel.",)))
    reason, log, _, _ = run(
        script, silence(60), FakeRecognizer([(5.0, "we moeten stoppen met ruzie")])
    )
    assert reason == "done"
    assert not events_of(log, "command")


def test_pause_holds_the_turn_and_continue_resumes_with_its_remaining_time() -> None:
    script = script_of(Turn("A", 30, ("{A}, vertel.",)))
    recognizer = FakeRecognizer([(10.0, "pauze"), (100.0, "verder")])
    reason, log, _, _ = run(script, silence(200), recognizer)
    assert reason == "done"
    (paused,) = events_of(log, "paused")
    (resumed,) = events_of(log, "resumed")
    assert resumed["after"] == pytest.approx(100.0 - paused["t"], abs=0.1)
    (ended,) = events_of(log, "turn_ended")
    assert ended["seconds"] == pytest.approx(30.0, abs=0.1)  # the pause did not count


def test_next_ends_a_turn_and_repeat_says_the_last_line_again() -> None:
    script = script_of(Say(("Luister goed.",)), Pause(10), Turn("A", 60, ("{A}?",)))
    recognizer = FakeRecognizer([(4.0, "herhaal"), (20.0, "volgende")])
    _, log, _, _ = run(script, silence(120), recognizer)
    said = [e["text"] for e in events_of(log, "said")]
    assert said[:2] == ["Luister goed.", "Luister goed."]
    (ended,) = events_of(log, "turn_ended")
    assert ended["reason"] == "command"


def test_next_cuts_a_pause_step_short() -> None:
    script = script_of(Pause(30), Say(("Klaar.",)))
    _, log, _, _ = run(script, silence(60), FakeRecognizer([(5.0, "volgende")]))
    assert events_of(log, "said")[-1]["t"] == pytest.approx(5.0, abs=0.1)


def test_every_mirror_is_checked_and_corrections_are_limited() -> None:
    script = script_of(Mirror("A", "B", 20, rounds=1, corrections=1, end_on_silence=2))
    _, dry, _, _ = run(script, silence(300), FakeRecognizer([]))
    check = _when(events_of(dry, "said"), "Anna, klopt dat?")
    _, once, _, _ = run(script, silence(300), FakeRecognizer([(check + 2.5, "nee")]))
    checks = [e["t"] for e in events_of(once, "said") if e["text"] == "Anna, klopt dat?"]
    # "nee" to the first mirror, and "nee" again to the corrected one.
    recognizer = FakeRecognizer([(check + 2.5, "nee"), (checks[1] + 2.5, "nee")])
    _, log, _, _ = run(script, silence(300), recognizer)
    parts = [e["part"] for e in events_of(log, "turn_started")]
    assert parts == ["message", "mirror", "correction", "mirror"]  # one correction only
    checks = [e for e in events_of(log, "said") if e["text"] == "Anna, klopt dat?"]
    assert len(checks) == 2  # the corrected mirror was checked too
    assert [a["matched"] for a in events_of(log, "answer")] == ["nee", "nee"]


def test_next_during_a_question_takes_the_default_at_once() -> None:
    _, log, _, _ = run(script_of(ASK), silence(60), FakeRecognizer([(3.0, "volgende")]))
    said = [e["text"] for e in events_of(log, "said")]
    assert not any(t.startswith("Ik heb het niet goed verstaan") for t in said)
    (answer,) = events_of(log, "answer")
    assert answer["default"] and answer["matched"] == "ja"
    assert answer["t"] == pytest.approx(3.0, abs=0.1)


def test_an_end_step_in_an_answer_ends_the_session_after_its_last_words() -> None:
    script = script_of(
        Ask(
            ("Willen jullie verder?",),
            (("ja", ()), ("nee", (End(("Dan stoppen we hier.",)),))),
            timeout=5,
        ),
        Say(("Nooit gezegd.",)),
    )
    reason, log, _, _ = run(script, silence(60), FakeRecognizer([(3.0, "nee")]))
    assert reason == "end_step"
    said = [e["text"] for e in events_of(log, "said")]
    assert said[-1] == "Dan stoppen we hier."
    assert "Nooit gezegd." not in said
    assert events_of(log, "session_ended")[-1]["reason"] == "end_step"
