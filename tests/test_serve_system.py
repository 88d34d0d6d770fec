"""`voice-coach serve` meets the system: sd_notify, the systemd unit, signals, the CLI.

`systemctl --user` cannot run here (no user manager in this container), so the unit
is checked as a file in a temporary XDG folder, and `install`/`status` are checked
for saying so and for what to do on the Pi.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests import evenings
from voice_coach.audio.chunk import AudioChunk
from voice_coach.audio.wav import write_wav
from voice_coach.cli import main
from voice_coach.serve import service
from voice_coach.serve.notify import Notifier

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(2.0)
    yield sock, path
    sock.close()


def test_ready_status_and_watchdog_reach_a_real_notify_socket(
    notify_socket: tuple[socket.socket, str],
) -> None:
    sock, path = notify_socket
    now = [100.0]
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "20000000"}, clock=lambda: now[0])
    assert notifier.enabled and notifier.watchdog_s == 20.0
    notifier.ready("listening for okay_nabu")
    assert sock.recv(256) == b"READY=1\nSTATUS=listening for okay_nabu"
    notifier.alive()
    assert sock.recv(256) == b"WATCHDOG=1"
    now[0] += 5.0
    notifier.alive()  # not yet half the interval: nothing sent
    now[0] += 5.0
    notifier.alive()
    assert sock.recv(256) == b"WATCHDOG=1"
    notifier.stopping()
    assert sock.recv(256) == b"STOPPING=1"
    sock.settimeout(0.2)
    with pytest.raises(TimeoutError):
        sock.recv(256)


def test_without_systemd_nothing_is_sent() -> None:
    notifier = Notifier({})
    assert not notifier.enabled and notifier.watchdog_s is None
    assert notifier.send("READY=1") is False
    notifier.alive()


def test_the_abstract_namespace_is_understood() -> None:
    name = f"@vc-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name[1:])
    sock.settimeout(2.0)
    try:
        assert Notifier({"NOTIFY_SOCKET": name}).send("READY=1")
        assert sock.recv(64) == b"READY=1"
    finally:
        sock.close()


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def test_install_writes_a_private_user_unit_that_restarts_after_the_sound_server(
    xdg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["service", "install"]) == 0
    path = xdg / "systemd" / "user" / "voice-coach.service"
    text = path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    lines = text.splitlines()
    assert "Restart=on-failure" in lines and "Type=notify" in lines
    assert any(line.startswith("WatchdogSec=") for line in lines)
    after = next(line for line in lines if line.startswith("After="))
    assert "pipewire-pulse.service" in after and "pulseaudio.service" in after
    exec_start = next(line for line in lines if line.startswith("ExecStart="))
    assert exec_start.endswith(" serve") and "voice-coach" in exec_start
    assert "WantedBy=default.target" in lines
    out = capsys.readouterr().out
    assert f"wrote {path}" in out
    assert "loginctl enable-linger" in out
    assert "microphone is open all evening" in out
    if service.systemctl_usable() is not None:  # this container: say so, tell what to do
        assert "not enabled here" in out and "systemctl --user enable --now" in out


def test_the_unit_runs_the_installed_command() -> None:
    command = service.exec_command()
    assert command[-1] == "serve"
    assert Path(command[0]).exists()


def test_status_and_uninstall(xdg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if service.systemctl_usable() is None:
        pytest.skip("a user systemd runs here: status would ask it")
    assert main(["service", "status"]) == 1
    assert "(not installed)" in capsys.readouterr().out
    main(["service", "install"])
    capsys.readouterr()
    assert main(["service", "status"]) == 0
    out = capsys.readouterr().out
    assert "cannot ask systemd" in out and "(not installed)" not in out
    assert main(["service", "uninstall"]) == 0
    assert not service.unit_path().exists()
    assert "removed" in capsys.readouterr().out
    main(["service", "uninstall"])
    assert "nothing to remove" in capsys.readouterr().out


def test_list_wake_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--list-wake-words"]) == 0
    out = capsys.readouterr().out
    assert "* okay_nabu" in out and "hey_jarvis" in out and "alexa" in out


def test_start_without_input_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--start", "20:58"]) == 1
    assert "need --input" in capsys.readouterr().err


def wav_of_wake(tmp_path: Path, seconds_after: float) -> Path:
    scene = evenings.evening(
        [("silence", 2.0), ("wake", ("espeak", 150, -26.0)), ("silence", seconds_after)]
    )
    path = tmp_path / "evening.wav"
    write_wav(path, AudioChunk(scene.samples, evenings.RATE))
    return path


def cli_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        VOICE_COACH_MODELS=str(tmp_path / "models"),  # no Dutch voice nor recogniser
    )
    return env


@pytest.mark.slow
def test_a_simulated_evening_from_the_command_line(
    tmp_path: Path, notify_socket: tuple[socket.socket, str]
) -> None:
    """espeak-ng speaks (no Piper voice for Dutch here), no recogniser: the default runs.
    NOTIFY_SOCKET points at a real datagram socket, as systemd's would."""
    wav = wav_of_wake(tmp_path, 20.0)
    config = tmp_path / "config" / "voice-coach"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('[serve]\ndefault_script = "ademhaling"\n')
    events = tmp_path / "ev.jsonl"
    out_wav = tmp_path / "coach.wav"
    sock, address = notify_socket
    env = cli_env(tmp_path)
    env.update(NOTIFY_SOCKET=address, WATCHDOG_USEC="2000000")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "voice_coach",
            "serve",
            "--input",
            str(wav),
            "--start",
            "20:58",
            "--events",
            str(events),
            "--output",
            str(out_wav),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    sent = []
    sock.settimeout(0.5)
    with contextlib.suppress(TimeoutError):
        while True:
            sent.append(sock.recv(256).decode())
    assert sent[0].startswith("READY=1\nSTATUS=listening for okay_nabu")
    assert "WATCHDOG=1" in sent and sent[-1] == "STOPPING=1"
    assert "Simulated" in result.stderr and "stopped: input_ended" in result.stderr
    kinds = [json.loads(line)["type"] for line in events.read_text().splitlines()]
    assert kinds[:3] == ["serve_started", "wake", "awake"]
    assert "session_started" in kinds and kinds[-1] == "serve_stopped"
    assert stat.S_IMODE(events.stat().st_mode) == 0o600
    coach = np.abs(
        __import__("voice_coach.audio.wav", fromlist=["read_wav"]).read_wav(out_wav).samples
    )
    assert coach.max() > 0.05  # the chime and the coach's voice are in the output


@pytest.mark.slow
def test_sigterm_in_idle_exits_0_and_logs_the_stop(tmp_path: Path) -> None:
    """A simulated evening long enough to be running when SIGTERM comes."""
    wav = tmp_path / "long.wav"
    write_wav(wav, AudioChunk(evenings.quiet_room(1200.0), evenings.RATE))
    events = tmp_path / "ev.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voice_coach",
            "serve",
            "--input",
            str(wav),
            "--start",
            "19:00",
            "--events",
            str(events),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(tmp_path),
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (events.exists() and events.read_text()):
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    last = json.loads(events.read_text().splitlines()[-1])
    assert last["type"] == "serve_stopped" and last["reason"] == "shutdown"
