"""The pool's faiss index, chosen by size, and the two queries Algorithm 1 needs.

Vectors are unit length, so inner product is cosine similarity. Algorithm 1 asks two
things of the index: the top-k scores (for the threshold τ) and *every* chunk scoring at
least τ (the candidates). Below :data:`EXACT_MAX_ROWS` an exact ``IndexFlatIP`` answers
both exactly and fast (a 100 k × 512 scan is ~10 ms). Above it an inverted file
(``IndexIVFFlat``, √n lists, ``nprobe`` of them searched) keeps queries in the
millisecond range and, unlike HNSW, supports ``range_search``, which is exactly the
"everything above τ" query. HNSW is kept as an explicit choice (``kind="hnsw"``) and
answers the range query by widening a k-NN search; ``bench/bench_dataset.py`` measures
all three at 100 k and 1 M rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import faiss
import numpy as np

EXACT_MAX_ROWS = 100_000
KINDS = ("auto", "flat", "ivf", "hnsw")
IVF_NPROBE = 16
HNSW_M = 32
HNSW_EF_SEARCH = 128


@dataclass(frozen=True)
class IndexChoice:
    kind: str  # flat | ivf | hnsw
    reason: str
    nlist: int = 0


def choose_index(rows: int, kind: str = "auto") -> IndexChoice:
    """Which index to build for ``rows`` vectors, and why (printed by ``pool build``)."""
    if kind not in KINDS:
        raise ValueError(f"index kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "auto":
        kind = "flat" if rows < EXACT_MAX_ROWS else "ivf"
        why = (f"{rows:,} rows < {EXACT_MAX_ROWS:,}: exact search" if kind == "flat"
               else f"{rows:,} rows ≥ {EXACT_MAX_ROWS:,}: inverted file (approximate, supports range search)")
    else:
        why = f"{kind} requested"
    # √n lists: k-means training stays seconds at 1 M rows; ≥ 39 training points per list
    nlist = int(min(max(1, math.sqrt(rows)), max(1, rows // 39))) if kind == "ivf" else 0
    return IndexChoice(kind, why, nlist)


def build_index(vectors: np.ndarray, ids: np.ndarray, choice: IndexChoice, seed: int = 0) -> faiss.Index:
    """An inner-product index over ``vectors`` (unit rows) keyed by ``ids``."""
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    d = x.shape[1]
    if choice.kind == "flat":
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(d))
    elif choice.kind == "hnsw":
        inner = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efSearch = HNSW_EF_SEARCH
        index = faiss.IndexIDMap2(inner)
    else:
        quantizer = faiss.IndexFlatIP(d)
        index = faiss.IndexIVFFlat(quantizer, d, choice.nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(seed)
        train = x if len(x) <= 64 * choice.nlist else x[rng.choice(len(x), 64 * choice.nlist, replace=False)]
        index.train(train)
        index.nprobe = min(IVF_NPROBE, choice.nlist)
    if len(x):
        index.add_with_ids(x, ids)
    return index


def top_k(index: faiss.Index, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores and ids of the ``k`` nearest rows, best first (fewer if the index is smaller)."""
    k = min(k, int(index.ntotal))
    if k <= 0:
        return np.zeros(0, np.float32), np.zeros(0, np.int64)
    scores, ids = index.search(np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1), k)
    keep = ids[0] != -1
    return scores[0][keep], ids[0][keep]


def at_least(index: faiss.Index, query: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Scores and ids of every row with cosine ≥ ``floor`` (approximate on IVF/HNSW)."""
    q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
    radius = float(floor) - 1e-6  # faiss keeps scores strictly above the radius
    try:
        _, scores, ids = index.range_search(q, radius)
    except RuntimeError:  # HNSW: no range search; widen a k-NN search until it passes the floor
        k = 256
        while True:
            scores, ids = top_k(index, q, k)
            if len(ids) < k or scores[-1] < radius or k >= index.ntotal:
                break
            k *= 4
    keep = scores > radius
    return scores[keep], ids[keep]
