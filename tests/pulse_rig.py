"""A real PulseAudio server for the tests: a microphone you can play into, a speaker you can record.

How it works
------------
`PulseRig.start()` runs a private `pulseaudio` (no daemon, never exits on idle, runs
as root too: it only warns) with its socket, state and runtime files in a fresh
`/tmp/vc-pulse-*` directory, so it never meets a desktop's server or another test
run. Its startup script loads only:

- `module-native-protocol-unix` (anonymous auth: no cookie needed),
- a null sink `coach_speaker` (the coach's speaker; record it from its monitor),
- a null sink `room` (the air in the room; play into it) and
- `module-remap-source master=room.monitor source_name=coach_mic` (the microphone:
  whatever is played into `room` comes out of `coach_mic`),

and makes `coach_speaker` and `coach_mic` the defaults.

PortAudio reaches it through ALSA's pulse plugin (libasound2-plugins). The rig writes
an ALSA config with two named PCMs, `coach_mic` (capture only) and `coach_speaker`
(playback only), each an `asym` wrapper around a `pulse` PCM, and
points `ALSA_CONFIG_PATH` at the system `alsa.conf` plus that file, and
`PULSE_SERVER` at the private socket. PortAudio lists ALSA's named PCMs as devices,
so the tests see `coach_mic`, `coach_speaker`, `pulse` and `default` (the last two
go to the server's defaults).

PortAudio scans devices once, when `sounddevice` is imported; ALSA re-reads its
config when `ALSA_CONFIG_PATH` changes. So the `pulse_rig` fixture sets the
environment in this process and then restarts PortAudio
(`sounddevice._terminate(); sounddevice._initialize()`, what
`voice_coach.audio.devices.rescan_devices` does); no subprocess is needed. At teardown it
restores the environment and restarts PortAudio again. `rig.env` gives the same
variables for subprocesses (a `voice-coach` run in a child process).

Unplugging: unloading one module does not lose a stream, because PulseAudio moves
streams to any device that is left (a monitor source). `unplug()` therefore removes
all three modules (like pulling a USB headset: no sound device at all), which kills
open streams; `replug()` loads them again under the same names.

Use it in a test module with
`from tests.pulse_rig import PulseRig, pulse_rig_fixture  # noqa: F401` and a
`pulse_rig` argument; the fixture is module-scoped (one server per test module, stopped before
the next module starts) and skips only when `pulseaudio`/`pactl` are not installed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from voice_coach.audio.chunk import AudioChunk
from voice_coach.audio.wav import read_wav

RIG_RATE = 48_000
"""Hertz at which the rig's helpers play and record (the server converts)."""

LEAD_IN_S = 0.5
"""Seconds of silence `play_into_mic` plays before the clip."""

_MODULES = (
    ("module-null-sink", "sink_name=coach_speaker", "rate=48000"),
    ("module-null-sink", "sink_name=room", "rate=48000"),
    ("module-remap-source", "master=room.monitor", "source_name=coach_mic"),
)

_ALSA_CONF = """\
pcm.coach_mic {
    type asym
    capture.pcm { type pulse device "coach_mic" }
    hint { show on description "Coach microphone (test rig)" }
}
pcm.coach_speaker {
    type asym
    playback.pcm { type pulse device "coach_speaker" }
    hint { show on description "Coach speaker (test rig)" }
}
"""


def _system_alsa_conf() -> str:
    for candidate in ("/usr/share/alsa/alsa.conf", "/etc/alsa/alsa.conf"):
        if Path(candidate).is_file():
            return candidate
    return "/usr/share/alsa/alsa.conf"


