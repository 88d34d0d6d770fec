"""A systemd *user* service for the always-on coach (a Raspberry Pi without a terminal).

`install` writes `voice-coach.service` into `$XDG_CONFIG_HOME/systemd/user/`
(mode 0600, folder 0700) and, where `systemctl --user` works, reloads systemd and
enables the unit; `status` asks systemd and the journal. On a headless Pi the user's
services only run without a login after `loginctl enable-linger <user>`.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from voice_coach.errors import VoiceCoachError

UNIT_NAME = "voice-coach.service"
WATCHDOG_S = 60
"""Seconds without a watchdog ping after which systemd restarts the service."""
SOUND_SERVERS = "pipewire.service pipewire-pulse.service pulseaudio.service"
"""The user's sound server units: the service starts after whichever of them exists."""


class ServiceError(VoiceCoachError):
    """The service cannot be installed or asked about; the message says what to do."""


def unit_dir() -> Path:
    """Where systemd looks for the user's own units."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def unit_path() -> Path:
    """The unit file `install` writes."""
    return unit_dir() / UNIT_NAME


def exec_command() -> list[str]:
    """How systemd starts the coach: this installation's own `voice-coach serve`."""
    script = Path(sys.executable).with_name("voice-coach")
    if script.is_file():
        return [str(script), "serve"]
    return [sys.executable, "-m", "voice_coach", "serve"]


def unit_text(command: list[str] | None = None) -> str:
    """The unit file's content."""
    argv = " ".join(shlex.quote(part) for part in (command or exec_command()))
    return f"""\
# Written by `voice-coach service install`; `voice-coach service uninstall` removes it.
[Unit]
Description=voice-coach: the couple's evening coach (listens for the wake word)
# Start once the user's sound server runs, so the microphone and speaker exist.
After={SOUND_SERVERS} sound.target
Wants=sound.target

[Service]
Type=notify
NotifyAccess=main
ExecStart={argv}
# SIGTERM ends a running exercise with one short line; SIGHUP reloads config and scripts.
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=10
WatchdogSec={WATCHDOG_S}
TimeoutStopSec=15
Environment=PYTHONUNBUFFERED=1

[Install]
WantedBy=default.target
"""


@dataclass(frozen=True)
class Outcome:
    """What a service command did, and what the user may still have to do."""

    lines: tuple[str, ...]
    ok: bool = True


def systemctl_usable() -> str | None:
    """None when `systemctl --user` works here, else why not (one line)."""
    if shutil.which("systemctl") is None:
        return "systemctl is not installed (this system does not run systemd)"
    try:
        result = subprocess.run(
            ["systemctl", "--user", "show-environment"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"systemctl --user does not answer: {err}"
    if result.returncode != 0:
        why = (result.stderr or result.stdout).strip().splitlines()
        return f"systemctl --user cannot reach a user manager ({why[0] if why else 'no reason'})"
    return None


def _systemctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemctl", "--user", *args], capture_output=True, text=True, timeout=30
    )


def install(command: list[str] | None = None, start: bool = True) -> Outcome:
    """Write the unit; enable and start it where systemd is reachable."""
    folder = unit_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = unit_path()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(unit_text(command))
    os.chmod(path, 0o600)
    user = os.environ.get("USER") or "$USER"
    lines = [f"wrote {path}"]
    why = systemctl_usable()
    if why is None:
        _systemctl("daemon-reload")
        enable = _systemctl("enable", *(["--now"] if start else []), UNIT_NAME)
        if enable.returncode != 0:
            raise ServiceError(f"systemctl --user enable failed: {enable.stderr.strip()}")
        lines.append("enabled" + (" and started" if start else "") + f" {UNIT_NAME}")
    else:
        lines.append(f"not enabled here: {why}")
        lines.append(
            f"on the Pi run: systemctl --user daemon-reload && "
            f"systemctl --user enable --now {UNIT_NAME}"
        )
    lines.append(
        f"headless (no desktop login): sudo loginctl enable-linger {user} "
        "so the coach starts at boot and keeps running after you log out"
    )
    lines.append("the microphone is open all evening ([serve] enabled_hours); see the README")
    return Outcome(tuple(lines))


def uninstall() -> Outcome:
    """Stop and disable the unit where systemd is reachable, then remove the file."""
    path = unit_path()
    lines = []
    why = systemctl_usable()
    if why is None:
        _systemctl("disable", "--now", UNIT_NAME)
        lines.append(f"stopped and disabled {UNIT_NAME}")
    if path.exists():
        path.unlink()
        lines.append(f"removed {path}")
        if why is None:
            _systemctl("daemon-reload")
    else:
        lines.append(f"nothing to remove: {path} does not exist")
    return Outcome(tuple(lines))


def status(log_lines: int = 15) -> Outcome:
    """Whether the unit is installed and runs, and the last lines of its log."""
    path = unit_path()
    lines = [f"unit file: {path}" + ("" if path.exists() else " (not installed)")]
    why = systemctl_usable()
    if why is not None:
        lines.append(f"cannot ask systemd: {why}")
        return Outcome(tuple(lines), ok=path.exists())
    active = _systemctl("is-active", UNIT_NAME).stdout.strip() or "unknown"
    enabled = _systemctl("is-enabled", UNIT_NAME).stdout.strip() or "unknown"
    lines.append(f"running: {active}; starts at login/boot: {enabled}")
    if shutil.which("journalctl"):
        journal = subprocess.run(
            ["journalctl", "--user", "-u", UNIT_NAME, "-n", str(log_lines), "--no-pager"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        lines.append(f"last {log_lines} log lines:")
        lines.extend("  " + line for line in journal.stdout.splitlines()[-log_lines:])
    return Outcome(tuple(lines), ok=active == "active")
