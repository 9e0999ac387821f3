"""What the labelled photos that look like this one show: an appearance prior for the bed.

ImageNet classes name *things* (a boathouse, a stage, a church); a kind of place is as much
the look of the whole scene — light, layout, texture — which the classifier's 1280-d pooled
embedding keeps (it is the layer its 1000 classes are read from). So the analyzer also reads
that embedding with one linear probe per ambience rule (Alain & Bengio 2016): an L2-regularised
logistic regression, rare places' photos weighted up (``eval.fit_places.BALANCE``), fitted on
the dev photos of ``eval/photos.toml``, a photo being a positive for every rule its labelled
kinds of place accept. Each rule gains ``weight × familiarity × p(rule)`` and shows it in its
evidence as ``looks like:<place>``. It can decide alone when nothing else speaks (a lake's
shore, a pebble beach have no ImageNet class), but an exotic place's ``min_score`` still wants
evidence of its own.

Measured on the dev photos with each photo's whole collection (the prefix of its id: "erase",
"cz", "lom"…) left out of the fit, the first bed is right for 88 % of the 241 with the
probes and 80 % with no likeness at all (of the first 225: 89 % and 80 %; the k-nearest-
neighbour vote the probes replaced had a right bed among its one or two for 86 %).

The table ships as ``data/place_probes.npz``: the probes fitted on every dev photo, and one
set per collection fitted without it. A photo that *is* a training photo (embedding cosine ≥
``same_image``) is read by the probes that never saw its collection, and its familiarity and
nearest photos come from the other collections, so dev numbers do not grade themselves and a
dev photo is judged as a user's photo would be. The table also keeps
the training embeddings, which name the nearest labelled photos in the evidence.
``python -m eval.fit_places`` rebuilds it (never from a held-out photo); a test checks the
shipped file against a rebuild.

One probe is no kind of place but a side of a wall: :data:`INDOORS`, fitted on the photos
labelled first with a place inside a building (``indoor`` in ``eval/concepts.toml``: a room,
a restaurant, a shop, a concert). Pooled over every indoor place it has more photos than any
one of them, and reads "inside" better than colour does: area under the ROC curve 0.96 on
the dev photos (collections left out) and 0.99 on the held-out ones, where the share of sky
and plants gives 0.86 and 0.80 (white walls and ceilings read as an overcast sky).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import ModelError

TABLE = "place_probes.npz"
INDOORS = "indoors"  # the probe of a side of a wall, not a kind of place: see the module doc
MIN_SHOWN = 0.005  # a rule's share below this is left out of the prior


def collection_of(photo_id: str) -> str:
    """The collection a labelled photo belongs to: its id up to the first hyphen."""
    return photo_id.split("-", 1)[0]


@dataclass(frozen=True)
class PlaceProbes:
    ids: tuple[str, ...]  # training photo ids in eval/photos.toml, for the evidence
    labels: tuple[str, ...]  # ambience rule labels, one probe each
    embeddings: np.ndarray  # (n, 1280) float32, L2-normalised training embeddings
    accepts: np.ndarray  # (n, len(labels)) bool: the rules each training photo's places accept
    collections: tuple[str, ...]  # the collections left out by probe sets 1.., in order
    probes: np.ndarray  # (1 + len(collections), len(labels), 1281) float32: weights, then bias

    def probabilities(self, embedding: np.ndarray, same_image: float = 0.995) -> tuple[np.ndarray, np.ndarray]:
        """``(p per label, cosine to each training photo)``; a training photo itself is read by
        the probes fitted without its collection."""
        e = np.asarray(embedding, dtype=np.float32)
        sims = self.embeddings @ e if len(self.ids) else np.zeros(0, dtype=np.float32)
        row = 0
        if len(sims) and sims.max() >= same_image:
            row = 1 + self.collections.index(collection_of(self.ids[int(sims.argmax())]))
        w = self.probes[row]
        z = w[:, :-1] @ e + w[:, -1]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50))), sims

    def prior(self, embedding: np.ndarray, weight: float, same_image: float = 0.995, floor: float = 0.0,
              full: float = 0.0) -> tuple[dict[str, float], list[str]]:
        """``(label -> weight × familiarity × p(label), the three nearest other training photos' ids)``.

        A probe is a straight line through the embedding space: far from every photo it was
        fitted on (a brick wall, a rocket) it still answers, and confidently. So its answer
        counts in full only for an image whose nearest other training photo is at least
        ``full`` alike (cosine), and not at all at ``floor`` or below. A training photo itself
        is read by the probes fitted without its collection (:meth:`probabilities`), and its
        familiarity and neighbours come from the other collections too: its siblings would
        make any dev photo familiar, which a user's photo is not.
        """
        if len(self.labels) == 0:
            return {}, []
        p, sims = self.probabilities(embedding, same_image)
        others = np.where(sims >= same_image, -np.inf, sims)
        if len(sims) and sims.max() >= same_image:
            own = collection_of(self.ids[int(sims.argmax())])
            others = np.where([collection_of(i) == own for i in self.ids], -np.inf, others)
        order = [i for i in np.argsort(-others)[:3] if np.isfinite(others[i])]
        familiar = 1.0
        if full > floor:
            familiar = float(np.clip((others[order[0]] - floor) / (full - floor), 0.0, 1.0)) if order else 0.0
        scale = weight * familiar
        out = {label: round(float(scale * v), 4) for label, v in zip(self.labels, p) if scale * v >= MIN_SHOWN}
        return out, [self.ids[i] for i in order]


def save_table(path: Path, ids: list[str], labels: list[str], embeddings: np.ndarray, accepts: np.ndarray,
               collections: list[str], probes: np.ndarray) -> None:
    np.savez_compressed(
        path,
        ids=np.array(ids),
        labels=np.array(labels),
        embeddings=np.asarray(embeddings, dtype=np.float16),
        accepts=np.asarray(accepts, dtype=bool),
        collections=np.array(collections),
        probes=np.asarray(probes, dtype=np.float16),
    )


@lru_cache(maxsize=2)
def load_table(path: Path | None = None) -> PlaceProbes:
    """The shipped table; a missing or malformed file is a :class:`ModelError` naming it."""
    source = path or resources.files("image_extender") / "data" / TABLE
    try:
        with source.open("rb") as fh, np.load(fh) as raw:
            ids, labels = tuple(str(x) for x in raw["ids"]), tuple(str(x) for x in raw["labels"])
            collections = tuple(str(x) for x in raw["collections"])
            emb = raw["embeddings"].astype(np.float32)
            accepts = raw["accepts"].astype(bool)
            probes = raw["probes"].astype(np.float32)
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(f"{source}: cannot read the place probes table ({type(exc).__name__}: {exc})") from exc
    consistent = (
        emb.shape[0] == len(ids)
        and accepts.shape == (len(ids), len(labels))
        and probes.shape == (1 + len(collections), len(labels), emb.shape[1] + 1)
        and {collection_of(i) for i in ids} <= set(collections)
    )
    if not consistent:
        raise ModelError(f"{source}: place probes table is inconsistent; rebuild it with `python -m eval.fit_places`")
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    return PlaceProbes(ids, labels, emb / np.maximum(norms, 1e-9), accepts, collections, probes)
