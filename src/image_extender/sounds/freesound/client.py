"""A small typed Freesound API v2 client on httpx: search pages, ``next`` links, HQ previews.

Why not a package: PyPI's ``freesound-python`` is a dependency-confusion placeholder, and
we need only three calls. What this client adds over a bare ``httpx.get``:

* **one request per page**: every field the pipeline uses is asked for up front in
  ``fields`` (the API docs warn that otherwise each result costs a request of its own);
* **the key stays secret**: it comes from ``FREESOUND_API_KEY`` only, travels in the
  ``Authorization: Token …`` header (never a URL, so never a cache key or a log line),
  is sent only to the API host (previews live on a CDN that needs no key), and is
  redacted from every message this module formats;
* **bounded**: a JSON reply is read up to ``max_json_bytes`` and a download up to
  ``max_download_bytes`` (streamed to disk, never held in memory), both counted after
  decompression, and every request must finish within ``deadline`` seconds however slowly
  the server trickles; redirects stop after :data:`MAX_REDIRECTS`;
* **robustness**: 429 waits for ``Retry-After``; 5xx, timeouts, dropped connections and
  malformed JSON retry with exponential backoff and full jitter (Brooker, "Exponential
  Backoff And Jitter", AWS Architecture Blog 2015), a bounded number of times;
* **a budget** (:class:`~.budget.RateBudget`) that waits rather than trips the server's
  throttle, and **a cache** (:class:`~.cache.FreesoundCache`) so a repeated search or
  download makes no request at all; ``offline=True`` uses only the cache.

**Originals.** By default the mix uses the HQ previews (~128–192 kbit/s Ogg Vorbis or MP3,
44.1 kHz), which the API key can fetch. The uploaded original file (``GET
/sounds/<id>/download/``) needs OAuth2 — a user's permission, not just an app key — so
it is used only when the user has obtained an access token and set
``freesound.download_originals = true``. Getting a token (the API's authorization-code
flow, RFC 6749 §4.1; https://freesound.org/docs/api/authentication.html):

1. at https://freesound.org/apiv2/apply note the credential's *client id* and *client
   secret* (the secret is the API key);
2. open ``https://freesound.org/apiv2/oauth2/authorize/?client_id=CLIENT_ID&response_type=code``
   in a browser, log in and authorize; Freesound shows an authorization code (valid ~10
   minutes);
3. exchange it: ``curl -X POST -d "client_id=CLIENT_ID&client_secret=CLIENT_SECRET&grant_type=authorization_code&code=CODE"
   https://freesound.org/apiv2/oauth2/access_token/``; the JSON answer has
   ``access_token`` (valid 24 h) and ``refresh_token`` (use ``grant_type=refresh_token&refresh_token=…``
   on the same endpoint for a new one);
4. ``export FREESOUND_OAUTH_TOKEN=<access_token>``.

The token travels only as ``Authorization: Bearer …`` to the API host (httpx drops it on a
redirect to another host), is redacted like the key, and never reaches the cache: originals
are stored by sound id. A refused token (401/403, typically expired) raises
:class:`FreesoundAuthError`; the source then falls back to the preview and says so.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit

import httpx
import soundfile as sf
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .budget import RateBudget
from .cache import FreesoundCache, canonical_request, split_url
from .errors import (
    FreesoundAuthError,
    FreesoundError,
    FreesoundKeyError,
    FreesoundOfflineError,
    FreesoundOriginalError,
    FreesoundPreviewError,
)

log = logging.getLogger(__name__)

KEY_ENV = "FREESOUND_API_KEY"
OAUTH_ENV = "FREESOUND_OAUTH_TOKEN"
ORIGINAL_TYPES = {"wav": "wav", "wave": "wav", "aiff": "aiff", "aif": "aiff", "flac": "flac", "ogg": "ogg",
                  "mp3": "mp3", "m4a": "m4a"}  # record type -> file suffix
URL_ENV = "FREESOUND_API_URL"
DEFAULT_API_URL = "https://freesound.org/apiv2"
SEARCH_PATH = "/search/"  # replaces the deprecated /search/text/ (which now redirects here)
MAX_PAGE_SIZE = 150

SEARCH_FIELDS: tuple[str, ...] = (
    "id", "name", "description", "tags", "license", "username", "url", "previews",
    "avg_rating", "num_ratings", "num_downloads", "duration", "samplerate", "channels", "type",
)  # fmt: skip

SORT_OPTIONS: tuple[str, ...] = (
    "score", "duration_desc", "duration_asc", "created_desc", "created_asc",
    "downloads_desc", "downloads_asc", "rating_desc", "rating_asc",
)  # fmt: skip

BACKOFF_BASE = 0.5  # seconds: first retry waits up to this
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 300.0  # a server asking for more than 5 minutes is not a blip
MB = 1024 * 1024
MAX_JSON_BYTES = 16 * MB  # a 150-result page with every field is ~0.3 MB
MAX_DOWNLOAD_BYTES = 200 * MB  # HQ previews are ~1–5 MB; originals can be large
DEADLINE = 120.0  # seconds for one whole request (the read timeout only bounds each read)
MAX_REDIRECTS = 5
CHUNK = 64 * 1024

T = TypeVar("T")


class SoundRecord(BaseModel):
    """One search result with the fields in :data:`SEARCH_FIELDS` (API names)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    name: str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    license: str = ""
    username: str = ""
    url: str = ""
    previews: dict[str, str] = Field(default_factory=dict)
    avg_rating: float = 0.0
    num_ratings: int = 0
    num_downloads: int = 0
    duration: float = 0.0
    samplerate: float = 0.0
    channels: int = 0
    type: str = ""


