"""espeak-ng: the fallback voice when no Piper voice is there for a language.

It sounds robotic but is small, fast and in every Linux distribution, so a coach can
always speak. Each sentence is one `espeak-ng --stdout` run (text on stdin, never on
the command line, so no text is taken for an option); `rate` scales words per minute.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

from voice_coach.audio.chunk import AudioChunk
from voice_coach.audio.wav import WavError, parse_wav
from voice_coach.speech.voice import VoiceError, check_rate, sentence_chunk, sentences

PROGRAM = "espeak-ng"

WORDS_PER_MINUTE = 160
"""espeak-ng's pace at rate 1.0 (its own default is 175, a little hurried for a coach)."""

_MIN_WPM = 80  # espeak-ng's slowest
_MAX_WPM = 450
_TIMEOUT = 30.0  # seconds for one sentence; espeak-ng takes milliseconds

VOICES = {"nl": "nl", "en": "en"}
"""espeak-ng voice for each language code we support."""


def espeak_available() -> bool:
    """Whether espeak-ng is on the PATH."""
    return shutil.which(PROGRAM) is not None


def words_per_minute(rate: float, base: int = WORDS_PER_MINUTE) -> int:
    """espeak-ng's speed (words per minute) for a speech rate (1.0 = `base`)."""
    return max(_MIN_WPM, min(_MAX_WPM, round(base * check_rate(rate))))


class EspeakVoice:
    """espeak-ng speaking one language (`nl` or `en`, or any espeak-ng voice name)."""

    def __init__(self, language: str, words_per_minute: int = WORDS_PER_MINUTE) -> None:
        self.voice = VOICES.get(language, language)
        """The espeak-ng voice (`-v`)."""
        self.words_per_minute = words_per_minute
        """Speed at rate 1.0, in words per minute."""
        self.name = f"espeak-ng-{self.voice}"
        self._identity: str | None = None

    def __repr__(self) -> str:
        return f"EspeakVoice({self.voice!r})"

    @property
    def identity(self) -> str:
        """espeak-ng's version and speed, for cache keys (an upgrade renders anew)."""
        if self._identity is None:
            version = self._run(["--version"], "").decode("utf-8", "replace").strip()
            self._identity = f"{version}:{self.words_per_minute}wpm"
        return self._identity

    def speak(self, text: str, rate: float) -> Iterator[AudioChunk]:
        """One chunk per sentence at espeak-ng's rate (22050 Hz), each ending in
        `sentence_gap(rate)` seconds of silence."""
        wpm = words_per_minute(rate, self.words_per_minute)
        for sentence in sentences(text):
            wav = self._run(
                ["-v", self.voice, "-s", str(wpm), "-b", "1", "--stdin", "--stdout"], sentence
            )
            try:
                # Writing to a pipe, espeak-ng cannot seek back to fix the sizes in the
                # header; the reader takes the data up to the end of the stream.
                audio = parse_wav(wav, "espeak-ng output")
            except WavError as err:
                raise VoiceError(f"espeak-ng gave no usable audio for {sentence!r}: {err}") from err
            yield sentence_chunk(audio.samples, audio.rate, rate)

    def _run(self, args: list[str], text: str) -> bytes:
        program = shutil.which(PROGRAM)
        if program is None:
            raise VoiceError(
                "espeak-ng is not installed; install it (sudo apt-get install espeak-ng) "
                "or download a Piper voice (voice-coach models download)."
            )
        try:
            done = subprocess.run(
                [program, *args],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise VoiceError(f"espeak-ng could not run: {err}") from err
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
            raise VoiceError(f"espeak-ng -v {self.voice} failed: {message}")
        return done.stdout
