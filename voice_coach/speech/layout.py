"""Where models live in the models folder, and how to find them: the one place for it.

models_dir/piper/<voice>.onnx  and  <voice>.onnx.json   (downloads go here)
models_dir/<voice>.onnx        and  <voice>.onnx.json   (also found: copied by hand)
models_dir/vosk/<model>/                                (downloads go here)
models_dir/<model>/                                     (also found: unzipped by hand)
"""

from __future__ import annotations

from pathlib import Path


def piper_voice_paths(models_dir: Path, name: str) -> tuple[Path, Path]:
    """Where a downloaded Piper voice goes: (model .onnx, config .onnx.json)."""
    folder = Path(models_dir) / "piper"
    return folder / f"{name}.onnx", folder / f"{name}.onnx.json"


def find_piper_voice(models_dir: Path, name: str) -> tuple[Path, Path] | None:
    """The model and config of voice `name` (either layout), if both are there and
    not empty."""
    flat = Path(models_dir) / f"{name}.onnx"
    for model, config in (piper_voice_paths(models_dir, name), (flat, Path(f"{flat}.json"))):
        if non_empty_file(model) and non_empty_file(config):
            return model, config
    return None


def vosk_model_dir(models_dir: Path, name: str) -> Path:
    """Where a downloaded Vosk model folder goes."""
    return Path(models_dir) / "vosk" / name


def find_vosk_model(models_dir: Path, name: str) -> Path | None:
    """The folder of Vosk model `name` (either layout), if it holds a whole model."""
    for folder in (vosk_model_dir(models_dir, name), Path(models_dir) / name):
        if is_vosk_model(folder):
            return folder
    return None


def is_vosk_model(folder: Path) -> bool:
    """Whether a folder holds a Vosk model (its acoustic model and its graph)."""
    has_am = (folder / "am" / "final.mdl").is_file() or (folder / "final.mdl").is_file()
    graph = folder / "graph"
    has_graph = (graph / "HCLG.fst").is_file() or (graph / "HCLr.fst").is_file()
    return has_am and (has_graph or (folder / "HCLG.fst").is_file())


def non_empty_file(path: Path) -> bool:
    """Whether `path` is a file with something in it (a model copied halfway is not)."""
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False
