"""Files that belong to the couple: private, whole, never written through a trap.

The full-disk tests mount a real 256 KiB tmpfs (this needs root, as on the build
machine and in CI); elsewhere they skip and say so.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.wav import read_wav, write_wav
from voice_coach.cli import main
from voice_coach.files import (
    DiskFullError,
    FileError,
    PrivateFile,
    check_target,
    private_dir,
    write_private,
)

SCRIPT = """\
id: files-test
title: Files test
language: nl
steps:
  - say: "Welkom {A} en {B}."
  - turn: {speaker: A, prompt: "{A}, vertel.", seconds: 30, end_on_silence: 8}
  - say: "Dank jullie wel."
"""


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICE_COACH_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_folders_are_private_all_the_way_down(tmp_path: Path) -> None:
    # mkdir(parents=True) gives the parents it makes the default mode (0755 here): the
    # speech cache's "cache" folder was one.
    (tmp_path / "existing").mkdir(mode=0o755)
    os.chmod(tmp_path / "existing", 0o755)
    made = private_dir(tmp_path / "existing" / "a" / "b" / "c")
    assert made.is_dir()
    for folder in ("existing/a", "existing/a/b", "existing/a/b/c"):
        assert _mode(tmp_path / folder) == 0o700, folder
    assert _mode(tmp_path / "existing") == 0o755  # what was there is left as it was


def _script_and_input(tmp_path: Path, seconds: float = 20.0) -> tuple[Path, Path]:
    script = tmp_path / "script.yaml"
    script.write_text(SCRIPT)
    wav = tmp_path / "in.wav"
    write_wav(wav, AudioChunk.silence(seconds, LISTEN_RATE))
    return script, wav


# -- the primitive ----------------------------------------------------------------------


def test_a_loose_mode_of_an_old_file_never_survives(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    target.chmod(0o666)
    write_private(target, b"new")
    assert target.read_bytes() == b"new" and _mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]  # no temporary left


def test_a_planted_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    link = tmp_path / "events.jsonl"
    link.symlink_to(victim)
    with pytest.raises(FileError, match="symbolic link"):
        write_private(link, b"x")
    with pytest.raises(FileError, match="symbolic link"):
        PrivateFile(link, visible=True)
    assert victim.read_bytes() == b"precious" and link.is_symlink()


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.wav"
    with pytest.raises(RuntimeError), PrivateFile(target) as out:
        out.write(b"half")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_a_character_device_is_written_to_not_replaced() -> None:
    """`-o /dev/null` as root must not replace /dev/null with a regular file."""
    before = os.stat("/dev/null")
    write_private(Path("/dev/null"), b"x" * 10)
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_a_fifo_is_written_to_and_one_without_reader_is_an_error(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(FileError, match="nothing reads"):
        write_private(fifo, b"x")
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        for _ in range(200):  # until cat has the FIFO open for reading
            try:
                write_private(fifo, b"through the pipe")
                break
            except FileError:
                import time

                time.sleep(0.01)
        out, _ = reader.communicate(timeout=10)
    finally:
        reader.kill()
    assert out == b"through the pipe"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# -- the commands ---------------------------------------------------------------------


def test_run_refuses_a_symlinked_event_log_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script, wav = _script_and_input(tmp_path)
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (tmp_path / "ev.jsonl").symlink_to(victim)
    code = main(["run", str(script), "--input", str(wav), "--events", str(tmp_path / "ev.jsonl"),
                 "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "symbolic link" in err and err.count("\n") == 1
    assert victim.read_text() == "keep me"


@pytest.mark.parametrize("option", ["--events", "--output"])
def test_a_typo_in_an_output_folder_is_found_before_the_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    script, wav = _script_and_input(tmp_path)
    bad = tmp_path / "no-such-folder" / "x"
    code = main(["run", str(script), "--input", str(wav), option, str(bad), "--quiet"])
    captured = capsys.readouterr()
    assert code == 1 and "does not exist" in captured.err
    assert "coach:" not in captured.out and "Simulated" not in captured.err  # nothing ran


def test_preview_and_plot_check_their_targets_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script, wav = _script_and_input(tmp_path)
    assert main(["preview", str(script), "-o", str(tmp_path / "nope" / "p.wav")]) == 1
    assert main(["analyze", str(wav), "--plot", str(tmp_path / "nope" / "p.png")]) == 1
    err = capsys.readouterr().err
    assert err.count("does not exist") == 2


def test_run_writes_private_files_over_loose_ones(tmp_path: Path) -> None:
    script, wav = _script_and_input(tmp_path)
    events, out = tmp_path / "ev.jsonl", tmp_path / "out.wav"
    for old in (events, out):
        old.write_text("old")
        old.chmod(0o644)
    code = main(["run", str(script), "--input", str(wav), "--events", str(events),
                 "--output", str(out), "--quiet"])  # fmt: skip
    assert code == 0
    assert _mode(events) == 0o600 and _mode(out) == 0o600
    assert json.loads(events.read_text().splitlines()[-1])["type"] == "session_ended"
    assert read_wav(out).seconds >= 20.0 - 0.01


def test_check_target_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="is a folder"):
        check_target(tmp_path, "-o")


def test_the_systems_own_stream_links_are_written_to() -> None:
    """/dev/stdout is a link, but one the system keeps: `--events /dev/stdout` works."""
    done = subprocess.run(
        [sys.executable, "-c",
         "from pathlib import Path; from voice_coach.files import write_private;"
         "write_private(Path('/dev/stdout'), b'hello')"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout == b"hello", done.stderr


# -- a recording survives kill -9 ---------------------------------------------------


KILLED = """
import os, signal, sys
import numpy as np
from pathlib import Path
from voice_coach.audio.chunk import AudioChunk
from voice_coach.audio.sim import WavMicrophone
from voice_coach.engine.live import RecordingMicrophone

