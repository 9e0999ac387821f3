"""Rebuild ``data/place_neighbours.npz`` from the dev photos: ``python -m eval.fit_places``.

Each sounding dev photo of ``photos.toml`` (never a held-out one) gives its classifier
embedding and the ambience rules its labelled kinds of place accept: a rule is accepted when
the judge's rule for one of the photo's places (``concepts.toml``) matches the rule's label and
first query, the same test a played bed passes. See :mod:`image_extender.analyze.places`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from image_extender.analyze.ambience import Rules, load_rules
from image_extender.analyze.places import TABLE, save_table

from .judge import Rules as Judge
from .judge import load_rules as load_judge
from .photos import Photo, load_photos, photo_path

TARGET = Path(__file__).resolve().parents[1] / "src" / "image_extender" / "data" / TABLE


def training_photos(photos: list[Photo]) -> list[Photo]:
    """The photos the table is built from: dev, sounding, in file order."""
    return [p for p in photos if p.split == "dev" and not p.non_sonic]


def accepts_matrix(photos: list[Photo], rules: Rules, judge: Judge) -> np.ndarray:
    """(photos, rules) booleans: which ambience rules each photo's labelled places accept."""
    texts = [f"{r.label} {r.query}" for r in rules.rules]
    return np.array([[any(judge.fits_place(place, t) for place in p.places) for t in texts] for p in photos], dtype=bool)


def embed(photos: list[Photo], data_dir: Path) -> np.ndarray:
    from image_extender.analyze.classifier import load_classifier
    from image_extender.analyze.image import load_image

    classifier = load_classifier()
    return np.stack([classifier.embedding(load_image(photo_path(p, data_dir)).rgb) for p in photos])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fit_places", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=TARGET, help=f"where to write the table (default: the shipped {TABLE})")
    args = parser.parse_args(argv)
    data_dir = Path(os.environ.get("IMAGE_EXTENDER_DATA", "data"))
    photos = training_photos(load_photos())
    rules = load_rules()
    accepts = accepts_matrix(photos, rules, load_judge())
    empty = [p.id for p, row in zip(photos, accepts) if not row.any()]
    if empty:
        raise SystemExit(f"no ambience rule is accepted by the places of {', '.join(empty)}: fix the rules or the labels")
    save_table(args.out, [p.id for p in photos], [r.label for r in rules.rules], embed(photos, data_dir), accepts)
    print(f"wrote {args.out} ({len(photos)} dev photos)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
