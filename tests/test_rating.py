"""The `rate` step: each partner's number heard, asked again when unclear, skipped.

Dutch and English number words cannot be heard by a real recogniser here (no Dutch
or English Vosk model can be downloaded; the Korean one from PyPI ignores grammars),
so speech is the named fake `AnsweringRecognizer` and typing is the real text mode.
"""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.engine_support import events_of, run, script_of, silence
from tests.fakes import AnsweringRecognizer
from voice_coach.cli import main
from voice_coach.config import Config
from voice_coach.engine.events import EventLog
from voice_coach.engine.session import Session
from voice_coach.engine.text_io import TextIO
from voice_coach.lang import language
from voice_coach.script.model import Rate, Say

NL = language("nl")
EN = language("en")
RATE = Rate(("Hoe verbonden voelen jullie je vanavond?",), low="ver weg", high="heel dichtbij")


@pytest.mark.parametrize(
    ("text", "top", "value"),
    [
        ("zeven", 10, 7),
        ("een zeven", 10, 7),  # Dutch: "a seven"
        ("één", 10, 1),
        ("een", 10, 1),
        ("tien", 10, 10),
        ("ik geef een 8", 10, 8),  # typed
        ("Sla maar over", 10, "skip"),
        ("liever niet", 5, "skip"),
        ("zeven", 5, None),  # off the scale
        ("12", 10, None),
        ("misschien", 10, None),
        ("", 10, None),
    ],
)
def test_dutch_number_words(text: str, top: int, value: object) -> None:
    assert NL.parse_rating(text, top) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("seven", 7), ("I'd say four", 4), ("10", 10), ("skip", "skip"), ("pass", "skip"),
     ("eleven", None), ("hmm", None)],
)  # fmt: skip
def test_english_number_words(text: str, value: object) -> None:
    assert EN.parse_rating(text, 10) == value


def test_the_grammar_holds_every_number_word_and_the_skip_words() -> None:
    words = NL.rating_words(5)
    assert {"een", "één", "vijf", "sla over", "5"} <= set(words)
    assert "zes" not in words and "tien" not in words
    assert {"one", "ten", "skip"} <= set(EN.rating_words(10))


def _said(log: EventLog) -> list[str]:
    return [e["text"] for e in events_of(log, "said")]


def _ratings(log: EventLog) -> list[tuple[str, str, Any, int]]:
    return [(e["speaker"], e["role"], e["value"], e["scale"]) for e in events_of(log, "rating")]


def test_each_partner_says_a_number() -> None:
    ears = AnsweringRecognizer(["zeven", "een vier"], listen_for="sla over")
    reason, log, _, _ = run(script_of(RATE, Say(("Dank jullie.",))), silence(120), ears)
    assert reason == "done"
    assert _ratings(log) == [("Anna", "A", 7, 10), ("Bram", "B", 4, 10)]
    said = _said(log)
    assert said[0] == "Hoe verbonden voelen jullie je vanavond?"
    assert said[1] == "Eén betekent ver weg, tien betekent heel dichtbij."
    assert said[2].startswith("Anna, ")  # asked by name
    assert "zeven" in said[3] and "Anna" in said[3]  # heard back
    assert said[4].startswith("Bram, ") and "vier" in said[5]
    rating_grammar = next(g for g in ears.grammars if g and "sla over" in g)
    assert {"een", "één", "tien", "sla over"} <= set(rating_grammar)
    assert "stop" in rating_grammar  # commands still work


def test_an_unclear_answer_is_asked_once_more_and_silence_skips() -> None:
    ears = AnsweringRecognizer(["misschien", "acht", None], listen_for="sla over")
    _, log, _, _ = run(script_of(RATE), silence(120), ears)
    assert _ratings(log) == [("Anna", "A", 8, 10), ("Bram", "B", None, 10)]
    said = _said(log)
    again = [s for s in said if "ik verstond geen cijfer" in s]
    assert again == [
        "Anna, ik verstond geen cijfer. Zeg een getal van één tot tien, of zeg: sla over."
    ]
    assert any("Bram" in s and ("over" in s or "Geen cijfer" in s) for s in said[-1:])


def test_two_unclear_answers_skip_and_sla_over_skips_at_once() -> None:
    ears = AnsweringRecognizer(["euh", "dat weet ik niet", "sla over"], listen_for="sla over")
    _, log, _, _ = run(script_of(RATE), silence(120), ears)
    assert _ratings(log) == [("Anna", "A", None, 10), ("Bram", "B", None, 10)]
    assert sum("ik verstond geen cijfer" in s for s in _said(log)) == 1  # not for Bram


def test_a_number_off_the_scale_is_unclear_and_b_can_go_first() -> None:
    step = Rate(("Hoe was het, van één tot vijf?",), scale=5, first="B")
    ears = AnsweringRecognizer(["zeven", "vijf", "twee"], listen_for="sla over")
    _, log, _, _ = run(script_of(step), silence(120), ears)
    assert _ratings(log) == [("Bram", "B", 5, 5), ("Anna", "A", 2, 5)]
    said = _said(log)
    assert not any("betekent" in s for s in said)  # no labels given: none said
    assert any("van één tot vijf, of zeg" in s for s in said)


