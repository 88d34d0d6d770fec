"""The engine on the audio clock: turns, warnings, silence, mirroring, questions."""

from __future__ import annotations

import time

import pytest

from tests.engine_support import (
    espeak,
    events_of,
    place,
    run,
    script_of,
    silence,
    with_noise_floor,
)
from voice_coach.script.model import Ask, Breathe, Mirror, Pause, Repeat, Say, Summary, Turn


def test_turn_ends_on_silence_after_exactly_the_set_seconds() -> None:
    script = script_of(Turn("A", 60, ("{A}, hoe was je dag?",), 10, 6))
    _, log, _, _ = run(script, silence(120))
    (started,) = events_of(log, "turn_started")
    (ended,) = events_of(log, "turn_ended")
    assert started["speaker"] == "Anna" and started["seconds"] == 60
    assert ended["reason"] == "silence"
    assert ended["seconds"] == pytest.approx(6.0, abs=0.031)  # one 30 ms block
    assert ended["t"] - started["t"] == pytest.approx(6.0, abs=0.031)


def test_timed_turn_warns_before_the_end_and_ends_on_time() -> None:
    script = script_of(Turn("B", 30, ("{B}, vertel.",), warn_before=10))
    _, log, _, _ = run(script, silence(120))
    (started,) = events_of(log, "turn_started")
    (warning,) = events_of(log, "turn_warning")
    (ended,) = events_of(log, "turn_ended")
    said = {e["text"]: e for e in events_of(log, "said")}
    assert warning["t"] - started["t"] == pytest.approx(20.0, abs=0.031)
    assert said["Nog 10 seconden."]["t"] == warning["t"]
    # The warning's own length does not eat into Bram's 30 seconds.
    assert ended["reason"] == "time"
    assert ended["seconds"] == pytest.approx(30.0, abs=0.031)
    warning_length = said["Nog 10 seconden."]["seconds"]
    assert ended["t"] - started["t"] == pytest.approx(30.0 + warning_length, abs=0.031)


def test_a_turn_with_speech_ends_after_the_speech_plus_the_silence() -> None:
    dry = script_of(Say(("Welkom.",)), Turn("A", 60, ("{A}, vertel.",), 10, 4))
    _, log, _, _ = run(dry, silence(60))
    turn_start = events_of(log, "turn_started")[0]["t"]
    words = espeak("Vandaag was een lange dag op het werk, maar het ging goed.")
    mic = with_noise_floor(place(silence(60), words, turn_start + 1.0))
    _, log, _, _ = run(dry, mic)
    (ended,) = events_of(log, "turn_ended")
    speech_end = turn_start + 1.0 + words.seconds
    assert ended["reason"] == "silence"
    assert ended["t"] == pytest.approx(speech_end + 4.0, abs=0.5)
    assert ended["speech_seconds"] == pytest.approx(words.seconds, rel=0.3)


def test_a_speaker_past_the_deadline_gets_a_grace_to_finish_the_sentence() -> None:
    dry = script_of(Turn("A", 5, ("{A}, vertel.",)))
    _, log, _, _ = run(dry, silence(30))
    turn_start = events_of(log, "turn_started")[0]["t"]
    words = espeak("Ik wil nog even afmaken wat ik aan het zeggen was, heel even maar.")
    mic = with_noise_floor(place(silence(40), words, turn_start + 3.5))
    _, log, _, _ = run(dry, mic)
    (ended,) = events_of(log, "turn_ended")
    assert ended["reason"] == "time"
    assert 5.0 < ended["seconds"] <= 5.0 + 3.0 + 0.05  # at most the 3 s grace


def test_mirror_loop_on_silent_input_follows_the_domain_order() -> None:
    script = script_of(Mirror("A", "B", 45, rounds=2, swap=True))
    _, log, _, _ = run(script, silence(600))
    turns = [(e["speaker"], e["part"]) for e in events_of(log, "turn_started")]
    assert turns == [
        ("Anna", "message"),
        ("Bram", "mirror"),
        ("Bram", "message"),
        ("Anna", "mirror"),
    ]
    answers = [(e["matched"], e["default"]) for e in events_of(log, "answer")]
    # Klopt dat? -> nothing heard (no recogniser), and not taken as a yes; "is er meer?"
    # is not asked when nothing can hear the answer.
    assert answers == [("", True), ("", True)]
    for ended in events_of(log, "turn_ended"):
        assert ended["seconds"] == pytest.approx(6.0, abs=0.031)  # end_on_silence default


