"""Vosk behind the `Recognizer` protocol: streaming, grammar-restricted recognition.

The model (tens to hundreds of MB) loads once, lazily, on first use, and is shared by
every recogniser opened on the same folder. `expect(phrases)` starts a fresh Kaldi
recogniser: with a grammar of the phrases plus "[unk]" when the model supports
runtime grammars (small models with a lookahead graph, `graph/HCLr.fst` +
`graph/Gr.fst`), free speech otherwise. Word times count seconds from the first
sample fed since the last `expect`.

Speech outside the grammar comes back from Vosk as "[unk]": such words are dropped,
so an utterance that held only unknown words is returned with empty text (the engine
hears "something was said, none of the phrases"); silence returns None.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from voice_coach.audio.chunk import LISTEN_RATE, Samples, float_to_pcm16
from voice_coach.config import Config
from voice_coach.speech.layout import find_vosk_model
from voice_coach.speech.recognizer import RecognizerError, Utterance, Word

UNKNOWN = "[unk]"
"""Vosk's word for speech outside the grammar."""

_MODELS: dict[Path, Any] = {}
_MODELS_LOCK = threading.Lock()


def _load_model(path: Path) -> Any:
    """The Vosk model in `path`, loaded once per process."""
    with _MODELS_LOCK:
        model = _MODELS.get(path)
        if model is None:
            import vosk

            # Kaldi logs every loaded file (level 0) and warnings (-1), such as a grammar
            # word missing from the vocabulary, to stderr: the user should see neither.
            # `unknown_words` reports the missing words instead.
            vosk.SetLogLevel(-2)
            try:
                model = vosk.Model(str(path))
            except Exception as err:  # vosk raises a bare Exception on a bad folder
                raise RecognizerError(
                    f"{path}: the Vosk model cannot be loaded ({err}); "
                    "check it with `voice-coach models verify` or download it again"
                ) from err
            _MODELS[path] = model
        return model


_LOAD_CHECK = "import sys, vosk; vosk.SetLogLevel(-2); vosk.Model(sys.argv[1])"


