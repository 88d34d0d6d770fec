"""`voice-coach list`, the catalogue behind it and the duration estimate."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_coach.cli import main
from voice_coach.script import model
from voice_coach.script.catalog import find_scripts, resolve_script
from voice_coach.script.errors import ScriptNotFoundError
from voice_coach.script.estimate import (
    ECHO_TAIL,
    StepEstimator,
    estimate_minutes,
    estimate_seconds,
)
from voice_coach.script.kinds import ANSWER_SECONDS, CHIME_SECONDS

SCRIPT = (
    "id: {id}\ntitle: {title}\nlanguage: {lang}\nsteps:\n  - turn: {{speaker: A, seconds: {s}}}\n"
)


@pytest.fixture()
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A temporary built-in folder and a temporary user config folder."""
    builtin = tmp_path / "builtin"
    (builtin / "nl").mkdir(parents=True)
    (builtin / "en").mkdir(parents=True)
    user = tmp_path / "config" / "voice-coach" / "scripts"
    user.mkdir(parents=True)
    monkeypatch.setattr("voice_coach.config.builtin_scripts_dir", lambda: builtin)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (builtin / "nl" / "avond.yaml").write_text(
        SCRIPT.format(id="avond-checkin", title="Avond", lang="nl", s=300)
    )
    (builtin / "en" / "evening.yaml").write_text(
        SCRIPT.format(id="evening-checkin", title="Evening", lang="en", s=600)
    )
    (user / "mine.yaml").write_text(
        SCRIPT.format(id="avond-checkin", title="Mijn avond", lang="nl", s=120)
    )
    (user / "broken.yaml").write_text("id: broken\nsteps: 3\n")
    return builtin, user


def test_list_shows_every_script_with_source_and_overrides(
    folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, user = folders
    assert main(["list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "ID               LANG  MIN  SOURCE                     TITLE",
        "avond-checkin    nl    ~5   built-in (overridden)      Avond",
        "avond-checkin    nl    ~2   user (overrides built-in)  Mijn avond",
        "broken           ?     ?    user                       "
        f"(invalid: 3 problems; run voice-coach validate {user}/broken.yaml)",
        "evening-checkin  en    ~10  built-in                   Evening",
    ]


def test_list_filters_by_language(
    folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", "--language", "en"]) == 0
    out = capsys.readouterr().out
    assert "evening-checkin" in out and "avond-checkin" not in out


def test_list_with_no_scripts_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("voice_coach.config.builtin_scripts_dir", lambda: tmp_path / "none")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["list"]) == 0
    assert capsys.readouterr().out.startswith("No scripts found in ")


def test_resolve_prefers_the_user_script_and_accepts_paths(folders: tuple[Path, Path]) -> None:
    builtin, user = folders
    assert resolve_script("avond-checkin") == user / "mine.yaml"
    assert resolve_script("evening-checkin") == builtin / "en" / "evening.yaml"
    assert resolve_script(str(builtin / "nl" / "avond.yaml")) == builtin / "nl" / "avond.yaml"


def test_resolve_unknown_id_suggests_the_closest(folders: tuple[Path, Path]) -> None:
    with pytest.raises(ScriptNotFoundError, match="did you mean 'avond-checkin'"):
        resolve_script("avond-chekin")
    with pytest.raises(ScriptNotFoundError, match="no such script file"):
        resolve_script("missing.yaml")


def test_find_scripts_marks_overrides(folders: tuple[Path, Path]) -> None:
    entries = {(e.id, e.source): e for e in find_scripts()}
    assert entries[("avond-checkin", "user")].overrides
    assert entries[("avond-checkin", "built-in")].overridden
    assert not entries[("evening-checkin", "built-in")].overridden
    assert entries[("broken", "user")].script is None


def _spoken(code: str, phrase: str, rate: float) -> float:
    """Seconds the estimate gives a language phrase: its wordings' mean length at 14 a
    second, and the coach's echo tail after it."""
    from voice_coach.lang import language

    wordings = language(code).phrases[phrase]
    return sum(len(w) for w in wordings) / len(wordings) / 14 / rate + ECHO_TAIL


def test_estimate_adds_planned_seconds_and_spoken_text() -> None:
    one = "x" * 14  # one second of speech at rate 1.0 (14 characters a second)
    steps = (
        model.Say(text=(one, one * 3)),  # mean 28 chars -> 2 s -> 4 s, and the echo tail
        model.Pause(seconds=3),
        model.Breathe(inhale=4, exhale=6, cycles=3, intro=(one,)),  # 30 + 2.4
        model.Turn(speaker="A", seconds=60, prompt=(one,)),  # 2.4 + 60 + chime + thanks
        model.Mirror(
            sender="A",
            receiver="B",
            seconds=30,
            mirror_seconds=20,
            rounds=2,
            swap=True,
            prompt=(one,),
        ),  # 2.4 + ((30 + 20) x 2 rounds + 20 for the summary) x 2 (swap) + 10 chimes,
        # and time to answer two checks and one "is there more?" each way
        model.Ask(
            prompt=(one,),
            answers=(("ja", (model.Pause(seconds=10),)), ("nee", (model.Pause(seconds=99),))),
        ),  # 2.4 + half the 8 s timeout + the first (default) branch (10)
        model.Repeat(times=3, steps=(model.Pause(seconds=5),)),  # 15
        model.Calibrate(seconds=20, prompt=(one,)),  # 22.4
        model.Summary(),  # talk 10 + pauses 4
    )
    # Only the thanks after a turn as a phrase: the mirror's cues count nothing here.
    estimator = StepEstimator(rate=0.5, phrases={"turn_end": (one,)})
    line = 2 + ECHO_TAIL  # one second of text at half speed, and the echo tail
    expected = (
        (4 + ECHO_TAIL)
        + 3
        + (30 + line)
        + (line + 60 + CHIME_SECONDS + line)
        + (line + 240 + 10 * CHIME_SECONDS + 2 * 3 * ANSWER_SECONDS)
        + (line + 4 + 10)
        + 15
        + (line + 20)
        + 14
    )
    assert estimator.steps(steps) == pytest.approx(expected)
    script = model.Script(id="t", title="T", language="nl", rate=0.5, steps=steps)
    assert estimate_minutes(script) == round(estimate_seconds(script) / 60) == 10  # with the cues


def test_estimate_uses_the_language_phrase_when_a_prompt_is_missing() -> None:
    from voice_coach.lang import language

    wordings = language("en").phrases["turn_open"]
    chars = sum(len(w) for w in wordings) / len(wordings)
    script = model.Script(
        id="t",
        title="T",
        language="en",
        rate=1.0,
        steps=(model.Turn(speaker="B", seconds=10),),
    )
    turn_open = chars / 14 + ECHO_TAIL
    thanks = _spoken("en", "turn_end", 1)
    assert estimate_seconds(script) == pytest.approx(turn_open + 10 + CHIME_SECONDS + thanks)