def test_every_step_kind_runs_and_the_session_ends_done() -> None:
    script = script_of(
        Say(("Welkom {A} en {B}.",)),
        Pause(2),
        Breathe(cycles=1),
        Repeat(2, (Say(("Nog eens.",)),)),
        Ask(("Nog een ronde?",), (("ja", (Say(("Goed.",)),)), ("nee", ())), timeout=5),
        Summary(),
    )
    reason, log, _, _ = run(script, silence(300))
    assert reason == "done"
    steps = [e["step"] for e in events_of(log, "step_started")]
    assert steps == ["0", "1", "2", "3", "3.0", "3.0", "4", "4.ja.0", "5"]
    said = [e["text"] for e in events_of(log, "said")]
    assert "Welkom Anna en Bram." in said
    assert events_of(log, "session_ended")[-1]["reason"] == "done"


def test_pause_step_is_silence_of_its_length_on_the_output_track() -> None:
    script = script_of(Say(("Een.",)), Pause(3), Say(("Twee.",)))
    _, log, _, speaker = run(script, silence(30))
    first, second = events_of(log, "said")[-2:]
    gap = second["t"] - (first["t"] + first["seconds"])
    assert gap == pytest.approx(3.0, abs=0.031)
    track = speaker.track()
    start = round((first["t"] + first["seconds"] + 0.1) * track.rate)
    end = round((second["t"] - 0.1) * track.rate)
    assert float(abs(track.samples[start:end]).max()) == 0.0
    assert float(abs(track.samples[round(second["t"] * track.rate) :]).max()) > 0.05


def test_breathing_counts_land_on_each_second() -> None:
    script = script_of(Breathe(inhale=4, exhale=6, cycles=1))
    _, log, _, _ = run(script, silence(120))
    said = events_of(log, "said")
    texts = [e["text"] for e in said]
    assert texts[2:13] == [
        "Adem in", "twee", "drie", "vier",
        "en uit", "twee", "drie", "vier", "vijf", "zes",
        "Mooi. Merk even op hoe je nu zit.",
    ]  # fmt: skip
    inhale = said[2]["t"]  # after how to stop (no recogniser) and the intro
    for offset, event in enumerate(said[2:5]):
        assert event["t"] - inhale == pytest.approx(offset, abs=0.035)
    assert said[6]["t"] - inhale == pytest.approx(4.0, abs=0.035)
    (ended,) = events_of(log, "breathing_ended")
    assert ended["seconds"] > 10.0


def test_input_running_out_ends_the_session_cleanly() -> None:
    script = script_of(Say(("Welkom.",)), Turn("A", 60, ("{A}?",), 10))
    reason, log, _, _ = run(script, silence(10))
    assert reason == "input_ended"
    assert events_of(log, "session_ended")[-1]["reason"] == "input_ended"
    assert events_of(log, "session_summary")


def test_same_input_gives_the_same_events() -> None:
    script = script_of(
        Say(("Hallo.", "Dag.", "Welkom.")), Mirror("A", "B", 30), Turn("B", 20, ("Jij?",))
    )
    first = [e.to_dict() for e in run(script, silence(300))[1].events]
    second = [e.to_dict() for e in run(script, silence(300))[1].events]
    assert first == second


@pytest.mark.slow
def test_a_ten_minute_session_simulates_in_well_under_a_minute() -> None:
    turns = [Turn("A" if i % 2 == 0 else "B", 60, ("Vertel.",), 10) for i in range(10)]
    script = script_of(*turns)
    started = time.perf_counter()
    reason, _, io, _ = run(script, silence(700))
    wall = time.perf_counter() - started
    assert reason == "done"
    assert io.now() >= 600
    assert wall < 30, f"{io.now():.0f} s of session took {wall:.1f} s"
