"""The coach's voice leaking into the microphone on the PulseAudio rig, and how much of it
the sound server's echo canceller (`module-echo-cancel`) takes out.

The leak: a `module-loopback` from the coach speaker's monitor into the room sink, at
unity gain (the coach's -20 dBFS speech reaches the microphone at -20 dBFS, the level
of a partner's own speech) and 30 ms latency. It is a pure delay: no reverberation, no
loudspeaker distortion, no room noise. That is the easiest echo a canceller meets, so
the figures here are what the canceller does at best, not what a living room gets.

`measure_canceller` plays a known Dutch coach program (espeak-ng, about 13 s) into the
canceller's sink, and a partner sentence (another espeak-ng voice) into the room, once
over the coach (double talk) and once alone. It records the microphone and the
echo-cancelled source at the same time, finds where each program landed by
cross-correlation, and gives:

- ERLE (echo return loss enhancement, dB): the coach's energy in the microphone over
  its energy after the canceller, over the coach-only stretch from `SETTLE_S` on;
- the partner's level after the canceller minus before (dB), alone and in double talk
  (least-squares gain of the partner's own signal, so the coach's residue does not count).

`aec_args` needs the webrtc canceller's gain control off (`analog_gain_control=0
digital_gain_control=0`): with it on (the module's default) the canceller turns the
microphone's own volume down and its output up, so neither the echo nor the partner is
measured at the level it arrives.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve

from tests import speechgen
from tests.pulse_rig import RIG_RATE, PulseRig, Recording
from voice_coach.audio.chunk import resample
from voice_coach.audio.echo import PULSE_ARGS

LEAK_LATENCY_MS = 10
"""Latency of the loopback that plays the coach's speaker back into the room."""

SETTLE_S = 3.0
"""Seconds of coach speech the canceller gets to converge before ERLE counts."""

WEBRTC_PLAIN = PULSE_ARGS[1]
"""The webrtc canceller's gain control off, as `doctor` advises (see the module doc)."""

COACH_LINES = (
    "Welkom Anna en Bram. Fijn dat jullie er zijn vanavond.",
    "We beginnen rustig. Adem allebei even diep in en weer uit.",
    "Vertel elkaar om de beurt wat je vandaag blij maakte.",
)
PARTNER_LINE = "Ik ben vandaag heel moe van het werk."


@dataclass(frozen=True)
class EchoFigures:
    """What one run of `measure_canceller` found."""

    erle_db: float
    """Coach energy in the microphone over that after the canceller (dB), converged."""
    residue_dbfs: float
    """Loudest 100 ms of the coach's residue after the canceller (dBFS), converged."""
    partner_alone_db: float
    """The partner's level after the canceller minus before, partner alone (dB)."""
    partner_double_talk_db: float
    """The same while the coach speaks too (dB)."""
    flowed: float
    """Seconds the cancelled source delivered per second the microphone did (1.0: no stall)."""
    resyncs: int
    """Times the canceller realigned speaker and microphone during the run."""
    problem: str = ""
    """Why the figures are missing (nan), if they are."""

    @property
    def measured(self) -> bool:
        """The run gave figures."""
        return not self.problem


def load_leak(rig: PulseRig, *args: str, latency_ms: int = LEAK_LATENCY_MS) -> str:
    """Play the coach speaker back into the room (the leak); returns the module id."""
    return rig.pactl(
        "load-module",
        "module-loopback",
        "source=coach_speaker.monitor",
        "sink=room",
        f"latency_msec={latency_ms}",
        "source_dont_move=true",
        "sink_dont_move=true",
        *args,
    ).strip()


@contextlib.contextmanager
def canceller(rig: PulseRig, *args: str) -> Iterator[str]:
    """`module-echo-cancel` on the rig's microphone and speaker with `args`; yields its id.

    Its pair is `coach_mic.echo-cancel` (record) and `coach_speaker.echo-cancel` (play)."""
    module = rig.pactl(
        "load-module",
        "module-echo-cancel",
        "source_master=coach_mic",
        "sink_master=coach_speaker",
        *args,
    ).strip()
    try:
        yield module
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            rig.pactl("unload-module", module)


