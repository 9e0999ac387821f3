"""What a detected COCO object sounds like, and how several of them become one sound.

The mapping is a data table, ``image_extender/data/coco_sounds.csv`` (id, label, query,
group_query), not code: adding or re-voicing a class is a one-line edit. A class with an
empty query is *silent* (a chair, a vase, a pizza) and never becomes a sound object, though
the ambience rules still see it (a couch says "indoor room").

Group rule: when ``GROUP_MIN`` (3) or more instances of one class pass the confidence
threshold, they become ONE object: label = the class, ``count`` = n, query = the class's
``group_query`` ("crowd talking", "traffic", "flock of birds"; the single query if the
table gives none), bbox = the union of the instances' boxes (so its pan is the centre of
the group), confidence = the best instance's, importance from the group as a whole (summed
member area, union centre, best confidence; see ``importance``). Two of a kind stay two objects: two dogs can
bark in turn, left and right, but ten people are a crowd, not ten voices. Several classes
whose group query is the same ("traffic" for cars, buses and trucks) are grouped
separately; merging across classes is the retrieval stage's business.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import ModelError
from ..manifest import BBox, SceneObject
from .detector import Detection
from .importance import group_salience, normalise, salience

GROUP_MIN = 3
TABLE = "coco_sounds.csv"


@dataclass(frozen=True)
class SoundEntry:
    class_id: int
    label: str
    query: str  # "" = silent
    group_query: str

    @property
    def silent(self) -> bool:
        return not self.query


@lru_cache(maxsize=4)
def load_vocabulary(path: Path | None = None) -> dict[int, SoundEntry]:
    """COCO class id (90-id TF label map) -> :class:`SoundEntry`, from the CSV table."""
    source = path or resources.files("image_extender") / "data" / TABLE
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"{source}: cannot read the sound vocabulary ({exc})") from exc
    rows = csv.DictReader(line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    table: dict[int, SoundEntry] = {}
    for row in rows:
        try:
            entry = SoundEntry(int(row["id"]), row["label"].strip(), row["query"].strip(), row["group_query"].strip())
        except (KeyError, ValueError, AttributeError) as exc:
            raise ModelError(f"{source}: bad row {row} ({exc})") from exc
        table[entry.class_id] = entry
    return table


def label_of(class_id: int, vocabulary: dict[int, SoundEntry] | None = None) -> str:
    vocab = vocabulary if vocabulary is not None else load_vocabulary()
    entry = vocab.get(class_id)
    return entry.label if entry else f"coco-{class_id}"


def sound_objects(
    detections: list[Detection],
    vocabulary: dict[int, SoundEntry] | None = None,
    max_objects: int = 6,
) -> list[SceneObject]:
    """Sounding objects from (already thresholded) detections: grouped, ranked, capped.

    Order: most important first. Importance is normalised over the objects *before* the
    cap, so the top object is 1.0 whatever ``max_objects`` is.
    """
    vocab = vocabulary if vocabulary is not None else load_vocabulary()
    by_class: dict[int, list[Detection]] = defaultdict(list)
    for det in detections:
        entry = vocab.get(det.class_id)
        if entry is not None and not entry.silent:
            by_class[det.class_id].append(det)

    drafts: list[tuple[SoundEntry, list[Detection], float]] = []
    for class_id, dets in by_class.items():
        entry = vocab[class_id]
        if len(dets) >= GROUP_MIN:
            drafts.append((entry, dets, group_salience([d.box for d in dets], [d.score for d in dets])))
        else:
            drafts.extend((entry, [d], salience(d.box, d.score)) for d in dets)

    importances = normalise([s for _, _, s in drafts])
    objects = []
    for (entry, dets, _), imp in zip(drafts, importances):
        grouped = len(dets) >= GROUP_MIN
        objects.append(
            SceneObject(
                label=entry.label,
                query=(entry.group_query or entry.query) if grouped else entry.query,
                bbox=_union(dets),
                importance=round(imp, 4),
                confidence=round(max(d.score for d in dets), 4),
                count=len(dets),
            )
        )
    objects.sort(key=lambda o: (-o.importance, -o.confidence))
    return objects[:max_objects]


def _union(dets: list[Detection]) -> BBox:
    return BBox(
        x0=min(d.box[0] for d in dets),
        y0=min(d.box[1] for d in dets),
        x1=max(d.box[2] for d in dets),
        y1=max(d.box[3] for d in dets),
    )


# --------------------------------------------------------------------------- the sounding vocabulary


@dataclass(frozen=True)
class SoundingEntry:
    """One thing the analyzer can ask a sound for: an object concept or a kind of place.

    The contract other stages read (library coverage, the verifier's competitor concepts):
    ``queries[0]`` is the main query, the rest are alternatives in order; ``accepts`` are
    the sound concepts that count as right for it.
    """

    label: str
    role: str  # "object" or "ambience"
    queries: tuple[str, ...]
    accepts: tuple[str, ...] = ()


def sounding_entries() -> list[SoundingEntry]:
    """Every object concept and kind of place the offline analyzer can produce."""
    from .ambience import load_rules

    entries: dict[tuple[str, str], SoundingEntry] = {}
    for e in load_vocabulary().values():
        if not e.silent:
            queries = tuple(dict.fromkeys(q for q in (e.query, e.group_query) if q))
            entries[("object", e.label)] = SoundingEntry(e.label, "object", queries, (e.label,))
    for rule in load_rules().rules:
        entries[("ambience", rule.label)] = SoundingEntry(rule.label, "ambience", (rule.query,), (rule.label,))
    return list(entries.values())
