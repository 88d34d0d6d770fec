"""A local HTTP server for model download tests, with the faults real servers have.

It serves generated files from memory on 127.0.0.1 with Range support, and can
serve corrupt bytes, cut a transfer after N bytes, ignore Range, answer 404 for
anything it does not hold, and vanish mid-transfer (the whole server goes away).
"""

from __future__ import annotations

import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


class ModelServer:
    """Serves `files` (URL path without the leading slash -> bytes) over HTTP."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files: dict[str, bytes] = dict(files or {})
        self.corrupt: set[str] = set()
        """Paths served with one byte flipped in the middle."""
        self.cut_after: dict[str, int] = {}
        """Path -> bytes: the next transfer of it stops there (once)."""
        self.vanish_after: dict[str, int] = {}
        """Path -> bytes: after sending that much, the server shuts down (once)."""
        self.redirects: dict[str, str] = {}
        """Path -> path: answered with a 302 there, as huggingface.co sends to its CDN."""
        self.redirect_urls: dict[str, str] = {}
        """Path -> full URL: a 302 anywhere (another host, plain http)."""
        self.endless: set[str] = set()
        """Paths answered without a length with zeros that never stop."""
        self.drip: dict[str, float] = {}
        """Path -> seconds between single bytes (a server that keeps a download hanging)."""
        self.delay: dict[str, float] = {}
        """Path -> seconds to wait before answering."""
        self.ignore_range = False
        self.wrong_range_start: int | None = None
        """Answer the next Range request from this byte instead (once)."""
        """Answer 200 with the whole file even when a Range is asked for."""
        self.requests: list[tuple[str, str | None]] = []
        """(path, Range header) of every request, in order."""
        self.port = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ModelServer:
        """Listen (again, on the same port once one was chosen)."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

            def do_GET(self) -> None:
                server._serve(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening; connections are refused until `start` again."""
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()

    def __enter__(self) -> ModelServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.lstrip("/")
        asked = handler.headers.get("Range")
        self.requests.append((path, asked))
        if path in self.delay:
            import time

            time.sleep(self.delay[path])
        if path in self.redirect_urls:
            handler.send_response(302)
            handler.send_header("Location", self.redirect_urls[path])
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if path in self.endless:
            handler.send_response(200)
            handler.end_headers()  # no length: the client has to decide when to stop
            handler.close_connection = True
            zeros = b"\0" * 65536
            try:
                while True:
                    handler.wfile.write(zeros)
            except (BrokenPipeError, ConnectionResetError, OSError):
                return
        if path in self.redirects:
            handler.send_response(302)
            handler.send_header("Location", f"{self.url}/{self.redirects[path]}")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        data = self.files.get(path)
        if data is None:
            handler.send_error(404, "no such model")
            return
        if path in self.corrupt:
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
        start = 0
        if asked and not self.ignore_range and asked.startswith("bytes="):
            start = int(asked[6:].split("-")[0])
            if self.wrong_range_start is not None:
                start, self.wrong_range_start = self.wrong_range_start, None
            if start >= len(data):
                handler.send_response(416)
                handler.send_header("Content-Range", f"bytes */{len(data)}")
                handler.end_headers()
                return
            handler.send_response(206)
            handler.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            handler.send_response(200)
        body = data[start:]
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Accept-Ranges", "bytes")
        handler.end_headers()
        limit = self.cut_after.pop(path, None)
        vanish = self.vanish_after.pop(path, None)
        if vanish is not None:
            limit = vanish
        try:
            if path in self.drip:
                import time

                for index in range(len(body)):
                    handler.wfile.write(body[index : index + 1])
                    handler.wfile.flush()
                    time.sleep(self.drip[path])
            else:
                handler.wfile.write(body if limit is None else body[:limit])
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return
        if vanish is not None:
            # Go away entirely, as a crashed server or a dropped network: stop listening
            # before this connection closes, so the client's retry is refused.
            self.stop()
        handler.close_connection = True


def fake_vosk_zip(name: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A small zip shaped like a Vosk model: `<name>/am/final.mdl`, graph, conf."""
    members = {
        "am/final.mdl": b"acoustic model " * 500,
        "conf/model.conf": b"--min-active=200\n",
        "conf/mfcc.conf": b"--sample-frequency=16000\n",
        "graph/HCLr.fst": b"lookahead graph " * 300,
        "graph/Gr.fst": b"grammar graph " * 200,
        "graph/phones/word_boundary.int": b"1 nonword\n",
        "ivector/final.ie": b"ivector extractor " * 100,
        "README": b"A fake model for tests.\n",
    }
    members.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(f"{name}/{member}" if name else member, data)
    return buffer.getvalue()
