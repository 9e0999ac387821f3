"""The library's vector index: faiss inner product over unit vectors = cosine similarity.

An exact ``IndexFlatIP`` is right for libraries of up to ~10^5 sounds (a few ms per
query) and has no training step, so adding one file never reshuffles the others. The
``IndexIDMap`` keys each vector by its SQLite row id, so a hit maps straight to a row.

The index is a *cache*: the vectors themselves live in SQLite next to their metadata,
so a missing, stale or damaged index file is rebuilt from the database without
re-embedding anything (see ``store.SoundLibrary.open``).
"""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np


class VectorIndex:
    def __init__(self, dim: int, index: faiss.Index | None = None) -> None:
        self.dim = dim
        self._index = index if index is not None else faiss.IndexIDMap(faiss.IndexFlatIP(dim))

    @classmethod
    def from_vectors(cls, dim: int, ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
        idx = cls(dim)
        idx.add(ids, vectors)
        return idx

    @property
    def count(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        vecs = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        self._index.add_with_ids(vecs, np.ascontiguousarray(ids, dtype=np.int64))

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """``k`` nearest ids with their inner products (cosine for unit vectors), best first."""
        k = min(k, self.count)
        if k <= 0:
            return []
        q = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, self.dim)
        scores, ids = self._index.search(q, k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]

    def save(self, path: Path) -> None:
        """Write to a temp file and rename, so a crash never leaves half an index."""
        tmp = path.with_name(path.name + ".partial")
        faiss.write_index(self._index, str(tmp))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        index = faiss.read_index(str(path))
        return cls(index.d, index)
