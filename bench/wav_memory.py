"""Peak memory of `analyze` and `run --input` on a two-hour 48 kHz stereo WAV.

Generates the file (1.4 GB, 16-bit, in a temporary folder; removed afterwards), then
runs each command in its own process and reads that process's peak resident memory
(`ru_maxrss` from wait4). Also measures reading the file alone through `WavReader`
and the streaming resampler, the part `analyze` and `run --input` share.

    .venv/bin/python -m bench wav_memory     # HOURS=0.1 for a quick look, ONLY=run

Measured on the build machine (2 shared cores), two hours, branch `harden`:
  read (WavReader + resampler, blocks dropped)   116 MB peak,  49 s
  run --input --output --events                  132 MB peak, 466 s (16x real time)
  analyze --json                                1147 MB peak, 381 s
Before (issue 10): 9.6 GB for both commands. Branch `listen` (issue 12): `analyze`
streams `WavReader.blocks` through `listen.analysis.analyze_blocks` and keeps a
thinned trace: half an hour (HOURS=0.5 ONLY=analyze) 121 MB peak, 58 s; on main after
both, two hours (ONLY=analyze, idle machine): 110 MB peak, 142 s.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HOURS = float(os.environ.get("HOURS", "2"))
ONLY = os.environ.get("ONLY", "")
"""Run only the measurements whose label contains this (e.g. ONLY=run)."""
RATE = 48_000
SCRIPT = """\
id: long-listen
title: Long listen
language: nl
steps:
  - say: "Welkom."
  - turn: {speaker: A, seconds: 3600, warn_before: null, end_on_silence: null}
  - turn: {speaker: B, seconds: 3600, warn_before: null, end_on_silence: null}
  - say: "Dank jullie wel."
"""

READ_ONLY = """
import sys
from voice_coach.audio.resample import resampled
from voice_coach.audio.wav import WavReader
total = 0
with WavReader(sys.argv[1]) as reader:
    for block in resampled(reader.blocks(reader.rate), reader.rate, 16000):
        total += len(block)
print(total / 16000)
"""


def _write_stereo(path: Path, seconds: int) -> None:
    """Speech-like bursts (a 200 Hz buzz with harmonics, 2 s on, 1 s off) in faint noise."""
    frames = seconds * RATE
    data = frames * 4
    fmt = struct.pack("<HHIIHH", 1, 2, RATE, RATE * 4, 4, 16)
    head = b"RIFF" + struct.pack("<I", 36 + data) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
    rng = np.random.default_rng(0)
    t = np.arange(RATE) / RATE
    buzz = sum(np.sin(2 * np.pi * 200 * k * t) / k for k in range(1, 12))
    with path.open("wb") as out:
        out.write(head + b"data" + struct.pack("<I", data))
        for second in range(seconds):
            on = second % 3 != 2
            left = 0.2 * buzz * on + 0.003 * rng.standard_normal(RATE)
            both = np.stack([left, 0.8 * left], axis=1)
            out.write((np.clip(both, -1, 1) * 32767).astype("<i2").tobytes())


def _peak(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(peak resident MB, wall seconds, exit code) of a command."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, time.perf_counter() - started, proc.returncode


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="wav-memory-") as tmp:
        folder = Path(tmp)
        wav = folder / "two-hours.wav"
        seconds = round(HOURS * 3600)
        started = time.perf_counter()
        _write_stereo(wav, seconds)
        size = wav.stat().st_size / 1e9
        print(f"input: {seconds} s, 48 kHz stereo 16-bit, {size:.2f} GB "
              f"(written in {time.perf_counter() - started:.0f} s)")  # fmt: skip
        (folder / "script.yaml").write_text(SCRIPT)
        env = dict(os.environ, XDG_DATA_HOME=str(folder / "data"),
                   XDG_CONFIG_HOME=str(folder / "config"))  # fmt: skip
        exe = [sys.executable, "-m", "voice_coach"]
        runs = {
            "read (WavReader + resampler, blocks dropped)": [sys.executable, "-c", READ_ONLY,
                                                             str(wav)],
            "run --input --output --events": [
                *exe, "run", str(folder / "script.yaml"), "--input", str(wav), "--quiet",
                "--output", str(folder / "out.wav"), "--events", str(folder / "ev.jsonl")],
            "analyze --json": [*exe, "analyze", str(wav), "--json"],
        }  # fmt: skip
        for label, argv in runs.items():
            if ONLY not in label:
                continue
            peak, wall, code = _peak(argv, env)
            print(f"{label}: peak {peak:.0f} MB resident, {wall:.0f} s wall, exit {code}")


if __name__ == "__main__":
    main()
