"""The prompt cache over real voices: hits, keys, damaged entries, background renders."""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from voice_coach.audio.chunk import AudioChunk
from voice_coach.audio.wav import read_wav
from voice_coach.speech.cache import CachedVoice, decode_entry, encode_entry
from voice_coach.speech.espeak import EspeakVoice, espeak_available
from voice_coach.speech.piper import PiperVoice
from voice_coach.speech.select import bundled_voice_paths
from voice_coach.speech.voice import VoiceError

needs_espeak = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")

PROMPT = "Welcome back. Let us start with a slow breath."


class Counting:
    """A real voice with a count of how many times it was asked to speak."""

    def __init__(self, voice: PiperVoice | EspeakVoice) -> None:
        self.voice = voice
        self.name = voice.name
        self.identity = voice.identity
        self.calls = 0
        self.sentences = 0

    def speak(self, text: str, rate: float) -> Iterator[AudioChunk]:
        self.calls += 1
        for chunk in self.voice.speak(text, rate):
            self.sentences += 1
            yield chunk


@pytest.fixture(scope="module")
def joe() -> PiperVoice:
    paths = bundled_voice_paths()
    assert paths is not None
    voice = PiperVoice(*paths)
    voice.load()
    return voice


def same_audio(a: list[AudioChunk], b: list[AudioChunk]) -> bool:
    return len(a) == len(b) and all(
        x.rate == y.rate and np.array_equal(x.samples, y.samples) for x, y in zip(a, b, strict=True)
    )


def test_repeat_is_served_from_disk_identically(joe: PiperVoice, tmp_path: Path) -> None:
    inner = Counting(joe)
    cache = CachedVoice(inner, tmp_path / "cache")
    first = list(cache.speak(PROMPT, 0.9))
    assert inner.calls == 1 and len(first) == 2
    assert cache.is_cached(PROMPT, 0.9)
    second = list(cache.speak(PROMPT, 0.9))
    assert inner.calls == 1, "a hit must not render"
    assert same_audio(first, second)
    assert all(c.rate == 22_050 for c in second)


def test_entries_are_private_and_playable_wavs(joe: PiperVoice, tmp_path: Path) -> None:
    cache = CachedVoice(joe, tmp_path / "cache")
    spoken = list(cache.speak(PROMPT, 1.0))
    path = cache.entry_path(PROMPT, 1.0)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    whole = read_wav(path)  # any WAV reader takes it; the cue chunk is skipped
    assert whole.rate == 22_050
    assert np.array_equal(whole.samples, np.concatenate([c.samples for c in spoken]))
    assert [p.name for p in path.parent.iterdir()] == [path.name], "no temporary files left"


@needs_espeak
def test_keys_differ_by_text_rate_and_voice(tmp_path: Path) -> None:
    nl, en = EspeakVoice("nl"), EspeakVoice("en")
    cache_nl, cache_en = CachedVoice(nl, tmp_path), CachedVoice(en, tmp_path)
    paths = {
        cache_nl.entry_path("Hallo.", 1.0),
        cache_nl.entry_path("Hallo!", 1.0),
        cache_nl.entry_path("Hallo.", 0.8),
        cache_en.entry_path("Hallo.", 1.0),
    }
    assert len(paths) == 4
    inner = Counting(nl)
    cache = CachedVoice(inner, tmp_path)
    list(cache.speak("Hallo.", 1.0))
    list(cache.speak("Hallo.", 0.8))
    list(cache.speak("Dag.", 1.0))
    assert inner.calls == 3
    list(cache.speak("Hallo.", 0.8))
    assert inner.calls == 3


def test_a_replaced_model_file_is_a_new_key(tmp_path: Path) -> None:
    paths = bundled_voice_paths()
    assert paths is not None
    model, config = tmp_path / "v.onnx", tmp_path / "v.onnx.json"
    model.write_bytes(b"first model")
    config.write_bytes(paths[1].read_bytes())
    before = CachedVoice(PiperVoice(model, config, name="v"), tmp_path).entry_path("Hi.", 1.0)
    model.write_bytes(b"a re-downloaded, different model")
    after = CachedVoice(PiperVoice(model, config, name="v"), tmp_path).entry_path("Hi.", 1.0)
    assert before != after


@needs_espeak
@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"garbage" * 10,
        lambda data: data[: len(data) // 2],  # cut off mid-write by a full disk
        lambda data: b"",
        lambda data: data[:40] + b"\xff" * 24 + data[64:],  # cue points scrambled
    ],
    ids=["garbage", "truncated", "empty", "bad-cues"],
)
def test_damaged_entry_is_rendered_again(tmp_path: Path, damage: object) -> None:
    inner = Counting(EspeakVoice("nl"))
    cache = CachedVoice(inner, tmp_path)
    text = "Dit is de eerste zin. En dit is de tweede."
    good = list(cache.speak(text, 1.0))
    path = cache.entry_path(text, 1.0)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    again = list(cache.speak(text, 1.0))
    assert inner.calls == 2
    assert same_audio(good, again)  # espeak-ng is deterministic
    assert same_audio(decode_entry(path.read_bytes()), good), "the entry was rewritten"


def test_entry_format_round_trips_sentence_bounds() -> None:
    rate = 22_050
    chunks = [AudioChunk(np.full(n, 0.25, dtype=np.float32), rate) for n in (10, 3, 7)]
    back = decode_entry(encode_entry(chunks))
    assert [len(c.samples) for c in back] == [10, 3, 7]
    assert all(c.rate == rate for c in back)


@needs_espeak
def test_stopping_early_stores_nothing(tmp_path: Path) -> None:
    cache = CachedVoice(EspeakVoice("en"), tmp_path)
    stream = cache.speak("One. Two. Three.", 1.0)
    next(stream)
    stream.close()
    assert not cache.is_cached("One. Two. Three.", 1.0)


