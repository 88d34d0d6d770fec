"""Every built-in script runs simulated from start to end on a silent input.

Silence means nobody answers and every turn ends on its silence timeout (or its time
limit where it has none), so the planned durations can be checked exactly. A script that
asks for consent first (the repair talk) ends there on silence, as it should; here a
couple says "ja" to its questions instead, so it runs to the end too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine_support import events_of, run, silence
from tests.fakes import AnsweringRecognizer
from voice_coach.config import builtin_scripts_dir
from voice_coach.script.load import load_script
from voice_coach.script.model import Mirror, Script, Step, Turn, walk

SCRIPTS = sorted(builtin_scripts_dir().glob("*/*.yaml"))
CONSENT_FIRST = {"herstelgesprek": "nee", "repair": "no"}
"""Scripts that stop on silence at their first question, and its word for no."""


def _expected_turn_seconds(step: Step, part: str) -> float:
    if isinstance(step, Turn):
        limit, silence_end = step.seconds, step.end_on_silence
    else:
        assert isinstance(step, Mirror)
        own = part in ("message", "correction")
        limit = step.seconds if own else (step.mirror_seconds or step.seconds)
        silence_end = step.end_on_silence
    return silence_end if silence_end is not None and silence_end < limit else limit


def test_there_are_eight_scripts_per_language() -> None:
    assert len([p for p in SCRIPTS if p.parent.name == "nl"]) == 8
    assert len([p for p in SCRIPTS if p.parent.name == "en"]) == 8


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_builtin_script_runs_to_the_end_with_planned_turn_lengths(path: Path) -> None:
    script: Script = load_script(path)
    no = CONSENT_FIRST.get(script.id)
    yes = AnsweringRecognizer(["ja" if no == "nee" else "yes"] * 50, listen_for=no) if no else None
    reason, log, io, speaker = run(script, silence(3600), yes)
    assert reason == "done"
    # Every top-level step was reached, in order.
    top = [e["step"] for e in events_of(log, "step_started") if "." not in e["step"]]
    assert top == [str(i) for i in range(len(script.steps))]
    # Every turn lasted what the script plans for a silent partner.
    by_line = {step.line: step for step in walk(script.steps)}
    current: Step | None = None
    turns = 0
    for event in log.events:
        data = event.to_dict()
        if data["type"] == "step_started":
            current = by_line[data["line"]]
        elif data["type"] == "turn_ended":
            assert current is not None
            expected = _expected_turn_seconds(current, _part_of(log, event))
            assert data["seconds"] == pytest.approx(expected, abs=0.031), data
            turns += 1
    assert turns == len(events_of(log, "turn_started"))
    assert io.now() > 60
    assert speaker.track().seconds > 10


def _part_of(log: object, ended: object) -> str:
    events = log.events  # type: ignore[attr-defined]
    index = events.index(ended)
    started = next(e for e in reversed(events[:index]) if e.type == "turn_started")
    return str(started.part)