class SearchPage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    count: int
    next: str | None = None
    previous: str | None = None
    results: list[SoundRecord] = Field(default_factory=list)


@dataclass
class ClientStats:
    """What this client did, for reports and tests (requests = network requests sent)."""

    requests: int = 0
    search_requests: int = 0
    preview_requests: int = 0
    original_requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    slept: float = 0.0


class _Retry(Exception):
    """Internal: this attempt failed in a way worth trying again."""

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay


class FreesoundClient:
    def __init__(
        self,
        cache: FreesoundCache,
        *,
        api_key: str | None = None,
        oauth_token: str | None = None,
        base_url: str | None = None,
        offline: bool = False,
        budget: RateBudget | None = None,
        timeout: float = 20.0,
        max_attempts: int = 5,
        deadline: float = DEADLINE,
        max_json_bytes: int = MAX_JSON_BYTES,
        max_download_bytes: int = MAX_DOWNLOAD_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(KEY_ENV, "")
        self._key = key.strip()
        token = oauth_token if oauth_token is not None else os.environ.get(OAUTH_ENV, "")
        self._oauth = token.strip()
        self.offline = offline
        if not self._key and not offline:
            raise FreesoundKeyError(
                f"{KEY_ENV} is not set: get a key at https://freesound.org/apiv2/apply, "
                f"export {KEY_ENV}=<key>, or run offline to use only cached Freesound results"
            )
        self.base_url = (base_url or os.environ.get(URL_ENV) or DEFAULT_API_URL).rstrip("/")
        self.cache = cache
        self.budget = budget
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.deadline = deadline
        self.max_json_bytes = max_json_bytes
        self.max_download_bytes = max_download_bytes
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.stats = ClientStats()
        self._http = httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=MAX_REDIRECTS,
                                  transport=transport)

    # ------------------------------------------------------------------ public

    def search(
        self,
        query: str,
        *,
        filter: str = "",
        sort: str = "score",
        page: int = 1,
        page_size: int = MAX_PAGE_SIZE,
    ) -> SearchPage:
        """One page of a text search, every needed field included (one request, or none if cached)."""
        if sort not in SORT_OPTIONS:
            raise FreesoundError(f"Freesound sort '{sort}' is not one of {', '.join(SORT_OPTIONS)}")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise FreesoundError(f"Freesound page_size {page_size} outside 1–{MAX_PAGE_SIZE}")
        params: dict[str, str] = {"query": query, "sort": sort, "fields": ",".join(SEARCH_FIELDS)}
        params["page_size"] = str(page_size)
        if page != 1:
            params["page"] = str(page)
        if filter:
            params["filter"] = filter
        return self._get_page(SEARCH_PATH, params, what=f"search '{query}'")

    def next_page(self, page: SearchPage) -> SearchPage | None:
        """Follow a page's ``next`` link (None on the last page)."""
        if not page.next:
            return None
        path, params = split_url(page.next, self.base_url)
        return self._get_page(path, params, what=f"search '{params.get('query', '')}' page {params.get('page', '?')}")

    def download_preview(self, record: SoundRecord, prefer: Literal["ogg", "mp3"] = "ogg") -> Path:
        """The HQ preview as a local file (downloaded once, then served from the cache).

        The file is written to a temporary name, checked to decode as audio, then renamed,
        so a half-written or non-audio download never poisons the cache.
        """
        cached = self.cache.find_preview(record.id)
        if cached is not None:
            self.stats.cache_hits += 1
            return cached
        if self.offline:
            raise FreesoundOfflineError(f"offline: Freesound sound {record.id} ('{record.name}') has no cached preview")
        order = [prefer, "mp3" if prefer == "ogg" else "ogg"]
        urls = [(ext, record.previews.get(f"preview-hq-{ext}")) for ext in order]
        urls = [(ext, url) for ext, url in urls if url]
        if not urls:
            raise FreesoundPreviewError(f"Freesound sound {record.id} ('{record.name}'): no HQ preview URL in the record")
        ext, url = urls[0]
        target = self.cache.preview_path(record.id, ext)
        what = f"preview of sound {record.id}"
        return self._download(url, target, what=what, kind="preview", fail=lambda reason: FreesoundPreviewError(
            f"Freesound sound {record.id} ('{record.name}'): preview is not audio ({reason})"
        ))

    @property
    def has_oauth(self) -> bool:
        """Is an OAuth2 access token configured (``FREESOUND_OAUTH_TOKEN``)? Says nothing of its validity."""
        return bool(self._oauth)

    def download_original(self, record: SoundRecord) -> Path:
        """The uploaded original file (OAuth2), downloaded once, then served from the cache.

        Raises :class:`FreesoundAuthError` without a token or when it is refused (401/403),
        :class:`FreesoundOriginalError` when the file is missing or not audio we can read,
        :class:`FreesoundOfflineError` offline without a cached copy.
        """
        cached = self.cache.find_original(record.id)
        if cached is not None:
            self.stats.cache_hits += 1
            return cached
        if self.offline:
            raise FreesoundOfflineError(f"offline: Freesound sound {record.id} ('{record.name}') has no cached original")
        if not self._oauth:
            raise FreesoundAuthError(f"originals need an OAuth2 access token in {OAUTH_ENV} (see the client docs)")
        ext = ORIGINAL_TYPES.get(record.type.lower().strip(), "bin")
        target = self.cache.original_path(record.id, ext)
        url = f"{self.base_url}/sounds/{record.id}/download/"
        return self._download(url, target, what=f"original of sound {record.id}", kind="original",
                              fail=lambda reason: FreesoundOriginalError(
            f"Freesound sound {record.id} ('{record.name}'): original {ext} file is not audio we can read ({reason})"
        ))  # fmt: skip

    def _download(self, url: str, target: Path, *, what: str, kind: Literal["preview", "original"],
                  fail: Callable[[str], Exception]) -> Path:
        """Stream ``url`` to ``<target>.part`` (bounded), keep it at ``target`` only if it decodes as audio.

        Checked with soundfile, then renamed, so a half-written, oversized or non-audio
        download never poisons the cache; the ``.part`` file is removed on any failure.
        """
        tmp = target.with_name(target.name + ".part")
        try:
            self._send(url, {}, what=what, parse=lambda body: None, kind=kind, sink=tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        try:
            info = sf.info(str(tmp))
            if info.frames <= 0:
                raise RuntimeError("no audio frames")
        except Exception as exc:
            tmp.unlink(missing_ok=True)
            raise fail(self._redact(str(exc))) from exc
        tmp.replace(target)
        return target

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> FreesoundClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals

    def _get_page(self, path: str, params: dict[str, str], *, what: str) -> SearchPage:
        host = urlsplit(self.base_url).netloc.lower()
        request = canonical_request(path, params, host)
        cached = self.cache.get(request, allow_stale=self.offline)
        if cached is None and host == urlsplit(DEFAULT_API_URL).netloc:
            cached = self.cache.get(canonical_request(path, params), allow_stale=self.offline)  # pre-host cache
        if cached is not None:
            self.stats.cache_hits += 1
            return SearchPage.model_validate(cached)
        if self.offline:
            raise FreesoundOfflineError(f"offline: Freesound {what} is not in the cache ({self.cache.root})")
        url = self.base_url + path

        def parse(body: bytes) -> tuple[dict, SearchPage]:
            try:
                payload = json.loads(body)
                return payload, SearchPage.model_validate(payload)
            except (ValueError, ValidationError) as exc:
                raise _Retry("malformed JSON in the response") from exc

        payload, result = self._send(url, params, what=what, parse=parse, kind="search")
        self.cache.put(request, payload)
        return result

    def _send(
        self,
        url: str,
        params: dict[str, str],
        *,
        what: str,
        parse: Callable[[bytes], T],
        kind: Literal["search", "preview", "original"],
        sink: Path | None = None,
    ) -> T:
        """GET with budget, retries and error mapping; ``parse`` (of the body) may raise :class:`_Retry`.

        With ``sink`` the body is streamed into that file and ``parse`` gets ``b""``.
        """
        headers: dict[str, str] = {"Accept-Encoding": "gzip, deflate"}  # what _read_capped can inflate in steps
        if self._same_host(url):
            headers["Authorization"] = f"Bearer {self._oauth}" if kind == "original" else f"Token {self._key}"
        last = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            if self.budget is not None:
                self.budget.acquire()
            self.stats.requests += 1
            if kind == "search":
                self.stats.search_requests += 1
            elif kind == "original":
                self.stats.original_requests += 1
            else:
                self.stats.preview_requests += 1
            try:
                return parse(self._fetch(url, params, headers, what=what, kind=kind, sink=sink))
            except _Retry as retry:
                last = retry.reason
                if attempt == self.max_attempts:
                    break
                delay = retry.delay if retry.delay is not None else self._backoff(attempt)
                log.info("Freesound %s: %s; retry %d in %.1f s", what, last, attempt, delay)
                self.stats.retries += 1
                self.stats.slept += delay
                self.sleep(delay)
        raise FreesoundError(self._redact(f"Freesound {what}: gave up after {self.max_attempts} attempts ({last})"))

    def _fetch(self, url: str, params: dict[str, str], headers: dict[str, str], *, what: str, kind: str,
               sink: Path | None) -> bytes:
        """One request: status checked, body read within the size cap and the deadline."""
        limit = self.max_json_bytes if sink is None else self.max_download_bytes
        fail = {"preview": FreesoundPreviewError, "original": FreesoundOriginalError}.get(kind, FreesoundError)
        deadline = time.monotonic() + self.deadline
        timeout = httpx.Timeout(min(self.timeout, self.deadline))
        try:
            with self._http.stream("GET", url, params=params or None, headers=headers, timeout=timeout) as resp:
                self._check_status(resp, what, kind)
                declared = resp.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise fail(f"Freesound {what}: the server announces {_size(int(declared))}, over the "
                               f"{_size(limit)} limit (freesound.max_{'response' if sink is None else 'download'}_mb)")
                return _read_capped(resp, limit, deadline, sink, lambda why: fail(f"Freesound {what}: {why}"))
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out after {self.timeout:g} s") from exc
        except httpx.TooManyRedirects as exc:
            raise FreesoundError(f"Freesound {what}: more than {MAX_REDIRECTS} redirects (a redirect loop?)") from exc
        except httpx.TransportError as exc:
            raise _Retry(f"connection failed ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:  # DecodingError (bad gzip) and the like
            raise _Retry(f"unreadable response ({type(exc).__name__})") from exc

    def _check_status(self, resp: httpx.Response, what: str, kind: str) -> None:
        code = resp.status_code
        if code < 300:
            return
        if code == 429:
            delay = _retry_after(resp.headers.get("Retry-After"))
            if delay is not None and delay > RETRY_AFTER_CAP:
                raise FreesoundError(
                    f"Freesound {what}: throttled (HTTP 429) for {delay:.0f} s, longer than we wait; try later"
                )
            raise _Retry("throttled (HTTP 429)", delay)
        if code >= 500:
            raise _Retry(f"server error (HTTP {code})")
        if code in (401, 403) and kind == "original":
            raise FreesoundAuthError(
                f"Freesound refused the {what} (HTTP {code}): the OAuth2 token in {OAUTH_ENV} is expired "
                f"(they last 24 h) or lacks access; get a new one"
            )
        if code == 404 and kind == "original":
            raise FreesoundOriginalError(f"Freesound {what}: not found (HTTP 404)")
        if code in (401, 403):
            raise FreesoundKeyError(f"Freesound rejected the API key (HTTP {code}) for {what}: check {KEY_ENV}")
        if code == 404 and kind == "preview":
            raise FreesoundPreviewError(f"Freesound {what}: not found (HTTP 404)")
        detail = _peek(resp).replace("\n", " ")
        raise FreesoundError(self._redact(f"Freesound {what}: HTTP {code} ({detail})"))

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base·2^(attempt-1))]."""
        return self.rng.uniform(0.0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)))

    def _same_host(self, url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(self.base_url).netloc

    def _redact(self, text: str) -> str:
        for secret in (self._key, self._oauth):
            if secret:
                text = text.replace(secret, "***")
        return text


def _size(n: int) -> str:
    return f"{n / MB:,.1f} MB"


def _read_capped(resp: httpx.Response, limit: int, deadline: float, sink: Path | None,
                 fail: Callable[[str], Exception]) -> bytes:
    """The body (decompressed here, in bounded steps), or streamed into ``sink``; never more
    than ``limit`` bytes after decompression, never past ``deadline`` (``time.monotonic()``):
    a size bomb, a gzip bomb and a trickling server are all cut off, not waited for.

    Raw bytes are read as they arrive (httpx's own chunked ``iter_bytes(n)`` would wait for
    ``n`` bytes, and its decoder inflates a whole network chunk at once).
    """
    encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        inflater = None
    elif encoding in ("gzip", "x-gzip", "deflate"):
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    else:
        raise fail(f"reply is {encoding}-compressed, which was not asked for")
    parts: list[bytes] = []
    seen = 0
    out = sink.open("wb") if sink is not None else None
    try:
        for raw in resp.iter_raw():
            pending = raw
            while pending:
                if inflater is None:
                    piece, pending = pending, b""
                else:
                    try:
                        piece = inflater.decompress(pending, CHUNK)
                    except zlib.error as exc:
                        raise _Retry(f"corrupt {encoding} data in the response ({exc})") from exc
                    pending = inflater.unconsumed_tail
                seen += len(piece)
                if seen > limit:
                    raise fail(f"reply is larger than the {_size(limit)} limit; stopped reading")
                if out is not None:
                    out.write(piece)
                else:
                    parts.append(piece)
                if not piece:
                    break
            if time.monotonic() > deadline:
                raise fail(f"reply not complete after {_size(seen)}: the request's deadline passed "
                           f"(the server is trickling); stopped reading")
    finally:
        if out is not None:
            out.close()
    return b"".join(parts)


def _peek(resp: httpx.Response, limit: int = 200) -> str:
    """The start of an error body, without reading a hostile server's whole reply."""
    got = b""
    try:
        for chunk in resp.iter_bytes(limit):
            got += chunk
            if len(got) >= limit:
                break
    except httpx.HTTPError:
        pass
    return got[:limit].decode("utf-8", "replace")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
