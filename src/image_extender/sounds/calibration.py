"""Fit the verifier's thresholds on labelled (query, sound, right/wrong) pairs; measure on the rest.

The pairs live in ``tests/data/verifier_pairs.jsonl`` (made by
``tests/data/make_verifier_pairs.py``): 1,689 pairs over 110 queries — the analyzer's kind
of queries ("cat meowing", "crowd talking", "room tone", "footsteps on gravel") against
real descriptions of the starter library — with every right recording, the ten nearest
wrong ones a search really returns, and named hard negatives (tiger and lion for the cat,
a deep-sea research vessel for the rowing boat, the peacock for every bird, a door
closing for a door opening, a drum-kit hand clap for applause; the dev photos' category
neighbours: a bear for a panda, a lion roar for a cheetah, a piggery's "farm animal" for an
alpaca, a tiger for a leopard, and "sheep breeds bear a fleece" for a bear).

Queries, not pairs, are split (``held_out``: a stable hash puts a third of the queries
aside), so no query's pairs are seen both when fitting and when measuring. :func:`fit`
judges every pair once (embedding rank and margin, the candidate's own words) and walks
:data:`GRID` with the verifier's own ``decide``; the best F1 on the fitting part wins.
The result and the held-out numbers are quoted in ``verify.CALIBRATION``.
"""

from __future__ import annotations

import copy
import itertools
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..manifest import Sound
from .verify import Calibration, EmbeddingVerifier

GRID: dict[str, Sequence[float]] = {
    "top_k": (1, 2, 3, 5),
    "max_gap": (0.0, 0.05, 0.1, 0.15),
    "floor": (0.3, 0.35, 0.4, 0.45),
    "name_cover": (0.5, 0.6, 0.75, 0.9, 1.01),  # 1.01: naming never suffices
    "name_floor": (0.0, 0.2),
    "other_animals": (False, True),
}


@dataclass(frozen=True)
class Pair:
    query: str
    sound: Sound
    right: bool
    why: str = ""  # "right", "nearest", "hard negative"


def load_pairs(path: Path) -> list[Pair]:
    pairs = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        sound = Sound(provider="library", id=r["id"], path="", name=r["name"], description=r["description"],
                      tags=r["tags"], licence="see the library", duration=1.0, sample_rate=44100, channels=1)
        pairs.append(Pair(r["query"], sound, bool(r["right"]), r.get("why", "")))
    return pairs


def held_out(query: str) -> bool:
    """A stable third of the queries (CRC-32 of the query text) is kept for measuring."""
    return zlib.crc32(query.encode("utf-8")) % 3 == 0


def measure(verifier: EmbeddingVerifier, pairs: Iterable[Pair], judgements: Sequence | None = None) -> Calibration:
    pairs = list(pairs)
    if judgements is None:
        judgements = [verifier.judge(p.query, [p.sound])[0] for p in pairs]
    tp = fp = pos = neg = 0
    for p, j in zip(pairs, judgements, strict=True):
        accepted = verifier.decide(p.query, p.sound, j).accepted
        pos += p.right
        neg += not p.right
        tp += accepted and p.right
        fp += accepted and not p.right
    return Calibration(tp / (tp + fp) if tp + fp else 1.0, tp / pos if pos else 1.0, tp, pos, fp, neg)


def fit(verifier: EmbeddingVerifier, pairs: Sequence[Pair], grid: dict[str, Sequence[float]] = GRID
        ) -> tuple[dict[str, float], Calibration]:
    """The grid point with the best F1 on ``pairs`` and its numbers (``verifier`` is not changed)."""
    judgements = [verifier.judge(p.query, [p.sound])[0] for p in pairs]
    best: tuple[float, dict[str, float], Calibration] | None = None
    trial = copy.copy(verifier)
    for values in itertools.product(*grid.values()):
        params = dict(zip(grid, values, strict=True))
        for name, value in params.items():
            setattr(trial, name, value)
        result = measure(trial, pairs, judgements)
        f1 = 2 * result.precision * result.recall / max(1e-9, result.precision + result.recall)
        if best is None or f1 > best[0]:
            best = (f1, params, result)
    assert best is not None
    return best[1], best[2]
