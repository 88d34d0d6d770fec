"""Text mode: the coach's lines are printed, turns and answers typed."""

from __future__ import annotations

import io
import os
import threading
import time

import pytest

from tests.engine_support import script_of
from voice_coach.config import Config
from voice_coach.engine.events import EventLog
from voice_coach.engine.session import Session
from voice_coach.engine.text_io import TextIO
from voice_coach.lang import language
from voice_coach.script.model import Ask, Say, Turn


def _typed_session(
    script_steps: tuple, typing: list[tuple[float, str]]
) -> tuple[str, EventLog, str]:
    """Run a text session whose stdin is a pipe fed `typing` at the given delays."""
    read_fd, write_fd = os.pipe()

    def typist() -> None:
        for delay, text in typing:
            time.sleep(delay)
            os.write(write_fd, text.encode())
        time.sleep(0.5)
        os.close(write_fd)

    thread = threading.Thread(target=typist, daemon=True)
    thread.start()
    out = io.StringIO()
    with os.fdopen(read_fd, "r") as stdin:
        text_io = TextIO(language("nl"), stdin=stdin, stdout=out)
        log = EventLog()
        script = script_of(*script_steps)
        reason = Session(
            script, text_io, language("nl"), Config().listen, log, ["Anna", "Bram"]
        ).run()
    thread.join()
    return reason, log, out.getvalue()


@pytest.mark.slow  # waits in real time
def test_enter_ends_a_typed_turn_and_a_typed_answer_picks_the_branch() -> None:
    steps = (
        Turn("A", 30, ("{A}, hoe was je dag?",), end_on_silence=5),
        Ask(("Nog een ronde?",), (("ja", (Say(("Goed.",)),)), ("nee", (Say(("Tot morgen.",)),)))),
    )
    reason, log, out = _typed_session(steps, [(0.3, "Het was een fijne dag\n"), (0.3, "nee\n")])
    assert reason == "done"
    ended = next(e for e in log.events if e.type == "turn_ended")
    assert ended.to_dict()["reason"] == "done"
    answer = next(e for e in log.events if e.type == "answer").to_dict()
    assert answer["matched"] == "nee" and not answer["default"]
    assert "  coach: Anna, hoe was je dag?" in out
    assert "  coach: Tot morgen." in out
    assert "Het was een fijne dag" not in out  # typed turns are not echoed or kept


def test_typed_stop_ends_the_session() -> None:
    steps = (Turn("A", 30, ("{A}?",)), Say(("Nooit.",)))
    reason, _, out = _typed_session(steps, [(0.2, "stop\n")])
    assert reason == "stop"
    assert "Nooit." not in out
    assert "We stoppen hier." in out


@pytest.mark.slow  # waits in real time
def test_a_warning_mid_sentence_keeps_what_was_typed() -> None:
    # Warned 1 s into a 2 s turn while typing; the line goes on and Enter ends the turn.
    steps = (Turn("A", 3, ("{A}?",), warn_before=2), Say(("Klaar.",)))
    reason, log, out = _typed_session(steps, [(0.2, "Ik begin"), (1.5, " en ik maak af\n")])
    assert reason == "done"
    assert "  coach: Nog 2 seconden." in out
    ended = next(e for e in log.events if e.type == "turn_ended").to_dict()
    assert ended["reason"] == "done"  # Enter, not the time limit
    # Typing time counts from the first key, before the warning: the line was kept.
    assert ended["speech_seconds"] > 1.2
    assert "  coach: Dank je, Anna." in out or "  coach: Dank je wel, Anna." in out


@pytest.mark.slow  # waits in real time
def test_an_invalid_utf8_byte_does_not_stop_enter_or_stop() -> None:
    """One byte that is not UTF-8 used to block every later key: Enter, stop, Ctrl-D."""
    steps = (Turn("A", 30, ("{A}?",)), Turn("B", 30, ("{B}?",)), Say(("Nooit.",)))
    typing = [(0.2, b"caf\xe9 \xff ok\n"), (0.3, b"stop\n")]
    reason, log, _ = _typed_session_bytes(steps, typing)
    assert reason == "stop"
    ended = [e.to_dict() for e in log.events if e.type == "turn_ended"]
    assert ended[0]["reason"] == "done" and ended[1]["reason"] == "command"


def test_a_multibyte_character_split_across_reads_still_counts() -> None:
    steps = (Turn("A", 30, ("{A}?",)), Say(("Klaar.",)))
    word = "stöp".encode()  # not a command; then a real one split mid-character
    typing = [(0.2, word[:3]), (0.2, word[3:] + b"\n")]
    reason, _, _ = _typed_session_bytes(steps, typing)
    assert reason == "done"


def test_control_characters_from_a_script_are_shown_not_executed() -> None:
    steps = (Say(("Hallo \x1b]0;pwned\x07 en \x1b[2J \u202e!",)),)
    reason, _, out = _typed_session_bytes(steps, [])
    assert reason == "done"
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b]0;pwned\\x07" in out and "\\u202e" in out


def _typed_session_bytes(
    script_steps: tuple, typing: list[tuple[float, bytes]]
) -> tuple[str, EventLog, str]:
    read_fd, write_fd = os.pipe()

    def typist() -> None:
        for delay, data in typing:
            time.sleep(delay)
            os.write(write_fd, data)
        time.sleep(0.5)
        os.close(write_fd)

    thread = threading.Thread(target=typist, daemon=True)
    thread.start()
    out = io.StringIO()
    with os.fdopen(read_fd, "rb") as stdin:
        text_io = TextIO(language("nl"), stdin=stdin, stdout=out)  # type: ignore[arg-type]
        log = EventLog()
        reason = Session(
            script_of(*script_steps), text_io, language("nl"), Config().listen, log, ["A", "B"]
        ).run()
    thread.join()
    return reason, log, out.getvalue()