def wait_flowing(recordings: list[Recording], seconds: float, deadline_s: float) -> bool:
    """Wait until every recording has `seconds` of sound (False if not by the deadline)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if all(r.seconds >= seconds for r in recordings):
            return True
        time.sleep(0.05)
    return False


def _speech(lines: tuple[str, ...], voice: str, pause_s: float = 0.4) -> np.ndarray:
    parts = []
    for line in lines:
        utterance = speechgen.espeak(line, voice, 150)
        parts.append(resample(utterance.samples, speechgen.RATE, RIG_RATE))
        parts.append(np.zeros(round(pause_s * RIG_RATE), np.float32))
    return np.concatenate(parts).astype(np.float32)


def _offset(recording: np.ndarray, signal: np.ndarray) -> int:
    """Sample at which `signal` starts in `recording` (cross-correlation peak)."""
    if len(recording) < len(signal):
        return 0
    corr = fftconvolve(recording, signal[::-1], mode="valid")
    return int(np.argmax(np.abs(corr)))


def _failed(flowed: float, resyncs: int, problem: str) -> EchoFigures:
    nan = float("nan")
    return EchoFigures(nan, nan, nan, nan, flowed, resyncs, problem)


def _near(
    recording: np.ndarray, signal: np.ndarray, around: int, reach: int = RIG_RATE // 2
) -> int:
    """Sample at which `signal` starts in `recording`, within `reach` samples of `around`."""
    start = max(0, around - reach)
    return start + _offset(recording[start : around + len(signal) + reach], signal)


def _played(recording: np.ndarray, signal: np.ndarray, at: int) -> bool:
    """Whether `signal` is in `recording` whole from sample `at`: their loudness in 20 ms
    frames correlates over 0.7 (the waveforms need not: the leak's loopback adapts its
    rate, so a long line drifts by a few samples)."""
    if at < 0 or at + len(signal) > len(recording):
        return False
    heard, played = _envelope(recording[at : at + len(signal)]), _envelope(signal)
    return float(np.corrcoef(heard, played)[0, 1]) > 0.7


def _envelope(samples: np.ndarray, frame: int = RIG_RATE // 50) -> np.ndarray:
    frames = len(samples) // frame
    blocks = samples[: frames * frame].reshape(frames, frame).astype(np.float64)
    return np.asarray(np.sqrt(np.mean(blocks**2, axis=1)))


def dbfs(samples: np.ndarray) -> float:
    """RMS level of `samples` in dBFS."""
    return 10 * float(np.log10(np.mean(samples.astype(np.float64) ** 2) + 1e-12))


def _gain_db(heard: np.ndarray, signal: np.ndarray) -> float:
    """Level of `signal`'s own component in `heard` (same length, aligned), in dB."""
    s = signal.astype(np.float64)
    gain = float(np.dot(heard.astype(np.float64), s) / (np.dot(s, s) + 1e-12))
    return 20 * float(np.log10(abs(gain) + 1e-6))


