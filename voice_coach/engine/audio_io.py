"""The session's IO on the audio clock: one implementation for live and simulated runs.

Time is audio: the clock is the number of microphone samples consumed. Speaking
places the coach's audio at the current clock and then consumes as much input as
the audio lasts (plus a short echo tail), so the coach never hears itself; live,
reading the microphone takes real time, simulated it takes none.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from voice_coach.audio.chime import chime
from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk, Samples
from voice_coach.audio.ports import Microphone, Speaker
from voice_coach.engine.io import AudioMode, Heard, InputEnded, ListenRequest, TurnState
from voice_coach.lang import Language, normalize
from voice_coach.listen.gates import BreathGate, PaceGate, SilenceGate
from voice_coach.listen.listener import Hearing, Listener
from voice_coach.listen.voices import VoiceSplit
from voice_coach.listen.words import word_pace
from voice_coach.script.model import Partner
from voice_coach.speech.recognizer import Recognizer, Utterance, Word
from voice_coach.speech.voice import Voice

BLOCK = 480
"""Samples per block at 16 kHz: 30 ms, the step of every listening decision."""

WORDS_FOR_VERDICT = 6
"""Recognised words needed before their timings may overrule the sound's pace."""
WORDS_WINDOW = 12.0
"""Seconds back from now whose recognised words count for the cross-check."""

Interrupt = Callable[[Samples], Heard | None]
"""Hears every input block, also while the coach speaks, and may return a command
(`voice-coach serve` passes its wake word, which means "pause" in a session)."""


