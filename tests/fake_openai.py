"""A local fake OpenAI-compatible server: real HTTP on 127.0.0.1, scripted replies, faults.

The official SDK talks to it exactly as to api.openai.com (``POST /v1/chat/completions``,
chat-completion JSON back), so tests exercise the real client stack — retries,
``Retry-After``, timeouts, connection handling — without the internet.

Script replies in order with :meth:`FakeOpenAI.push`; each request pops one. Entries:

- :class:`Reply` — a completion whose message content is the given text (use
  :func:`json_reply` for a JSON object), with token usage, finish reason, optional delay;
- :class:`Fault` — an HTTP error status with headers (``Retry-After``) and body;
- a callable ``(request_body: dict) -> Reply | Fault`` for replies that depend on the request.

A test module gets the server as fixtures with ``fake, env = server_fixtures(SECRET)``.

A request with nothing scripted gets HTTP 500 with ``x-should-retry: false``, so a test that
makes more requests than it expects fails loudly instead of hanging.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Reply:
    content: str
    prompt_tokens: int = 120
    completion_tokens: int = 40
    finish_reason: str = "stop"
    refusal: str | None = None
    delay: float = 0.0


@dataclass
class Fault:
    status: int
    message: str = "fault injected by the fake server"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Scripted = Reply | Fault | Callable[[dict], "Reply | Fault"]


def json_reply(obj: Any, **kwargs: Any) -> Reply:
    return Reply(json.dumps(obj), **kwargs)


@dataclass
class Recorded:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]  # names lower-cased
    body: dict
    at: float

    def image_data(self) -> list[tuple[str, bytes]]:
        """(mime type, decoded bytes) of every inline ``data:`` image in the messages."""
        found = []
        for message in self.body.get("messages", []):
            content = message.get("content")
            if not isinstance(content, list):
                continue
            for part in content:
                if part.get("type") == "image_url":
                    url = part["image_url"]["url"]
                    head, _, data = url.partition(",")
                    assert head.startswith("data:") and head.endswith(";base64"), head
                    found.append((head[5:-7], base64.b64decode(data)))
        return found

    def text(self) -> str:
        """All text the request carried (system + user + assistant), for content assertions."""
        parts = []
        for message in self.body.get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts += [p.get("text", "") for p in content if p.get("type") == "text"]
        return "\n".join(parts)


class FakeOpenAI:
    """Context manager running the fake server on an ephemeral localhost port."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def push(self, *entries: Scripted) -> None:
        with self._lock:
            self._script.extend(entries)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()

    @property
    def pending(self) -> int:
        return len(self._script)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------------ server side

    def _next(self, body: dict) -> Reply | Fault:
        with self._lock:
            entry = self._script.popleft() if self._script else None
        if entry is None:
            return Fault(500, "no scripted reply left in the fake server", {"x-should-retry": "false"})
        return entry(body) if callable(entry) else entry

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    body = {"_unparsed": raw.decode("utf-8", "replace")}
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.requests.append(Recorded(self.path, headers, body, time.monotonic()))
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                entry = fake._next(body)
                if entry.delay and fake._stop.wait(entry.delay):
                    return
                if isinstance(entry, Fault):
                    payload = {"error": {"message": entry.message, "type": "fake_fault", "code": None}}
                    return self._send(entry.status, payload, entry.headers)
                return self._send(200, _completion(entry, body))

            def _send(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test): nothing to do

        return Handler


def _completion(reply: Reply, body: dict) -> dict:
    return {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content, "refusal": reply.refusal},
                "finish_reason": reply.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
    }


def server_fixtures(secret: str) -> tuple[Any, Any]:
    """The ``fake`` and ``env`` fixtures a test module binds with ``fake, env = server_fixtures(KEY)``.

    ``fake`` is one server for the module (starting one per test costs a thread and a port);
    ``env`` empties its script and log and points the SDK at it with ``secret`` as
    ``OPENAI_API_KEY``, so each test starts clean and can check the key never leaks.
    """

    @pytest.fixture(scope="module")
    def fake():
        with FakeOpenAI() as server:
            yield server

    @pytest.fixture
    def env(fake, monkeypatch):
        fake.reset()
        monkeypatch.setenv("OPENAI_API_KEY", secret)
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        return fake

    return fake, env
