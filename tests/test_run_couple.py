"""`voice-coach run` meets a real couple: their names asked once and kept in config.toml,
what the coach remembers kept in couple.json, and the terminal when there is no sound."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from voice_coach.cli import main
from voice_coach.commands import names as names_module
from voice_coach.commands.names import ask_names, save_names
from voice_coach.config import load_config

SCRIPT = """\
id: kort
title: Kort
language: nl
steps:
  - say: "Welkom {A} en {B}."
  - onboarding: true
  - turn: {speaker: A, prompt: "{A}, vertel.", seconds: 5, end_on_silence: 2}
"""


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("VOICE_COACH_MODELS", "models"),
    ):
        monkeypatch.setenv(key, str(tmp_path / sub))
    (tmp_path / "kort.yaml").write_text(SCRIPT)
    return tmp_path


def _typing(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """A terminal where `text` is typed (a pipe: the text session reads its descriptor)."""
    read_fd, write_fd = os.pipe()
    os.write(write_fd, text.encode())
    os.close(write_fd)
    monkeypatch.setattr(sys, "stdin", os.fdopen(read_fd, "r"))


def _answers(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """Someone at the terminal answering the command's questions in turn."""
    asked: list[str] = []
    queue = list(answers)

    def answer(question: str) -> str:
        asked.append(question)
        return queue.pop(0)

    monkeypatch.setattr(names_module, "interactive", lambda: True)
    monkeypatch.setattr("builtins.input", answer)
    return asked


def test_names_are_asked_once_and_kept_in_the_config(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = _answers(monkeypatch, "Anna, Bram")
    _typing(monkeypatch, "stop\n")
    assert main(["run", str(home / "kort.yaml"), "--text"]) == 0
    out = capsys.readouterr().out
    assert asked == [names_module.QUESTION["nl"]]
    assert "coach: Welkom Anna en Bram." in out
    config = home / "config" / "voice-coach" / "config.toml"
    assert load_config(config).couple.names == "Anna,Bram"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    record = json.loads((home / "data" / "voice-coach" / "couple.json").read_text())
    assert record["names_asked"] and record["onboarded"]  # the first evening was said
    # The next evening: nothing asked, the names used, the first evening's words not again.
    asked.clear()
    _typing(monkeypatch, "stop\n")
    assert main(["run", str(home / "kort.yaml"), "--text"]) == 0
    out = capsys.readouterr().out
    assert asked == [] and "coach: Welkom Anna en Bram." in out
    assert "therapeut" not in out


def test_a_couple_who_skip_the_names_are_not_asked_again(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = _answers(monkeypatch, "")
    for _ in range(2):
        _typing(monkeypatch, "stop\n")
        assert main(["run", str(home / "kort.yaml"), "--text"]) == 0
    assert len(asked) == 1
    out = capsys.readouterr().out
    assert "coach: Welkom." in out and "Partner" not in out
    assert not (home / "config" / "voice-coach" / "config.toml").exists()


def test_saving_names_keeps_the_rest_of_the_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# mine\n[audio]\nmic = "USB"\n\n[couple]\n# who we are\n')
    save_names(["Anna", "Bram"], path)
    assert load_config(path).couple.names == "Anna,Bram"
    assert load_config(path).audio.mic == "USB"
    assert path.read_text().startswith('# mine\n[audio]\nmic = "USB"\n\n[couple]\nnames = ')
    save_names(['Sam "S"', "Noor"], path)  # replaced, quotes escaped
    assert load_config(path).couple.names == 'Sam "S",Noor'
    assert path.read_text().count("names =") == 1
    other = tmp_path / "other.toml"
    other.write_text("[listen]\nraised_voice_db = 7.0")  # no newline at the end
    save_names(["Anna", "Bram"], other)
    assert load_config(other).listen.raised_voice_db == 7.0
    assert load_config(other).couple.names == "Anna,Bram"


def test_only_two_printable_names_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert ask_names("en", lambda q: "Anna", path) == []
    assert ask_names("en", lambda q: "Anna, Bram, Chris", path) == []
    assert not path.exists()
    assert ask_names("en", lambda q: " Anna ,Bram ", path) == ["Anna", "Bram"]


def _no_sound(home: Path) -> None:
    config = home / "config" / "voice-coach"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(
        '[couple]\nnames = "Anna,Bram"\n[audio]\nmic = "geen-zulke-microfoon"\n'
        'speaker = "geen-zulke-luidspreker"\n'
    )


def test_without_sound_the_terminal_is_offered_instead_of_an_error(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_sound(home)
    asked = _answers(monkeypatch, "j")
    _typing(monkeypatch, "stop\n")
    assert main(["run", str(home / "kort.yaml"), "--quiet"]) == 0
    assert len(asked) == 1 and asked[0].startswith("Het geluid kan niet open: ")
    assert "[J/n]" in asked[0]
    out = capsys.readouterr().out
    assert "coach: Welkom Anna en Bram." in out and "Session ended (stop)." in out


def test_without_sound_and_nobody_to_ask_the_error_says_how(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_sound(home)
    monkeypatch.setattr(names_module, "interactive", lambda: False)
    assert main(["run", str(home / "kort.yaml"), "--quiet"]) != 0
    err = capsys.readouterr().err.splitlines()
    assert not any("Traceback" in line for line in err)
    assert err[-1].startswith("voice-coach: ") and err[-1].endswith("kort.yaml --text")
