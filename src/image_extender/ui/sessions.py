"""Per-browser working directories, who may read which file, and cleanup of abandoned ones.

A browser is identified by a random cookie token (``secrets.token_urlsafe``, 256 bits) that
only the server sets. Its directory name is ``HMAC-SHA256(server secret, token)``: a file URL
reveals the directory name but never the token, so seeing another user's URL does not let
you act as that user, and the name cannot be guessed without the token. Paths are checked
by resolving them (symlinks and ``..`` included) and asking whether they lie inside the
caller's own directory — the OWASP path-traversal recipe ("canonicalise, then compare with
the allowed root"), not string prefixes.

Layout under the UI root::

    <root>/sessions/<hmac>/<run uuid>/photo.jpg, boxes.png, out/ (the pipeline's folder)

Gradio's own uploads land in content-addressed folders beside ``sessions/``; the server
records which sessions uploaded which file (``remember_upload``) so a file URL of an
upload is served only to a browser that uploaded that same file.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import shutil
import threading
import time
import unicodedata
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

SESSION_COOKIE = "image_extender_session"
SESSIONS_DIR = "sessions"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # token_urlsafe(32)
_SAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME_CHARS = 80


def sanitize_filename(name: str | None, default: str = "photo") -> str:
    """A name safe to join to a folder: ASCII letters, digits, ``. _ -`` only, no leading dot.

    Only the last path component of ``name`` is kept (both ``/`` and ``\\`` count as
    separators, so a Windows path cannot smuggle ``..``), accents are folded to ASCII,
    runs of anything else become ``_``, and the stem is cut to :data:`MAX_NAME_CHARS`
    while the extension is kept. ``..``, ``.``, empty or all-unsafe names give ``default``.
    """
    if not name:
        return default
    last = re.split(r"[\\/]", str(name).replace("\x00", ""))[-1]
    ascii_name = unicodedata.normalize("NFKD", last).encode("ascii", "ignore").decode("ascii")
    cleaned = _SAFE_CHARS.sub("_", ascii_name).strip("._-")
    if not cleaned or set(cleaned) <= {".", "_", "-"}:
        return default
    stem, dot, ext = cleaned.rpartition(".")
    if not dot:
        stem, ext = cleaned, ""
    ext = ext[:10]
    stem = stem[:MAX_NAME_CHARS].strip("._-") or default
    return f"{stem}.{ext}" if ext else stem


def is_inside(path: str | os.PathLike, root: str | os.PathLike) -> bool:
    """Does ``path`` (after resolving symlinks and ``..``) lie inside or at ``root``?"""
    real = os.path.realpath(path)
    base = os.path.realpath(root)
    return real == base or real.startswith(base + os.sep)


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder`` (files vanishing meanwhile count as 0)."""
    total = 0
    for path in Path(folder).rglob("*"):
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:
            pass
    return total


