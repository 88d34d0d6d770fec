"""Piper voices: natural neural speech, slowed down by stretching phonemes.

A slower coach must still sound like the same person, so `rate` changes Piper's
length_scale (how long each phoneme lasts) and leaves the pitch alone: about the
voice's own length_scale / rate, corrected by a measured curve (see
`PiperVoice.stretch`) so that rate 0.8 really gives speech 1.25 times as long. The
model loads once, on the first sentence or on `load()`, and is then shared by every
caller (also across threads).

Repeatable: Piper draws random noise inside its model (phoneme durations and the
sound itself), from onnxruntime's generator, so the same sentence came out 4.14 s,
4.39 s and 4.45 s long in one process and 4.16, 4.17 and 4.14 s in the next. The
generator is seeded when the model loads (`RENDER_SEED`), so a process renders the
same sequence of sentences to the same audio, sample for sample, every time: two
simulations of one script from a cold cache give the same events. The bound: a
sentence's audio depends on what the process rendered before it (the generator runs
on), so a cache warmed by another script or session can make the lines it did not
hold come out differently, by up to about 0.3 s a sentence (the spread above).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from voice_coach.audio.chunk import AudioChunk
from voice_coach.files import FileError, private_dir, write_private
from voice_coach.speech.voice import VoiceError, check_rate, sentence_chunk, sentences

RENDER_SEED = 20_250_101
"""onnxruntime's random seed, set as a voice loads: renders repeat exactly."""
_SEED_LOCK = threading.Lock()
"""The seed is process-wide: one voice loads at a time."""

HEADROOM = 10 ** (-1 / 20)
"""Peak amplitude of a sentence (-1 dBFS). Piper scales each sentence to full scale;
a little room keeps resampling to the speaker's rate from clipping."""