def load_problem(path: Path, timeout: float = 300.0) -> str | None:
    """Why the Vosk model in `path` does not load, or None when it loads.

    The same load a session does, in a child process: a folder that only looks like a
    model (the layout check passes) is found out here, and a model that crashes Kaldi
    cannot take `doctor` or `models verify` down with it.
    """
    try:
        done = subprocess.run(
            [sys.executable, "-c", _LOAD_CHECK, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"loading took longer than {timeout:g} s"
    if done.returncode == 0:
        return None
    if done.returncode < 0:
        return f"loading it crashed the recogniser (signal {-done.returncode})"
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    kaldi = [line for line in lines if line.startswith("ERROR")]
    return (kaldi or lines or ["unknown error"])[-1]


_NOT_IN_WORDS = re.compile(r"[^\w' -]+")


def grammar_phrase(phrase: str) -> str:
    """A phrase as Vosk vocabularies spell it: lower case, no punctuation."""
    return " ".join(_NOT_IN_WORDS.sub(" ", phrase.lower()).split())


def supports_grammar(model_dir: Path) -> bool:
    """Whether a Vosk model folder has a lookahead graph, so it can take a grammar."""
    graph = model_dir / "graph"
    return (graph / "HCLr.fst").is_file() and (graph / "Gr.fst").is_file()


class VoskRecognizer:
    """Streaming recognition of 16 kHz mono float32 blocks with a Vosk model folder."""

    def __init__(self, model_dir: Path, rate: int = LISTEN_RATE) -> None:
        self.model_dir = Path(model_dir)
        self.rate = rate
        """Sample rate of the fed blocks in Hertz."""
        self.grammar = supports_grammar(self.model_dir)
        """Whether `expect(phrases)` restricts recognition to the phrases."""
        self.phrases: Sequence[str] | None = None
        """What the last `expect` listens for (None: free speech)."""
        self.hears_other_speech = True
        """False while a grammar without "[unk]" is active: then any speech comes back
        as one of the phrases, so a low `Word.conf` is the only sign it was not."""
        self._recognizer: Any = None

    @property
    def name(self) -> str:
        """The model's folder name, e.g. vosk-model-small-nl-0.22."""
        return self.model_dir.name

    def load(self) -> None:
        """Load the model now (else the first `expect` or `accept` does it)."""
        _load_model(self.model_dir)

    def unknown_words(self, phrases: Sequence[str]) -> list[str]:
        """Words of `phrases` the model does not know (a grammar would drop them)."""
        model = _load_model(self.model_dir)
        missing: list[str] = []
        for phrase in phrases:
            for word in grammar_phrase(phrase).split():
                if model.vosk_model_find_word(word) < 0 and word not in missing:
                    missing.append(word)
        return missing

    def expect(self, phrases: Sequence[str] | None) -> None:
        """Start afresh listening for `phrases` (None: free speech)."""
        import vosk

        model = _load_model(self.model_dir)
        self.phrases = phrases
        self.hears_other_speech = True
        if phrases and self.grammar:
            grammar = [g for g in (grammar_phrase(p) for p in phrases) if g]
            # A model without "[unk]" in its vocabulary would only warn and drop it.
            if model.vosk_model_find_word(UNKNOWN) >= 0:
                grammar.append(UNKNOWN)
            else:
                self.hears_other_speech = False
            recognizer = vosk.KaldiRecognizer(
                model, float(self.rate), json.dumps(grammar, ensure_ascii=False)
            )
        else:
            recognizer = vosk.KaldiRecognizer(model, float(self.rate))
        recognizer.SetWords(True)
        self._recognizer = recognizer

    def accept(self, block: Samples) -> Utterance | None:
        """Feed a block; return an utterance when Vosk says one has just ended."""
        if self._recognizer is None:
            self.expect(None)
        if len(block) == 0:
            return None
        if self._recognizer.AcceptWaveform(float_to_pcm16(block)):
            return _utterance(self._recognizer.Result())
        return None

    def partial(self) -> str:
        """The words heard so far in the current utterance (may still change)."""
        if self._recognizer is None:
            return ""
        text = json.loads(self._recognizer.PartialResult()).get("partial", "")
        return " ".join(w for w in str(text).split() if w != UNKNOWN)

    def flush(self) -> Utterance | None:
        """End the current utterance now and return it, if anything was said."""
        if self._recognizer is None:
            return None
        return _utterance(self._recognizer.FinalResult())


def _utterance(result_json: str) -> Utterance | None:
    """An Utterance from a Vosk result; None when nothing at all was recognised."""
    result: dict[str, Any] = json.loads(result_json)
    raw_words: list[dict[str, Any]] = result.get("result") or []
    text = str(result.get("text", "")).strip()
    if not raw_words and not text:
        return None
    words = tuple(
        Word(
            text=str(w["word"]),
            start_s=float(w["start"]),
            end_s=float(w["end"]),
            conf=float(w.get("conf", 1.0)),
        )
        for w in raw_words
        if w.get("word") != UNKNOWN
    )
    kept = " ".join(t for t in text.split() if t != UNKNOWN)
    return Utterance(text=kept, words=words)


def open_recognizer(language: str, config: Config) -> VoskRecognizer:
    """A recogniser for `language` ("nl", "en") with the configured Vosk model.

    The model is found in `config.models_dir/vosk/<name>/` (or `models_dir/<name>/`)
    and loads on first use. Raises RecognizerError naming the download command when
    the model is not there.
    """
    name = config.speech.recognizer_for(language)
    if not name:
        raise RecognizerError(
            f"no speech recogniser is configured for language '{language}' "
            f"(set recognizer_{language} under [speech] in the config file)"
        )
    path = find_vosk_model(config.models_dir, name)
    if path is None:
        where = config.models_dir / "vosk" / name
        raise RecognizerError(
            f"the speech recogniser {name} is not in {where}; "
            f"download it with `voice-coach models download {language}`"
        )
    return VoskRecognizer(path)
