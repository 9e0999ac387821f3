"""On-disk Freesound cache: API responses in SQLite with a TTL, previews as files by sound id.

Layout under ``<data>/cache/freesound/``::

    responses.sqlite     key → JSON body, request path (never the key), time stored
    budget.sqlite        the rate budget's request log (see budget.py)
    previews/<id>.ogg    HQ previews, named by Freesound sound id
    originals/<id>.wav   original files (OAuth2 only), named by id and the record's type

A response is keyed by the API host, the request path and its sorted parameters,
*without* any credential, so the same search made with another key (or offline, without
one) hits, while a mirror or a test server never answers from freesound.org's entries
(or the reverse). Entries stored before the host was part of the key were all made
against freesound.org and still serve it.
Fresh entries (younger than the TTL) are served without a request; offline mode also
serves stale entries, because an old answer beats none when there is no network.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

SECRET_PARAMS = frozenset({"token", "access_token"})


def cache_root(data_dir: Path) -> Path:
    return Path(data_dir) / "cache" / "freesound"


def canonical_request(path: str, params: Mapping[str, object], host: str = "") -> str:
    """``//host/search/?a=1&b=2`` with sorted parameters and no credentials: the cache key text.

    Without ``host``: ``/search/?a=1&b=2``, the form older caches used (for freesound.org).
    """
    clean = sorted((k, str(v)) for k, v in params.items() if k not in SECRET_PARAMS)
    return f"{'//' + host if host else ''}{path}?{urlencode(clean)}"


def split_url(url: str, base_url: str) -> tuple[str, dict[str, str]]:
    """A full URL (e.g. a ``next`` link) as (path relative to the API base, parameters)."""
    parts = urlsplit(url)
    base_path = urlsplit(base_url).path.rstrip("/")
    path = parts.path[len(base_path):] if base_path and parts.path.startswith(base_path) else parts.path
    return path, dict(parse_qsl(parts.query, keep_blank_values=True))


class FreesoundCache:
    def __init__(self, root: Path, *, ttl: float = 30 * 86_400.0, clock: Callable[[], float] = time.time) -> None:
        self.root = Path(root)
        self.ttl = ttl
        self.clock = clock
        self.previews = self.root / "previews"
        self.previews.mkdir(parents=True, exist_ok=True)
        self.originals = self.root / "originals"
        self.db_path = self.root / "responses.sqlite"
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS responses ("
                " key TEXT PRIMARY KEY, request TEXT NOT NULL, body TEXT NOT NULL, stored REAL NOT NULL)"
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.db_path, timeout=30.0)
        try:
            with db:  # commit on success
                yield db
        finally:
            db.close()

    @staticmethod
    def key(request: str) -> str:
        return hashlib.sha256(request.encode("utf-8")).hexdigest()

    def get(self, request: str, *, allow_stale: bool = False) -> dict | None:
        """The cached JSON for a canonical request, or None (missing, or older than the TTL)."""
        with self._connect() as db:
            row = db.execute("SELECT body, stored FROM responses WHERE key = ?", (self.key(request),)).fetchone()
        if row is None:
            return None
        body, stored = row
        if not allow_stale and self.clock() - stored > self.ttl:
            return None
        return json.loads(body)

    def put(self, request: str, payload: dict) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO responses (key, request, body, stored) VALUES (?, ?, ?, ?)",
                (self.key(request), request, json.dumps(payload, separators=(",", ":")), self.clock()),
            )

    def preview_path(self, sound_id: int | str, ext: str) -> Path:
        return self.previews / f"{int(sound_id)}.{ext}"

    def find_preview(self, sound_id: int | str) -> Path | None:
        """A preview already downloaded for this sound, in any format."""
        for ext in ("ogg", "mp3"):
            path = self.preview_path(sound_id, ext)
            if path.is_file() and path.stat().st_size > 0:
                return path
        return None

    def original_path(self, sound_id: int | str, ext: str) -> Path:
        self.originals.mkdir(parents=True, exist_ok=True)
        return self.originals / f"{int(sound_id)}.{ext}"

    def find_original(self, sound_id: int | str) -> Path | None:
        """The original file already downloaded for this sound, whatever its type."""
        if not self.originals.is_dir():
            return None
        for path in sorted(self.originals.glob(f"{int(sound_id)}.*")):
            if path.suffix != ".part" and path.is_file() and path.stat().st_size > 0:
                return path
        return None
