"""How fast the coach speaks up: text-to-first-audio latency and real-time factors.

Run from the checkout root: `python -m bench.speech` (or `python bench/speech.py`).
For every voice present (the bundled English Piper voice, espeak-ng nl and en, any
Dutch Piper voice in models/) it prints:

- load: seconds to load the model (Piper) before the first sentence;
- calibrate: seconds to measure the voice's rate curve (Piper, once per voice file);
- RTF: seconds of rendering per second of audio at rate 1.0 and 0.85 (below 1 is
  faster than real time);
- first audio, miss / hit: seconds from `speak()` to the first sentence's audio for a
  prompt not yet cached (rendered now) and for one in the cache (read from disk).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voice_coach.speech.cache import CachedVoice
from voice_coach.speech.espeak import EspeakVoice, espeak_available
from voice_coach.speech.piper import PiperVoice
from voice_coach.speech.select import bundled_voice_paths
from voice_coach.speech.voice import Voice

PROMPTS = {
    "en": [
        "Welcome to your evening check-in. Take a slow breath together.",
        "Each of you gets a turn to say how your day was. Take your time.",
        "Thank you both. Let us end with one thing you appreciate in each other.",
    ],
    "nl": [
        "Welkom bij jullie avond check-in. Adem samen rustig in en uit.",
        "Ieder van jullie vertelt om de beurt hoe de dag was. Neem de tijd.",
        "Dank jullie wel. We sluiten af met iets wat je waardeert in de ander.",
    ],
}


def voices() -> list[tuple[str, Voice]]:
    """(language, voice) for every voice that can run here."""
    found: list[tuple[str, Voice]] = []
    bundled = bundled_voice_paths()
    if bundled is not None:
        found.append(("en", PiperVoice(*bundled)))
    models = Path(__file__).resolve().parent.parent / "models"
    for folder in (models / "piper", models):
        for model in sorted(folder.glob("nl_*.onnx")):
            if Path(f"{model}.json").is_file():
                found.append(("nl", PiperVoice(model)))
    if espeak_available():
        found += [("nl", EspeakVoice("nl")), ("en", EspeakVoice("en"))]
    return found


def real_time_factor(voice: Voice, texts: list[str], rate: float) -> float:
    """Seconds of rendering per second of audio, over all `texts`."""
    start = time.perf_counter()
    audio = sum(chunk.seconds for text in texts for chunk in voice.speak(text, rate))
    return (time.perf_counter() - start) / audio


def first_audio(voice: Voice, text: str, rate: float) -> float:
    """Seconds from asking to speak to holding the first sentence's audio."""
    start = time.perf_counter()
    stream = iter(voice.speak(text, rate))
    next(stream)
    elapsed = time.perf_counter() - start
    for _ in stream:  # finish, so a cache writes its entry
        pass
    return elapsed


def main() -> int:
    """Measure every available voice and print one line each."""
    rows = []
    for language, voice in voices():
        texts = PROMPTS[language]
        load = calibrate = float("nan")
        if isinstance(voice, PiperVoice):
            start = time.perf_counter()
            voice.load()
            load = time.perf_counter() - start
            start = time.perf_counter()
            voice.stretch(0.85)
            calibrate = time.perf_counter() - start
        else:
            next(iter(voice.speak("Ok.", 1.0)))  # warm the program's files
        rtf_normal = real_time_factor(voice, texts, 1.0)
        rtf_slow = real_time_factor(voice, texts, 0.85)
        with tempfile.TemporaryDirectory() as folder:
            cache = CachedVoice(voice, Path(folder))
            misses = [first_audio(cache, t, 0.85) for t in texts]
            hits = [first_audio(cache, t, 0.85) for t in texts]
        rows.append((voice.name, load, calibrate, rtf_normal, rtf_slow, max(misses), max(hits)))

    print("voice                   load s  calib s  RTF 1.0  RTF 0.85  first audio miss / hit s")
    for name, load, calibrate, rtf_normal, rtf_slow, miss, hit in rows:
        print(
            f"{name:22s} {_secs(load, 7)} {_secs(calibrate, 8)} {rtf_normal:8.3f}"
            f" {rtf_slow:9.3f}  {miss:10.3f} / {hit:.4f}"
        )
    print("(first audio: worst of three prompts at rate 0.85; hit = read from the disk cache)")
    return 0


def _secs(value: float, width: int) -> str:
    return f"{value:{width}.2f}" if value == value else "-".rjust(width)  # NaN: not a Piper


if __name__ == "__main__":
    raise SystemExit(main())