class AudioIO:
    """Speaks through a `Speaker`, listens through a `Microphone`, on the sample clock."""

    def __init__(
        self,
        mic: Microphone,
        speaker: Speaker,
        voice: Voice,
        lang: Language,
        listener: Listener,
        *,
        speech_rate: float = 1.0,
        recognizer: Recognizer | None = None,
        word_timer: Recognizer | None = None,
        mode: AudioMode = "simulated",
        echo_tail: float = 0.4,
        interrupt: Interrupt | None = None,
    ) -> None:
        self.mode: AudioMode = mode
        self.can_understand = recognizer is not None
        self._mic = mic
        self._speaker = speaker
        self._voice = voice
        self._lang = lang
        self._listener = listener
        self._recognizer = recognizer
        self._words = word_timer
        """A free-speech recogniser whose word timings cross-check the pace (or None)."""
        self._turn_words: list[Word] = []
        self._words_since = 0.0
        self._speech_rate = speech_rate
        self._echo_tail = echo_tail
        self._preview = mode == "preview"
        """Nobody answers a preview: turns last their planned length."""
        self._consumed = 0
        self._chime = chime()
        self._grammar: tuple[str, ...] | None = None
        self._gates: _Gates | None = None
        self._interrupt = interrupt

    def now(self) -> float:
        return self._consumed / LISTEN_RATE

    # -- speaking -------------------------------------------------------------------

    def say(self, text: str, brief: bool = False) -> str | None:
        self._expect(tuple(self._lang.commands["stop"]))
        barged: str | None = None
        for chunk in _prefetched(self._voice.speak(text, self._speech_rate)):
            if brief:
                chunk = _trim_trailing_silence(chunk)
            self._speaker.play(chunk, self.now())
            barged = self._consume_while_speaking(chunk.seconds, text)
            if barged:
                break
        # Live, playback may lag the clock (a backlog of microphone input was read
        # faster than real time): keep the coach deaf until it is really silent.
        while not barged and self._speaker.remaining_s() > 0:
            barged = self._consume_while_speaking(min(0.1, self._speaker.remaining_s()), text)
        if barged:
            self._speaker.stop()
            return barged
        if not brief:
            self._consume_while_speaking(self._echo_tail, text)
        return None

    def chime(self) -> None:
        self._speaker.play(self._chime, self.now())
        self._consume_while_speaking(self._chime.seconds + self._echo_tail, "")

    def _consume_while_speaking(self, seconds: float, text: str) -> str | None:
        """Let `seconds` of input pass unheard by the detectors; "stop" or "pause" on a
        barge-in (a spoken stop, or the interrupt hook's command)."""
        end = self._consumed + round(seconds * LISTEN_RATE)
        while self._consumed < end:
            block = self._read(min(BLOCK, end - self._consumed))
            if self._interrupt is not None:
                heard = self._interrupt(block)
                if heard is not None:
                    return heard.command
            if self._recognizer is None:
                continue
            utterance = self._recognizer.accept(block)
            # The coach's own line may hold the word and leak into the microphone;
            # only a stop the coach did not just say counts as a barge-in.
            if (
                utterance
                and self._lang.match_command(utterance.text) == "stop"
                and normalize(utterance.text) not in normalize(text)
            ):
                return "stop"
        return None

    # -- listening ------------------------------------------------------------------

    def listen(self, request: ListenRequest, state: TurnState) -> Heard:
        """Read blocks until the request's time, an answer or command, or a gate fires."""
        self._expect(self._phrases_for(request))
        gates = self._gates_for(state)
        while True:
            due = request.due(self.now())
            if due is not None:
                return due
            block = self._read(BLOCK)
            if self._interrupt is not None:
                interrupted = self._interrupt(block)
                if interrupted is not None:
                    return interrupted
            hearing = self._listener.hear(block)
            _update(state, hearing, gates.voices)
            if request.watch_pace is not None:
                self._hear_words(block)
            heard = (
                self._recognized(block, request)
                or self._raised(request, gates.breath, hearing, state)
                or self._paced(request, gates, hearing, state)
                or self._silence_end(request, state)
            )
            if heard is not None:
                return heard

    def _gates_for(self, state: TurnState) -> _Gates:
        """The gates of one turn or question: kept across its `listen` calls, so a raise
        or a fast pace found before a warning still waits for its breath after it."""
        if self._gates is None or self._gates.state is not state:
            self._gates = _Gates(state)
            if self._listener.role is None:  # open talk: whose voice is it?
                self._gates.voices = VoiceSplit.of(self._listener.partner_pitches())
        return self._gates

    def _raised(
        self, request: ListenRequest, gate: BreathGate, hearing: Hearing, state: TurnState
    ) -> Heard | None:
        detected = hearing.raised_over_db if request.watch_raised else None
        over = gate.update(hearing.seconds, state.silence_run, detected)
        return None if over is None else Heard("raised", over_db=over)

    def _paced(
        self, request: ListenRequest, gates: _Gates, hearing: Hearing, state: TurnState
    ) -> Heard | None:
        if request.watch_pace is None:
            return None
        gate = gates.pace
        if gate is None or gate.limit != request.watch_pace:
            gate = gates.pace = PaceGate(request.watch_pace)
        if not gate.update(hearing.seconds, state.silence_run, hearing.pace_sps):
            return None
        sps, words_sps = gate.pending_sps or 0.0, self._words_pace()
        if gate.call(words_sps, self._words is not None) != "nudge":
            return None  # waiting for the words, or they say the sound's estimate ran high
        return Heard("pace", pace_sps=sps, words_sps=words_sps)

    def _silence_end(self, request: ListenRequest, state: TurnState) -> Heard | None:
        if request.end_on_silence is None or self._preview:
            return None
        return (
            Heard("silence")
            if SilenceGate(request.end_on_silence).ends(state.silence_run)
            else None
        )

    def _recognized(self, block: Samples, request: ListenRequest) -> Heard | None:
        if self._recognizer is None:
            return None
        utterance = self._recognizer.accept(block)
        if utterance is None:
            return None
        if not utterance.text.strip():  # only words outside the grammar
            return Heard("unclear") if request.unclear else None
        command = self._lang.match_command(utterance.text)
        answer = self._lang.match_answer(utterance.text, list(request.answers))
        if answer is not None:  # "verder" answers a question before it continues a pause
            return Heard("answer", text=utterance.text, answer=answer)
        if command is not None:
            return Heard("command", text=utterance.text, command=command)
        return Heard("unclear", text=utterance.text) if request.unclear else None

    def _phrases_for(self, request: ListenRequest) -> tuple[str, ...]:
        words = list(self._lang.command_words())
        for answer in request.answers:
            words.extend(self._lang.synonyms(answer))
        return tuple(dict.fromkeys(words))

    def _expect(self, phrases: tuple[str, ...]) -> None:
        if self._recognizer is not None and phrases != self._grammar:
            self._recognizer.expect(list(phrases))
            self._grammar = phrases

    def _read(self, frames: int) -> Samples:
        block = self._mic.read(frames)
        if block is None or len(block) == 0:
            raise InputEnded
        self._consumed += len(block)
        return block

    # -- detectors ------------------------------------------------------------------

    def start_turn(self, role: Partner | None = None) -> None:
        self._listener.start_turn(role)
        if role is None:
            return
        self._turn_words = []
        if self._words is not None:
            self._words.expect(None)
            self._words_since = self.now()

    def _hear_words(self, block: Samples) -> None:
        """Feed the free-speech recogniser; keep word timings on the session clock."""
        if self._words is not None:
            self._keep_words(self._words.accept(block))

    def _keep_words(self, utterance: Utterance | None) -> None:
        if utterance is not None:
            shift = self._words_since
            self._turn_words.extend(
                Word(w.text, w.start_s + shift, w.end_s + shift, w.conf) for w in utterance.words
            )

    def _words_pace(self) -> float | None:
        """Syllables per second of the recent recognised words, if there are enough.

        We are at a pause: close the recogniser's current utterance so its words
        count now rather than after its own (longer) end-of-speech wait.
        """
        if self._words is not None:
            self._keep_words(self._words.flush())
        recent = [w for w in self._turn_words if w.end_s >= self.now() - WORDS_WINDOW]
        if len(recent) < WORDS_FOR_VERDICT:
            return None
        return word_pace(recent).syllables_per_s

    def begin_calibration(self) -> None:
        self._listener.begin_calibration()

    def end_calibration(self) -> float | None:
        return self._listener.end_calibration()

    def after_breathing(self) -> None:
        self._listener.after_breathing()

    @property
    def baseline_dbfs(self) -> float | None:
        """The couple's learned speaking level in dBFS, if known."""
        return self._listener.baseline_dbfs

    def close(self) -> None:
        self._speaker.close()


