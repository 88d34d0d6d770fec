"""The pure parts of `voice-coach serve`: config sections, clock, schedule, states, chooser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from voice_coach.config import (
    ConfigError,
    ScheduleSettings,
    load_config,
    parse_days,
)
from voice_coach.script.model import Say, Script
from voice_coach.serve import chooser
from voice_coach.serve.clock import ServeClock, parse_start, within
from voice_coach.serve.lines import LINES
from voice_coach.serve.machine import IdleMachine, StateError
from voice_coach.serve.schedule import Invitations

MONDAY = dt.date(2026, 11, 30)


def test_serve_sections_are_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[wake]\nword = "hey_jarvis"\nsensitivity = 0.7\n'
        '[serve]\nenabled_hours = "19:00-01:00"\ndefault_script = "spiegelen"\n'
        '[schedule]\ncheckin = "20:30"\ndays = "mon-fri"\nsnooze = 10\n'
    )
    config = load_config(path)
    assert config.wake.word == "hey_jarvis" and config.wake.sensitivity == 0.7
    assert config.serve.hours == (dt.time(19), dt.time(1))
    assert config.schedule.time == dt.time(20, 30)
    assert config.schedule.weekdays == frozenset(range(5))
    assert config.schedule.snooze == 10.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[wake]\nword = "hey_siri"\n', "[wake] 'word' should be one of okay_nabu"),
        ("[wake]\nsensitivity = 2\n", "'sensitivity' should be between 0 and 1"),
        ('[serve]\nenabled_hours = "18:00"\n', "'enabled_hours' should be two times"),
        ('[serve]\nenabled_hours = "18:00-25:00"\n', "should be a time like"),
        ('[serve]\nlanguage = "de"\n', "'language' should be nl or en"),
        ('[schedule]\ncheckin = "9 uur"\n', "[schedule] 'checkin' should be a time"),
        ('[schedule]\ndays = "ma,feestdag"\n', 'unknown day "feestdag"'),
        ("[schedule]\nsnooze = 0\n", "'snooze' should be 1 to 180 minutes"),
        ("[schedule]\nmax_snoozes = 9\n", "'max_snoozes' should be 0 to 5"),
    ],
)
def test_serve_mistakes_name_the_file_the_section_and_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_days_in_dutch_english_and_ranges() -> None:
    assert parse_days("ma,di,wo,do,vr,za,zo") == frozenset(range(7))
    assert parse_days("Monday, Wednesday") == frozenset({0, 2})
    assert parse_days("vr-ma") == frozenset({4, 5, 6, 0})
    assert parse_days("") == frozenset()


def test_the_clock_is_the_start_plus_audio_seconds() -> None:
    clock = ServeClock(dt.datetime(2026, 11, 30, 20, 58))
    assert clock.wall(120.0) == dt.datetime(2026, 11, 30, 21, 0)
    clock.rebase(dt.datetime(2026, 11, 30, 22, 0), 130.0)  # the microphone was away
    assert clock.wall(190.0) == dt.datetime(2026, 11, 30, 22, 1)
    assert parse_start("20:58", MONDAY) == dt.datetime(2026, 11, 30, 20, 58)
    assert parse_start("2026-12-01T07:05", MONDAY) == dt.datetime(2026, 12, 1, 7, 5)
    with pytest.raises(ValueError, match="not a time"):
        parse_start("tonight", MONDAY)


def test_enabled_hours_may_run_past_midnight() -> None:
    evening = (dt.time(18), dt.time(23, 30))
    assert within(dt.time(18), evening) and not within(dt.time(23, 30), evening)
    late = (dt.time(19), dt.time(1))
    assert within(dt.time(0, 30), late) and not within(dt.time(12), late)


def at(hour: int, minute: int, second: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second))


def never(day: dt.date) -> bool:
    return False


def test_the_invitation_comes_at_its_time_and_the_snooze_a_quarter_later() -> None:
    plan = Invitations(ScheduleSettings(checkin="21:00"))
    assert not plan.due(at(20, 59, 59), never)
    assert plan.due(at(21, 0), never)
    assert plan.asked(at(21, 0)) == 1
    assert not plan.due(at(21, 0, 5), never)  # asked: not again at once
    plan.answered("later", at(21, 0, 10))
    assert not plan.due(at(21, 15, 9), never)
    assert plan.due(at(21, 15, 10), never)
    assert plan.asked(at(21, 15, 10)) == 2
    plan.answered("later", at(21, 15, 20))
    assert plan.asked(at(21, 30, 20)) == 3
    plan.answered("later", at(21, 30, 30))  # at most twice "straks"
    assert not plan.due(at(21, 45, 30), never) and not plan.due(at(23, 0), never)


@pytest.mark.parametrize("answer", ["yes", "no", "none"])
def test_any_other_answer_closes_the_evening_until_tomorrow(answer: str) -> None:
    plan = Invitations(ScheduleSettings(checkin="21:00"))
    assert plan.due(at(21, 0), never)
    plan.asked(at(21, 0))
    plan.answered(answer, at(21, 0, 8))  # type: ignore[arg-type]
    assert not plan.due(at(22, 0), never)
    tuesday = MONDAY + dt.timedelta(days=1)
    assert plan.due(at(21, 0, day=tuesday), never)


def test_no_invitation_on_a_day_not_in_days_nor_after_the_check_in() -> None:
    plan = Invitations(ScheduleSettings(checkin="21:00", days="di,wo,do"))
    assert not plan.due(at(21, 0), never)  # Monday
    tuesday = MONDAY + dt.timedelta(days=1)
    done = {tuesday}
    assert not plan.due(at(21, 0, day=tuesday), lambda day: day in done)
    assert Invitations(ScheduleSettings(checkin="")).first_ask(MONDAY) is None


def test_an_invitation_far_too_late_is_dropped() -> None:
    plan = Invitations(ScheduleSettings(checkin="21:00"))
    assert not plan.due(at(22, 30), never)
    assert not plan.due(at(22, 31), never)


def test_the_machine_runs_idle_awake_session_refractory_idle() -> None:
    machine = IdleMachine(refractory_s=2.0)
    assert machine.wake(10.0) and machine.phase == "awake"
    assert not machine.wake(10.5)  # already awake
    machine.start_session(11.0)
    assert not machine.invite(100.0)  # never during a session
    machine.done(200.0)
    assert not machine.wake(201.9) and machine.phase == "refractory"
    assert machine.wake(202.0)
    machine.done(203.0)
    with pytest.raises(StateError):
        machine.start_session(203.5)


def script(script_id: str, title: str, spoken: tuple[str, ...] = ()) -> Script:
    return Script(id=script_id, title=title, language="nl", steps=(Say(("hoi",)),), spoken=spoken)


def test_the_chooser_hears_spoken_names_titles_and_ids() -> None:
    shelf = [
        script("avond-checkin", "Avond check-in", ("check-in", "avond check-in")),
        script("spiegelen", "Spiegelen"),
        script("vertraagd-praten", "Vertraagd praten"),
    ]
    offers = chooser.offers(shelf)
    words = chooser.grammar(offers, LINES["nl"].cancel)
    assert {"check-in", "avond check-in", "spiegelen", "vertraagd praten", "laat maar"} <= set(
        words
    )
    assert chooser.choose("Check-in", offers).script.id == "avond-checkin"  # type: ignore[union-attr]
    assert chooser.choose("graag spiegelen", offers).script.id == "spiegelen"  # type: ignore[union-attr]
    assert chooser.choose("laat maar", offers) is None
    assert chooser.examples(offers, ["avond-checkin"]) == [
        "check-in",
        "spiegelen",
        "vertraagd praten",
    ]


def test_invitation_answers() -> None:
    nl = LINES["nl"]
    assert nl.invitation_answer("ja hoor") == "yes"
    assert nl.invitation_answer("straks") == "later"
    assert nl.invitation_answer("nee") == "no"
    assert nl.invitation_answer("misschien") == "none"


def test_spoken_names_are_read_and_checked(tmp_path: Path) -> None:
    from voice_coach.script.load import check_file, load_script

    good = tmp_path / "good.yaml"
    good.write_text(
        "id: x\ntitle: X\nlanguage: nl\nspoken: [check-in, avond check-in]\nsteps: [{say: hoi}]\n"
    )
    assert load_script(good).spoken == ("check-in", "avond check-in")
    one = tmp_path / "one.yaml"
    one.write_text("id: x\ntitle: X\nlanguage: nl\nspoken: oefening\nsteps: [{say: hoi}]\n")
    assert load_script(one).spoken == ("oefening",)
    for value, message in [
        ("[check-in, 'ja. nee']", "a name to say should be a few words"),
        ("['{A} praat']", "unknown placeholder {A} in 'spoken'"),
        ("[]", "'spoken' is an empty list"),
        ("3", "'spoken' should be text"),
    ]:
        bad = tmp_path / "bad.yaml"
        bad.write_text(f"id: x\ntitle: X\nlanguage: nl\nspoken: {value}\nsteps: [{{say: hoi}}]\n")
        problems = check_file(bad).problems
        assert problems and message in problems[0].message and problems[0].line == 4, problems


def test_every_builtin_script_can_be_chosen_by_voice() -> None:
    from voice_coach.config import builtin_scripts_dir
    from voice_coach.script.load import load_script

    for language in ("nl", "en"):
        scripts = [
            load_script(p) for p in sorted((builtin_scripts_dir() / language).glob("*.yaml"))
        ]
        assert all(s.spoken for s in scripts)
        offers = chooser.offers(scripts)
        for s in scripts:
            chosen = chooser.choose(s.spoken[0], offers)
            assert chosen is not None and chosen.script.id == s.id