@needs_espeak
def test_store_false_keeps_private_words_off_disk(tmp_path: Path) -> None:
    cache = CachedVoice(EspeakVoice("nl"), tmp_path / "c")
    chunks = list(cache.speak("Jij zei: ik mis je.", 1.0, store=False))
    assert chunks
    assert not (tmp_path / "c").exists()


@needs_espeak
def test_size_bound_drops_least_recently_used(tmp_path: Path) -> None:
    inner = EspeakVoice("en")
    probe = CachedVoice(inner, tmp_path / "probe")
    list(probe.speak("Prompt number one.", 1.0))
    one_entry = probe.size()
    cache = CachedVoice(inner, tmp_path / "c", max_bytes=int(2.5 * one_entry))
    for n in ("one", "two", "three"):
        list(cache.speak(f"Prompt number {n}.", 1.0))
    assert cache.size() <= cache.max_bytes
    assert not cache.is_cached("Prompt number one.", 1.0)
    assert cache.is_cached("Prompt number three.", 1.0)
    assert cache.clear() > 0 and cache.size() == 0


def test_prerender_renders_ahead_and_speak_then_hits(joe: PiperVoice, tmp_path: Path) -> None:
    inner = Counting(joe)
    texts = ["Good evening.", "How was your day?", "Good evening."]
    with CachedVoice(inner, tmp_path) as cache:
        job = cache.prerender(texts, 0.85)
        assert job.wait(timeout=120)
        assert job.rendered == 2 and job.errors == []
        calls = inner.calls
        assert all(list(cache.speak(t, 0.85)) for t in texts)
        assert inner.calls == calls
        again = cache.prerender(texts, 0.85)  # everything is there: nothing to do
        assert again.wait(timeout=60) and again.rendered == 0


class Gate:
    """A real voice that, after its first sentence, waits until the test opens the gate
    (so the test can stop a background render at a known point)."""

    def __init__(self, voice: EspeakVoice) -> None:
        self.voice = voice
        self.name = voice.name
        self.started = threading.Event()
        self.release = threading.Event()

    def speak(self, text: str, rate: float) -> Iterator[AudioChunk]:
        for i, chunk in enumerate(self.voice.speak(text, rate)):
            if i == 1:
                self.started.set()
                self.release.wait(timeout=30)
            yield chunk


@needs_espeak
def test_prerender_stops_promptly_and_keeps_no_half_prompt(tmp_path: Path) -> None:
    inner = Gate(EspeakVoice("en"))
    cache = CachedVoice(inner, tmp_path)
    texts = [f"Prompt {n}. It has two sentences." for n in range(20)]
    job = cache.prerender(texts, 1.0)
    assert inner.started.wait(timeout=30)
    job.cancel()
    inner.release.set()
    assert job.stop(timeout=30)
    assert job.done and job.rendered == 0
    assert not any(cache.is_cached(t, 1.0) for t in texts)


@needs_espeak
def test_close_stops_background_work(tmp_path: Path) -> None:
    cache = CachedVoice(EspeakVoice("nl"), tmp_path)
    job = cache.prerender([f"Zin nummer {n}." for n in range(200)], 1.0)
    cache.close(timeout=30)
    assert job.done
    assert job.rendered < 200


@needs_espeak
def test_speak_while_prerendering_gets_its_own_prompt(tmp_path: Path) -> None:
    inner = Counting(EspeakVoice("en"))
    cache = CachedVoice(inner, tmp_path)
    job = cache.prerender([f"Later prompt {n}." for n in range(30)], 1.0)
    now = list(cache.speak("Right now, please.", 1.0))
    assert len(now) == 1 and now[0].rate == 22_050
    assert job.wait(timeout=60) and job.rendered == 30
    assert cache.is_cached("Right now, please.", 1.0)


def test_prerender_records_voice_errors(tmp_path: Path) -> None:
    cache = CachedVoice(PiperVoice(tmp_path / "missing.onnx"), tmp_path / "c")
    job = cache.prerender(["Hello."], 1.0)
    assert job.wait(timeout=30)
    assert len(job.errors) == 1 and "missing" in job.errors[0][1]
    with pytest.raises(VoiceError):
        list(cache.speak("Hello.", 1.0))


class Ordered:
    """A real voice that logs each sentence as it renders; "Hold." waits for a gate."""

    def __init__(self, voice: EspeakVoice) -> None:
        self.voice = voice
        self.name = voice.name
        self.log: list[str] = []
        self.holding = threading.Event()
        self.release = threading.Event()

    def speak(self, text: str, rate: float) -> Iterator[AudioChunk]:
        for sentence in text.split(" "):
            if sentence == "Hold.":
                self.holding.set()
                self.release.wait(timeout=30)
            chunk = next(iter(self.voice.speak(sentence, rate)))
            self.log.append(sentence)
            yield chunk


@needs_espeak
def test_foreground_goes_before_the_next_background_sentence(tmp_path: Path) -> None:
    inner = Ordered(EspeakVoice("en"))
    cache = CachedVoice(inner, tmp_path)
    job = cache.prerender(["Hold. Later. Latest."], 1.0)
    assert inner.holding.wait(timeout=30)
    spoken: list[AudioChunk] = []
    foreground = threading.Thread(target=lambda: spoken.extend(cache.speak("Now.", 1.0)))
    foreground.start()
    deadline = threading.Event()
    while cache._turns._foreground_waiting == 0 and not deadline.wait(0.01):
        pass  # until the foreground queues behind the sentence being rendered
    inner.release.set()
    foreground.join(timeout=30)
    assert job.wait(timeout=30)
    assert inner.log == ["Hold.", "Now.", "Later.", "Latest."]
    assert len(spoken) == 1
