"""The ``hybrid`` analyzer: offline detector geometry + vision-LLM semantics, merged.

The COCO detector draws tight boxes but knows 80 nouns and nothing of context; the
vision LLM knows what is going on (and what is a statue) but its boxes are rough guesses.
So each contributes what it is good at.

Merge rule (:func:`merge_scenes`):

1. An LLM object and a detection *agree* when their labels name the same kind of thing —
   a shared word after lower-casing and singularising, or words in the same
   :data:`SYNONYMS` group ("pickup truck" ~ "car", "puppy" ~ "dog") — and their boxes
   overlap with IoU ≥ ``min_iou`` (0.3: LLM boxes are coarse). Pairs are matched one to
   one, greedily by IoU, highest first.
2. Agreeing pairs keep the LLM's label, sound query and importance, and take the
   detector's box; confidence is the noisy-OR of the two (independent evidence:
   1 − (1 − a)(1 − b)); count is the larger of the two; the detector's (fine-grained)
   queries and accepted concepts follow the LLM's. Labels also agree when the sounding
   vocabulary maps both to one concept ("hog" ~ "pig").
3. LLM-only objects keep their LLM box (the detector cannot name a waterfall).
4. Detector-only objects are dropped: the LLM was asked for sources that are visible,
   present and sounding, so an unmatched detection is most often a depiction (a dog on
   a poster), a silent thing, or a false positive.
5. Ambience, mood and caption come from the LLM; the detector's ambience is used only when
   the LLM gave none and did not call the image non-sonic. Image tags: the LLM's, then the
   classifier's. ``non_sonic`` is the LLM's verdict, re-checked by :mod:`.nonsonic`.
"""

from __future__ import annotations

import logging
from typing import Any

from ..library.lexical import singular
from ..manifest import BBox, Scene, SceneObject
from .base import LoadedImage, SceneAnalyzer
from .nonsonic import mark_non_sonic
from .openai_vlm import OpenAIAnalyzer

log = logging.getLogger(__name__)

MIN_IOU = 0.3

# Words the detector (COCO) and a VLM use for the same kind of source. Road vehicles are
# one group on purpose: SSD-MobileNet confuses car / truck / bus far more than a VLM does.
SYNONYMS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "person man woman child kid boy girl people pedestrian human crowd player rider skier surfer skateboarder",
        "car truck pickup van vehicle automobile taxi suv lorry jeep bus minibus",
        "motorcycle motorbike scooter moped",
        "bicycle bike cyclist",
        "dog puppy hound",
        "cat kitten",
        "bird seagull gull pigeon eagle duck goose sparrow crow parrot songbird",
        "horse pony foal",
        "cow cattle calf bull ox",
        "sheep lamb ram",
        "boat ship sailboat yacht ferry canoe kayak",
        "airplane aeroplane plane aircraft jet airliner",
        "train locomotive tram streetcar",
        "tv television monitor",
        "clock watch",
    )
)
_GROUP = {word: i for i, group in enumerate(SYNONYMS) for word in group}


class HybridAnalyzer:
    """``SceneAnalyzer`` running the offline detector and the vision LLM, then :func:`merge_scenes`."""

    name = "hybrid"

    def __init__(self, detector: SceneAnalyzer, describer: OpenAIAnalyzer, *, min_iou: float = MIN_IOU) -> None:
        self.detector = detector
        self.describer = describer
        self.min_iou = min_iou

    @classmethod
    def from_settings(cls, settings: Any) -> HybridAnalyzer:
        from . import get_analyzer

        return cls(get_analyzer("offline", settings), OpenAIAnalyzer.from_settings(settings))

    def load(self) -> None:
        self.describer.load()  # first: a missing key fails before 70 MB of detector are read
        self.detector.load()  # type: ignore[attr-defined]

    @property
    def usage(self) -> list[dict]:
        return self.describer.usage

    def analyze(self, image: LoadedImage) -> Scene:
        detected = self.detector.analyze(image)
        described = self.describer.analyze(image)
        return merge_scenes(detected, described, min_iou=self.min_iou)


def merge_scenes(detected: Scene, described: Scene, *, min_iou: float = MIN_IOU) -> Scene:
    """Detector geometry + LLM semantics (the rule is in the module docstring)."""
    pairs = sorted(
        (
            (iou(llm.bbox, det.bbox), i, j)
            for i, llm in enumerate(described.objects)
            for j, det in enumerate(detected.objects)
            if same_kind(llm.label, det.label) or same_concept(llm.label, det.label)
        ),
        reverse=True,
    )
    match: dict[int, int] = {}
    used: set[int] = set()
    for overlap, i, j in pairs:
        if overlap < min_iou:
            break
        if i not in match and j not in used:
            match[i] = j
            used.add(j)

    objects: list[SceneObject] = []
    for i, llm in enumerate(described.objects):
        if i in match:
            det = detected.objects[match[i]]
            llm = llm.model_copy(update={
                "bbox": det.bbox,
                "confidence": round(1.0 - (1.0 - llm.confidence) * (1.0 - det.confidence), 4),
                "count": max(llm.count, det.count),
                # the detector's refined queries and accepted concepts back up the model's own
                "queries": [q for q in dict.fromkeys([*llm.queries, det.query, *det.queries]) if q != llm.query],
                "accepts": list(dict.fromkeys([*llm.accepts, *det.accepts])),
                "detected_as": det.detected_as or (det.label if det.label != llm.label else None),
                "refined_by": "; ".join(x for x in ("vision model", det.refined_by) if x),
            })
        objects.append(llm)
    dropped = [d.label for j, d in enumerate(detected.objects) if j not in used]
    if dropped:
        log.info("hybrid: detections the vision model did not call sound sources, dropped: %s", ", ".join(dropped))

    merged = described.model_copy(update={
        "analyzer": "hybrid",
        "objects": objects,
        # The LLM judged nothing here sounds (a logo): that stands, no detector bed under it.
        "ambience": described.ambience or ([] if described.non_sonic else detected.ambience),
        "tags": [*described.tags, *detected.tags],
    })
    return mark_non_sonic(merged)


def iou(a: BBox, b: BBox) -> float:
    """Intersection over union of two boxes (0 when they do not overlap)."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0


def same_kind(a: str, b: str) -> bool:
    """True when two labels share a word or a synonym group ("pickup truck" ~ "car")."""
    wa, wb = _words(a), _words(b)
    if wa & wb:
        return True
    ga = {_GROUP[w] for w in wa if w in _GROUP}
    return any(_GROUP.get(w) in ga for w in wb)


def same_concept(a: str, b: str) -> bool:
    """True when the sounding vocabulary maps both labels to one concept ("hog" ~ "pig",
    "robin" ~ "songbird"): the offline analyzer's refined labels are vocabulary concepts."""
    from .vocabulary import find_concept

    ca, cb = find_concept(a), find_concept(b)
    return ca is not None and ca is cb


def _words(label: str) -> set[str]:
    """Each word of a label plus its possible singulars ("horses" → horses, horse, hors)."""
    out = set()
    for word in label.lower().replace("-", " ").replace("_", " ").split():
        word = word.strip(".,;:()'")
        if not word:
            continue
        out.add(word)
        if len(word) > 3 and word.endswith("ies"):
            out.add(word[:-3] + "y")
        if len(word) > 3 and word.endswith("es"):
            out.add(word[:-2])
        out.add(singular(word))
    return out
