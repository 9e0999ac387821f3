"""A local fake Freesound API v2: real HTTP on 127.0.0.1 over a fixture catalogue.

It implements the documented behaviour the client relies on, independently of the
client's own code (its filter parser and licence matching are written from the API
docs, not imported), so tests can catch disagreements:

* ``GET /apiv2/search/`` (and the deprecated ``/apiv2/search/text/``): ``query`` terms are
  all required (``-term`` prohibits), matched on name, tags and description with crude
  stemming; ``filter`` in Solr syntax — ``field:value``, ``field:"quoted"``, ranges
  ``[a TO b]`` with ``*``, ``(a OR b)`` groups, clauses ANDed; ``sort`` = score,
  rating_desc/asc, downloads_desc/asc, duration_desc/asc, created_desc/asc; ``page`` and
  ``page_size`` (max 150) with ``next`` / ``previous`` links; ``fields`` picks the keys.
* token auth: ``Authorization: Token KEY`` or ``?token=KEY``; anything else is 401.
* ``GET /previews/<id>-hq.ogg|mp3`` (no auth, like the CDN): the record's REAL recording,
  encoded with soundfile.
* ``GET /apiv2/sounds/<id>/download/`` ("OAuth2 required"): only with
  ``Authorization: Bearer <oauth_token>`` (an API key, as header or ``?token=``, is 401 like
  the real API says); serves the original — the REAL recording in the record's ``type``
  (the file itself when it already is one, else re-encoded losslessly by soundfile) with a
  ``Content-Disposition`` filename. Setting ``fake.oauth_token`` to another value is an
  expired token.

Fault injection (:meth:`FakeFreesound.inject`): 429 with ``Retry-After``, 500, slow
responses (for client timeouts), malformed JSON, empty results, preview 404, preview
that is not audio, original 404 / 500 — each for the next ``times`` matching requests.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = Path(__file__).parent / "data" / "freesound_catalogue.json"
DEFAULT_FIELDS = ("id", "name", "tags", "username", "license")
MAX_PAGE_SIZE = 150
NUMERIC = {"id", "avg_rating", "num_ratings", "num_downloads", "duration", "samplerate", "channels", "created"}
LICENCE_FAMILIES = {  # filter value (lower case) -> fragment of the deed URL
    "creative commons 0": "/publicdomain/zero/",
    "attribution": "/licenses/by/",
    "attribution noncommercial": "/licenses/by-nc/",
    "sampling+": "/licenses/sampling+/",
}


# ----------------------------------------------------------------------------- filter syntax

_CLAUSE = re.compile(r'\s*(?:AND\s+)?([a-z_]+):(\[[^\]]*\]|\([^)]*\)|"[^"]*"|[^\s]+)')


def parse_filter(text: str) -> list[tuple[str, str]]:
    """``avg_rating:[4 TO *] license:"Attribution"`` -> [(field, raw value), ...]."""
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _CLAUSE.match(text, pos)
        if not m:
            raise ValueError(f"cannot parse filter at {text[pos:]!r}")
        out.append((m[1], m[2]))
        pos = m.end()
        while pos < len(text) and text[pos] == " ":
            pos += 1
    return out


def _alternatives(raw: str) -> list[str]:
    if raw.startswith("(") and raw.endswith(")"):
        return [a.strip() for a in raw[1:-1].split(" OR ")]
    return [raw]


def _unquote(v: str) -> str:
    return v[1:-1] if len(v) >= 2 and v[0] == v[-1] == '"' else v


def _value_matches(fname: str, raw: str, record: dict) -> bool:
    value = record.get(fname)
    if fname == "tag":
        tags = [t.lower() for t in record.get("tags", [])]
        return any(_unquote(a).lower() in tags for a in _alternatives(raw))
    if fname == "license":
        lic = str(record.get("license", "")).lower()
        return any(LICENCE_FAMILIES.get(_unquote(a).lower(), "\0") in lic for a in _alternatives(raw))
    if fname in NUMERIC:
        x = float(value if value is not None else 0)
        if raw.startswith("["):
            lo, hi = (p.strip() for p in raw[1:-1].split(" TO "))
            return (lo == "*" or x >= float(lo)) and (hi == "*" or x <= float(hi))
        return any(x == float(_unquote(a)) for a in _alternatives(raw))
    return any(str(value).lower() == _unquote(a).lower() for a in _alternatives(raw))


def matches_filter(clauses: list[tuple[str, str]], record: dict) -> bool:
    return all(_value_matches(f, raw, record) for f, raw in clauses)


# ----------------------------------------------------------------------------- text query


def _stem(word: str) -> str:
    w = re.sub(r"[^a-z0-9+]", "", word.lower())
    for suffix in ("ing", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)]
    return w


def _words(text: str) -> set[str]:
    return {_stem(w) for w in re.split(r"[\s,.;:!?'\"()/-]+", text) if w}


def text_score(query: str, record: dict) -> float | None:
    """Weighted match (tags 4, name 3, description 1); None if a required term is missing."""
    fields = {
        "tags": (_words(" ".join(record.get("tags", []))), 4.0),
        "name": (_words(record.get("name", "")), 3.0),
        "description": (_words(record.get("description", "")), 1.0),
    }
    score = 0.0
    for term in query.split():
        prohibited = term.startswith("-")
        stem = _stem(term.lstrip("+-"))
        if not stem:
            continue
        hit = sum(w for words, w in fields.values() if stem in words)
        if prohibited and hit:
            return None
        if not prohibited:
            if not hit:
                return None
            score += hit
    return score


SORTS = {
    "rating_desc": lambda r, s: (-r["avg_rating"], -r["num_ratings"], r["id"]),
    "rating_asc": lambda r, s: (r["avg_rating"], r["num_ratings"], r["id"]),
    "downloads_desc": lambda r, s: (-r["num_downloads"], r["id"]),
    "downloads_asc": lambda r, s: (r["num_downloads"], r["id"]),
    "duration_desc": lambda r, s: (-r["duration"], r["id"]),
    "duration_asc": lambda r, s: (r["duration"], r["id"]),
    "created_desc": lambda r, s: (-r["id"], 0),
    "created_asc": lambda r, s: (r["id"], 0),
    "score": lambda r, s: (-s, r["id"]),
}


# ----------------------------------------------------------------------------- server


@dataclass
class Fault:
    kind: str  # search: 429 500 slow malformed empty; previews: preview404 preview500 preview_not_audio; originals: original404 original500
    times: int = 1
    retry_after: str = "1"
    delay: float = 1.0
    sound_id: int | None = None  # previews: only this sound


@dataclass
class Logged:
    path: str
    params: dict[str, str]
    status: int
    headers: dict[str, str] = field(default_factory=dict)


def resolve_source(source: str, data_dir: Path) -> Path:
    if source.startswith("scaper:"):
        return REPO / "assets" / "scaper-audio" / source.split(":", 1)[1]
    _, package, rel = source.split(":", 2)
    return data_dir / "debian" / package / rel


class FakeFreesound:
    """Start with ``with FakeFreesound(...) as fake:``; ``fake.api_url`` is the API base."""

    def __init__(self, api_key: str, data_dir: Path, catalogue: Path = CATALOGUE, oauth_token: str | None = None) -> None:
        self.api_key = api_key
        self.oauth_token = oauth_token
        self.data_dir = Path(data_dir)
        doc = json.loads(Path(catalogue).read_text(encoding="utf-8"))
        self.sounds: list[dict] = doc["sounds"]
        self.by_id = {s["id"]: s for s in self.sounds}
        self.log: list[Logged] = []
        self.faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._encoded: dict[tuple[int, str], bytes] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.root + "/apiv2"

    def __enter__(self) -> FakeFreesound:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------------ test helpers

    def inject(self, kind: str, times: int = 1, **kw) -> None:
        self.faults.append(Fault(kind, times, **kw))

    def clear(self) -> None:
        with self._lock:
            self.log.clear()
            self.faults.clear()

    def count(self, prefix: str = "") -> int:
        return sum(1 for e in self.log if e.path.startswith(prefix))

    def _take_fault(self, kinds: set[str], sound_id: int | None = None) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if f.kind in kinds and (f.sound_id is None or f.sound_id == sound_id) and f.times > 0:
                    f.times -= 1
                    return f
        return None

    # ------------------------------------------------------------------ behaviour

    def search(self, params: dict[str, str]) -> tuple[int, dict]:
        query = params.get("query", "")
        sort = params.get("sort", "score")
        if sort not in SORTS:
            return 400, {"detail": f"Invalid sort parameter: {sort}"}
        try:
            page = int(params.get("page", "1"))
            page_size = int(params.get("page_size", "15"))
        except ValueError:
            return 400, {"detail": "Invalid page or page_size"}
        if page_size > MAX_PAGE_SIZE or page_size < 1 or page < 1:
            return 400, {"detail": f"page_size must be 1..{MAX_PAGE_SIZE}"}
        try:
            clauses = parse_filter(params.get("filter", ""))
        except ValueError as exc:
            return 400, {"detail": f"Invalid filter: {exc}"}
        hits = []
        for rec in self.sounds:
            score = text_score(query, rec) if query.strip() else 0.0
            if score is not None and matches_filter(clauses, rec):
                hits.append((SORTS[sort](rec, score), rec))
        hits.sort(key=lambda t: t[0])
        total = len(hits)
        start = (page - 1) * page_size
        if start >= total and page > 1:
            return 404, {"detail": "Invalid page."}
        fields = [f for f in params.get("fields", ",".join(DEFAULT_FIELDS)).split(",") if f]
        results = [self._project(rec, fields) for _, rec in hits[start : start + page_size]]

        def link(p: int) -> str:
            q = {k: v for k, v in params.items() if k != "token"}
            q["page"] = str(p)
            return f"{self.api_url}/search/?{urlencode(q)}"

        return 200, {
            "count": total,
            "next": link(page + 1) if start + page_size < total else None,
            "previous": link(page - 1) if page > 1 else None,
            "results": results,
        }

    def _project(self, rec: dict, fields: list[str]) -> dict:
        out = {}
        for f in fields:
            if f == "previews":
                out[f] = {
                    "preview-hq-ogg": f"{self.root}/previews/{rec['id']}-hq.ogg",
                    "preview-hq-mp3": f"{self.root}/previews/{rec['id']}-hq.mp3",
                    "preview-lq-ogg": f"{self.root}/previews/{rec['id']}-lq.ogg",
                    "preview-lq-mp3": f"{self.root}/previews/{rec['id']}-lq.mp3",
                }
            elif f in rec and f != "preview_source":
                out[f] = rec[f]
        return out

    def preview(self, sound_id: int, fmt: str) -> bytes:
        key = (sound_id, fmt)
        if key not in self._encoded:
            src = resolve_source(self.by_id[sound_id]["preview_source"], self.data_dir)
            if fmt == "ogg" and src.suffix == ".ogg":
                data = src.read_bytes()
            else:
                audio, sr = sf.read(str(src), dtype="float32", always_2d=True)
                buf = io.BytesIO()
                if fmt == "ogg":
                    sf.write(buf, audio, sr, format="OGG", subtype="VORBIS")
                else:
                    sf.write(buf, audio, sr if sr in (32000, 44100, 48000, 22050, 24000, 16000) else 44100, format="MP3")
                data = buf.getvalue()
            self._encoded[key] = data
        return self._encoded[key]

    def original(self, sound_id: int) -> tuple[bytes, str]:
        """The record's real recording as its declared ``type`` (bytes, file name)."""
        rec = self.by_id[sound_id]
        kind = str(rec.get("type", "wav")).lower()
        src = resolve_source(rec["preview_source"], self.data_dir)
        name = rec["name"] if rec["name"].lower().endswith("." + kind) else f"{rec['name']}.{kind}"
        if src.suffix.lstrip(".").lower() == kind:
            return src.read_bytes(), name
        fmt = {"wav": ("WAV", "PCM_16"), "flac": ("FLAC", "PCM_16"), "aiff": ("AIFF", "PCM_16"),
               "ogg": ("OGG", "VORBIS"), "mp3": ("MP3", None)}[kind]
        audio, sr = sf.read(str(src), dtype="float32", always_2d=True)
        buf = io.BytesIO()
        sf.write(buf, audio, sr, format=fmt[0], subtype=fmt[1])
        return buf.getvalue(), name

    # ------------------------------------------------------------------ HTTP

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _json(self, status: int, payload: dict, extra: dict[str, str] | None = None) -> None:
                self._send(status, json.dumps(payload).encode(), "application/json", extra)

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                entry = Logged(parts.path, params, 0, {k.lower(): v for k, v in self.headers.items()})
                with fake._lock:
                    fake.log.append(entry)
                status = self._route(parts.path, params)
                entry.status = status

            def _route(self, path: str, params: dict[str, str]) -> int:
                m = re.fullmatch(r"/previews/(\d+)-(hq|lq)\.(ogg|mp3)", path)
                if m:
                    return self._preview(int(m[1]), m[3])
                m = re.fullmatch(r"/apiv2/sounds/(\d+)/download/", path)
                if m:
                    return self._original(int(m[1]))
                if path in ("/apiv2/search/", "/apiv2/search/text/"):
                    return self._search(params)
                self._json(404, {"detail": "Not found."})
                return 404

            def _authorised(self, params: dict[str, str]) -> bool:
                header = self.headers.get("Authorization", "")
                return header == f"Token {fake.api_key}" or params.get("token") == fake.api_key

            def _search(self, params: dict[str, str]) -> int:
                if not self._authorised(params):
                    self._json(401, {"detail": "Invalid token."})
                    return 401
                fault = fake._take_fault({"429", "500", "slow", "malformed", "empty"})
                if fault and fault.kind == "429":
                    self._json(429, {"detail": "Request was throttled."}, {"Retry-After": fault.retry_after})
                    return 429
                if fault and fault.kind == "500":
                    self._json(500, {"detail": "Server error"})
                    return 500
                if fault and fault.kind == "slow":
                    time.sleep(fault.delay)
                status, payload = fake.search(params)
                if fault and fault.kind == "empty":
                    payload = {"count": 0, "next": None, "previous": None, "results": []}
                if fault and fault.kind == "malformed":
                    body = json.dumps(payload).encode()[: 40]
                    self._send(200, body, "application/json")
                    return 200
                self._json(status, payload)
                return status

            def _original(self, sound_id: int) -> int:
                header = self.headers.get("Authorization", "")
                if not fake.oauth_token or header != f"Bearer {fake.oauth_token}":
                    detail = "Invalid token." if header.startswith("Bearer ") else "Authentication credentials were not provided."
                    self._json(401, {"detail": detail})
                    return 401
                if sound_id not in fake.by_id:
                    self._json(404, {"detail": "Not found."})
                    return 404
                fault = fake._take_fault({"original404", "original500"}, sound_id)
                if fault:
                    status = 404 if fault.kind == "original404" else 500
                    self._json(status, {"detail": "Not found." if status == 404 else "Server error"})
                    return status
                body, name = fake.original(sound_id)
                self._send(200, body, "application/octet-stream",
                           {"Content-Disposition": f'attachment; filename="{name}"'})
                return 200

            def _preview(self, sound_id: int, fmt: str) -> int:
                if sound_id not in fake.by_id:
                    self._send(404, b"Not found", "text/plain")
                    return 404
                fault = fake._take_fault({"preview404", "preview_not_audio", "preview500"}, sound_id)
                if fault and fault.kind == "preview404":
                    self._send(404, b"Not found", "text/plain")
                    return 404
                if fault and fault.kind == "preview500":
                    self._send(500, b"Server error", "text/plain")
                    return 500
                if fault and fault.kind == "preview_not_audio":
                    html = b"<html><body><h1>Service temporarily unavailable</h1></body></html>"
                    self._send(200, html, "audio/ogg")
                    return 200
                body = fake.preview(sound_id, fmt)
                self._send(200, body, "audio/ogg" if fmt == "ogg" else "audio/mpeg")
                return 200

        return Handler
