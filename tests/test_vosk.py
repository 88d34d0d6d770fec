"""The Vosk adapter on real models: Korean from PyPI always, Dutch/English when present."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import korean_model_dir
from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk
from voice_coach.audio.wav import parse_wav
from voice_coach.config import Config, SpeechSettings
from voice_coach.speech.layout import find_vosk_model
from voice_coach.speech.recognizer import RecognizerError, Utterance
from voice_coach.speech.vosk import VoskRecognizer, grammar_phrase, open_recognizer

BLOCK = 1600
"""Samples per fed block: 0.1 s at 16 kHz, as the live microphone delivers them."""

CHECKOUT_MODELS = Path(__file__).resolve().parent.parent / "models"


def espeak(text: str, voice: str) -> AudioChunk:
    """Real speech from espeak-ng, at the listening rate."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "--stdout", text], check=True, capture_output=True
    ).stdout
    return parse_wav(wav).to_rate(LISTEN_RATE)


def feed(recognizer: VoskRecognizer, audio: AudioChunk) -> list[Utterance]:
    """Stream `audio` in 0.1 s blocks, then flush; every utterance heard."""
    heard: list[Utterance] = []
    for start in range(0, len(audio.samples), BLOCK):
        utterance = recognizer.accept(audio.samples[start : start + BLOCK])
        if utterance is not None:
            heard.append(utterance)
    last = recognizer.flush()
    if last is not None:
        heard.append(last)
    return heard


@pytest.fixture(scope="session")
def hello_ko() -> AudioChunk:
    """About 1.5 s of Korean: "annyeonghaseyo" (hello), with silence either side."""
    speech = espeak("안녕하세요", "ko")
    quiet = AudioChunk.silence(0.5, LISTEN_RATE)
    return quiet.then(speech).then(quiet)


@pytest.mark.slow
def test_free_speech_returns_words_with_times(korean: VoskRecognizer, hello_ko: AudioChunk) -> None:
    korean.expect(None)
    heard = feed(korean, hello_ko)
    words = [w for u in heard for w in u.words]
    assert words, "Vosk heard nothing in a second of clear speech"
    assert all(u.text for u in heard)
    for word in words:
        assert 0.0 <= word.start_s < word.end_s <= hello_ko.seconds + 0.05
        assert 0.0 <= word.conf <= 1.0
    # Speech starts after half a second of silence, and the times say so.
    assert words[0].start_s >= 0.3
    starts = [w.start_s for w in words]
    assert starts == sorted(starts)


@pytest.mark.slow
def test_grammar_restricts_to_the_phrases(korean: VoskRecognizer, hello_ko: AudioChunk) -> None:
    assert korean.grammar, "the Korean model has a lookahead graph (HCLr.fst + Gr.fst)"
    korean.expect(["안녕하세요", "감사합니다"])
    # This model has no "[unk]": under a grammar, any speech becomes a phrase.
    assert korean.hears_other_speech is False
    heard = feed(korean, hello_ko)
    texts = {w.text for u in heard for w in u.words}
    assert texts == {"안녕하세요"}
    korean.expect(None)
    assert korean.hears_other_speech is True


@pytest.mark.slow
def test_a_model_without_grammar_support_falls_back_to_free_speech(
    hello_ko: AudioChunk,
) -> None:
    recognizer = VoskRecognizer(korean_model_dir())
    # As for a model with a static graph (HCLG.fst): phrases cannot restrict it.
    recognizer.grammar = False
    recognizer.expect(["감사합니다"])
    heard = feed(recognizer, hello_ko)
    assert heard
    assert "감사합니다" not in {w.text for u in heard for w in u.words}


@pytest.mark.slow
def test_times_count_from_the_last_expect_across_utterances(
    korean: VoskRecognizer, hello_ko: AudioChunk
) -> None:
    korean.expect(["안녕하세요"])
    twice = hello_ko.then(AudioChunk.silence(1.5, LISTEN_RATE)).then(hello_ko)
    heard = feed(korean, twice)
    words = [w for u in heard for w in u.words]
    assert len(heard) >= 2
    # The second greeting starts after the first clip and the 1.5 s gap.
    assert words[-1].start_s > hello_ko.seconds + 1.0
    # A fresh expect starts the clock again.
    korean.expect(["안녕하세요"])
    again = feed(korean, hello_ko)
    assert again[0].words[0].start_s < hello_ko.seconds


