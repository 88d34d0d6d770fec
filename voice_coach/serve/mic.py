"""One microphone for the whole evening, shared by idle listening and every session.

`ServeMicrophone` counts the samples it hands out (the service's audio clock), calls
`on_block` for each read (the watchdog ping), and turns a shutdown request into the
end of a session's input. A device lost while idle is waited for and reopened every
`retry_s` seconds (sleeping, never spinning); lost inside a session, it ends that
session as `device_lost` and the service goes back to waiting.

Idle audio is only ever in the block being read: nothing here keeps or writes it.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable

from voice_coach.audio.chunk import LISTEN_RATE, AudioChunk, Samples
from voice_coach.audio.ports import Microphone, Speaker
from voice_coach.engine.io import InputEnded
from voice_coach.errors import VoiceCoachError

Log = Callable[[str], None]


def log_line(text: str) -> None:
    """One line on stderr (the journal, under systemd)."""
    print(f"voice-coach serve: {text}", file=sys.stderr, flush=True)


class Shutdown(Exception):
    """SIGTERM (or Ctrl-C) asked the service to stop."""


class ServeMicrophone:
    """The evening's microphone (the `Microphone` protocol, plus a clock)."""

    def __init__(
        self,
        open_mic: Callable[[], Microphone],
        *,
        lost: tuple[type[Exception], ...] = (),
        retry_s: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        on_block: Callable[[], None] | None = None,
        log: Log = log_line,
    ) -> None:
        self._open_mic = open_mic
        self._lost = lost
        self._retry_s = retry_s
        self._sleep = sleep
        self._on_block = on_block or (lambda: None)
        self._log = log
        self._mic: Microphone | None = None
        self._retryable: tuple[type[Exception], ...] = (VoiceCoachError, *lost)
        try:
            self._mic = open_mic()
        except self._retryable as err:  # e.g. a USB microphone not up yet at boot
            log(f"cannot open the microphone yet ({err}); trying again every {retry_s:g} s")
        self.consumed = 0
        """Samples handed out since the service began."""
        self.in_session = False
        """Inside a session a lost device or a shutdown ends the session's input."""
        self.stop_requested = False
        """Set by SIGTERM: the next read ends a session (or the idle loop)."""
        self.reopened = 0
        """How often a lost device came back (the loop rebases its wall clock then)."""

    @property
    def seconds(self) -> float:
        """Audio seconds consumed: the service's clock."""
        return self.consumed / LISTEN_RATE

    def read(self, frames: int) -> Samples | None:
        """The next block; None when a simulated evening's WAV is over.

        Raises `InputEnded` inside a session on shutdown or a lost device, and
        `Shutdown` outside one on shutdown.
        """
        while True:
            self._check_stop()
            self._on_block()
            if self._mic is None:
                self._wait_for_device()
                continue
            try:
                block = self._mic.read(frames)
            except self._lost as err:
                self._drop(f"the microphone is gone ({err})")
                if self.in_session:
                    raise InputEnded("device_lost") from err
                continue
            if block is not None:
                self.consumed += len(block)
            return block

    def _check_stop(self) -> None:
        if self.stop_requested:
            if self.in_session:
                raise InputEnded("shutdown")
            raise Shutdown

    def _drop(self, why: str) -> None:
        mic, self._mic = self._mic, None
        if mic is not None:
            with contextlib.suppress(Exception):  # a vanished device may fail to close
                mic.close()
        self._log(f"{why}; trying again every {self._retry_s:g} s")

    def _wait_for_device(self) -> None:
        """Sleep `retry_s` (in short steps that notice a shutdown), then try to reopen."""
        waited = 0.0
        while waited < self._retry_s:
            step = min(0.5, self._retry_s - waited)
            self._sleep(step)
            waited += step
            self._on_block()
            self._check_stop()
        try:
            self._mic = self._open_mic()
        except self._retryable as err:
            self._log(f"the microphone is not back yet: {err}")
            return
        self.reopened += 1
        self._log("the microphone is back")

    def close(self) -> None:
        """Release the device (at the end of the service)."""
        if self._mic is not None:
            self._mic.close()
            self._mic = None


class SessionMicrophone:
    """What a session reads: the evening's microphone, which a session must not close."""

    def __init__(self, mic: ServeMicrophone) -> None:
        self._mic = mic

    def read(self, frames: int) -> Samples | None:
        return self._mic.read(frames)

    def close(self) -> None:
        """The evening's microphone stays open for idle listening."""


class OffsetSpeaker:
    """A session's view of the evening's speaker: its clock starts at `offset_s`."""

    def __init__(self, speaker: Speaker, offset_s: float) -> None:
        self._speaker = speaker
        self._offset = offset_s

    def play(self, audio: AudioChunk, at_s: float) -> None:
        self._speaker.play(audio, at_s + self._offset)

    def stop(self) -> None:
        self._speaker.stop()

    def remaining_s(self) -> float:
        return self._speaker.remaining_s()

    def close(self) -> None:
        """Kept open for the rest of the evening."""
