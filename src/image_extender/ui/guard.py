"""ASGI middleware in front of Gradio: gives each browser a session cookie and guards file URLs.

Gradio serves any file inside its cache folder to anyone who knows the URL. Our session
folders live inside that cache (so Gradio serves them in place instead of copying), and
this guard narrows it: a ``…/file=<path>`` request for a session file is answered only for
the browser whose cookie owns that session, and an uploaded file only for the browsers that
uploaded it; everything else gets the same 404 a missing file would (so a stranger cannot
even learn that a path exists).
"""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from urllib.parse import unquote

from .sessions import SESSION_COOKIE, SessionStore

FILE_MARKER = "/file="
UPLOAD_SUFFIX = "/upload"


def session_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The session cookie's value from raw ASGI headers, or None."""
    for key, value in headers:
        if key.lower() == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # malformed cookie header: treat as absent
                continue
            if SESSION_COOKIE in jar:
                return jar[SESSION_COOKIE].value
    return None


def requested_file(path: str) -> str | None:
    """The filesystem path a Gradio file URL asks for (``/gradio_api/file=/x/y``), or None."""
    if FILE_MARKER not in path:
        return None
    return unquote(path.split(FILE_MARKER, 1)[1])


class SessionGuard:
    """Pure ASGI middleware (no response buffering except for Gradio's small upload answer)."""

    def __init__(self, app, store: SessionStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = session_token(scope.get("headers", []))
        fresh = None
        if not self.store.valid_token(token):
            token = fresh = self.store.new_token()

        wanted = requested_file(scope.get("path", ""))
        if wanted is not None and not self.store.may_read(token, wanted):
            await _not_found(send, fresh)
            return

        is_upload = scope.get("method") == "POST" and scope.get("path", "").endswith(UPLOAD_SUFFIX)
        body: list[bytes] = []
        status = [0]

        async def guarded_send(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                if fresh is not None:
                    message = {**message, "headers": [*message.get("headers", []), _cookie_header(fresh)]}
            elif message["type"] == "http.response.body" and is_upload and status[0] == 200:
                body.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._remember(token, b"".join(body))
            await send(message)

        await self.app(scope, receive, guarded_send)

    def _remember(self, token: str, payload: bytes) -> None:
        try:
            paths = json.loads(payload)
        except ValueError:
            return
        if isinstance(paths, list):
            for path in paths:
                if isinstance(path, str):
                    self.store.remember_upload(token, path)


def _cookie_header(token: str) -> tuple[bytes, bytes]:
    # HttpOnly: page scripts cannot read it; SameSite=Strict: other sites cannot ride on it.
    return (b"set-cookie", f"{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict".encode("latin-1"))


async def _not_found(send, fresh: str | None) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if fresh is not None:
        headers.append(_cookie_header(fresh))
    await send({"type": "http.response.start", "status": 404, "headers": headers})
    await send({"type": "http.response.body", "body": b"Not found"})
