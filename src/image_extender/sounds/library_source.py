"""The local sound library as a :class:`~image_extender.sounds.base.SoundSource`."""

from __future__ import annotations

from typing import Protocol

from ..manifest import Role, Sound
from .base import Candidate

# Which recording kind each role wants first: an ambience tag becomes a looped stereo
# bed, an object a placed one-shot.
PREFERRED_KIND: dict[str, str] = {"ambience": "bed", "object": "one-shot"}


class SearchableLibrary(Protocol):
    def search(self, query: str, limit: int = 10, kind: str | None = None) -> list[tuple[Sound, float]]: ...


class LibrarySource:
    """Search a :class:`~image_extender.library.store.SoundLibrary`, preferred kind first.

    Returns up to ``limit`` hits of the role's preferred kind, then up to ``limit`` more
    from the whole library that were not already listed: a rain one-shot can still serve
    as a bed and a farm bed full of cows can serve a cow, but only after the verifier has
    seen every recording of the right kind. Within each group the library's order stands.
    """

    name = "library"

    def __init__(self, lib: SearchableLibrary):
        self.lib = lib

    def search(self, query: str, role: Role, limit: int) -> list[Candidate]:
        if limit <= 0:
            return []
        hits = list(self.lib.search(query, limit=limit, kind=PREFERRED_KIND[role]))
        seen = {s.id for s, _ in hits}
        hits += [(s, sc) for s, sc in self.lib.search(query, limit=limit) if s.id not in seen]
        return [Candidate(sound, float(score)) for sound, score in hits]
