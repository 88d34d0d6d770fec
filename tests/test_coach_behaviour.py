"""How the coach behaves towards a couple (issue 9), on scripts built in code.

Silence is never consent; without names the coach speaks without them; without a
recogniser it says how to stop and takes defaults; the mirroring loop validates and
empathises; turns of both partners, per-turn settings, swapping repeats, the first
evening's words said once, and summaries that say pace in words.
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.engine_support import events_of, script_of, silence
from tests.fakes import AnsweringRecognizer, FakeRecognizer
from voice_coach.audio.sim import TrackSpeaker, WavMicrophone
from voice_coach.config import ListenSettings
from voice_coach.engine.build import Ports, audio_session
from voice_coach.engine.couple import CoupleRecord, load_record
from voice_coach.engine.events import EventLog
from voice_coach.engine.summary import PartnerTalk, Parts, spoken_lines
from voice_coach.lang import language
from voice_coach.script.model import (
    Ask,
    End,
    Mirror,
    Onboarding,
    Partner,
    Repeat,
    Say,
    Script,
    Summary,
    Turn,
)
from voice_coach.speech.voice import FakeVoice

CONSENT = Ask(
    ("Kunnen jullie je daar allebei in vinden?",),
    (("ja", (Say(("Fijn. Dan beginnen we.",)),)), ("nee", (End(("Dan stoppen we.",)),))),
    timeout=6,
    default="nee",
)


def _said(log: EventLog) -> list[str]:
    return [e["text"] for e in events_of(log, "said")]


def _run_with(
    script: Script,
    seconds: float = 600,
    recognizer: FakeRecognizer | AnsweringRecognizer | None = None,
    names: tuple[str, ...] = ("Anna", "Bram"),
    couple: CoupleRecord | None = None,
) -> tuple[str, EventLog]:
    ports = Ports(WavMicrophone(silence(seconds)), TrackSpeaker(), FakeVoice(), recognizer)
    log = EventLog()
    session, _ = audio_session(
        script, ListenSettings(), ports, "simulated", log, names, seed=0, couple=couple
    )
    return session.run(), log


# -- silence is never consent ---------------------------------------------------------


def test_a_consent_question_on_silence_takes_the_safe_default_and_says_so() -> None:
    reason, log = _run_with(script_of(CONSENT, Say(("Verder.",))), recognizer=FakeRecognizer([]))
    said = _said(log)
    assert said[0] == "Kunnen jullie je daar allebei in vinden?"
    assert said[1] == "Ik heb het niet goed verstaan. Zeg maar ja of nee."  # asked twice
    assert said[2] == "Ik hoorde geen antwoord, dus ik houd het op nee."
    assert said[3] == "Dan stoppen we."
    assert reason == "end_step"
    (answer,) = events_of(log, "answer")
    assert answer["matched"] == "nee" and answer["default"]


def test_a_spoken_yes_still_gives_consent() -> None:
    recognizer = AnsweringRecognizer(["ja hoor"], listen_for="nee")
    reason, log = _run_with(script_of(CONSENT, Say(("Verder.",))), recognizer=recognizer)
    assert reason == "done"
    assert "Fijn. Dan beginnen we." in _said(log) and "Verder." in _said(log)


def test_without_a_default_the_first_answer_is_taken_and_said() -> None:
    ask = Ask(("Nog een ronde?",), (("ja", ()), ("nee", ())), timeout=4)
    _, log = _run_with(script_of(ask), recognizer=FakeRecognizer([]))
    assert "Ik hoorde geen antwoord, dus ik houd het op ja." in _said(log)


def test_an_unheard_mirror_check_is_asked_once_more_and_not_taken_as_a_yes() -> None:
    script = script_of(Mirror("A", "B", 20, end_on_silence=3))
    _, log = _run_with(script, recognizer=FakeRecognizer([]))
    said = _said(log)
    check = said.index("Anna, klopt dat?")
    assert said[check + 1] == "Ik heb het niet goed verstaan. Zeg maar ja of nee."
    assert said[check + 2] == "Ik hoorde geen antwoord. We gaan verder."
    assert not any("houd het op ja" in line for line in said)
    assert [a["matched"] for a in events_of(log, "answer")] == [""]
    parts = [e["part"] for e in events_of(log, "turn_started")]
    assert parts == ["message", "mirror"]  # moved on: no correction, nothing pretended


# -- without a recogniser -------------------------------------------------------------


def test_without_a_recogniser_the_coach_says_how_to_stop_once_and_takes_defaults() -> None:
    script = script_of(Say(("Welkom.",)), CONSENT, Say(("Nooit.",)))
    reason, log = _run_with(script, recognizer=None)
    said = _said(log)
    assert said[0].startswith("Ik kan vanavond niet verstaan")
    assert "Control C" in said[0] and sum("Control C" in line for line in said) == 1
    assert said[2:] == [
        "Kunnen jullie je daar allebei in vinden?",  # asked once: nothing can hear it twice
        "Ik kan jullie antwoord niet verstaan, dus ik houd het op nee.",
        "Dan stoppen we.",
    ]
    assert reason == "end_step"
    assert not any("stop zeggen" in line or "Zeg stop" in line for line in said)


def test_without_a_recogniser_the_first_evening_does_not_mention_spoken_commands() -> None:
    _, log = _run_with(script_of(Onboarding()), recognizer=None)
    assert not any("pauze" in line for line in _said(log))
    _, log = _run_with(script_of(Onboarding()), recognizer=FakeRecognizer([]))
    assert "Jullie kunnen altijd pauze, herhaal of stop zeggen." in _said(log)


# -- no names ---------------------------------------------------------------------------


def test_without_names_the_coach_speaks_without_them() -> None:
    script = script_of(
        Say(("Welkom {A} en {B}.",)),
        Turn("A", 20, ("{A}, hoe was jouw dag?",), end_on_silence=3),
        Turn("B", 20, ("En jij, {B}? Hoe was jouw dag?",), end_on_silence=3),
        Turn("B", 20, ("{B}, wat waardeer je aan {A}?",), end_on_silence=3),
        Mirror("A", "B", 20, end_on_silence=3),
        Summary(),
    )
    _, log = _run_with(script, recognizer=FakeRecognizer([]), names=())
    said = _said(log)
    assert said[:6] == [
        "Welkom.",
        "Wie wil beginnen? Hoe was jouw dag?",
        said[2],
        "En nu de ander. En jij? Hoe was jouw dag?",
        said[4],
        "Wie net als laatste sprak, mag nu beginnen. Wat waardeer je aan je partner?",
    ]
    assert said[2] in ("Dank je.", "Dank je wel.")  # the turn's close, without a name
    assert "Wie vertelt: zeg in een paar zinnen wat je bezighoudt. Begin met ik." in said
    # Nobody was heard in the turns: no talk times ("0 seconden") in the summary.
    assert not [line for line in said if "sprak ongeveer" in line], said
    for line in said:
        assert "Partner" not in line and "{" not in line, line
        assert not re.search(r"\b[AB]\b", line), line
    assert events_of(log, "session_started")[0]["names"] == ["A", "B"]


@pytest.mark.parametrize("code", ["nl", "en"])
def test_no_phrase_of_either_language_keeps_a_name_without_names(code: str) -> None:
    lang = language(code)
    for key in lang.phrases:
        values = {"seconds": 10, "answers": "x", "answer": "x", "times": "x", "time": "x"}
        values.update(low="x", high="x", top="x", count="x", value="x", wake="x")
        text = lang.phrase_unnamed(key, None, None, a_time="x", b_time="x", **values)
        assert "{" not in text, (key, text)
        assert "Partner" not in text
        assert not text.startswith((",", " ")), (key, text)


# -- mirroring, complete --------------------------------------------------------------


def test_mirroring_validates_and_empathises_in_order_then_swaps() -> None:
    script = script_of(
        Mirror(
            "A",
            "B",
            20,
            mirror_seconds=15,
            end_on_silence=3,
            validate=True,
            empathize=True,
            swap=True,
        )
    )
    _, log = _run_with(script, recognizer=AnsweringRecognizer(["klopt"] * 4, listen_for="ja"))
    turns = [(e["speaker"], e["part"]) for e in events_of(log, "turn_started")]
    assert turns == [
        ("Anna", "message"),
        ("Bram", "mirror"),
        ("Bram", "validation"),
        ("Bram", "empathy"),
        ("Bram", "message"),
        ("Anna", "mirror"),
        ("Anna", "validation"),
        ("Anna", "empathy"),
    ]
    said = _said(log)
    validate = said.index(
        "Bram, zeg nu wat je begrijpt van hoe Anna het ziet. Je kunt beginnen met: dat is "
        "logisch, want. Het eens zijn hoeft niet."
    )
    empathy = said.index(
        "Bram, zeg tot slot hoe Anna zich volgens jou voelt. Bijvoorbeeld: ik kan me "
        "voorstellen dat je je alleen voelt."
    )
    assert (
        validate
        < empathy
        < said.index("Nu wisselen we. Bram, nu vertel jij. Anna, nu luister jij.")
    )
    assert said[-1] == "Dank jullie wel, allebei, voor het vertellen en het luisteren."


def test_after_more_than_one_message_the_receiver_sums_up_before_validating() -> None:
    script = script_of(Mirror("A", "B", 20, rounds=2, end_on_silence=3, validate=True))
    # "klopt" confirms each mirror; "ja" to "is er meer?" the first time.
    recognizer = AnsweringRecognizer(["ja"] * 4, listen_for="ja")
    _, log = _run_with(script, recognizer=recognizer)
    parts = [e["part"] for e in events_of(log, "turn_started")]
    assert parts == ["message", "mirror", "message", "mirror", "summary", "validation"]


# -- turns of both, and per turn settings ---------------------------------------------


def test_a_turn_of_both_is_one_stretch_counted_as_shared() -> None:
    script = script_of(
        Turn("both", 30, ("Praat samen verder.",), warn_before=10, end_on_silence=None),
        Summary(),
    )
    _, log = _run_with(script)
    (started,) = events_of(log, "turn_started")
    assert started["role"] == "both" and started["speaker"] == "Anna en Bram"
    (ended,) = events_of(log, "turn_ended")
    assert ended["seconds"] == pytest.approx(30.0, abs=0.031)
    said = _said(log)
    assert "Nog 10 seconden." in said
    assert said[said.index("Nog 10 seconden.") + 1] in ("Dank jullie wel.", "Dank jullie, allebei.")
    summary = events_of(log, "session_summary")[0]
    assert summary["shared_seconds"] == 0.0
    assert summary["talk_seconds"] == {"Anna": 0.0, "Bram": 0.0}


def test_a_turn_carries_its_own_settings() -> None:
    turn = Turn(
        "A", 20, ("{A}, vertel.",), pace_feedback=True, pace_target=3.0, breathing_pause=False
    )
    assert turn.overrides() == {"pace_feedback": True, "pace_target": 3.0, "breathing_pause": False}
    assert Turn("A", 20).overrides() == {}
    settings = ListenSettings().with_overrides(turn.overrides())
    assert (settings.pace_feedback, settings.pace_target, settings.breathing_pause) == (
        True,
        3.0,
        False,
    )


def test_pace_feedback_is_off_by_default() -> None:
    assert ListenSettings().pace_feedback is False


# -- repeats that swap ----------------------------------------------------------------

ROUNDS = Repeat(
    2,
    (
        Turn("A", 10, ("{A}, wat doe jij?",), end_on_silence=2),
        Turn("B", 10, ("{B}, zeg terug wat je hoorde.",), end_on_silence=2),
    ),
    swap=True,
)


def _speakers(log: EventLog) -> list[str]:
    return [e["speaker"] for e in events_of(log, "turn_started")]


def test_a_swapping_repeat_exchanges_the_roles_each_round() -> None:
    _, log = _run_with(script_of(ROUNDS))
    assert _speakers(log) == ["Anna", "Bram", "Bram", "Anna"]
    said = _said(log)
    assert "Bram, wat doe jij?" in said and "Anna, zeg terug wat je hoorde." in said


def test_start_b_begins_with_the_roles_exchanged() -> None:
    import dataclasses

    _, log = _run_with(script_of(dataclasses.replace(ROUNDS, start="B")))
    assert _speakers(log) == ["Bram", "Anna", "Anna", "Bram"]


def test_alternate_starts_with_the_other_partner_than_last_time() -> None:
    import dataclasses

    script = script_of(dataclasses.replace(ROUNDS, start="alternate", swap=False, times=1))
    couple = CoupleRecord()
    firsts = []
    for _ in range(3):
        _, log = _run_with(script, couple=couple)
        firsts.append(_speakers(log)[0])
    assert firsts == ["Anna", "Bram", "Anna"]
    assert couple.starts == {"test@0": "A"}


def test_random_start_follows_the_seed() -> None:
    import dataclasses

    script = script_of(dataclasses.replace(ROUNDS, start="random", times=1))
    _, one = _run_with(script)
    _, two = _run_with(script)
    assert _speakers(one) == _speakers(two)


# -- the first evening ----------------------------------------------------------------


def test_the_first_evening_is_said_once_and_remembered_privately(tmp_path: Path) -> None:
    path = tmp_path / "data" / "couple.json"
    script = script_of(Say(("Welkom.",)), Onboarding(), Say(("We beginnen.",)))
    _, first = _run_with(script, recognizer=FakeRecognizer([]), couple=load_record(path))
    said = _said(first)
    assert said[1].startswith("Omdat het jullie eerste keer is")
    assert "ik ben geen therapeut." in said[1]
    assert "huisarts" in said[2]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text())["onboarded"] is True
    _, second = _run_with(script, recognizer=FakeRecognizer([]), couple=load_record(path))
    assert _said(second) == ["Welkom.", "We beginnen."]


def test_an_unreadable_record_is_an_empty_one(tmp_path: Path) -> None:
    path = tmp_path / "couple.json"
    path.write_text("{not json")
    record = load_record(path)
    assert not record.onboarded and record.calm_pace is None and record.path == path
    path.write_text(json.dumps({"version": 1, "calm_pace": "fast", "starts": {"x@1": "C"}}))
    assert load_record(path).calm_pace is None and load_record(path).starts == {}


# -- summaries that fit the exercise --------------------------------------------------


def _phrase_of(code: str, named: bool = True) -> Callable[..., str]:
    lang = language(code)

    def phrase(key: str, **values: object) -> str:
        if named:
            return lang.phrase(key, None, None, A="Anna", B="Bram", **values)
        return lang.phrase_unnamed(key, None, None, **values)

    return phrase


def _talk() -> dict[Partner, PartnerTalk]:
    anna, bram = PartnerTalk(), PartnerTalk()
    anna.add_turn(10.0, 50.0, [4.8, 5.0])
    anna.add_turn(200.0, 40.0, [3.6, 3.8])
    bram.add_turn(60.0, 45.0, [4.0])
    bram.add_turn(260.0, 45.0, [4.1])
    return {"A": anna, "B": bram}


def test_a_summary_says_pace_in_words_only_where_asked() -> None:
    names: dict[Partner, str] = {"A": "Anna", "B": "Bram"}
    lang = language("nl")
    plain = spoken_lines(_phrase_of("nl"), lang, names, _talk(), 0)
    assert not any("rustiger" in line or "tempo" in line for line in plain)
    paced = spoken_lines(
        _phrase_of("nl"),
        lang,
        names,
        _talk(),
        0,
        Parts(talk=False, pace=True),
    )
    assert paced == [
        "Anna sprak aan het eind rustiger dan aan het begin.",
        "Bram hield de hele tijd ongeveer hetzelfde tempo aan.",
    ]
    for line in paced:
        assert not re.search(r"\d", line)
    english = spoken_lines(
        _phrase_of("en"),
        language("en"),
        names,
        _talk(),
        0,
        Parts(talk=False, pace=True),
    )
    assert english[0] == "Anna spoke more calmly at the end than at the start."
    together = spoken_lines(
        _phrase_of("nl", named=False),
        lang,
        names,
        _talk(),
        0,
        Parts(talk=False, pace=True),
        named=False,
    )
    assert together == ["Jullie spraken aan het eind rustiger dan aan het begin."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Welkom {A} en {B}.", "Welkom."),
        (
            "Fijn dat jullie er zijn, {A} en {B}. Vanavond oefenen we.",
            "Fijn dat jullie er zijn. Vanavond oefenen we.",
        ),
        ("{B}, wat waardeer je aan {A}?", "Wat waardeer je aan je partner?"),
        ("En jij, {B}? Hoe was jouw dag?", "En jij? Hoe was jouw dag?"),
        ("Mooi. {B}, zeg de afspraak hardop.", "Mooi. Zeg de afspraak hardop."),
        ("Goed, {name}, dan slaan we het over.", "Goed, dan slaan we het over."),
        ("Vul aan op wat {B} vertelde.", "Vul aan op wat je partner vertelde."),
        ("en uit", "en uit"),  # no names: exactly as written
    ],
)
def test_texts_lose_their_names_naturally(text: str, expected: str) -> None:
    assert language("nl").without_names(text) == expected


def test_an_evening_with_history_in_the_journal_is_no_first_evening() -> None:
    from voice_coach.engine.history import Recent

    script = script_of(Say(("Welkom.",)), Onboarding(), Say(("We beginnen.",)))
    ports = Ports(WavMicrophone(silence(60)), TrackSpeaker(), FakeVoice(), FakeRecognizer([]))
    log = EventLog()
    recent = Recent(
        sessions_7_days=2,
        sessions_before=5,
        pauses_7_days=0,
        pauses_prior_7_days=0,
        balance_mean=None,
    )
    couple = CoupleRecord()
    session, _ = audio_session(
        script, ListenSettings(), ports, "simulated", log, history=recent, couple=couple
    )
    session.run()
    assert _said(log) == ["Welkom.", "We beginnen."]
    assert couple.onboarded


def test_the_lines_rendered_ahead_follow_the_names_or_their_absence() -> None:
    from voice_coach.engine.prompts import fixed_lines

    script = script_of(Say(("Welkom {A} en {B}.",)), Onboarding(), Turn("A", 10, ("{A}, vertel.",)))
    lang = language("nl")
    named = fixed_lines(script, lang, ["Anna", "Bram"])
    assert "Welkom Anna en Bram." in named and "Anna, vertel." in named
    unnamed = fixed_lines(script, lang, [])
    assert "Welkom." in unnamed and "Vertel." in unnamed
    assert lang.phrases["onboarding"][0] in unnamed and "Wie wil beginnen?" in unnamed
    assert not any("{" in line or "Partner" in line for line in unnamed)
