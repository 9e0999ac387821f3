"""A hostile HTTP server on 127.0.0.1 for fault-injection tests: every way a server can misbehave.

The first path segment picks the behaviour, so one server serves any client's base URL
(``http://127.0.0.1:PORT/bomb/apiv2``, ``…/trickle/v1``); the rest of the path is ignored:

``ok``        a small valid reply: a one-result Freesound search page, or an OpenAI chat
              completion whose content is ``{"ok": true}``; the result names the port;
``bomb``      200, no Content-Length, zeros streamed until the client stops reading;
``declared``  200 announcing ``Content-Length: 4 GiB``;
``gzip``      a 64 KB gzip body that inflates to 64 MB (a decompression bomb);
``trickle``   headers at once, then one byte every 0.2 s;
``hang``      accepts the request and sends nothing;
``malformed`` 200 with a JSON body cut in the middle;
``redirect``  302 to itself, forever.

Everything is bounded on the server side too, so a broken client cannot keep it busy:
each reply stops after :data:`MAX_SECONDS` or :data:`MAX_BYTES`, and the server shuts
itself down :data:`LIFETIME` seconds after it started. Requests are counted per behaviour.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_SECONDS = 20.0  # longest any reply lasts
MAX_BYTES = 1 << 30  # most bytes any reply sends (the client cap is far below)
LIFETIME = 300.0  # the server stops itself after this long
BOMB_CHUNK = b"\0" * (1 << 16)
GZIP_BOMB = gzip.compress(b"\0" * (64 << 20), compresslevel=9)


class HostileServer:
    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._timer = threading.Timer(LIFETIME, self.close)
        self._timer.daemon = True

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, behaviour: str, suffix: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{behaviour}{suffix}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def _count(self, behaviour: str) -> None:
        with self._lock:
            self.requests[behaviour] += 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(min(length, 1 << 24))
                self.do_GET()

            def do_GET(self) -> None:  # noqa: N802
                behaviour = self.path.strip("/").split("/", 1)[0].split("?", 1)[0]
                outer._count(behaviour)
                try:
                    getattr(self, f"_{behaviour}", self._missing)()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client hung up: what a bounded client does
                self.close_connection = True

            def _head(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Connection", "close")
                self.end_headers()

            def _missing(self) -> None:
                self._head(404, {"Content-Length": "0"})

            def _ok(self) -> None:
                if self.command == "POST":
                    body = {"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                            "choices": [{"index": 0, "finish_reason": "stop",
                                         "message": {"role": "assistant", "content": json.dumps({"ok": True})}}],
                            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
                else:
                    body = {"count": 1, "next": None, "previous": None,
                            "results": [{"id": 1, "name": f"answer of port {outer.port}", "license": "cc0"}]}
                data = json.dumps(body).encode()
                self._head(200, {"Content-Type": "application/json", "Content-Length": str(len(data))})
                self.wfile.write(data)

            def _bomb(self) -> None:
                self._head(200, {"Content-Type": "application/json"})
                self._stream(lambda: BOMB_CHUNK, 0.0)

            def _declared(self) -> None:
                self._head(200, {"Content-Type": "application/json", "Content-Length": str(4 << 30)})
                self._stream(lambda: BOMB_CHUNK, 0.0)

            def _gzip(self) -> None:
                self._head(200, {"Content-Type": "application/json", "Content-Encoding": "gzip",
                                 "Content-Length": str(len(GZIP_BOMB))})
                self.wfile.write(GZIP_BOMB)

            def _trickle(self) -> None:
                self._head(200, {"Content-Type": "application/json", "Content-Length": "1000000"})
                self._stream(lambda: b"{", 0.2)

            def _hang(self) -> None:
                outer._stop.wait(MAX_SECONDS)

            def _malformed(self) -> None:
                data = b'{"count": 3, "results": [{"id": 1, "na'
                self._head(200, {"Content-Type": "application/json", "Content-Length": str(len(data))})
                self.wfile.write(data)

            def _redirect(self) -> None:
                self._head(302, {"Location": self.path, "Content-Length": "0"})

            def _stream(self, chunk, pause: float) -> None:
                started, sent = time.monotonic(), 0
                while not outer._stop.is_set() and time.monotonic() - started < MAX_SECONDS and sent < MAX_BYTES:
                    data = chunk()
                    self.wfile.write(data)
                    self.wfile.flush()
                    sent += len(data)
                    if pause:
                        outer._stop.wait(pause)

        return Handler
