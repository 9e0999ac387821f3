"""How much an object should stand out in the mix: importance in 0–1.

For each sounding object we first compute a *salience*

    s = 0.5 · sqrt(area share) + 0.3 · centrality + 0.2 · confidence

- area share: box area / image area. The square root follows the box's linear size, so
  a small bird is not crushed to nothing next to a large horse (apparent size, not
  pixel count, is what photographers compose with).
- centrality: 1 − distance of the box centre from the image centre / sqrt(0.5), i.e. 1 at
  the centre, 0 in a corner: the subject of a photo is usually placed near the middle
  (rule of thirds places it at ~0.7 centrality, still well above a corner).
- confidence: the detector's score, so a doubtful detection is not the lead sound.

A group of instances (see ``vocabulary``) combines its members' saliences as a
probabilistic OR, 1 − Π(1 − sᵢ): three horses matter more than one, never more than 1.

Importance is then salience / max salience over the scene, so the most visually
dominant object is exactly 1.0 and the rest are relative to it. The mixer maps 0…1 onto
its level range, so the lead object always gets the lead level.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

W_AREA = 0.5
W_CENTRE = 0.3
W_CONFIDENCE = 0.2

Box = tuple[float, float, float, float]


def salience(box: Box, confidence: float) -> float:
    """Salience of one box (0–1 image coordinates) detected with ``confidence``."""
    x0, y0, x1, y1 = box
    area = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    centrality = 1.0 - math.hypot(cx - 0.5, cy - 0.5) / math.sqrt(0.5)
    return W_AREA * math.sqrt(area) + W_CENTRE * max(0.0, centrality) + W_CONFIDENCE * confidence


def group_salience(saliences: Iterable[float]) -> float:
    """Probabilistic OR of the members' saliences."""
    rest = 1.0
    for s in saliences:
        rest *= 1.0 - min(max(s, 0.0), 1.0)
    return 1.0 - rest


def normalise(saliences: Sequence[float]) -> list[float]:
    """Scale so the largest is 1.0 (all zeros stay zeros)."""
    top = max(saliences, default=0.0)
    if top <= 0:
        return [0.0 for _ in saliences]
    return [min(1.0, max(0.0, s / top)) for s in saliences]
