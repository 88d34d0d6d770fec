"""`voice-coach analyze` on generated recordings in the formats people have."""

from __future__ import annotations

import json
import struct
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

import tests.speechgen as gen
from voice_coach.audio.chunk import AudioChunk, resample
from voice_coach.audio.wav import write_wav
from voice_coach.cli import main
from voice_coach.listen.analysis import TRACE_POINTS, TraceBuilder, analyze
from voice_coach.listen.plot import time_ticks


@pytest.fixture(scope="session")
def escalation() -> gen.Scene:
    """Calm talk, 10 dB louder for five turns, calm again; a fan and a bang."""
    scene = gen.room(gen.escalation(rise_db=10.0))
    scene.mix(gen.fan(scene.seconds, -48.0))
    return scene.mix(gen.bang(-6.0), 5.0)


@pytest.fixture(scope="session")
def recording(escalation: gen.Scene, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("analyze") / "evening.wav"
    write_wav(path, AudioChunk(escalation.samples, gen.RATE))
    return path


def run_json(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["analyze", str(path), "--json"]) == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def test_json_tells_level_raise_and_pace(
    recording: Path, escalation: gen.Scene, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_json(recording, capsys)
    assert abs(float(result["duration_s"]) - escalation.seconds) < 0.05  # type: ignore[arg-type]
    assert -30 < float(result["baseline_dbfs"]) < -18  # type: ignore[arg-type]
    true_ratio = sum(e - s for s, e in escalation.speech) / escalation.seconds
    assert true_ratio - 0.05 < float(result["speech_ratio"]) < true_ratio + 0.15  # type: ignore[arg-type]
    raised = result["raised"]
    assert isinstance(raised, list) and len(raised) == 1
    rise, end_rise = escalation.marks["rise"], escalation.marks["end_rise"]
    assert rise <= raised[0]["start_s"] <= rise + 2.0
    assert end_rise - 3.0 <= raised[0]["end_s"] <= end_rise + 1.0
    assert 8.0 <= raised[0]["over_db"] <= 14.0
    segments = result["segments"]
    assert isinstance(segments, list)
    assert len(segments) >= 8
    assert all(s["start_s"] < s["end_s"] for s in segments)
    for segment in segments:
        assert 3.5 < segment["syllables_per_s"] < 8.0
    syllables = sum(s["syllables"] for s in segments)
    true = sum(n for _, n in gen.SENTENCES["en"]) * 16 / len(gen.SENTENCES["en"])
    assert abs(syllables - true) / true < 0.2


def test_summary_for_people(recording: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(recording)]) == 0
    out = capsys.readouterr().out
    assert "Raised voices: 1 time(s)" in out
    assert "dBFS" in out and "syllables/s" in out


def test_plot_writes_a_private_png(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    picture = tmp_path / "evening.png"
    assert main(["analyze", str(recording), "--plot", str(picture)]) == 0
    data = picture.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert picture.stat().st_mode & 0o777 == 0o600
    assert str(picture) in capsys.readouterr().out


def test_plot_without_matplotlib_says_how_to_get_it(
    recording: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["analyze", str(recording), "--plot", str(tmp_path / "x.png")]) == 1
    err = capsys.readouterr().err
    assert "pip install voice-coach[plot]" in err and len(err.strip().splitlines()) == 1


def write_pcm(path: Path, samples: np.ndarray, rate: int, width: int, channels: int) -> None:
    frames = np.repeat(samples[:, None], channels, axis=1).reshape(-1)
    if width == 1:
        raw = (np.clip(frames, -1, 1) * 127 + 128).astype(np.uint8).tobytes()
    else:
        ints = (np.clip(frames, -1, 1) * (2 ** (8 * width - 1) - 1)).astype("<i4")
        raw = ints.view(np.uint8).reshape(-1, 4)[:, :width].tobytes()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(raw)


def write_float(path: Path, samples: np.ndarray, rate: int) -> None:
    data = samples.astype("<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


@pytest.mark.parametrize(
    ("kind", "rate"), [("stereo-24bit", 44_100), ("8bit", 8_000), ("float", 22_050)]
)
def test_any_wav_format(
    kind: str,
    rate: int,
    escalation: gen.Scene,
    recording: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reference = run_json(recording, capsys)
    samples = resample(escalation.samples, gen.RATE, rate)
    path = tmp_path / f"{kind}.wav"
    if kind == "float":
        write_float(path, samples, rate)
    elif kind == "8bit":
        write_pcm(path, samples, rate, 1, 1)
    else:
        write_pcm(path, samples, rate, 3, 2)
    result = run_json(path, capsys)
    assert abs(float(result["duration_s"]) - float(reference["duration_s"])) < 0.05  # type: ignore[arg-type]
    # 8-bit audio at 8 kHz is coarse, but a coach still sees the same evening.
    assert abs(float(result["baseline_dbfs"]) - float(reference["baseline_dbfs"])) < 2.0  # type: ignore[arg-type]
    assert len(result["raised"]) == 1  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"ID3\x03\x00 this is an mp3", "not a WAV file"), (b"", "not a WAV file")],
)
def test_not_a_wav_is_one_clear_line(
    content: bytes, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "talk.mp3"
    path.write_bytes(content)
    assert main(["analyze", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert expected in err and str(path) in err and "\n" not in err


def test_missing_file_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path / "gone.wav")]) == 1
    err = capsys.readouterr().err.strip()
    assert "gone.wav" in err and "cannot read" in err and "\n" not in err


def test_a_raised_stretch_ends_where_the_raised_speech_ends() -> None:
    # 18 s of raised voices, then 80 s of an empty room, then calm talk again.
    scene = gen.dialogue(10, -26.0)
    rise = scene.seconds
    gen.dialogue(7, -14.0, scene=scene, offset=10, semitones=3.6)
    end_rise = scene.seconds
    scene.silence(80.0)
    gen.room(gen.dialogue(4, -26.0, scene=scene, offset=17))
    result = analyze(AudioChunk(scene.samples, gen.RATE))
    (stretch,) = result.raised
    assert rise <= stretch.start_s <= rise + 2.0
    assert end_rise - 3.0 <= stretch.end_s <= end_rise + 0.5
    trace = result.trace
    assert trace is not None
    silent = (trace.times_s > end_rise + 1.0) & (trace.times_s < end_rise + 79.0)
    assert np.isnan(trace.speech_level_dbfs[silent]).all()  # no level held over the silence


def test_time_ticks_fall_on_round_minutes() -> None:
    assert time_ticks(45.0) == [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0]
    assert time_ticks(98.0) == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0]
    for duration in (130.0, 17 * 60 + 5, 3 * 3600 + 7):
        ticks = time_ticks(duration)
        assert 3 <= len(ticks) <= 12 and all(t % 60 == 0 for t in ticks)


def test_the_trace_for_the_picture_stays_bounded() -> None:
    trace = TraceBuilder()
    blocks = 3 * 3600 * 33  # three hours of 30 ms blocks
    for i in range(blocks):
        trace.add(i * 0.03, -40.0 + i % 7, float("nan"), i % 2 == 0, 4.0)
    done = trace.done()
    assert len(done.times_s) <= 2 * TRACE_POINTS
    assert done.step_s * len(done.times_s) >= blocks * 0.03 - done.step_s
    assert done.band_dbfs.max() == -34.0 and done.is_speech.all()