def test_next_skips_a_number_and_stop_ends_the_session() -> None:
    ears = AnsweringRecognizer(["volgende", "stop"], listen_for="sla over")
    reason, log, _, _ = run(script_of(RATE, Say(("Nog iets.",))), silence(120), ears)
    assert reason == "stop"
    assert _ratings(log) == [("Anna", "A", None, 10)]
    assert "Nog iets." not in _said(log)


def test_english_numbers() -> None:
    step = Rate(("How close do you feel tonight?",), low="far apart", high="very close")
    ears = AnsweringRecognizer(["seven", "skip"], listen_for="skip")
    _, log, _, _ = run(script_of(step, lang="en"), silence(120), ears)
    assert _ratings(log) == [("Anna", "A", 7, 10), ("Bram", "B", None, 10)]
    assert "One means far apart, ten means very close." in _said(log)


def test_without_a_recogniser_the_step_is_left_out() -> None:
    _, log, _, _ = run(script_of(RATE, Say(("Klaar.",))), silence(60), recognizer=None)
    assert _ratings(log) == []
    assert [e["code"] for e in events_of(log, "notice")] == ["no_recognizer"]
    assert "Hoe verbonden voelen jullie je vanavond?" not in _said(log)


def test_a_preview_speaks_the_question_and_the_asks(tmp_path: Path) -> None:
    script = tmp_path / "r.yaml"
    script.write_text(
        "id: r\ntitle: R\nlanguage: nl\nsteps:\n"
        '  - rate: {prompt: "Hoe was het?", low: "niet fijn", high: "heel fijn"}\n'
    )
    events = tmp_path / "e.jsonl"
    assert main(["preview", str(script), "-o", str(tmp_path / "p.wav"), "--events",
                 str(events)]) == 0  # fmt: skip
    text = events.read_text()
    # Without names the coach names nobody: whoever wants begins, then the other.
    assert "Hoe was het?" in text and "Anna" not in text and "Partner" not in text
    assert "Wie wil beginnen? Welk cijfer geef jij?" in text or "Wie wil beginnen? Wat is" in text


def _typed(steps: tuple[Any, ...], typing: list[str]) -> tuple[EventLog, str]:
    """A text session whose stdin is a pipe fed `typing`, one line every 0.3 s."""
    read_fd, write_fd = os.pipe()

    def typist() -> None:
        for line in typing:
            time.sleep(0.3)
            os.write(write_fd, line.encode())
        time.sleep(0.5)
        os.close(write_fd)

    thread = threading.Thread(target=typist, daemon=True)
    thread.start()
    out = io.StringIO()
    with os.fdopen(read_fd, "r") as stdin:
        text_io = TextIO(NL, stdin=stdin, stdout=out)
        log = EventLog()
        Session(script_of(*steps), text_io, NL, Config().listen, log, ["Anna", "Bram"]).run()
    thread.join()
    return log, out.getvalue()


@pytest.mark.slow  # waits in real time
def test_typed_digits_and_words_and_enter_to_skip() -> None:
    log, out = _typed((RATE,), ["hmm\n", "8\n", "\n"])
    assert _ratings(log) == [("Anna", "A", 8, 10), ("Bram", "B", None, 10)]
    assert "ik verstond geen cijfer" in out
    log, _ = _typed((RATE,), ["een zes\n", "tien\n"])
    assert _ratings(log) == [("Anna", "A", 6, 10), ("Bram", "B", 10, 10)]


# -- the script language ----------------------------------------------------------------

HEAD = "id: r\ntitle: R\nlanguage: nl\nsteps:\n"


@pytest.mark.parametrize(
    ("step", "where", "message"),
    [
        ('  - rate: {prompt: "Hoe?", scale: 7}\n', (5, 35), "should be 10 or 5"),
        ('  - rate: {prompt: "Hoe?", low: "laag"}\n', (5, 33), "give both ends"),
        ('  - rate: {prompt: "Hoe?", first: C}\n', (5, 35), "should be A or B"),
        ("  - rate: {scale: 5}\n", (5, 5), "missing 'prompt'"),
        ('  - rate: {prompt: "Hoe?", timeout: 0}\n', (5, 37), "more than 0"),
        ('  - rate: {prompt: "Hoe?", scael: 5}\n', (5, 28), "did you mean 'scale'"),
        ("  - recap: 5\n", (5, 12), "recap"),
    ],
)
def test_validate_points_at_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], step: str, where: tuple[int, int],
    message: str,
) -> None:  # fmt: skip
    path = tmp_path / "r.yaml"
    path.write_text(HEAD + step)
    capsys.readouterr()
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr()
    text = err.out + err.err
    line, column = where
    assert f"{path}:{line}:{column}:" in text and message in text, text
