"""The step-kind table: one place that the reader, schema, docs, estimate and prompts read."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from voice_coach.script import kinds, model
from voice_coach.script.docs_build import DOCS_PATH, docs_text
from voice_coach.script.estimate import ECHO_TAIL, StepEstimator, planned
from voice_coach.script.load import check_file, load_script

HEAD = "id: t\ntitle: T\nlanguage: nl\nsteps:\n"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def test_every_model_step_class_has_exactly_one_kind() -> None:
    classes = typing.get_args(model.Step)
    assert sorted(c.__name__ for c in classes) == sorted(
        k.model.__name__ for k in kinds.KINDS.values()
    )


def test_docs_reference_is_up_to_date() -> None:
    current = DOCS_PATH.read_text(encoding="utf-8")
    assert current == docs_text(current), "run: python -m voice_coach.script.schema_build"


@pytest.mark.parametrize("kind", kinds.KINDS.values(), ids=lambda k: k.name)
def test_every_docs_example_is_a_valid_step(kind: kinds.Kind[object], tmp_path: Path) -> None:
    assert kind.examples, f"{kind.name}: give an example for the docs"
    body = "".join("  " + line + "\n" for e in kind.examples for line in e.splitlines())
    script = load_script(_write(tmp_path, body))
    assert any(kinds.kind_of(s) is kind for s in model.walk(script.steps))


@pytest.mark.parametrize("kind", kinds.KINDS.values(), ids=lambda k: k.name)
def test_every_kind_is_in_the_docs_and_the_schema(kind: kinds.Kind[object]) -> None:
    from voice_coach.script.schema_build import build_schema

    assert f"### `{kind.name}`" in DOCS_PATH.read_text(encoding="utf-8")
    assert kind.name in build_schema()["$defs"]["step"]["properties"]


def test_estimate_reads_the_table() -> None:
    est = StepEstimator(rate=1.0, phrases={"turn_open": ("x" * 28,)})
    turn = model.Turn(speaker="A", seconds=30)
    # The opening phrase (2 s and the echo tail), the turn, the chime after it.
    assert est.steps([turn]) == pytest.approx(2 + ECHO_TAIL + 30 + kinds.CHIME_SECONDS)
    assert est.steps([model.Repeat(times=3, steps=(model.Pause(2),))]) == 6
    assert est.steps([model.End(), model.Pause(5)]) == 0  # nothing after an end


def test_a_line_over_the_limit_is_refused_with_its_place(tmp_path: Path) -> None:
    long = "woord " * 400
    problems = check_file(_write(tmp_path, f"  - say: hoi\n  - say: '{long}'\n")).problems
    assert [(p.line, p.column) for p in problems] == [(6, 10)]
    assert "2,400 characters long" in problems[0].message
    assert "at most 2,000" in problems[0].message


def test_nested_repeats_that_explode_are_refused_at_the_repeat(tmp_path: Path) -> None:
    body = "  - repeat:\n      times: 100\n      steps:\n"
    body += "        - repeat:\n            times: 100\n            steps:\n"
    body += "              - say: hoi\n              - pause: 1\n"
    problems = check_file(_write(tmp_path, body)).problems
    assert len(problems) == 1
    assert (problems[0].line, problems[0].column) == (6, 14)
    assert "repeat runs 20,100 steps in all" in problems[0].message
    assert "at most 10,000" in problems[0].message


def test_a_repeat_planning_more_than_a_day_is_refused(tmp_path: Path) -> None:
    body = (
        "  - repeat:\n      times: 30\n      steps:\n        - turn: {speaker: A, seconds: 3600}\n"
    )
    problems = check_file(_write(tmp_path, body)).problems
    assert [(p.line, p.column) for p in problems] == [(6, 14)]
    assert "30 hours" in problems[0].message


def test_many_repeats_side_by_side_are_refused_at_the_steps(tmp_path: Path) -> None:
    one = "  - repeat: {times: 100, steps: [{say: hoi}, {pause: 1}]}\n"
    problems = check_file(_write(tmp_path, one * 60)).problems
    assert len(problems) == 1 and "steps once its repeats are expanded" in problems[0].message


def test_planned_counts_the_largest_answer() -> None:
    ask = model.Ask(
        prompt=("?",),
        answers=(("ja", (model.Pause(1),) * 3), ("nee", ())),
    )
    assert planned([ask])[0] == 4