@pytest.mark.slow
def test_silence_gives_nothing(korean: VoskRecognizer) -> None:
    korean.expect(None)
    silence = AudioChunk.silence(2.0, LISTEN_RATE)
    assert feed(korean, silence) == []
    assert korean.flush() is None


def test_flush_before_anything_is_fed_gives_nothing() -> None:
    assert VoskRecognizer(Path("/nonexistent")).flush() is None


def test_missing_model_names_the_download_command(tmp_path: Path) -> None:
    config = Config(models_dir=tmp_path)
    with pytest.raises(RecognizerError) as err:
        open_recognizer("nl", config)
    message = str(err.value)
    assert "vosk-model-small-nl-0.22" in message
    assert str(tmp_path / "vosk" / "vosk-model-small-nl-0.22") in message
    assert "voice-coach models download nl" in message
    with pytest.raises(RecognizerError, match="voice-coach models download en"):
        open_recognizer("en", config)


def test_unconfigured_language_says_which_key_to_set(tmp_path: Path) -> None:
    with pytest.raises(RecognizerError, match="recognizer_fr"):
        open_recognizer("fr", Config(models_dir=tmp_path))


@pytest.mark.parametrize("layout", ["vosk/{name}", "{name}"])
def test_model_found_in_either_layout(tmp_path: Path, layout: str) -> None:
    name = "vosk-model-test"
    folder = tmp_path / layout.format(name=name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.symlink_to(korean_model_dir())
    config = Config(speech=SpeechSettings(recognizer_nl=name), models_dir=tmp_path)
    recognizer = open_recognizer("nl", config)
    assert recognizer.model_dir == folder
    assert recognizer.name == name
    assert recognizer.grammar


def test_half_extracted_folder_is_not_a_model(tmp_path: Path) -> None:
    # A folder without am/final.mdl (an interrupted copy) must not be taken for a model.
    (tmp_path / "vosk" / "vosk-model-small-nl-0.22" / "conf").mkdir(parents=True)
    assert find_vosk_model(tmp_path, "vosk-model-small-nl-0.22") is None


def checkout_model(language: str) -> Path:
    """The configured model for `language` in the checkout's models/, or skip."""
    name = SpeechSettings().recognizer_for(language)
    path = find_vosk_model(CHECKOUT_MODELS, name)
    if path is None:
        label = {"nl": "Dutch", "en": "English"}[language]
        pytest.skip(f"no {label} Vosk model in models/; run voice-coach models download {language}")
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    ("language", "voice", "said", "phrases"),
    [
        ("nl", "nl", "ja", ["ja", "nee", "verder", "stoppen"]),
        ("nl", "nl", "stoppen", ["ja", "nee", "verder", "stoppen"]),
        ("en", "en-us", "yes", ["yes", "no", "go on", "stop"]),
    ],
)
def test_grammar_hears_a_short_answer(
    language: str, voice: str, said: str, phrases: list[str]
) -> None:
    recognizer = VoskRecognizer(checkout_model(language))
    recognizer.expect(phrases)
    quiet = AudioChunk.silence(0.5, LISTEN_RATE)
    heard = feed(recognizer, quiet.then(espeak(said, voice)).then(quiet))
    assert [u.text for u in heard if u.text] == [said]


@pytest.mark.slow
def test_unknown_words_are_reported(korean: VoskRecognizer) -> None:
    assert korean.unknown_words(["안녕하세요", "hello there"]) == ["hello", "there"]


def test_phrases_are_spelled_as_vocabularies_spell_them() -> None:
    assert grammar_phrase("Ja!") == "ja"
    assert grammar_phrase("  Ga   verder, alsjeblieft. ") == "ga verder alsjeblieft"
    assert grammar_phrase("Don't stop") == "don't stop"
    assert grammar_phrase("Één") == "één"
    assert grammar_phrase("?!") == ""
