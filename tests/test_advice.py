"""What `validate` advises on valid scripts: promised lengths, monologues, openings."""

from __future__ import annotations

import pytest

from voice_coach.script import model
from voice_coach.script.advice import opening_seconds, promised_minutes
from voice_coach.script.estimate import ECHO_TAIL


@pytest.mark.parametrize(
    ("description", "minutes"),
    [
        ("Vijf tot tien minuten.", (5, 10)),
        ("Een kwartier tot twintig minuten.", (15, 20)),
        ("Ongeveer tien minuten.", (8, 12)),
        ("About ten minutes.", (8, 12)),
        ("Ten to fifteen minutes.", (10, 15)),
        ("Four to six minutes.", (4, 6)),
        ("Fifteen to twenty minutes.", (15, 20)),
        ("Een kwartier.", (12, 18)),
        ("Samen praten, zo lang als jullie willen.", None),
        ("Elke dag een paar minuten.", None),
    ],
)
def test_a_description_promises_a_length(
    description: str, minutes: tuple[float, float] | None
) -> None:
    found = promised_minutes(description)
    if minutes is None:
        assert found is None
    else:
        assert found == pytest.approx(minutes)


def test_the_opening_counts_coach_speech_until_the_couple_first_speaks() -> None:
    line = "x" * 140  # ten seconds at rate 1.0
    turn = model.Turn("A", 30, (line,))
    script = model.Script(
        id="t",
        title="T",
        language="nl",
        rate=1.0,
        steps=(
            model.Say((line,)),
            model.Pause(5),
            model.Repeat(2, (model.Say((line,)), turn)),
            model.Say((line,) * 9),
        ),
    )
    seconds, first = opening_seconds(script)
    # the say, the repeat's say, the turn's prompt: ten seconds each, and the echo tails
    assert seconds == pytest.approx(30.0 + 3 * ECHO_TAIL)
    assert first is turn
