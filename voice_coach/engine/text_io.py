"""The session in a terminal: the coach's lines are printed, partners type.

For coaches trying a script without a couple or a microphone. The clock is the
wall clock here (a person is typing). In a real terminal the waiting line shows a
live countdown and what is being typed; Enter ends a turn or gives an answer, and a
typed command word (stop, pauze, verder, herhaal, volgende) works as spoken.
A turn's silence timer starts at the first key: thinking before typing is allowed.
Nothing typed is stored.
"""

from __future__ import annotations

import codecs
import os
import select
import sys
import time
from typing import Any, Literal
from typing import TextIO as TextStream

from voice_coach.engine.io import Heard, ListenRequest, TurnState
from voice_coach.lang import Language
from voice_coach.printable import visible
from voice_coach.script.model import Partner

_TICK = 0.25
"""Seconds between countdown redraws."""


class TextIO:
    """Prints and reads a terminal; works with pipes too (no countdown redraws then)."""

    mode: Literal["text"] = "text"
    can_understand = True

    def __init__(
        self,
        lang: Language,
        stdin: TextStream | None = None,
        stdout: TextStream | None = None,
    ) -> None:
        self._lang = lang
        self._in = stdin or sys.stdin
        self._out = stdout or sys.stdout
        self._start = time.monotonic()
        self._fd = self._in.fileno()
        self._tty = os.isatty(self._fd)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        """Bytes to text; an invalid byte becomes U+FFFD instead of blocking the rest."""
        self._leftover = ""
        self._line = ""
        """What is typed so far (kept when a warning comes in mid-sentence)."""
        self._typed_since: float | None = None

    def now(self) -> float:
        return time.monotonic() - self._start

    def say(self, text: str, brief: bool = False) -> str | None:
        self._print(f"  coach: {text}")
        return None

    def chime(self) -> None:
        self._print("  ~ ding ~")

    def listen(self, request: ListenRequest, state: TurnState) -> Heard:
        old = self._raw_mode()
        try:
            heard = self._type(request, state)
        finally:
            self._restore(old)
        if heard.reason != "warn":  # a warning mid-sentence keeps what was typed so far
            self._line, self._typed_since = "", None
        return heard

    def _type(self, request: ListenRequest, state: TurnState) -> Heard:
        last_key = self.now()
        while True:
            now = self.now()
            due = request.due(now)
            if due is not None:
                return due
            if (
                request.end_on_silence is not None
                and self._typed_since is not None
                and now - last_key >= request.end_on_silence
            ):
                return Heard("silence")
            self._draw(request, self._line, request.until - now)
            chars = self._read(min(_TICK, request.until - now))
            for index, char in enumerate(chars):
                if char in "\r\n":
                    self._leftover = chars[index + 1 :]  # typed ahead, e.g. piped
                    heard = self._submit(self._line, request)
                    if heard is not None:
                        return heard
                    if self._typed_since is not None:
                        state.speech_seconds += self.now() - self._typed_since
                    return Heard("done")
                if char in "\x7f\b":
                    self._line = self._line[:-1]
                elif char == "\x04":  # Ctrl-D: end of input, like a stop
                    return Heard("command", text="stop", command="stop")
                elif char.isprintable():
                    self._line += char
                if self._typed_since is None:
                    self._typed_since = self.now()
                last_key = self.now()
            state.silence_run = self.now() - last_key

    def _submit(self, line: str, request: ListenRequest) -> Heard | None:
        """What a typed line means: an answer, a command, or (None) the end of a turn."""
        answer = self._lang.match_answer(line, list(request.answers))
        if answer is not None:
            return Heard("answer", text=line, answer=answer)
        command = self._lang.match_command(line)
        if command is not None:
            return Heard("command", text=line, command=command)
        if request.answers and line.strip():
            if request.unclear:
                return Heard("unclear", text=line)
            return Heard("time")  # typed, but not one of the answers: ask again
        return None

    # -- terminal handling -----------------------------------------------------------

    def _raw_mode(self) -> list[Any] | None:
        if not self._tty:
            return None
        import termios
        import tty

        old: list[Any] = termios.tcgetattr(self._fd)
        tty.setcbreak(self._fd)
        return old

    def _restore(self, old: list[Any] | None) -> None:
        if old is None:
            return
        import termios

        termios.tcsetattr(self._fd, termios.TCSADRAIN, old)
        self._out.write("\r\x1b[K")
        self._out.flush()

    def _draw(self, request: ListenRequest, line: str, remaining: float) -> None:
        if self._tty:
            shown = visible(f"{request.prompt}> {line}")
            self._out.write(f"\r\x1b[K[{remaining:4.0f} s] {shown}")
            self._out.flush()

    def _read(self, timeout: float) -> str:
        """Characters typed within `timeout` seconds ("" if none)."""
        if self._leftover:
            text, self._leftover = self._leftover, ""
            return text
        ready, _, _ = select.select([self._fd], [], [], max(0.0, timeout))
        if not ready:
            return ""
        data = os.read(self._fd, 256)
        if not data:  # end of a piped input: nobody will type any more
            return self._decoder.decode(b"", final=True) + "\x04"
        # A multi-byte character still arriving waits in the decoder; a byte that is
        # not UTF-8 at all becomes U+FFFD, so Enter, stop and Ctrl-D keep working.
        return self._decoder.decode(data)

    def _print(self, text: str) -> None:
        self._out.write(visible(text) + "\n")
        self._out.flush()

    def start_turn(self, role: Partner | None = None) -> None:
        """Nothing to reset: typing has no pace."""

    def begin_calibration(self) -> None:
        """No levels in a terminal."""

    def end_calibration(self) -> float | None:
        return None

    def after_breathing(self) -> None:
        """No raised voices in a terminal."""

    @property
    def baseline_dbfs(self) -> float | None:
        """No levels in a terminal."""
        return None

    def close(self) -> None:
        self._out.flush()
