"""What the labelled photos that look most like this one show: an appearance prior for the bed.

ImageNet classes name *things* (a boathouse, a stage, a church); a kind of place is as much
the look of the whole scene — light, layout, texture — which the classifier's 1280-d pooled
embedding keeps (it is the layer its 1000 classes are read from). So the analyzer also asks
which labelled photos are nearest in that space: a k-nearest-neighbour vote (Cover & Hart
1967) over the dev photos of ``eval/photos.toml``, each photo voting for the ambience rules
its labelled kinds of place accept, weighted by ``exp((cos − best) / temperature)``. A photo
that accepts several places spreads one vote over them, so "beach or harbour" is no stronger
than "beach". The result is added to each rule's score (``weight ×`` share of the vote) and
shows in its evidence as ``looks like:<place>``; it tips the balance between rules, it does
not replace them.

The table ships as ``data/place_neighbours.npz`` (embeddings as float16, the ambience labels,
and which labels each photo accepts). ``python -m eval.fit_places`` rebuilds it from the dev
photos (never a held-out one); a test checks the shipped file against a rebuild. A
neighbour that is the same image (cosine ≥ ``same_image``) is skipped, so a dev photo is
judged by the *other* photos, as a user's photo would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import ModelError

TABLE = "place_neighbours.npz"


@dataclass(frozen=True)
class PlaceNeighbours:
    ids: tuple[str, ...]  # photo ids in eval/photos.toml, for the evidence
    labels: tuple[str, ...]  # ambience rule labels, the columns of ``votes``
    embeddings: np.ndarray  # (n, 1280) float32, L2-normalised
    votes: np.ndarray  # (n, len(labels)) float32, each row sums to 1 (its accepted labels share it)

    def prior(self, embedding: np.ndarray, k: float, temperature: float, weight: float,
              same_image: float = 0.995, floor: float = 0.0, full: float = 0.0,
              skip: np.ndarray | None = None) -> tuple[dict[str, float], list[str]]:
        """``(label -> weight × vote share, the nearest photos' ids)`` for one image's embedding.

        A neighbour's vote counts in full from cosine ``full`` and not at all at ``floor`` or
        below: a grass texture whose nearest photo is barely alike (0.3) borrows no place from
        it. ``skip``: rows never to use (a leave-one-collection-out measurement).
        """
        if len(self.ids) == 0:
            return {}, []
        sims = self.embeddings @ np.asarray(embedding, dtype=np.float32)
        sims = np.where(sims >= same_image, -np.inf, sims)
        if skip is not None:
            sims = np.where(skip, -np.inf, sims)
        nearest = np.argsort(-sims)[: int(k)]
        nearest = nearest[np.isfinite(sims[nearest])]
        if len(nearest) == 0:
            return {}, []
        w = np.exp((sims[nearest] - sims[nearest].max()) / temperature)
        alike = np.clip((sims[nearest] - floor) / (full - floor), 0.0, 1.0) if full > floor else np.ones_like(w)
        share = (w[:, None] * alike[:, None] * self.votes[nearest]).sum(axis=0) / w.sum()
        out = {label: round(float(weight * s), 4) for label, s in zip(self.labels, share) if s > 0}
        return out, [self.ids[i] for i in nearest[:3]]


def save_table(path: Path, ids: list[str], labels: list[str], embeddings: np.ndarray, accepts: np.ndarray) -> None:
    """Write the table: ``accepts`` is (n, len(labels)) booleans, normalised to votes on load."""
    np.savez_compressed(
        path,
        ids=np.array(ids),
        labels=np.array(labels),
        embeddings=np.asarray(embeddings, dtype=np.float16),
        accepts=np.asarray(accepts, dtype=bool),
    )


@lru_cache(maxsize=2)
def load_table(path: Path | None = None) -> PlaceNeighbours:
    """The shipped table; a missing or malformed file is a :class:`ModelError` naming it."""
    source = path or resources.files("image_extender") / "data" / TABLE
    try:
        with source.open("rb") as fh, np.load(fh) as raw:
            ids, labels = tuple(str(x) for x in raw["ids"]), tuple(str(x) for x in raw["labels"])
            emb = raw["embeddings"].astype(np.float32)
            accepts = raw["accepts"].astype(np.float32)
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(f"{source}: cannot read the place neighbours table ({type(exc).__name__}: {exc})") from exc
    if emb.shape[0] != len(ids) or accepts.shape != (len(ids), len(labels)) or (accepts.sum(axis=1) == 0).any():
        raise ModelError(f"{source}: place neighbours table is inconsistent (every photo must accept a place)")
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    return PlaceNeighbours(ids, labels, emb / np.maximum(norms, 1e-9), accepts / accepts.sum(axis=1, keepdims=True))
