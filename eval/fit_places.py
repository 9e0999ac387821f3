"""Rebuild ``data/place_probes.npz`` from the dev photos: ``python -m eval.fit_places``.

Each sounding dev photo of ``photos.toml`` (never a held-out one) gives its classifier
embedding and the ambience rules its labelled kinds of place accept: a rule is accepted when
the judge's rule for one of the photo's places (``concepts.toml``) matches the rule's label and
first query, the same test a played bed passes. One logistic probe per rule is fitted on all
of them, and one set per collection without that collection's photos. See
:mod:`image_extender.analyze.places`.

``L2``, ``BALANCE`` and the rules' ``[likeness] weight`` were chosen on the dev photos with
each collection left out of the fit, before the familiarity fade and the second bed's own
evidence were added: every bed was right for 90-93 % of them over L2 0.01-0.1, balance 0-1
and weight 0.4-1.2 (0.5, 0.03, 0.8: 93 %). With both, the shipped table put a right first
bed on 89 % of the first 225 (every bed right: 88 %), and with the rooms, restaurants and
streets of dlib and labelme added, 88 % of 241 (every bed right: 88 %, since a second bed
borders the first); the nearest-neighbour vote the probes replaced had a right bed among its
one or two for 86 %.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from image_extender.analyze.ambience import Rules, load_rules
from image_extender.analyze.places import INDOORS, TABLE, collection_of, save_table

from .judge import Rules as Judge
from .judge import load_rules as load_judge
from .photos import Photo, load_photos, photo_path

TARGET = Path(__file__).resolve().parents[1] / "src" / "image_extender" / "data" / TABLE
L2 = 0.03  # weight of the squared-weights penalty on the log loss
BALANCE = 0.5  # positives and negatives weigh (0.5 / their share) ** BALANCE: 1 balanced, 0 as they come
NEVER = -30.0  # the bias of a probe with no positive photo: p ≈ 0


def training_photos(photos: list[Photo]) -> list[Photo]:
    """The photos the table is built from: dev, sounding, in file order."""
    return [p for p in photos if p.split == "dev" and not p.non_sonic]


def accepts_matrix(photos: list[Photo], rules: Rules, judge: Judge) -> np.ndarray:
    """(photos, rules + 1) booleans: which ambience rules each photo's labelled places accept,
    then :data:`INDOORS`: whether its first place, the one it is labelled for, is inside a
    building (``indoor`` in ``concepts.toml``: a room, a restaurant, a shop, a concert; not a
    festival that also shows a stage)."""
    texts = [f"{r.label} {r.query}" for r in rules.rules]
    accepts = np.array([[any(judge.fits_place(place, t) for place in p.places) for t in texts] for p in photos], dtype=bool)
    inside = np.array([judge.places[p.places[0]].indoor for p in photos], dtype=bool)
    return np.column_stack([accepts, inside])


def embed(photos: list[Photo], data_dir: Path) -> np.ndarray:
    from image_extender.analyze.classifier import load_classifier
    from image_extender.analyze.image import load_image

    classifier = load_classifier()
    return np.stack([classifier.embedding(load_image(photo_path(p, data_dir)).rgb) for p in photos])


def fit_probe(x: np.ndarray, y: np.ndarray, l2: float = L2, balance: float = BALANCE) -> np.ndarray:
    """Weights then bias (``x.shape[1] + 1``) of a logistic regression of ``y`` (bools) on
    ``x``, L2 penalty on the weights, fitted with L-BFGS from zero (deterministic). A rare
    place's photos weigh more (``balance``), so a place seen in 4 photos of 200 is not
    drowned, but not fully balanced: that made two night photos say "night countryside" for
    any dark room."""
    y = np.asarray(y, dtype=np.float64)
    if not 0 < y.sum() < len(y):
        return np.append(np.zeros(x.shape[1]), NEVER if y.sum() == 0 else -NEVER)
    share = y.mean()
    sample = np.where(y > 0, (0.5 / share) ** balance, (0.5 / (1 - share)) ** balance)
    x = np.asarray(x, dtype=np.float64)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w[:-1] + w[-1]
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))
        value = -(sample * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))).sum() + l2 * (w[:-1] ** 2).sum()
        residual = sample * (p - y)
        return float(value), np.append(x.T @ residual + 2 * l2 * w[:-1], residual.sum())

    return minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B").x


def fit_probes(embeddings: np.ndarray, accepts: np.ndarray, ids: list[str], l2: float = L2) -> tuple[list[str], np.ndarray]:
    """``(collections, probes)``: probe set 0 fitted on every photo, set ``1 + c`` without
    collection ``c`` (see :class:`image_extender.analyze.places.PlaceProbes`)."""
    groups = np.array([collection_of(i) for i in ids])
    collections = sorted(set(groups))
    keep = [np.ones(len(ids), dtype=bool)] + [groups != c for c in collections]
    probes = np.stack([np.stack([fit_probe(embeddings[k], accepts[k, j], l2) for j in range(accepts.shape[1])]) for k in keep])
    return collections, probes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fit_places", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=TARGET, help=f"where to write the table (default: the shipped {TABLE})")
    args = parser.parse_args(argv)
    data_dir = Path(os.environ.get("IMAGE_EXTENDER_DATA", "data"))
    photos = training_photos(load_photos())
    rules = load_rules()
    accepts = accepts_matrix(photos, rules, load_judge())
    empty = [p.id for p, row in zip(photos, accepts) if not row[:-1].any()]
    if empty:
        raise SystemExit(f"no ambience rule is accepted by the places of {', '.join(empty)}: fix the rules or the labels")
    ids, embeddings = [p.id for p in photos], embed(photos, data_dir)
    collections, probes = fit_probes(embeddings, accepts, ids)
    save_table(args.out, ids, [*(r.label for r in rules.rules), INDOORS], embeddings, accepts, collections, probes)
    print(f"wrote {args.out} ({len(photos)} dev photos, {len(collections)} collections)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
