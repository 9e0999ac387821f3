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

A group of instances (see ``vocabulary``) is scored as one object: area share = the
members' summed box areas (capped at the area of their union box, so overlaps are not
counted twice), centrality of the union box, confidence of the best member. Three large
horses outweigh one; seven specks of people on a far beach stay a speck. (A probabilistic
OR of member saliences was tried first: centrality and confidence alone give every tiny
detection ~0.3, so any large group of specks saturated at 1.)

Importance is then salience / max salience over the scene, so the most visually
dominant object is exactly 1.0 and the rest are relative to it. The mixer maps 0…1 onto
its level range, so the lead object always gets the lead level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

W_AREA = 0.5
W_CENTRE = 0.3
W_CONFIDENCE = 0.2

Box = tuple[float, float, float, float]


def _area(box: Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _salience(area: float, box: Box, confidence: float) -> float:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    centrality = 1.0 - math.hypot(cx - 0.5, cy - 0.5) / math.sqrt(0.5)
    return W_AREA * math.sqrt(min(1.0, area)) + W_CENTRE * max(0.0, centrality) + W_CONFIDENCE * confidence


def salience(box: Box, confidence: float) -> float:
    """Salience of one box (0–1 image coordinates) detected with ``confidence``."""
    return _salience(_area(box), box, confidence)


def group_salience(boxes: Sequence[Box], confidences: Sequence[float]) -> float:
    """Salience of several instances seen as one group (see module doc)."""
    union = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    area = min(sum(_area(b) for b in boxes), _area(union))
    return _salience(area, union, max(confidences))


def normalise(saliences: Sequence[float]) -> list[float]:
    """Scale so the largest is 1.0 (all zeros stay zeros)."""
    top = max(saliences, default=0.0)
    if top <= 0:
        return [0.0 for _ in saliences]
    return [min(1.0, max(0.0, s / top)) for s in saliences]
