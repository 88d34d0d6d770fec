"""Showing how a download goes: a protocol, a silent one and a console bar."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Protocol, TextIO

MB = 1_000_000
"""Bytes in a megabyte (decimal, as the publishers give sizes)."""


class Progress(Protocol):
    """Shows how a download goes."""

    def start(self, label: str, total: int | None, done: int = 0) -> None:
        """A download of `total` bytes (None: unknown) begins, `done` already there."""
        ...

    def update(self, done: int) -> None:
        """`done` bytes of the file are there now."""
        ...

    def finish(self) -> None:
        """The transfer ended (completed or not)."""
        ...


class NoProgress:
    """Shows nothing."""

    def start(self, label: str, total: int | None, done: int = 0) -> None:
        pass

    def update(self, done: int) -> None:
        pass

    def finish(self) -> None:
        pass


def format_mb(n: int) -> str:
    """A byte count as megabytes with one decimal: "12.3 MB"."""
    return f"{n / MB:.1f} MB"


class ConsoleProgress:
    """A progress bar on a terminal; plain lines every 10 % when not a terminal."""

    def __init__(
        self,
        stream: TextIO | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self._label = ""
        self._total: int | None = None
        self._first = 0
        self._done = 0
        self._began = 0.0
        self._last_draw = 0.0
        self._last_step = -1

    def start(self, label: str, total: int | None, done: int = 0) -> None:
        self._label, self._total, self._first, self._done = label, total, done, done
        self._began = self.clock()
        self._last_draw = float("-inf")  # draw the first line at once
        self._last_step = -1
        size = format_mb(total) if total else "size unknown"
        resumed = f", resuming at {format_mb(done)}" if done else ""
        if not self.tty:
            print(f"downloading {label} ({size}{resumed})", file=self.stream, flush=True)
        self.update(done)

    def _speed(self) -> float:
        """Bytes per second over this transfer."""
        elapsed = self.clock() - self._began
        return (self._done - self._first) / elapsed if elapsed > 0 else 0.0

    def _status(self) -> str:
        speed = f"{self._speed() / MB:.1f} MB/s"
        if self._total:
            percent = 100.0 * self._done / self._total
            return f"{percent:5.1f}% {format_mb(self._done)} of {format_mb(self._total)} {speed}"
        return f"{format_mb(self._done)} {speed}"

    def update(self, done: int) -> None:
        self._done = done
        now = self.clock()
        if self.tty:
            if now - self._last_draw < 0.1 and done != self._total:
                return
            self._last_draw = now
            bar = ""
            if self._total:
                filled = int(30 * min(done, self._total) / self._total)
                bar = "[" + "#" * filled + "." * (30 - filled) + "] "
            self.stream.write(f"\r{self._label} {bar}{self._status()}\x1b[K")
            self.stream.flush()
            return
        # Not a terminal (a log, `make` output): a line per 10 % or per 10 MB.
        step = int(10 * done / self._total) if self._total else done // (10 * MB)
        if step > self._last_step:
            if self._last_step >= 0:
                print(f"{self._label}: {self._status()}", file=self.stream, flush=True)
            self._last_step = step

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