class PulseRig:
    """A private PulseAudio server with a playable microphone and a recordable speaker."""

    mic = "coach_mic"
    """PortAudio (ALSA) device name of the microphone."""
    speaker = "coach_speaker"
    """PortAudio (ALSA) device name of the speaker."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="vc-pulse-"))
        self.socket = self.root / "native"
        self._server: subprocess.Popen[bytes] | None = None
        self._module_ids: list[str] = []
        self._keepalive: list[subprocess.Popen[bytes]] = []
        self.env = {
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_CLIENTCONFIG": str(self.root / "client.conf"),
            "PULSE_COOKIE": str(self.root / "cookie"),
            "ALSA_CONFIG_PATH": f"{_system_alsa_conf()}:{self.root / 'asound.conf'}",
        }
        """What a client (this process or a child) needs to reach the rig."""

    # Server -----------------------------------------------------------------

    def start(self) -> None:
        """Start the server and wait until it answers (raises RuntimeError if it does not)."""
        (self.root / "client.conf").write_text("autospawn = no\nenable-shm = no\n")
        (self.root / "asound.conf").write_text(_ALSA_CONF)
        script = [f"load-module module-native-protocol-unix socket={self.socket} auth-anonymous=1"]
        (self.root / "default.pa").write_text("\n".join(script) + "\n")
        server_env = {
            **os.environ,
            **self.env,
            # Everything the daemon writes goes under the rig directory.
            "HOME": str(self.root),
            "XDG_RUNTIME_DIR": str(self.root),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "PULSE_RUNTIME_PATH": str(self.root / "runtime"),
            "PULSE_STATE_PATH": str(self.root / "state"),
        }
        self._log = (self.root / "pulseaudio.log").open("wb")
        self._server = subprocess.Popen(
            [
                "pulseaudio",
                "--daemonize=no",
                "--system=false",
                "--exit-idle-time=-1",
                "--disable-shm=yes",
                "--use-pid-file=false",
                "--log-target=stderr",
                "-n",
                "-F",
                str(self.root / "default.pa"),
            ],
            env=server_env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )
        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                break
            if self.socket.exists() and self._pactl_ok("info"):
                self.replug()
                return
            time.sleep(0.05)
        self.stop()
        log = (self.root / "pulseaudio.log").read_text(errors="replace")
        raise RuntimeError(f"the test PulseAudio server did not start; its log:\n{log}")

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        self._stop_keepalive()
        if self._server is not None:
            self._server.terminate()
            try:
                self._server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait()
            self._server = None
            self._log.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def client_env(self) -> dict[str, str]:
        """This process's environment pointed at the rig (for `pactl`, `pacat`, `parec`)."""
        return {**os.environ, **self.env}

    def log(self) -> str:
        """What the server has logged so far (warnings and errors)."""
        return (self.root / "pulseaudio.log").read_text(errors="replace")

    def _pactl_ok(self, *args: str) -> bool:
        done = subprocess.run(
            ["pactl", *args], env=self.client_env(), capture_output=True, timeout=10
        )
        return done.returncode == 0

    def pactl(self, *args: str) -> str:
        """Run `pactl` against the rig; its output (raises CalledProcessError on failure)."""
        done = subprocess.run(
            ["pactl", *args],
            env=self.client_env(),
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return done.stdout

    # Plugging ---------------------------------------------------------------

    def unplug(self) -> None:
        """Remove the microphone and both sinks, as when a USB headset is pulled out."""
        self._stop_keepalive()
        for module_id in reversed(self._module_ids):
            with contextlib.suppress(subprocess.CalledProcessError):
                self.pactl("unload-module", module_id)
        self._module_ids = []

    def replug(self) -> None:
        """(Re)create the microphone and both sinks and make them the defaults."""
        if self._module_ids:
            return
        for module in _MODULES:
            self._module_ids.append(self.pactl("load-module", *module).strip())
        self.pactl("set-default-sink", "coach_speaker")
        self.pactl("set-default-source", "coach_mic")
        # A null sink with no stream asking for low latency renders in 2-second blocks,
        # so a new stream may wait up to 2 s before it starts to move. A silent stream
        # asking for 10 ms keeps both sinks ticking in small blocks.
        for sink in ("coach_speaker", "room"):
            with open("/dev/zero", "rb") as zeros:
                self._keepalive.append(
                    subprocess.Popen(
                        [
                            "pacat",
                            "--playback",
                            f"--device={sink}",
                            "--format=s16le",
                            "--rate=48000",
                            "--channels=1",
                            "--raw",
                            "--latency-msec=10",
                            "--client-name=rig-keepalive",
                        ],
                        env=self.client_env(),
                        stdin=zeros,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )

        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            inputs = self.pactl("list", "short", "sink-inputs").strip().splitlines()
            if len(inputs) >= len(self._keepalive):
                break
            time.sleep(0.02)
        # The sinks apply the 10 ms only after the block they are in; a suspend and
        # resume starts a new one.
        for sink in ("coach_speaker", "room"):
            self.pactl("suspend-sink", sink, "1")
            self.pactl("suspend-sink", sink, "0")

    def _stop_keepalive(self) -> None:
        for proc in self._keepalive:
            proc.terminate()
            proc.wait(timeout=5)
        self._keepalive = []

    # Sound in and out ---------------------------------------------------------

    def play_into_mic(self, audio: AudioChunk | str | os.PathLike[str]) -> subprocess.Popen[bytes]:
        """Start playing `audio` (a chunk or WAV path) into the room; returns the player.

        The clip starts `LEAD_IN_S` seconds after the player (plus the server's
        latency); wait on the returned process (`.wait()`) to know it has been played.
        """
        chunk = audio if isinstance(audio, AudioChunk) else read_wav(audio)
        # pacat may drop the first tenths of a second of a new stream; the lead-in
        # silence takes that loss, so the clip itself always arrives whole.
        chunk = AudioChunk.silence(LEAD_IN_S, RIG_RATE).then(chunk)
        return self.play("room", chunk.samples)

    def play(self, device: str, samples: np.ndarray) -> subprocess.Popen[bytes]:
        """Start playing `samples` (mono float32 at `RIG_RATE`) into the sink `device`;
        returns the player (`.wait()` to know it has been played)."""
        player = subprocess.Popen(
            [
                "pacat",
                "--playback",
                f"--device={device}",
                "--format=float32le",
                f"--rate={RIG_RATE}",
                "--channels=1",
                "--raw",
                # Without it pacat buffers 2 s before it starts: short clips start late.
                "--latency-msec=30",
            ],
            env=self.client_env(),
            stdin=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        data = samples.astype("<f4").tobytes()

        # Feed from a thread so the caller can read the microphone meanwhile.
        def feed() -> None:
            assert player.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                player.stdin.write(data)
                player.stdin.close()

        threading.Thread(target=feed, daemon=True).start()
        return player

    def start_recording(
        self, device: str = "coach_speaker.monitor", wait: bool = True
    ) -> Recording:
        """Start recording the source `device` (the speaker's monitor unless told);
        with `wait`, return once sound flows. `.stop()` gives the audio."""
        return Recording(self.client_env(), device, wait)


class Recording:
    """A running `parec` of one source, collected by a thread."""

    def __init__(self, env: dict[str, str], device: str, wait: bool = True) -> None:
        self._proc = subprocess.Popen(
            [
                "parec",
                f"--device={device}",
                "--format=float32le",
                f"--rate={RIG_RATE}",
                "--channels=1",
                "--raw",
                "--latency-msec=20",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._parts: list[bytes] = []
        self._started = threading.Event()
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()
        # parec takes a few tenths of a second to connect; what plays before that
        # would be missing from the recording. A source delivers silence at once.
        if wait and not self._started.wait(timeout=10):
            self._proc.kill()
            raise RuntimeError(f"parec delivered nothing from {device} in 10 s")

    def _collect(self) -> None:
        assert self._proc.stdout is not None
        while chunk := self._proc.stdout.read1(65536):
            self._parts.append(chunk)
            self._started.set()

    @property
    def seconds(self) -> float:
        """Seconds recorded so far."""
        return sum(len(part) for part in self._parts) / 4 / RIG_RATE

    def stop(self) -> AudioChunk:
        """Stop recording; everything recorded so far."""
        self._proc.terminate()
        self._proc.wait(timeout=5)
        self._reader.join(timeout=5)
        raw = b"".join(self._parts)
        raw = raw[: len(raw) - len(raw) % 4]
        return AudioChunk(np.frombuffer(raw, dtype="<f4").astype(np.float32), RIG_RATE)


def _restart_portaudio() -> None:
    import sounddevice

    sounddevice._terminate()
    sounddevice._initialize()


@contextlib.contextmanager
def running_rig() -> Iterator[PulseRig]:
    """A started rig with this process pointed at it; everything undone afterwards."""
    if shutil.which("pulseaudio") is None or shutil.which("pactl") is None:
        pytest.skip("pulseaudio/pactl are not installed (apt install pulseaudio pulseaudio-utils)")
    rig = PulseRig()
    rig.start()
    saved = {key: os.environ.get(key) for key in rig.env}
    os.environ.update(rig.env)
    try:
        _restart_portaudio()
        yield rig
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _restart_portaudio()
        rig.stop()


@pytest.fixture(scope="module", name="pulse_rig")
def pulse_rig_fixture() -> Iterator[PulseRig]:
    """A private PulseAudio server that PortAudio in this process uses (see the module doc)."""
    with running_rig() as rig:
        yield rig
