"""Whole evenings through `voice-coach serve`'s loop, simulated from generated WAVs.

The wake word is real speech heard by the real model; the scripts are real YAML read
by the real loader. The coach's voice is the FakeVoice tone (its lengths are exact)
and the recogniser after the wake word is `ClockedFakeRecognizer`, standing in for a
Dutch Vosk model that cannot be downloaded here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests import evenings
from tests import speechgen as sg
from tests.fakes import ClockedFakeRecognizer
from voice_coach.audio.chunk import AudioChunk, Samples
from voice_coach.audio.sim import TrackSpeaker, WavMicrophone
from voice_coach.config import (
    Config,
    PrivacySettings,
    ScheduleSettings,
    ServeSettings,
    WakeSettings,
)
from voice_coach.engine import events as ev
from voice_coach.serve import events as sev
from voice_coach.serve.clock import ServeClock
from voice_coach.serve.mic import ServeMicrophone
from voice_coach.serve.server import Parts, ServeLog, Server
from voice_coach.serve.shelf import Shelf, Skip, load_shelf
from voice_coach.serve.wake import MicroWakeWordDetector
from voice_coach.speech.voice import FakeVoice

RATE = evenings.RATE
MONDAY_2058 = dt.datetime(2026, 11, 30, 20, 58)

SCRIPTS = {
    "kort-checkin.yaml": """\
id: kort-checkin
title: Kort check-in
language: nl
steps:
  - say: Fijn dat jullie er zijn.
  - turn: {speaker: A, seconds: 6}
  - say: Dank jullie wel.
""",
    "spiegelen.yaml": """\
id: spiegelen
title: Spiegelen
language: nl
steps:
  - say: We gaan spiegelen.
  - turn: {speaker: A, seconds: 30}
  - turn: {speaker: B, seconds: 30}
  - say: Dank jullie wel.
""",
    "english.yaml": """\
id: english
title: English one
language: en
steps:
  - say: Hello.
