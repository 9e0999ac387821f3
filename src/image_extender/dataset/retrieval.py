"""Algorithm 1 of "Seeing Sound": pick one pool chunk for one sounding concept.

For a concept's embedding ``q`` and the pool's chunk embeddings:

1. ``s_i = cos(q, c_i)`` — cosine similarity to every chunk;
2. ``t_i = sign(s_i)·sqrt(|s_i|)`` — the *signed square root* (SSR). It is monotone, so it
   keeps the ranking, but it compresses the top of the range: near-ties among the best
   chunks become closer, so the threshold below admits more of them;
3. ``τ = mean(top-k t_i)`` — a threshold relative to this query's own best scores (a fixed
   cosine threshold would admit hundreds of chunks for one concept and none for another);
4. sample uniformly among ``{i : t_i ≥ τ}``.

Always taking the single best chunk makes a dataset reuse a handful of recordings
thousands of times (the over-sampling the method fights); sampling uniformly above a
relative threshold spreads the picks over every good match. ``ssr=False`` skips step 2
(``t = s``) for comparison: by Jensen's inequality the mean of square roots sits lower,
relative to the best score, than the mean of the raw scores, so SSR admits at least as
many candidates.

The random draw is seeded by (dataset seed, image MD5, concept), so a rerun, a resumed
run, or another engine makes the same pick for the same image.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import faiss
import numpy as np

from .index import at_least, top_k

DEFAULT_TOP_K = 10


def signed_sqrt(scores: np.ndarray) -> np.ndarray:
    s = np.asarray(scores, dtype=np.float64)
    return np.sign(s) * np.sqrt(np.abs(s))


def transform(scores: np.ndarray, ssr: bool) -> np.ndarray:
    return signed_sqrt(scores) if ssr else np.asarray(scores, dtype=np.float64)


def inverse(t: float, ssr: bool) -> float:
    """The cosine whose transformed score is ``t`` (SSR⁻¹(t) = sign(t)·t²)."""
    return float(np.sign(t) * t * t) if ssr else float(t)


def concept_rng(seed: int, md5: str, concept: str) -> np.random.Generator:
    """A generator seeded by (dataset seed, image MD5, concept): same triple, same draws, any process."""
    digest = hashlib.sha256(f"{seed}\x1f{md5}\x1f{concept}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


@dataclass(frozen=True)
class Pick:
    row: int  # pool row of the chosen chunk
    cosine: float  # its cosine similarity to the concept
    score: float  # its transformed score (SSR, or cosine with ssr=False)
    tau: float  # the threshold τ in transformed units
    candidates: int  # how many chunks scored ≥ τ


def pick_chunk(index: faiss.Index, query: np.ndarray, rng: np.random.Generator, *, k: int = DEFAULT_TOP_K,
               ssr: bool = True) -> Pick | None:
    """Algorithm 1 (module doc) over a faiss inner-product index of unit vectors; ``None`` on an empty pool."""
    best, _ = top_k(index, query, k)
    if best.size == 0:
        return None
    tau = float(transform(best, ssr).mean())
    scores, ids = at_least(index, query, inverse(tau, ssr))
    t = transform(scores, ssr)
    keep = t >= tau - 1e-9
    ids, scores, t = ids[keep], scores[keep], t[keep]
    if ids.size == 0:  # an approximate index may not return its own top-1 in the range query
        scores, ids = top_k(index, query, 1)
        t = transform(scores, ssr)
    return _draw(scores, ids, t, tau, rng)


def _draw(scores: np.ndarray, ids: np.ndarray, t: np.ndarray, tau: float, rng: np.random.Generator) -> Pick:
    """Step 4: a uniform draw among the rows that passed τ, in row order, so the draw does not
    depend on the order an index returned them in."""
    order = np.argsort(ids, kind="stable")
    j = order[int(rng.integers(len(order)))]
    return Pick(row=int(ids[j]), cosine=float(scores[j]), score=float(t[j]), tau=tau, candidates=int(len(ids)))


def pick_among(scores: np.ndarray, ids: np.ndarray, rng: np.random.Generator, *, k: int = DEFAULT_TOP_K,
               ssr: bool = True) -> Pick | None:
    """Algorithm 1 over the chunks that may be drawn at all (``ids``, their cosines ``scores``),
    e.g. only those whose recording the finder accepts for the concept: τ from their own top
    ``k``, a uniform draw among those ≥ τ. ``None`` when there are none."""
    scores, ids = np.asarray(scores, dtype=np.float64), np.asarray(ids, dtype=np.int64)
    if ids.size == 0:
        return None
    t = transform(scores, ssr)
    tau = float(np.sort(t)[::-1][:k].mean())
    keep = t >= tau - 1e-9
    return _draw(scores[keep], ids[keep], t[keep], tau, rng)