def measure_canceller(rig: PulseRig, source: str = "coach_mic.echo-cancel") -> EchoFigures:
    """Play the coach and the partner, record the microphone and `source`, and compare.

    The canceller (`canceller`) and the leak (`load_leak`) must be loaded. The coach
    plays into `coach_speaker.echo-cancel`."""
    coach = _speech(COACH_LINES, "nl")
    partner = _speech((PARTNER_LINE,), "nl+f3", pause_s=0.0)
    rate = RIG_RATE
    lead = np.zeros(rate // 2, np.float32)
    # The partner speaks once over the coach's last line, once alone after it.
    over_at = len(coach) - len(partner) - rate
    alone_at = len(coach) + 2 * rate
    partner_track = np.zeros(alone_at + len(partner) + rate, np.float32)
    partner_track[over_at : over_at + len(partner)] = partner
    partner_track[alone_at : alone_at + len(partner)] = partner
    resyncs_before = rig.log().count("Doing resync")

    mic = rig.start_recording("coach_mic", wait=False)
    out = rig.start_recording(source, wait=False)  # a stalled source is a figure, not an error
    try:
        flowing = wait_flowing([mic, out], 0.5, deadline_s=15.0)
        coach_player = rig.play("coach_speaker.echo-cancel", np.concatenate([lead, coach]))
        room_player = rig.play("room", np.concatenate([lead, partner_track]))
        for player in (coach_player, room_player):
            player.wait(timeout=120)
        # The recordings run on until the room has been quiet for a while.
        wait_flowing([mic], mic.seconds + 1.0, deadline_s=15.0)
    finally:
        heard = mic.stop().samples
        cleaned = out.stop().samples
    resyncs = rig.log().count("Doing resync") - resyncs_before
    flowed = len(cleaned) / max(1, len(heard))
    if not flowing or len(cleaned) < len(heard) // 2:
        return _failed(flowed, resyncs, f"the cancelled source stalled ({flowed:.2f} s/s)")
    return analyse(heard, cleaned, coach, partner, (over_at, alone_at), flowed, resyncs)


def analyse(
    heard: np.ndarray,
    cleaned: np.ndarray,
    coach: np.ndarray,
    partner: np.ndarray,
    partner_at: tuple[int, int],
    flowed: float = 1.0,
    resyncs: int = 0,
) -> EchoFigures:
    """Compare the microphone (`heard`) with the cancelled source (`cleaned`).

    `partner_at`: samples after the coach's start at which the partner starts over the
    coach and alone (the partner's track starts with the coach's)."""
    rate = RIG_RATE
    over_at, alone_at = partner_at
    partner_track = np.zeros(alone_at + len(partner), np.float32)
    partner_track[over_at : over_at + len(partner)] = partner
    partner_track[alone_at:] = partner

    # Where the coach and each partner sentence landed in the microphone (each found on
    # its own: a loaded machine may stretch a stream by a few milliseconds), and how far
    # the cancelled source runs behind the microphone (found on the partner alone).
    coach_at = _offset(heard, coach)
    track_at = _offset(heard, partner_track)
    over = _near(heard, partner, track_at + over_at)
    alone = _near(heard, partner, track_at + alone_at)
    lag = _near(cleaned, partner, alone) - alone
    if lag >= 0:
        cleaned = cleaned[lag:]
    else:  # the cancelled source's recording started later
        heard = heard[-lag:]
        coach_at, over, alone = coach_at + lag, over + lag, alone + lag
    n = min(len(heard), len(cleaned))
    heard, cleaned = heard[:n], cleaned[:n]
    if not _played(heard, coach, coach_at):
        return _failed(flowed, resyncs, "the coach was not heard whole in the microphone")
    if not _played(heard, partner, alone):
        return _failed(flowed, resyncs, "the partner was not heard whole in the microphone")

    coach_only = np.zeros(n, bool)
    coach_only[coach_at + round(SETTLE_S * rate) : coach_at + len(coach)] = True
    double = slice(over - rate // 4, over + len(partner) + rate // 4)
    coach_only[double] = False
    erle = dbfs(heard[coach_only]) - dbfs(cleaned[coach_only])
    tenth = rate // 10
    residue = [
        dbfs(cleaned[i : i + tenth])
        for i in np.flatnonzero(coach_only)[::tenth]
        if coach_only[i : i + tenth].all()
    ]
    alone_part = slice(alone, alone + len(partner))
    partner_alone = _gain_db(cleaned[alone_part], partner) - _gain_db(heard[alone_part], partner)
    # Either recording may have lost a few milliseconds between the two partner
    # sentences on a loaded machine: the sentence over the coach is found again.
    over_cleaned = _near(cleaned, partner, over, reach=rate // 20)
    partner_over = _gain_db(cleaned[over_cleaned : over_cleaned + len(partner)], partner)
    partner_over -= _gain_db(heard[over : over + len(partner)], partner)
    return EchoFigures(erle, max(residue), partner_alone, partner_over, flowed, resyncs)
