"""systemd's notify protocol with the standard library: READY, WATCHDOG, STOPPING.

Under a unit with `Type=notify`, systemd sets NOTIFY_SOCKET (a unix datagram socket;
a leading "@" is the abstract namespace) and, with `WatchdogSec=`, WATCHDOG_USEC.
Outside systemd nothing is set and every call does nothing.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Mapping


class Notifier:
    """Sends state lines to systemd; pings the watchdog at half its interval."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        self._address = "\0" + address[1:] if address.startswith("@") else address
        usec = env.get("WATCHDOG_USEC", "")
        self.watchdog_s: float | None = int(usec) / 1e6 if usec.isdigit() and int(usec) else None
        """Seconds systemd waits for a ping (None: no watchdog)."""
        self._clock = clock
        self._last_ping = -1e9

    @property
    def enabled(self) -> bool:
        """Whether systemd listens."""
        return bool(self._address)

    def send(self, *lines: str) -> bool:
        """Send `KEY=value` lines; True when they went out."""
        if not self._address:
            return False
        with (
            contextlib.suppress(OSError),
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock,
        ):
            sock.connect(self._address)
            sock.sendall("\n".join(lines).encode("utf-8"))
            return True
        return False

    def ready(self, status: str = "") -> None:
        """The service is up (after the microphone opened)."""
        self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def status(self, status: str) -> None:
        """A one-line state for `systemctl status`."""
        self.send(f"STATUS={status}")

    def stopping(self) -> None:
        """The service is shutting down."""
        self.send("STOPPING=1")

    def alive(self) -> None:
        """Ping the watchdog if half its interval has passed (call often; cheap)."""
        if self.watchdog_s is None:
            return
        now = self._clock()
        if now - self._last_ping >= self.watchdog_s / 2:
            self._last_ping = now
            self.send("WATCHDOG=1")
