"""The wake word behind a small interface; the real detector is pymicro-wakeword.

`WakeDetector.process` takes 16 kHz mono float32 blocks of any length and returns a
`WakeHit` when the word has just been said. The model (microWakeWord, a small
streaming TensorFlow Lite network) sees 10 ms frames; it keeps only its own short
window of features, so idle audio never lives longer than about a second in memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from voice_coach.audio.chunk import Samples, float_to_pcm16
from voice_coach.config import WAKE_WORDS, WakeSettings
from voice_coach.errors import VoiceCoachError

FRAME = 160
"""Samples per model frame: 10 ms at 16 kHz."""
SENSITIVITY_STEP = 0.4
"""How far the threshold moves from the model's own for sensitivity 0 or 1 (half each way)."""


class WakeError(VoiceCoachError):
    """The wake-word model cannot be used; the message says which and how to fix it."""


@dataclass(frozen=True)
class WakeHit:
    """The wake word was heard."""

    model: str
    """Model id, e.g. okay_nabu."""
    score: float
    """The model's averaged probability (0 to 1) that crossed the threshold."""


@dataclass(frozen=True)
class WakeWordInfo:
    """One wake-word model that ships with pymicro-wakeword."""

    id: str
    phrase: str
    """What to say, as the model's author writes it ("Okay Nabu")."""
    languages: tuple[str, ...]
    """Languages it was trained on."""
    cutoff: float
    """The model's own probability threshold."""


class WakeDetector(Protocol):
    """Finds the wake word in a stream of blocks."""

    model: str

    def process(self, block: Samples) -> WakeHit | None:
        """Feed 16 kHz mono float32 samples; a hit when the word just ended."""
        ...

    def reset(self) -> None:
        """Forget what was heard (after the coach spoke, after a session)."""
        ...


def threshold(cutoff: float, sensitivity: float) -> float:
    """The probability threshold for a model's `cutoff` at `sensitivity` (0 to 1).

    0.5 keeps the cutoff; 1.0 lowers it by SENSITIVITY_STEP / 2, 0.0 raises it by as much
    (kept between 0.3 and 0.995).
    """
    return min(0.995, max(0.3, cutoff - (sensitivity - 0.5) * SENSITIVITY_STEP))


def _models_dir() -> Path:
    try:
        import pymicro_wakeword
    except ImportError as err:  # pragma: no cover - a declared dependency
        raise WakeError(
            "the wake-word package is missing; install it with `pip install pymicro-wakeword`"
        ) from err
    return Path(pymicro_wakeword.__file__).resolve().parent / "models"


def wake_words() -> list[WakeWordInfo]:
    """The wake-word models that can be used, read from the package's own files."""
    found = []
    for name in WAKE_WORDS:
        path = _models_dir() / f"{name}.json"
        if not path.is_file():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append(
            WakeWordInfo(
                id=name,
                phrase=str(data.get("wake_word", name)),
                languages=tuple(str(x) for x in data.get("trained_languages", [])),
                cutoff=float(data["micro"]["probability_cutoff"]),
            )
        )
    return found


class MicroWakeWordDetector:
    """pymicro-wakeword's streaming model, fed float32 blocks of any length."""

    def __init__(self, settings: WakeSettings) -> None:
        from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures, Model

        self.model = settings.word
        try:
            self._mww: Any = MicroWakeWord.from_builtin(Model(settings.word))
        except (ValueError, OSError) as err:
            raise WakeError(f"cannot load the wake word '{settings.word}': {err}") from err
        self._features: Any = MicroWakeWordFeatures()
        self.threshold = threshold(float(self._mww.probability_cutoff), settings.sensitivity)
        """Probability (0 to 1) the averaged model output must exceed."""
        self.phrase = str(self._mww.wake_word)

    def process(self, block: Samples) -> WakeHit | None:
        hit: WakeHit | None = None
        for features in self._features.process_streaming(float_to_pcm16(block)):
            probability = self._mww.process_streaming_prob(features)
            if probability is not None and probability > self.threshold and hit is None:
                hit = WakeHit(self.model, round(float(probability), 3))
        if hit is not None:
            # One word, one hit: the averaging window would report it again next frames.
            self.reset()
        return hit

    def reset(self) -> None:
        self._mww.reset()
        self._features.reset()
