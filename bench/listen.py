"""Figures for the listeners: speed, raised-voice latency, false detections, pace error.

Run from the checkout root: `python bench/listen.py` (about a minute on one core).
Speech is generated with tests/speechgen.py (espeak-ng).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tests.speechgen as gen
from voice_coach.config import ListenSettings
from voice_coach.listen.listener import Hearing, Listener

BLOCK = 480


def hear(samples: np.ndarray) -> list[Hearing]:
    """Every 30 ms block through a fresh Listener."""
    listener = Listener(ListenSettings())
    return [
        listener.hear(samples[i : i + BLOCK]) for i in range(0, len(samples) - BLOCK + 1, BLOCK)
    ]


def detections(samples: np.ndarray) -> list[float]:
    """Seconds at which a raised voice was detected."""
    return [i * BLOCK / gen.RATE for i, h in enumerate(hear(samples)) if h.raised_over_db]


def long_calm(minutes: float) -> gen.Scene:
    """Calm talk in English and Dutch, with a fan, a TV and bangs along the way."""
    scene = gen.Scene()
    turn = 0
    while scene.seconds < minutes * 60:
        language = "en" if (turn // 20) % 2 == 0 else "nl"
        gen.dialogue(10, -26.0, language=language, scene=scene, offset=turn)
        turn += 10
        scene.silence(1.0)
    gen.room(scene)
    third = scene.seconds / 3
    fan = gen.fan(third, -45.0)
    scene.mix(fan, third)
    scene.mix(gen.tv(third, -48.0), 2 * third)
    for at in np.arange(20.0, scene.seconds, 45.0):
        scene.mix(gen.bang(-3.0), float(at))
    return scene


def _measured_and_true_pace(utterances: list[gen.Utterance]) -> tuple[float, float]:
    """(measured, true) syllables per second of speech over the utterances in a room."""
    scene = gen.Scene()
    for u in utterances:
        scene.say(u, -26.0, 0.6)
    gen.room(scene)
    listener = Listener(ListenSettings())
    for i in range(0, len(scene.samples) - BLOCK + 1, BLOCK):
        listener.hear(scene.samples[i : i + BLOCK])
    measured = listener.pace.total_nuclei / listener.pace.total_speech_seconds
    true = sum(u.syllables for u in utterances) / sum(u.seconds for u in utterances)
    return measured, true


def piper_pace() -> None:
    """Pace error on the Piper joe voice (more natural prosody than espeak-ng)."""
    for scale in (0.8, 1.0, 1.6):
        utterances = [gen.piper_joe(t, scale) for t, _ in gen.SENTENCES["en"]]
        measured, true = _measured_and_true_pace(utterances)
        print(
            f"  Piper joe length_scale {scale}: true {true:.2f}, measured {measured:.2f} "
            f"syllables/s ({measured / true - 1:+.0%})"
        )


def speed() -> None:
    scene = long_calm(2.0)
    start = time.process_time()
    hear(scene.samples)
    cpu = time.process_time() - start
    print(
        f"speed: {scene.seconds / cpu:.0f} s of audio per CPU second "
        f"({scene.seconds:.0f} s in {cpu:.2f} s)"
    )


def latency() -> None:
    lags: list[float] = []
    misses = 0
    extra = 0
    for language in ("en", "nl"):
        for rise in (10.0, 12.0):
            for setting in ("near", "far", "fan", "tv"):
                scene = gen.room(gen.escalation(rise_db=rise, language=language))
                if setting == "far":
                    scene = gen.far(scene)
                elif setting == "fan":
                    scene.mix(gen.fan(scene.seconds, -45.0))
                elif setting == "tv":
                    scene.mix(gen.tv(scene.seconds, -48.0))
                found = [t for t in detections(scene.samples) if t > scene.marks["rise"]]
                if not found:
                    misses += 1
                    print(f"  missed: {language} +{rise:.0f} dB {setting}")
                    continue
                lags.append(found[0] - scene.marks["rise"])
                extra += len(found) - 1
    lag = np.array(lags)
    print(
        f"raised-voice latency over {len(lags) + misses} escalations (+10/+12 dB, en/nl, "
        f"near/far/fan/TV): median {np.median(lag):.2f} s, max {lag.max():.2f} s, "
        f"missed {misses}, repeated detections within one escalation {extra}"
    )


def false_detections() -> None:
    scene = long_calm(10.0)
    found = detections(scene.samples)
    print(
        f"false detections over {scene.seconds / 60:.1f} min of calm talk "
        f"(fan, TV, a bang every 45 s): {len(found)} {found if found else ''}"
    )


def pace_error() -> None:
    errors: list[float] = []
    for language, voices in (("en", ("en", "en+f3")), ("nl", ("nl", "nl+f2"))):
        for voice in voices:
            for wpm in (90, 120, 160, 200, 240):
                utterances = [gen.espeak(t, voice, wpm) for t, _ in gen.SENTENCES[language]]
                measured, true = _measured_and_true_pace(utterances)
                errors.append(measured / true - 1)
    err = np.abs(errors)
    print(
        f"pace error over {len(errors)} runs (espeak en/nl, 2 voices each, 90-240 wpm): "
        f"mean {np.mean(err):.1%}, max {err.max():.1%}, bias {np.mean(errors):+.1%}"
    )


def vad_comparison() -> None:
    """Frame accuracy of our energy detector against webrtcvad, if it is installed."""
    try:
        import webrtcvad
    except ImportError:
        print("vad comparison: webrtcvad not installed (pip install webrtcvad-wheels)")
        return
    base = gen.Scene().silence(2.0)
    for i, (text, _) in enumerate(gen.SENTENCES["en"] + gen.SENTENCES["nl"]):
        voice = ("en", "en+f3", "nl", "nl+f2")[(i % 2) + (2 if i >= 6 else 0)]
        base.say(gen.espeak(text, voice), -26.0 + (i % 3), 1.5)
    said = np.zeros(len(base.samples) // BLOCK, bool)
    for start, end in base.speech:
        said[round(start * gen.RATE / BLOCK) : round(end * gen.RATE / BLOCK)] = True
    pause = ~said & ~np.convolve(said, np.ones(13), "full")[: len(said)].astype(bool)
    pause[:34] = False
    settings = {
        "quiet room": gen.room(gen.Scene(base.samples.copy())),
        "fan -42 dBFS": gen.Scene(base.samples.copy()).mix(gen.fan(base.seconds, -42.0)),
        "TV -45 dBFS": gen.room(gen.Scene(base.samples.copy())).mix(gen.tv(base.seconds, -45.0)),
        "TV -50 dBFS": gen.room(gen.Scene(base.samples.copy())).mix(gen.tv(base.seconds, -50.0)),
        "far microphone": gen.far(gen.room(gen.Scene(base.samples.copy()))),
    }
    for name, scene in settings.items():
        ours = np.array([h.is_speech for h in hear(scene.samples)])
        row = [f"ours {_score(ours, said, pause)}"]
        for mode in (1, 3):
            vad = webrtcvad.Vad(mode)
            pcm = (np.clip(scene.samples, -1, 1) * 32767).astype("<i2")
            raw = np.array(
                [
                    vad.is_speech(pcm[i : i + BLOCK].tobytes(), gen.RATE)
                    for i in range(0, len(pcm) - BLOCK + 1, BLOCK)
                ]
            )
            # The same 0.3 s hangover as ours, for a fair comparison.
            held = np.convolve(raw, np.ones(11), "full")[: len(raw)] > 0
            row.append(f"webrtc mode {mode} {_score(held, said, pause)}")
        print(f"  {name:15s} " + "; ".join(row))


def _score(heard: np.ndarray, said: np.ndarray, pause: np.ndarray) -> str:
    n = min(len(heard), len(said))
    speech = float(heard[:n][said[:n]].mean())
    silence = float((~heard[:n][pause[:n]]).mean())
    return f"speech found {speech:.0%}, pauses found {silence:.0%}"


def main() -> None:
    """Print the figures."""
    speed()
    pace_error()
    piper_pace()
    latency()
    false_detections()
    print("speech/silence per 30 ms block (espeak en+nl, 1.5 s pauses):")
    vad_comparison()


if __name__ == "__main__":
    main()
