"""Is this image a graphic (logo, icon, sign…) with nothing in it that makes a sound?

A pure function over a :class:`Scene`, so it applies to every analyzer: run it on the
scene any analyzer returns (the pipeline stops with ``NonSonicImageError``, batch use skips).

Rule — an image is non-sonic when BOTH hold:

1. its caption or one of its image tags *names* it as a graphic: one of
   :data:`NON_SONIC_WORDS` as a whole word (plural too), e.g. "The scikit-image logo";
2. nothing in the scene sounds: no ambience tag, and no object other than graphics
   themselves (an object labelled "stop sign" does not count as a sound source).

The second condition is why this is not a bare word search: "a stop sign at a busy
crossing" names a sign, but the cars and the street ambience still sound, and an ImageNet
"street sign" tag on a city photo must not silence the city.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..manifest import Scene

NON_SONIC_WORDS: tuple[str, ...] = ("logo", "icon", "emblem", "symbol", "trademark", "sign", "logotype", "pictogram")


def _pattern(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w.lower()) for w in words)
    return re.compile(rf"\b({alternatives})s?\b", re.IGNORECASE)


_DEFAULT = _pattern(NON_SONIC_WORDS)


def non_sonic_evidence(scene: Scene, words: Iterable[str] | None = None) -> list[str]:
    """Where the scene is named a graphic: ``["caption: logo", "tag: icon"]`` (empty: it is not)."""
    pattern = _DEFAULT if words is None else _pattern(words)
    found: list[str] = []
    if scene.caption:
        found += [f"caption: {m.group(1).lower()}" for m in pattern.finditer(scene.caption)]
    for tag in scene.tags:
        found += [f"tag: {m.group(1).lower()}" for m in pattern.finditer(tag.label.replace("_", " "))]
    return list(dict.fromkeys(found))


def is_non_sonic(scene: Scene, words: Iterable[str] | None = None) -> bool:
    """True when the scene is named a graphic and holds no sound source (see module doc)."""
    pattern = _DEFAULT if words is None else _pattern(words)
    if not non_sonic_evidence(scene, words):
        return False
    sounding = [o for o in scene.objects if not pattern.search(o.label.replace("_", " "))]
    return not sounding and not scene.ambience


def mark_non_sonic(scene: Scene, words: Iterable[str] | None = None) -> Scene:
    """A copy of ``scene`` with ``non_sonic`` set by :func:`is_non_sonic` (never cleared if already set)."""
    flag = scene.non_sonic or is_non_sonic(scene, words)
    return scene if flag == scene.non_sonic else scene.model_copy(update={"non_sonic": flag})