@dataclass
class _Gates:
    """The gates of one `TurnState` (see `AudioIO._gates_for`)."""

    state: TurnState
    breath: BreathGate = field(default_factory=BreathGate)
    pace: PaceGate | None = None
    voices: VoiceSplit | None = None
    """In open talk, once both partners' calm pitches are known: whose speech it is."""


def _update(state: TurnState, hearing: Hearing, voices: VoiceSplit | None) -> None:
    if voices is not None:
        for role, seconds in voices.update(
            hearing.seconds, hearing.is_speech, hearing.pitch_hz
        ).items():
            state.by_voice[role] = state.by_voice.get(role, 0.0) + seconds
    state.in_speech = hearing.is_speech
    if hearing.is_speech:
        state.speech_seconds += hearing.seconds
        state.silence_run = 0.0
    else:
        state.silence_run += hearing.seconds
    if hearing.pace_sps is not None:
        state.pace_samples.append(hearing.pace_sps)


def _trim_trailing_silence(chunk: AudioChunk, threshold: float = 1e-3) -> AudioChunk:
    """The chunk without the silence at its end (samples below `threshold`)."""
    loud = np.flatnonzero(np.abs(chunk.samples) > threshold)
    end = int(loud[-1]) + 1 if len(loud) else 0
    return AudioChunk(chunk.samples[:end], chunk.rate)


def _prefetched(chunks: Iterator[AudioChunk], ahead: int = 2) -> Iterator[AudioChunk]:
    """Render the next sentences in a thread while the current one plays."""
    out: queue.Queue[AudioChunk | BaseException | None] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def work() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                out.put(chunk)
            out.put(None)
        except BaseException as err:  # handed to the session thread
            out.put(err)

    thread = threading.Thread(target=work, name="voice-render", daemon=True)
    thread.start()
    try:
        while True:
            item = out.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while not out.empty():  # unblock a worker waiting to put
            out.get_nowait()
