"""How much of the coach's voice PulseAudio's echo canceller takes out, per setting.

On the PulseAudio test rig (tests/pulse_rig.py), the coach's speaker leaks back into the
microphone through a loopback at unity gain (tests/echo_rig.py: a pure delay, no room,
no noise, so these are best-case figures). Each setting of `module-echo-cancel` is
loaded on its own and measured `--runs` times (about 22 s a run):

- ERLE: the coach's energy in the microphone over that after the canceller, from 3 s
  into its speech on (dB; median, and the lowest and highest run);
- residue: the loudest 100 ms of the coach left after the canceller (dBFS, worst run);
  the coach and the partner both speak at -20 dBFS;
- partner: the partner's level after the canceller minus before (dB, median), alone and
  while the coach speaks (double talk);
- resyncs: times the canceller realigned speaker and microphone (median a run);
- flow: seconds the cancelled source delivered per second of microphone (lowest run;
  1.00: it never stalled).

    .venv/bin/python -m bench.echo_cancel [--runs N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import sys

from tests.echo_rig import LEAK_LATENCY_MS, WEBRTC_PLAIN, EchoFigures

SETTINGS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("no canceller (aec_method=null): the control", LEAK_LATENCY_MS, ("aec_method=null",)),
    ("webrtc, module defaults (gain control on)", LEAK_LATENCY_MS, ("aec_method=webrtc",)),
    ("webrtc, gain control off (the rig's and doctor's)", LEAK_LATENCY_MS, (WEBRTC_PLAIN,)),
    (
        "  + adjust_time=0 (no periodic realignment)",
        LEAK_LATENCY_MS,
        (WEBRTC_PLAIN, "adjust_time=0"),
    ),
    ("  + adjust_threshold=50", LEAK_LATENCY_MS, (WEBRTC_PLAIN, "adjust_threshold=50")),
    ("  + rate=16000", LEAK_LATENCY_MS, (WEBRTC_PLAIN, "rate=16000")),
    ("  + rate=48000", LEAK_LATENCY_MS, (WEBRTC_PLAIN, "rate=48000")),
    ("  + use_master_format=1", LEAK_LATENCY_MS, (WEBRTC_PLAIN, "use_master_format=1")),
    (
        "  + noise_suppression=0 high_pass_filter=0",
        LEAK_LATENCY_MS,
        (
            'aec_args="analog_gain_control=0 digital_gain_control=0 '
            'noise_suppression=0 high_pass_filter=0"',
        ),
    ),
    (
        "  + extended_filter=1",
        LEAK_LATENCY_MS,
        ('aec_args="analog_gain_control=0 digital_gain_control=0 extended_filter=1"',),
    ),
    ("  with the leak 30 ms late (a 10 m room)", 30, (WEBRTC_PLAIN,)),
    ("speex, module defaults", LEAK_LATENCY_MS, ("aec_method=speex",)),
)
"""(what, leak latency in ms, module-echo-cancel arguments besides the masters)."""


def _volume(answer: str) -> int:
    """The first percentage in `pactl get-source-volume` output."""
    return int(re.findall(r"(\d+)%", answer)[0])


def _row(what: str, runs: list[EchoFigures], low: int, high: int) -> str:
    good = [f for f in runs if f.measured]
    problems = sorted({f.problem for f in runs if not f.measured})
    note = f"  ({len(runs) - len(good)} unmeasured: {'; '.join(problems)})" if problems else ""
    if (low, high) != (100, 100):
        note += f"  (the canceller left the microphone at {low}-{high}% volume)"
    if not good:
        return f"{what:52s} {'-':>19s}{note}"
    erle = [f.erle_db for f in good]
    return (
        f"{what:52s} {statistics.median(erle):5.1f} ({min(erle):5.1f}-{max(erle):5.1f})"
        f" {max(f.residue_dbfs for f in good):7.1f}"
        f" {statistics.median(f.partner_alone_db for f in good):+6.1f}"
        f" {statistics.median(f.partner_double_talk_db for f in good):+7.1f}"
        f" {statistics.median(f.resyncs for f in good):4.0f}"
        f" {min(f.flowed for f in runs):5.2f}{note}"
    )


def measure(runs: int) -> None:
    """Print one row per setting."""
    from tests.echo_rig import canceller, load_leak, measure_canceller
    from tests.pulse_rig import running_rig

    print(
        f"{'setting (leak ' + str(LEAK_LATENCY_MS) + ' ms unless said)':52s} "
        f"{'ERLE dB (min-max)':19s} {'residue':>7s} {'partner':>6s} {'dbltalk':>7s}"
        f" {'rsync':>4s} {'flow':>5s}"
    )
    with running_rig() as rig:
        leak_ms, leak = LEAK_LATENCY_MS, load_leak(rig)
        for what, latency_ms, args in SETTINGS:
            if latency_ms != leak_ms:
                rig.pactl("unload-module", leak)
                leak_ms, leak = latency_ms, load_leak(rig, latency_ms=latency_ms)
            figures, volumes = [], []
            method = (
                () if any(a.startswith("aec_method=") for a in args) else ("aec_method=webrtc",)
            )
            for _ in range(runs):
                with canceller(rig, *method, *args):
                    figures.append(measure_canceller(rig))
                # A canceller's gain control turns the microphone itself down or up.
                volumes.append(_volume(rig.pactl("get-source-volume", "coach_mic")))
                rig.pactl("set-source-volume", "coach_mic", "100%")
            print(_row(what, figures, min(volumes), max(volumes)), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per setting (default 3)")
    options = parser.parse_args(argv or [])
    # Stopped with a signal, the rig still stops its server (`running_rig`'s cleanup).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if shutil.which("pulseaudio") is None:
        print("pulseaudio not installed: no echo canceller figures")
        return
    measure(options.runs)


if __name__ == "__main__":
    main(sys.argv[1:])