""",
}


@pytest.fixture
def shelf_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "scripts"
    folder.mkdir()
    for name, text in SCRIPTS.items():
        (folder / name).write_text(text)
    return folder


@dataclass
class Evening:
    """A finished simulated evening."""

    reason: str
    server: Server
    events: list[ev.Event]
    logged: list[str]
    recognizer: ClockedFakeRecognizer | None

    def of(self, kind: type[ev.Event]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def types(self) -> list[str]:
        return [e.type for e in self.events]


@dataclass
class Setup:
    config: Config = field(default_factory=Config)
    start: dt.datetime = MONDAY_2058
    heard: Sequence[tuple[float, str]] | None = ()
    """What the fake recogniser hears (service clock seconds); None: no recogniser."""
    checkin_done: Callable[[dt.date], bool] | None = None


def run_evening(
    samples: Samples, shelf_dir: Path, setup: Setup | None = None, **server_kw: Any
) -> Evening:
    setup = setup or Setup()
    config = setup.config
    mic = ServeMicrophone(lambda: WavMicrophone(AudioChunk(samples, RATE)))
    recognizer = (
        ClockedFakeRecognizer(lambda: mic.seconds, setup.heard) if setup.heard is not None else None
    )
    logged: list[str] = []

    def shelf(cfg: Config, skip: Skip) -> Shelf:
        return load_shelf(cfg.serve.language, skip, builtin_dir=shelf_dir, user_dir=shelf_dir / "u")

    parts = Parts(
        mic=mic,
        speaker=TrackSpeaker(),
        wake=MicroWakeWordDetector(config.wake),
        voice_for=lambda code: FakeVoice(),
        recognizer_for=lambda code: recognizer,
        shelf=shelf,
        log=logged.append,
        **server_kw,
    )
    log = ServeLog()
    events: list[ev.Event] = []
    log.subscribe(events.append)
    server = Server(
        config,
        parts,
        ServeClock(setup.start),
        log,
        mode="simulated",
        checkin_done=setup.checkin_done,
        seed=0,
    )
    reason = server.run()
    return Evening(reason, server, events, logged, recognizer)


def config_with(
    default_script: str = "kort-checkin", checkin: str = "", days: str = "ma,di,wo,do,vr,za,zo"
) -> Config:
    return Config(
        serve=ServeSettings(default_script=default_script),
        schedule=ScheduleSettings(checkin=checkin, days=days, script="kort-checkin"),
    )


def wake_then(seconds: float, voice: str = "espeak", wpm: int = 150) -> sg.Scene:
    return evenings.evening([("silence", 2.0), ("wake", (voice, wpm, -26.0)), ("silence", seconds)])


def test_the_wake_word_then_a_spoken_name_starts_that_exercise(shelf_dir: Path) -> None:
    scene = wake_then(100.0)
    wake_end = scene.marks["wake1"]
    # The question takes a few seconds after the chime; the answer comes after it.
    evening = run_evening(
        scene.samples, shelf_dir, Setup(config_with(), heard=[(wake_end + 9.0, "spiegelen")])
    )
    (wake,) = evening.of(sev.Wake)
    assert wake.model == "okay_nabu" and wake.score > 0.85
    assert wake_end - 0.3 <= wake.t <= wake_end + 1.0
    (chosen,) = evening.of(sev.ExerciseChosen)
    assert (chosen.script, chosen.how, chosen.heard) == ("spiegelen", "spoken", "spiegelen")
    started = evening.of(ev.SessionStarted)
    assert [s.script for s in started] == ["spiegelen"]
    # The session's events are on the service's clock, after the choice.
    assert started[0].t >= chosen.t
    assert evening.of(ev.SessionEnded)[0].reason == "done"
    assert evening.types()[-2:] == ["idle", "serve_stopped"]
    # The question offered the names, and the grammar held exactly the offers + cancel.
    asked = [s.text for s in evening.of(ev.Said) if "Welke oefening" in s.text]
    assert asked and "spiegelen" in asked[0]
    grammar = next(g for g in evening.recognizer.grammars if g and "spiegelen" in g)  # type: ignore[union-attr]
    assert {"kort check-in", "spiegelen", "laat maar"} <= set(grammar)
    assert "english one" not in grammar  # only the service's language is offered


def test_the_builtin_exercises_are_chosen_by_their_spoken_names(tmp_path: Path) -> None:
    """The real built-in Dutch scripts: "ademen" chooses ademhaling."""
    from voice_coach.config import builtin_scripts_dir

    scene = wake_then(30.0)
    evening = run_evening(
        scene.samples,
        builtin_scripts_dir() / "nl",
        Setup(Config(), heard=[(scene.marks["wake1"] + 10.0, "ademen")]),
    )
    asked = next(s.text for s in evening.of(ev.Said) if "Welke oefening" in s.text)
    assert "check-in, spiegelen of ademhaling" in asked
    assert [s.script for s in evening.of(ev.SessionStarted)] == ["ademhaling"]


def test_laat_maar_returns_to_idle_without_a_session(shelf_dir: Path) -> None:
    scene = wake_then(25.0)
    evening = run_evening(
        scene.samples,
        shelf_dir,
        Setup(config_with(), heard=[(scene.marks["wake1"] + 9.0, "laat maar")]),
    )
    assert not evening.of(ev.SessionStarted)
    assert [i.after for i in evening.of(sev.Idle)] == ["cancelled"]


def test_nothing_said_after_the_wake_word_returns_to_idle(shelf_dir: Path) -> None:
    evening = run_evening(wake_then(30.0).samples, shelf_dir, Setup(config_with(), heard=[]))
    assert not evening.of(ev.SessionStarted)
    assert [i.after for i in evening.of(sev.Idle)] == ["no_choice"]


def test_without_a_recogniser_the_wake_word_starts_the_default_and_says_so_once(
    shelf_dir: Path,
) -> None:
    scene = evenings.evening(
        [
            ("silence", 2.0),
            ("wake", ("piper", 0, -26.0)),
            ("silence", 40.0),
            ("wake", ("espeak", 130, -30.0)),
            ("silence", 40.0),
        ]
    )
    evening = run_evening(scene.samples, shelf_dir, Setup(config_with(), heard=None))
    assert [c.how for c in evening.of(sev.ExerciseChosen)] == ["default", "default"]
    assert [s.script for s in evening.of(ev.SessionStarted)] == ["kort-checkin"] * 2
    told = [s for s in evening.of(ev.Said) if "kan nog niet verstaan" in s.text]
    assert len(told) == 1 and "Kort check-in" in told[0].text


def test_no_wake_on_talk_without_the_word(shelf_dir: Path) -> None:
    talk = evenings.talk_without_the_word(90.0)
    evening = run_evening(talk, shelf_dir, Setup(config_with(), heard=None))
    assert evening.types() == ["serve_started", "serve_stopped"]


def invitation_evening(
    shelf_dir: Path,
    heard: Sequence[tuple[float, str]],
    seconds: float,
    start: dt.datetime = MONDAY_2058,
    days: str = "ma,di,wo,do,vr,za,zo",
    checkin_done: Callable[[dt.date], bool] | None = None,
    snooze: float = 15.0,
) -> Evening:
    room = evenings.quiet_room(seconds)
    config = config_with(checkin="21:00", days=days)
    config = dataclasses.replace(
        config, schedule=dataclasses.replace(config.schedule, snooze=snooze)
    )
    setup = Setup(
        config,
        start=start,
        heard=heard,
        checkin_done=checkin_done,
    )
    return run_evening(room, shelf_dir, setup)


@pytest.mark.slow
def test_the_invitation_at_21_and_the_snooze_at_21_15_then_yes(shelf_dir: Path) -> None:
    # 20:58 + 120 s = 21:00: the invitation; "straks" a few seconds later.
    first = 120.0
    second = first + 8.0 + 15 * 60.0  # a quarter of an hour after the answer
    evening = invitation_evening(
        shelf_dir,
        heard=[(first + 8.0, "straks"), (second + 9.0, "ja")],
        seconds=second + 90.0,
    )
    invitations = evening.of(sev.Invitation)
    assert (invitations[0].at, invitations[0].attempt) == ("21:00:00", 1)
    assert invitations[1].attempt == 2 and invitations[1].at.startswith("21:15:")
    assert [a.answer for a in evening.of(sev.InvitationAnswer)] == ["later", "yes"]
    assert any("15 minuten" in s.text for s in evening.of(ev.Said))
    (chosen,) = evening.of(sev.ExerciseChosen)
    assert (chosen.script, chosen.how) == ("kort-checkin", "invitation")
    assert evening.of(ev.SessionEnded)[0].reason == "done"
    # Done tonight: no more invitations, and the seam says so.
    assert len(invitations) == 2
    assert evening.server.checkin_done(dt.date(2026, 11, 30))


def test_no_answer_to_the_invitation_keeps_the_coach_quiet_all_evening(shelf_dir: Path) -> None:
    # A one-minute snooze: a wrongly snoozed invitation would come back within the WAV.
    evening = invitation_evening(shelf_dir, heard=[], seconds=120.0 + 4 * 60.0, snooze=1.0)
    assert len(evening.of(sev.Invitation)) == 1
    assert [a.answer for a in evening.of(sev.InvitationAnswer)] == ["none"]
    assert not evening.of(ev.SessionStarted)


def test_without_a_recogniser_the_invitation_asks_for_the_wake_word(shelf_dir: Path) -> None:
    # 20:59:30 + 30 s: the invitation; the wake word a minute later starts the check-in.
    scene = evenings.evening(
        [("silence", 100.0), ("wake", ("espeak", 150, -26.0)), ("silence", 30.0)]
    )
    config = Config(
        serve=ServeSettings(default_script="spiegelen"),
        schedule=ScheduleSettings(checkin="21:00", script="kort-checkin"),
    )
    start = dt.datetime(2026, 11, 30, 20, 59, 30)
    evening = run_evening(scene.samples, shelf_dir, Setup(config, start=start, heard=None))
    (invitation,) = evening.of(sev.Invitation)
    assert invitation.at == "21:00:00"
    said = [s.text for s in evening.of(ev.Said)]
    assert any("Zeg Oké Nabu als jullie willen beginnen" in text for text in said)
    (chosen,) = evening.of(sev.ExerciseChosen)
    assert (chosen.script, chosen.how) == ("kort-checkin", "invitation")  # not the default


def test_nothing_on_a_day_not_in_days(shelf_dir: Path) -> None:
    evening = invitation_evening(shelf_dir, heard=[], seconds=180.0, days="di,wo,do,vr,za,zo")
    assert evening.types() == ["serve_started", "serve_stopped"]


def test_an_evening_whose_check_in_happened_gets_no_invitation(shelf_dir: Path) -> None:
    asked: list[dt.date] = []

    def journal_says_done(day: dt.date) -> bool:
        asked.append(day)
        return True

    evening = invitation_evening(shelf_dir, heard=[], seconds=180.0, checkin_done=journal_says_done)
    assert not evening.of(sev.Invitation)
    assert asked == [dt.date(2026, 11, 30)]


def test_the_wake_word_in_a_session_pauses_it_even_while_the_coach_speaks(
    shelf_dir: Path,
) -> None:
    # Without a recogniser the wake word starts kort-checkin: the notice (how the wake
    # word pauses), a line, the turn's opening, a 6 s turn, the chime, and at about
    # 30.8 s the coach thanks partner A. The second wake word ends over that line; the
    # third, ten seconds on, continues.
    scene = evenings.evening(
        [
            ("silence", 2.0),
            ("wake", ("piper", 0, -26.0)),
            ("silence", 27.9),
            ("wake", ("espeak", 150, -26.0)),
            ("silence", 10.0),
            ("wake", ("espeak", 130, -26.0)),
            ("silence", 20.0),
        ]
    )
    evening = run_evening(scene.samples, shelf_dir, Setup(config_with(), heard=None))
    commands = [c.name for c in evening.of(ev.Command)]
    assert commands == ["pause", "continue"], commands
    thanks = next(s for s in evening.of(ev.Said) if s.text.startswith("Dank je"))
    pause = evening.of(ev.Command)[0]
    assert thanks.t < pause.t < thanks.t + 2.0  # cut off mid-line
    assert thanks.seconds < 2.0
    assert evening.of(ev.Paused) and evening.of(ev.Resumed)
    assert len(evening.of(sev.Wake)) == 3
    assert evening.of(ev.SessionEnded)[0].reason == "done"


class Boom(Exception):
    pass


class BrokenOnce(FakeVoice):
    """A voice that fails the first time it is asked for a line starting with `first`."""

    def __init__(self, first: str) -> None:
        super().__init__()
        self.first = first
        self.failed = False

    def speak(self, text: str, rate: float) -> Any:
        if text.startswith(self.first) and not self.failed:
            self.failed = True
            raise Boom("the voice broke")
        return super().speak(text, rate)


@pytest.mark.parametrize(
    ("line", "ended"),
    [
        ("Fijn dat jullie", ["error", "done"]),  # inside the first session
        ("Ik kan nog niet", ["done"]),  # while the coach says which exercise, before it
    ],
)
def test_an_error_ends_that_session_or_wake_and_the_service_goes_on(
    shelf_dir: Path, line: str, ended: list[str]
) -> None:
    scene = evenings.evening(
        [
            ("silence", 2.0),
            ("wake", ("piper", 0, -26.0)),
            ("silence", 30.0),
            ("wake", ("espeak", 150, -26.0)),
            ("silence", 30.0),
        ]
    )
    voice = BrokenOnce(line)
    mic = ServeMicrophone(lambda: WavMicrophone(AudioChunk(scene.samples, RATE)))
    logged: list[str] = []
    events: list[ev.Event] = []
    log = ServeLog()
    log.subscribe(events.append)
    config = config_with()
    parts = Parts(
        mic=mic,
        speaker=TrackSpeaker(),
        wake=MicroWakeWordDetector(config.wake),
        voice_for=lambda code: voice,
        recognizer_for=lambda code: None,
        shelf=lambda cfg, skip: load_shelf("nl", skip, shelf_dir, shelf_dir / "u"),
        log=logged.append,
    )
    server = Server(config, parts, ServeClock(MONDAY_2058), log, mode="simulated")
    assert server.run() == "input_ended"
    assert [e.reason for e in events if isinstance(e, ev.SessionEnded)] == ended
    assert sum("Boom: the voice broke" in x and "Traceback" in x for x in logged) == 1
    assert [e.after for e in events if isinstance(e, sev.Idle)] == ["error", "done"]


def test_a_script_that_fails_to_load_is_skipped_with_one_line(shelf_dir: Path) -> None:
    (shelf_dir / "kapot.yaml").write_text(
        "id: kapot\ntitle: Kapot\nlanguage: nl\nsteps: [{dans: 3}]\n"
    )
    evening = run_evening(wake_then(20.0).samples, shelf_dir, Setup(config_with(), heard=None))
    skipped = [line for line in evening.logged if "skipped" in line]
    assert len(skipped) == 1 and "kapot.yaml:4" in skipped[0]
    assert [e.path.endswith("kapot.yaml") for e in evening.of(sev.ScriptSkipped)] == [True]
    assert evening.of(ev.SessionStarted)  # the others still run


def test_shutdown_during_a_session_ends_it_and_stops_the_service(shelf_dir: Path) -> None:
    scene = wake_then(60.0, voice="piper")
    holder: dict[str, Server] = {}

    def stop_in_session(event: ev.Event) -> None:
        if isinstance(event, ev.TurnStarted):
            holder["server"].mic.stop_requested = True  # what SIGTERM does

    mic = ServeMicrophone(lambda: WavMicrophone(AudioChunk(scene.samples, RATE)))
    log = ServeLog()
    events: list[ev.Event] = []
    log.subscribe(events.append)
    log.subscribe(stop_in_session)
    config = config_with()
    speaker = TrackSpeaker()
    parts = Parts(
        mic=mic,
        speaker=speaker,
        wake=MicroWakeWordDetector(config.wake),
        voice_for=lambda code: FakeVoice(),
        recognizer_for=lambda code: None,
        shelf=lambda cfg, skip: load_shelf("nl", skip, shelf_dir, shelf_dir / "u"),
    )
    server = Server(config, parts, ServeClock(MONDAY_2058), log, mode="simulated")
    holder["server"] = server
    assert server.run() == "shutdown"
    assert [e.reason for e in events if isinstance(e, ev.SessionEnded)] == ["shutdown"]
    goodbye = [e for e in events if isinstance(e, ev.Said) and "Ik stop nu" in e.text]
    assert len(goodbye) == 1 and goodbye[0].seconds > 0.5  # one short closing line
    assert isinstance(events[-1], sev.ServeStopped) and events[-1].reason == "shutdown"
    assert mic.seconds < scene.seconds - 30  # it did not run on to the end of the WAV


def test_sighup_reloads_the_scripts_between_sessions(shelf_dir: Path) -> None:
    scene = wake_then(45.0)
    loads: list[int] = []
    holder: dict[str, Server] = {}

    def shelf(cfg: Config, skip: Skip) -> Shelf:
        loads.append(1)
        return load_shelf("nl", skip, shelf_dir, shelf_dir / "u")

    def hup_once(event: ev.Event) -> None:
        if isinstance(event, ev.SessionStarted):
            holder["server"].reload_requested = True  # what SIGHUP does, mid-session

    mic = ServeMicrophone(lambda: WavMicrophone(AudioChunk(scene.samples, RATE)))
    log = ServeLog()
    log.subscribe(hup_once)
    logged: list[str] = []
    config = config_with()
    parts = Parts(
        mic=mic,
        speaker=TrackSpeaker(),
        wake=MicroWakeWordDetector(config.wake),
        voice_for=lambda code: FakeVoice(),
        recognizer_for=lambda code: None,
        shelf=shelf,
        reload_config=lambda: config,
        log=logged.append,
    )
    holder["server"] = Server(config, parts, ServeClock(MONDAY_2058), log, mode="simulated")
    holder["server"].run()
    assert len(loads) == 2  # at the start, and once after the session
    assert any(line.startswith("reloaded: 2 scripts") for line in logged)


def test_outside_enabled_hours_the_service_is_deaf(shelf_dir: Path) -> None:
    scene = wake_then(20.0)
    config = Config(serve=ServeSettings(enabled_hours="18:00-20:00", default_script="kort-checkin"))
    evening = run_evening(scene.samples, shelf_dir, Setup(config, heard=None))
    assert evening.types() == ["serve_started", "serve_stopped"]


class FlakyMic:
    """A microphone that is lost after `good` reads (a USB plug pulled)."""

    def __init__(self, good: int) -> None:
        self.good = good

    def read(self, frames: int) -> Samples | None:
        if self.good <= 0:
            raise OSError("device unplugged")
        self.good -= 1
        return np.zeros(frames, np.float32)

    def close(self) -> None:
        pass


def test_a_lost_microphone_in_idle_is_reopened_with_sleeps_not_a_busy_loop() -> None:
    opened = {"n": 0}
    slept: list[float] = []
    logged: list[str] = []

    def open_mic() -> FlakyMic:
        opened["n"] += 1
        if opened["n"] in (2, 3):  # away for two tries
            raise OSError("no such device")
        return FlakyMic(good=5)

    mic = ServeMicrophone(
        open_mic, lost=(OSError,), retry_s=5.0, sleep=slept.append, log=logged.append
    )
    for _ in range(10):  # 5 reads, lost, away for two tries, back, 5 reads
        assert mic.read(480) is not None
    assert opened["n"] == 4 and mic.reopened == 1
    # Three waits of 5 s each (the last one before the lucky open), in 0.5 s naps.
    assert sum(slept) == pytest.approx(15.0) and max(slept) <= 0.5
    assert sum(1 for line in logged if "gone" in line) == 1
    assert any("back" in line for line in logged)


def test_a_microphone_missing_at_start_is_waited_for() -> None:
    tries = {"n": 0}
    logged: list[str] = []

    def open_mic() -> FlakyMic:
        tries["n"] += 1
        if tries["n"] == 1:
            raise OSError("no such device")
        return FlakyMic(good=3)

    mic = ServeMicrophone(open_mic, lost=(OSError,), sleep=lambda s: None, log=logged.append)
    assert mic.read(480) is not None and tries["n"] == 2
    assert "cannot open the microphone yet" in logged[0]


def test_a_lost_microphone_in_a_session_ends_it_as_device_lost() -> None:
    from voice_coach.engine.io import InputEnded

    mic = ServeMicrophone(lambda: FlakyMic(good=1), lost=(OSError,), sleep=lambda s: None)
    mic.in_session = True
    mic.read(480)
    with pytest.raises(InputEnded) as ended:
        mic.read(480)
    assert ended.value.reason == "device_lost"


def test_idle_audio_is_never_written(shelf_dir: Path, tmp_path: Path, monkeypatch: Any) -> None:
    """Even with keep_recordings on, an evening leaves nothing but what was asked for."""
    home = tmp_path / "home"
    for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    talk = evenings.talk_without_the_word(30.0)
    config = dataclasses.replace(config_with(), privacy=PrivacySettings(keep_recordings=True))
    evening = run_evening(talk, shelf_dir, Setup(config, heard=None))
    assert evening.reason == "input_ended"
    written = [p for p in home.rglob("*") if p.is_file()]
    assert written == []


def test_a_kept_recording_holds_the_session_only(
    shelf_dir: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    scene = wake_then(30.0)
    config = dataclasses.replace(config_with(), privacy=PrivacySettings(keep_recordings=True))
    evening = run_evening(scene.samples, shelf_dir, Setup(config, heard=None))
    (started,) = evening.of(ev.SessionStarted)
    (ended,) = evening.of(ev.SessionEnded)
    (path,) = (tmp_path / "data" / "voice-coach" / "recordings").iterdir()
    assert path.name == "2026-11-30-205810-kort-checkin.wav"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    from voice_coach.audio.wav import read_wav

    seconds = read_wav(path).seconds
    assert seconds == pytest.approx(ended.t - started.t, abs=0.05)  # not the idle minute


def test_the_events_file_is_private_and_complete(shelf_dir: Path, tmp_path: Path) -> None:
    from voice_coach.engine.events import JsonlWriter

    path = tmp_path / "ev.jsonl"
    writer = JsonlWriter(path)
    scene = wake_then(30.0)
    mic = ServeMicrophone(lambda: WavMicrophone(AudioChunk(scene.samples, RATE)))
    log = ServeLog()
    log.subscribe(writer)
    config = config_with()
    parts = Parts(
        mic=mic,
        speaker=TrackSpeaker(),
        wake=MicroWakeWordDetector(WakeSettings()),
        voice_for=lambda code: FakeVoice(),
        recognizer_for=lambda code: None,
        shelf=lambda cfg, skip: load_shelf("nl", skip, shelf_dir, shelf_dir / "u"),
    )
    Server(config, parts, ServeClock(MONDAY_2058), log, mode="simulated").run()
    writer.close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    lines = path.read_text().splitlines()
    assert '"type": "wake"' in lines[1] and '"type": "serve_stopped"' in lines[-1]
    assert any('"type": "session_ended"' in line for line in lines)


def test_the_journal_tells_the_invitation_which_evenings_are_done(tmp_path: Path) -> None:
    """The real journal behind the seam: a check-in by hand at 19:30 counts for that
    evening; one after midnight belongs to the evening before; an unreadable file is
    'not done' (the evening is never held up)."""
    import random

    from tests.journalgen import evening_events, feed
    from voice_coach.journal.recorder import open_recorder
    from voice_coach.serve.journal import ServeJournal

    path = tmp_path / "journal.sqlite3"
    for start in (dt.datetime(2026, 11, 30, 19, 30), dt.datetime(2026, 12, 2, 0, 30)):
        recorder = open_recorder(pytest.fail, title="Avond check-in", start=start, path=path)
        assert recorder is not None
        feed(recorder, evening_events(random.Random(1), 0.5)[0])
    journal = ServeJournal(lambda line: None, "avond-checkin", path)
    assert journal.checkin_done(dt.date(2026, 11, 30))
    assert journal.checkin_done(dt.date(2026, 12, 1))  # at 00:30 on the 2nd: that evening's
    assert not journal.checkin_done(dt.date(2026, 12, 2))
    assert not ServeJournal(lambda line: None, "ander-script", path).checkin_done(
        dt.date(2026, 11, 30)
    )
    path.write_bytes(b"not a database" * 100)
    assert not journal.checkin_done(dt.date(2026, 11, 30))


@pytest.mark.slow
def test_an_exercise_started_by_the_wake_word_is_written_to_the_journal(
    shelf_dir: Path, tmp_path: Path
) -> None:
    from voice_coach.journal.read import sessions_since
    from voice_coach.serve.journal import ServeJournal

    path = tmp_path / "journal.sqlite3"
    journal = ServeJournal(lambda line: None, "kort-checkin", path)
    scene = evenings.evening(
        [("silence", 20.0), ("wake", ("espeak", 130, -26.0)), ("silence", 40.0)]
    )
    setup = Setup(config_with(), heard=None, checkin_done=journal.checkin_done)
    evening = run_evening(
        scene.samples, shelf_dir, setup, journal_for=journal.record, history_for=journal.history
    )
    assert evening.of(ev.SessionEnded)[0].reason == "done"
    (row,) = sessions_since(MONDAY_2058, path)
    assert (row.script_id, row.end_reason) == ("kort-checkin", "done")
    assert journal.checkin_done(MONDAY_2058.date())