tone = (0.3 * np.sin(np.arange(16000 * 3) * 0.05)).astype(np.float32)
mic = RecordingMicrophone(WavMicrophone(AudioChunk(tone, 16000)), Path(sys.argv[1]))
for _ in range(50):  # 50 blocks of 480 samples: 1.5 s
    mic.read(480)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_recording_is_a_valid_wav_after_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "recordings" / "rec.wav"
    done = subprocess.run([sys.executable, "-c", KILLED, str(path)], check=False)
    assert done.returncode == -signal.SIGKILL
    audio = read_wav(path)
    assert audio.seconds == pytest.approx(1.5)
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    import wave

    with wave.open(str(path)) as standard:  # the standard library's reader takes it too
        assert standard.getframerate() == 16_000


# -- a full disk -----------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 256 KiB filesystem (tmpfs) that fills up during a session."""
    mount = tmp_path / f"tiny-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path, leave: int) -> None:
    """Fill the filesystem of `folder` until about `leave` bytes are free."""
    vfs = os.statvfs(folder)
    free = vfs.f_bavail * vfs.f_frsize
    (folder / "ballast").write_bytes(b"\0" * max(0, free - leave))


def test_a_full_disk_mid_session_ends_it_kindly(
    tiny_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script, wav = _script_and_input(tmp_path, seconds=40.0)
    events, out = tiny_disk / "ev.jsonl", tiny_disk / "out.wav"
    _fill(tiny_disk, leave=8 * 1024)  # room for the first events, not for the WAV
    code = main(["run", str(script), "--input", str(wav), "--events", str(events),
                 "--output", str(out), "--names", "Anna,Bram"])  # fmt: skip
    printed = capsys.readouterr()
    assert code == 1 and "the disk is full" in printed.err
    assert "session ended: disk_full" in printed.out  # printed even though not written
    lines = events.read_bytes().split(b"\n")
    assert lines[-1] == b""  # ends on a whole line
    parsed: list[dict[str, Any]] = [json.loads(line) for line in lines[:-1]]
    assert parsed and parsed[0]["type"] == "session_started"
    assert not out.exists()  # no partial WAV
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["ballast", "ev.jsonl"]


def test_a_log_line_that_does_not_fit_is_taken_back_whole(tiny_disk: Path) -> None:
    _fill(tiny_disk, leave=4096)
    log = PrivateFile(tiny_disk / "log.jsonl", visible=True)
    written = 0
    with pytest.raises(DiskFullError, match="the disk is full"):
        while True:
            log.write(b"x" * 999 + b"\n")
            written += 1000
    log.abort()
    data = (tiny_disk / "log.jsonl").read_bytes()
    assert len(data) == written and data.endswith(b"\n")


def test_a_full_disk_while_writing_a_wav_leaves_no_file(tiny_disk: Path) -> None:
    _fill(tiny_disk, leave=16 * 1024)
    with pytest.raises(DiskFullError):
        write_wav(tiny_disk / "big.wav", AudioChunk(np.zeros(LISTEN_RATE, np.float32), 16_000))
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["ballast"]


def test_a_streamed_track_with_long_silences_is_written_exactly(tmp_path: Path) -> None:
    from voice_coach.audio.sim import TrackSpeaker

    path = tmp_path / "track.wav"
    speaker = TrackSpeaker(rate=8000, path=path)
    tone = AudioChunk(np.full(800, 0.25, np.float32), 8000)
    speaker.play(tone, 0.05)
    speaker.play(tone, 0.1)  # overlaps the first: mixed
    speaker.play(tone, 30.0)  # after a long silence, written in pieces
    assert not path.exists()  # appears whole at the end
    speaker.finish(seconds=40.0)
    samples = read_wav(path).samples
    assert len(samples) == 320_000
    assert samples[400] == pytest.approx(0.25, abs=1e-4)
    assert samples[1000] == pytest.approx(0.5, abs=1e-4)
    assert samples[240_000 + 10] == pytest.approx(0.25, abs=1e-4)
    assert not samples[2000:240_000].any()


def test_the_journal_export_refuses_a_planted_symlink(tmp_path: Path) -> None:
    from voice_coach.journal.export import write_csv

    victim = tmp_path / "victim"
    victim.write_text("keep me")
    link = tmp_path / "export.csv"
    link.symlink_to(victim)
    with pytest.raises(FileError, match="symbolic link"):
        write_csv(link, [])
    assert victim.read_text() == "keep me"
    write_csv(tmp_path / "real.csv", [])
    assert _mode(tmp_path / "real.csv") == 0o600
