"""A scene's *sounding concepts*: what the dataset retrieves one chunk for.

Every sounding object (label + its sound query) and every ambience tag (kind of place +
its bed query) is one concept; two with the same query count once (two dogs, or a "dog"
object and a "farm" tag that both ask for barking, get one chunk). The query is what is
embedded and what seeds the draw, so renaming a label never changes a pick.

``skip_reason`` applies the project's non-sonic filter (``analyze.nonsonic``: a caption or
image tag naming a logo, icon, emblem, symbol, trademark or sign, with nothing sounding
in the scene) and the method's other skip: no sounding concept at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analyze.nonsonic import is_non_sonic, non_sonic_evidence
from ..manifest import Scene


@dataclass(frozen=True)
class Concept:
    role: str  # object | ambience
    label: str
    query: str
    queries: tuple[str, ...] = ()  # every query, ``query`` first, then the further ones in the scene's order
    accepts: tuple[str, ...] = ()  # the concepts that count as right for it (empty: its label)


def _queries(first: str, further: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(q.strip() for q in [first, *further] if q.strip()))


def sounding_concepts(scene: Scene) -> list[Concept]:
    """Objects first (in the analyzer's order of importance), then ambience; one per query."""
    found: dict[str, Concept] = {}
    for obj in scene.objects:
        if obj.query.strip():
            found.setdefault(obj.query.strip(), Concept("object", obj.label, obj.query.strip(),
                                                        _queries(obj.query, obj.queries), tuple(obj.accepts)))
    for tag in scene.ambience:
        if tag.query.strip():
            found.setdefault(tag.query.strip(), Concept("ambience", tag.label, tag.query.strip(),
                                                        _queries(tag.query, tag.queries)))
    return list(found.values())


def skip_reason(scene: Scene) -> str | None:
    """Why this image gets no audio (``None``: it does)."""
    if scene.non_sonic or is_non_sonic(scene):
        evidence = ", ".join(non_sonic_evidence(scene)) or scene.caption or "flagged by the analyzer"
        return f"non-sonic image ({evidence})"
    if not sounding_concepts(scene):
        return "no sounding concept in the image"
    return None