class SessionStore:
    """Session directories under ``root/sessions``, upload ownership and the sweeper.

    ``max_age`` is how long (seconds) a session may stay idle before its files are removed;
    a session is "used" whenever a run starts in it (its directory's mtime is bumped).
    """

    def __init__(self, root: Path, *, max_age: float = 6 * 3600.0, secret: bytes | None = None) -> None:
        self.root = Path(root).resolve()
        self.sessions_root = self.root / SESSIONS_DIR
        self.sessions_root.mkdir(parents=True, exist_ok=True)
        self.max_age = float(max_age)
        self._secret = secret or secrets.token_bytes(32)
        self._uploads: dict[str, set[str]] = {}  # real path -> session dir names that uploaded it
        self._public: set[str] = set()  # real paths anyone may read (example photos)
        self._lock = threading.Lock()
        self._stop = threading.Event()

    # ------------------------------------------------------------------ identity

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def valid_token(token: str | None) -> bool:
        return bool(token) and bool(_TOKEN.match(token))

    def dir_name(self, token: str) -> str:
        if not self.valid_token(token):
            raise ValueError("invalid session token")
        return hmac.new(self._secret, token.encode("ascii"), hashlib.sha256).hexdigest()[:32]

    def session_dir(self, token: str) -> Path:
        """This browser's folder (not created)."""
        return self.sessions_root / self.dir_name(token)

    def new_run(self, token: str) -> Path:
        """A fresh, empty folder for one run, named by a random UUID; marks the session as used."""
        session = self.session_dir(token)
        session.mkdir(parents=True, exist_ok=True)
        os.utime(session)
        run = session / uuid.uuid4().hex
        run.mkdir()
        return run

    def runs(self, token: str) -> list[Path]:
        """This browser's run folders, oldest first (by creation time of the folder)."""
        session = self.session_dir(token)
        if not session.is_dir():
            return []
        found = [p for p in session.iterdir() if p.is_dir()]
        return sorted(found, key=lambda p: p.stat().st_ctime)

    def cap(self, token: str, max_bytes: int, *, keep: Path | None = None) -> list[Path]:
        """Remove this session's oldest runs until it uses at most ``max_bytes`` (``keep`` stays)."""
        runs = self.runs(token)
        sizes = {run: folder_bytes(run) for run in runs}
        total = sum(sizes.values())
        removed = []
        for run in runs:
            if total <= max_bytes:
                break
            if keep is not None and run.resolve() == Path(keep).resolve():
                continue
            shutil.rmtree(run, ignore_errors=True)
            total -= sizes[run]
            removed.append(run)
        return removed

    def delete(self, token: str) -> bool:
        """Remove every file of this browser's session; True if there was anything to remove."""
        session = self.session_dir(token)
        name = session.name
        with self._lock:
            for owners in self._uploads.values():
                owners.discard(name)
        if not session.exists():
            return False
        shutil.rmtree(session, ignore_errors=True)
        return not session.exists()

    # ------------------------------------------------------------------ access

    def remember_upload(self, token: str, path: str | os.PathLike) -> None:
        """Record that this browser uploaded ``path`` (only it, and others who upload the same, may fetch it)."""
        real = os.path.realpath(path)
        with self._lock:
            if real not in self._public:
                self._uploads.setdefault(real, set()).add(self.dir_name(token))

    def make_public(self, path: str | os.PathLike) -> None:
        """A file every browser may read (the bundled example photos)."""
        real = os.path.realpath(path)
        with self._lock:
            self._public.add(real)
            self._uploads.pop(real, None)

    def owns(self, token: str | None, path: str | os.PathLike) -> bool:
        """Is ``path`` this browser's: inside its session folder, or an upload it made?"""
        if not self.valid_token(token):
            return False
        if is_inside(path, self.session_dir(token)):
            return True
        with self._lock:
            return self.dir_name(token) in self._uploads.get(os.path.realpath(path), ())

    def may_read(self, token: str | None, path: str | os.PathLike) -> bool:
        """Serving policy for a file URL.

        Session files only to their owner; uploads only to browsers that uploaded them;
        anything else (Gradio's own assets, the bundled example photos) is left to Gradio's
        checks (``allowed_paths``).
        """
        if is_inside(path, self.sessions_root):
            return self.owns(token, path)
        with self._lock:
            tracked = os.path.realpath(path) in self._uploads
        return self.owns(token, path) if tracked else True

    # ------------------------------------------------------------------ cleanup

    def sweep(self, now: float | None = None) -> list[Path]:
        """Remove session folders idle for longer than ``max_age``; return what was removed."""
        now = time.time() if now is None else now
        removed = []
        for session in self.sessions_root.iterdir():
            try:
                idle = now - session.stat().st_mtime
            except FileNotFoundError:
                continue
            if session.is_dir() and idle > self.max_age:
                shutil.rmtree(session, ignore_errors=True)
                removed.append(session)
        with self._lock:
            for path in [p for p in self._uploads if not os.path.exists(p)]:
                del self._uploads[path]
        if removed:
            log.info("removed %d abandoned UI session(s)", len(removed))
        return removed

    def start_sweeper(self, interval: float | None = None) -> threading.Thread:
        """Sweep in a daemon thread every ``interval`` s (default: a quarter of ``max_age``, 10 s–10 min)."""
        every = interval if interval is not None else min(max(self.max_age / 4, 10.0), 600.0)

        def loop() -> None:
            while not self._stop.wait(every):
                try:
                    self.sweep()
                except OSError as exc:  # a vanished folder must not kill the sweeper
                    log.warning("session sweep failed: %s", exc)

        thread = threading.Thread(target=loop, name="ui-session-sweeper", daemon=True)
        thread.start()
        return thread

    def stop_sweeper(self) -> None:
        self._stop.set()
