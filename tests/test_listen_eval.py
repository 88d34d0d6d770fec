"""The goals of the listening stack, asserted on the generated evaluation set.

The set (tests/listen_eval.py) is built at test time from espeak-ng and the Piper
joe voice, seeded. bench/listen.py prints the same figures as a table next to the
peers; longer runs (an hour of calm talk) live there. Goals (issue 12):

- every sustained rise of +8 dB or more caught, near and far, by either partner:
  median 1.0 s or less from the start of the rise, the slowest 2.0 s or less;
- from the start of a rise to the coach's first word: 2.5 s or less;
- no false alarm for laughs, coughs, claps, a door, bursts inside sentences, a TV
  switched on, a partner leaning in, nor over calm talk with a fan and a TV;
- pace with babble (a TV under the couple) 8 % off or less on average; the Piper
  voice not biased.
"""

from __future__ import annotations

import numpy as np
import pytest

import tests.listen_eval as ev
from tests.engine_support import events_of, place, run, script_of, silence
from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.script.model import Settings, Turn


@pytest.fixture(scope="module")
def ear() -> ev.Ear:
    return ev.Ear()


@pytest.fixture(scope="module")
def rises(ear: ev.Ear) -> list[ev.RiseResult]:
    return [ev.RiseResult(case, ear.detections(case)) for case in ev.rise_set()]


def test_every_rise_of_8_db_or_more_is_caught_within_a_second(
    rises: list[ev.RiseResult],
) -> None:
    strong = [r for r in rises if r.case.rise_db >= 8.0]
    assert len(strong) == 12
    missed = [r.case.name for r in strong if r.latency is None]
    assert missed == []
    lags = [r.latency for r in strong if r.latency is not None]
    assert float(np.median(lags)) <= 1.0
    assert max(lags) <= 2.0
    # Nothing before the rise, in either partner's calm turn or in open talk.
    assert [r.case.name for r in rises if r.early] == []


def test_rises_in_open_talk_before_any_turn_are_caught(ear: ev.Ear) -> None:
    # No turn has taught either partner's level: the shared reference holds both
    # voices, each with its own level, so the quieter partner's raise counts in full.
    # Beyond the goals, which are for turns. Measured, 48 cases: all caught,
    # median 0.91 s; raised sentences in pairs the slowest 2.99 s (was 8.75 s), one
    # by one 8.21 s (was 9.05 s): the low Piper voice far away at +8 dB, one short
    # raised sentence amid calm talk. (One window of evidence per voice was tried:
    # it made three such cases take 5 s instead.)
    results = [ev.RiseResult(case, ear.detections(case)) for case in ev.open_rise_set()]
    assert [r.case.name for r in results if r.latency is None] == []
    assert [r.case.name for r in results if r.early] == []
    lags = [r.latency for r in results if r.latency is not None]
    assert float(np.median(lags)) <= 1.0
    assert max(lags) <= 9.0


def test_most_rises_of_6_db_are_caught_too(rises: list[ev.RiseResult]) -> None:
    # Not a goal (6 dB is the low end of what counts), but it shows the margin.
    six = [r for r in rises if r.case.rise_db == 6.0]
    assert sum(r.latency is not None for r in six) >= 3


def test_no_confounder_is_taken_for_a_raise(ear: ev.Ear) -> None:
    alarms = {case.name: ear.detections(case) for case in ev.confounder_set()}
    assert {name: found for name, found in alarms.items() if found} == {}


@pytest.mark.parametrize(("distance", "language"), [("near", "en"), ("far", "nl")])
def test_calm_talk_with_a_fan_and_a_tv_raises_nothing(
    ear: ev.Ear, distance: str, language: str
) -> None:
    case = ev.calm_case(distance, language, 3.0, seed=1)
    assert ear.detections(case) == []


PACE_VOICES = (("en", "en+f3", "nl", "nl+f2"), (120, 160, 220))
PACE_RUNS = [(v, wpm) for v in PACE_VOICES[0] for wpm in PACE_VOICES[1]]
PACE_RUNS += [("piper", 110), ("piper", 160), ("piper", 200)]


@pytest.fixture(scope="module")
def pace_errors() -> dict[str, dict[str, float]]:
    """Relative error (measured / true - 1) per condition and run."""
    errors: dict[str, dict[str, float]] = {}
    for condition in ev.PACE_CONDITIONS:
        for voice, wpm in PACE_RUNS:
            run_ = ev.pace_run(voice, wpm, condition)
            errors.setdefault(condition, {})[run_.name] = ev.measured_pace(run_) / run_.true_sps - 1
    return errors


def test_pace_mostly_ignores_the_tv(pace_errors: dict[str, dict[str, float]]) -> None:
    # The goal: 8 % on average with a TV 9 dB under the couple. Measured 7.7 % (8.5 %
    # before a nucleus had to stand out from the TV's own swing and the rate was
    # corrected for the syllables the TV hides; TV seeds 5 and 11: 6.9 and 6.2 %, were
    # 8.2 and 8.8 %; bench/pace_tv.py). Piper's weak syllables still drown in the TV:
    # its runs spread from +3 to -15 %, and it reads 8 % slow on average where the
    # espeak-ng voices read 7 % fast (before: -5 and +8 %); neither is favoured.
    errors = pace_errors["TV"]
    babble = np.abs(list(errors.values()))
    assert babble.mean() <= 0.08, errors
    assert babble.max() <= 0.25, errors
    for family in ("piper", "e"):  # "e": the espeak voices
        bias = np.mean([e for name, e in errors.items() if name.startswith(family)])
        assert abs(bias) <= 0.10, (family, errors)  # Piper -8.3 %, espeak-ng +6.7 %


def test_pace_is_close_and_unbiased_for_espeak_and_piper(
    pace_errors: dict[str, dict[str, float]],
) -> None:
    for condition in ("clean", "fan"):
        errors = pace_errors[condition]
        assert np.abs(list(errors.values())).mean() <= 0.06, errors
        for family in ("piper", "e"):  # "e": the espeak voices
            bias = np.mean([e for name, e in errors.items() if name.startswith(family)])
            assert abs(bias) <= 0.07, (condition, family, errors)


@pytest.mark.parametrize(
    ("rise_db", "distance", "partner", "language"),
    [
        (8.0, "far", "A", "en"),  # the Piper voice in its first turn: 7.65 s once
        (8.0, "near", "A", "en"),
        (8.0, "near", "B", "nl"),
        (10.0, "near", "A", "nl"),
        (14.0, "far", "B", "en"),
    ],
)
def test_the_coach_speaks_within_2_5_seconds_of_a_rise(
    rise_db: float, distance: str, partner: str, language: str
) -> None:
    case = ev.turn_rise(rise_db, distance, partner, language)  # type: ignore[arg-type]
    # A breathing-pause script: no pace nudges (they would be the first word instead).
    turn = Turn(partner, 240, ("{A}, vertel.",), end_on_silence=8)  # type: ignore[arg-type]
    script = script_of(turn, settings=Settings(pace_feedback=False))
    _, log, _, _ = run(script, silence(120))
    start = float(events_of(log, "turn_started")[0]["t"]) + 0.5
    mic = place(silence(start + case.seconds + 30), AudioChunk(case.samples, LISTEN_RATE), start)
    _, log, _, _ = run(script, mic)
    (raised,) = events_of(log, "raised_voice")
    assert case.rise is not None
    rise = start + case.rise[0]
    first_word = min(e["t"] for e in events_of(log, "said") if e["t"] >= raised["t"])
    assert rise < first_word <= rise + 2.5, (first_word - rise, case.name)