class PiperVoice:
    """A Piper voice model (`<name>.onnx` with its `<name>.onnx.json`)."""

    def __init__(
        self,
        model: Path,
        config: Path | None = None,
        name: str | None = None,
        calibrate: bool = True,
        calibration_file: Path | None = None,
    ) -> None:
        self.model = Path(model)
        """The ONNX voice model."""
        self.config = Path(config) if config is not None else Path(f"{model}.json")
        """The voice's JSON config (sample rate, phonemes, default scales)."""
        self.name = name or self.model.name.removesuffix(".onnx")
        self.calibrate = calibrate
        """Measure how the voice stretches, so `rate` means what it says (see `stretch`);
        False uses length_scale / rate as is."""
        self.calibration_file = calibration_file
        """Where measured curves are kept (a JSON file, by voice identity), so the
        measurement runs once per voice file, not once per session; None: in memory."""
        self._lock = threading.Lock()
        self._stretch_curve: tuple[list[float], list[float]] | None = None
        self._voice: Any = None
        self._identity: str | None = None

    def __repr__(self) -> str:
        return f"PiperVoice({self.name!r}, model={str(self.model)!r})"

    @property
    def identity(self) -> str:
        """Which model file this is, for cache keys: the model's size and modification
        time plus a hash of the config, so a replaced or re-downloaded voice renders
        anew while the 60 MB model is never read just to name it."""
        if self._identity is None:
            try:
                stat = self.model.stat()
                digest = hashlib.sha256(self.config.read_bytes()).hexdigest()[:16]
            except OSError as err:
                raise VoiceError(self._missing(err)) from err
            self._identity = f"piper:{stat.st_size}:{stat.st_mtime_ns}:{digest}"
        return self._identity

    @property
    def sample_rate(self) -> int:
        """Hertz of the audio this voice makes (loads the voice)."""
        return int(self.load().config.sample_rate)

    def load(self) -> Any:
        """Load the model now (about 1 to 2 seconds) instead of on the first sentence."""
        with self._lock:
            return self._voice_unlocked()

    def _voice_unlocked(self) -> Any:
        if self._voice is None:
            self._voice = self._load()
        return self._voice

    def _load(self) -> Any:
        if not self.model.is_file() or not self.config.is_file():
            raise VoiceError(self._missing(None))
        from piper import PiperVoice as Engine

        try:
            import onnxruntime

            with _SEED_LOCK:
                onnxruntime.set_seed(RENDER_SEED)
                return Engine.load(self.model, config_path=self.config)
        except Exception as err:  # onnxruntime and json raise many kinds
            raise VoiceError(
                f"The Piper voice {self.name} at {self.model} cannot be loaded ({err}). "
                "The file is probably damaged: download it again "
                "(`voice-coach models download`)."
            ) from err

    def _missing(self, err: OSError | None) -> str:
        detail = f" ({err.strerror})" if err is not None and err.strerror else ""
        return (
            f"The Piper voice {self.name} is incomplete: {self.model} and {self.config} "
            f"must both exist{detail}. Download it again (`voice-coach models download`)."
        )

    def stretch(self, rate: float) -> float:
        """The factor on the voice's length_scale that makes speech last 1/rate as long.

        Not simply 1/rate: Piper rounds every phoneme, and the short pauses between
        phonemes, up to whole frames (11.6 ms), so those pauses barely stretch and
        length_scale x1.11 gives only ~3 % longer speech. A one-time calibration (a
        short phrase rendered at five length scales: about 15 s of audio, 1 to 2 s
        here, 10 s or more on a Raspberry Pi) measures how this voice really
        stretches; the factor is read from that curve. With `calibration_file` set the
        curve is measured once per voice file and read back afterwards.
        """
        check_rate(rate)
        if rate == 1.0 or not self.calibrate:
            return 1.0 / rate
        curve = self._curve()
        return float(np.interp(1.0 / rate, curve[1], curve[0]))

    def _curve(self) -> tuple[list[float], list[float]]:
        with self._lock:
            if self._stretch_curve is None:
                curve = self._stored_curve()
                if curve is None:
                    curve = _measure_stretch(self._voice_unlocked())
                    self._store_curve(curve)
                    # Measuring drew on the model's noise: load it afresh, so the
                    # sentences sound the same whether or not the curve was measured.
                    self._voice = self._load()
                self._stretch_curve = curve
            return self._stretch_curve

    def _stored_curve(self) -> tuple[list[float], list[float]] | None:
        if self.calibration_file is None:
            return None
        try:
            stored = json.loads(self.calibration_file.read_text(encoding="utf-8"))
            factors, ratios = stored[self.identity]
            if len(factors) == len(ratios) >= 2 and all(
                isinstance(x, float) for x in [*factors, *ratios]
            ):
                return [float(x) for x in factors], [float(x) for x in ratios]
        except (OSError, ValueError, KeyError, TypeError):
            pass  # absent or damaged: measure again
        return None

    def _store_curve(self, curve: tuple[list[float], list[float]]) -> None:
        path = self.calibration_file
        if path is None:
            return
        stored: dict[str, object] = {}
        with contextlib.suppress(OSError, ValueError):
            loaded = json.loads(path.read_text(encoding="utf-8"))
            stored = loaded if isinstance(loaded, dict) else {}
        stored[self.identity] = [curve[0], curve[1]]
        with contextlib.suppress(OSError, FileError):  # not kept: measured again next time
            private_dir(path.parent)
            write_private(path, json.dumps(stored).encode("utf-8"), "voice calibration")

    def speak(self, text: str, rate: float) -> Iterator[AudioChunk]:
        """One chunk per sentence at the voice's own sample rate (22050 Hz for medium
        voices), each ending in `sentence_gap(rate)` seconds of silence."""
        check_rate(rate)
        for sentence in sentences(text):
            yield self._sentence(sentence, rate)

    def _sentence(self, sentence: str, rate: float) -> AudioChunk:
        from piper import SynthesisConfig

        stretch = self.stretch(rate)  # first: measuring the curve reloads the model
        voice = self.load()
        length_scale = float(voice.config.length_scale) * stretch
        settings = SynthesisConfig(length_scale=length_scale, volume=HEADROOM)
        try:
            # Piper splits text into sentences too; ours are already single sentences,
            # but an odd one may still come back in parts: they are joined as spoken.
            parts = [
                np.asarray(part.audio_float_array, dtype=np.float32)
                for part in voice.synthesize(sentence, syn_config=settings)
            ]
        except Exception as err:  # onnxruntime errors have no common base class
            raise VoiceError(f"The Piper voice {self.name} failed on {sentence!r}: {err}") from err
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        return sentence_chunk(samples, int(voice.config.sample_rate), rate)


_CALIBRATION_TEXT = "Take a slow breath together, and let the day settle."
# Phonemised by the voice's own language rules; any phrase of ordinary length will do.
_CALIBRATION_STRETCH = (0.85, 1.0, 1.2, 1.5, 2.0)


def _measure_stretch(voice: Any) -> tuple[list[float], list[float]]:
    """(length_scale factors, resulting duration ratios) for `voice`, both rising.

    Durations are rendered without duration noise (noise_w 0), so the curve is exact.
    Outside the measured range the ends are extended in proportion.
    """
    from piper import SynthesisConfig

    ids = [voice.phonemes_to_ids(p) for p in voice.phonemize(_CALIBRATION_TEXT) if p]
    base = float(voice.config.length_scale)
    seconds = []
    for factor in _CALIBRATION_STRETCH:
        settings = SynthesisConfig(length_scale=base * factor, noise_w_scale=0.0)
        seconds.append(sum(len(voice.phoneme_ids_to_audio(i, settings)) for i in ids))
    normal = seconds[_CALIBRATION_STRETCH.index(1.0)]
    ratios = [s / normal for s in seconds]
    factors = list(_CALIBRATION_STRETCH)
    # Keep the curve strictly rising (rounding can flatten a step) so it inverts.
    for i in range(1, len(ratios)):
        ratios[i] = max(ratios[i], ratios[i - 1] + 1e-3)
    low, high = ratios[0], ratios[-1]
    factors = [factors[0] * 0.25 / low, *factors, factors[-1] * 4.0 / high]
    ratios = [0.25, *ratios, 4.0]
    return factors, ratios
