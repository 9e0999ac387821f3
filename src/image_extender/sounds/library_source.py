"""The local sound library as a :class:`~image_extender.sounds.base.SoundSource`."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import soundfile as sf

from ..manifest import Role, Sound
from .base import Candidate

# Which recording kind each role wants first: an ambience tag becomes a looped stereo
# bed, an object a placed one-shot.
PREFERRED_KIND: dict[str, str] = {"ambience": "bed", "object": "one-shot"}

# The tag the starter library puts on recordings only a game would play (weapons, magic,
# UI blips, death cries, invented creatures): never an object's or a bed's sound.
GAME_ONLY = "game-only"


class SearchableLibrary(Protocol):
    def search(self, query: str, limit: int = 10, kind: str | None = None) -> list[tuple[Sound, float]]: ...


class LibrarySource:
    """Search a :class:`~image_extender.library.store.SoundLibrary`, preferred kind first.

    Returns up to ``limit`` hits of the role's preferred kind, then up to ``limit`` more
    from the whole library that were not already listed: a rain one-shot can still serve
    as a bed and a farm bed full of cows can serve a cow, but only after the verifier has
    seen every recording of the right kind. Within each group the library's order stands.

    Recordings tagged :data:`GAME_ONLY` are left out (the library is asked for more so
    the list stays ``limit`` long); :attr:`left_out` says how many the last search dropped,
    for the trail.
    """

    name = "library"

    def __init__(self, lib: SearchableLibrary):
        self.lib = lib
        self.left_out = 0

    def _search(self, query: str, limit: int, kind: str | None, seen: set[str]) -> list[tuple[Sound, float]]:
        ask = limit
        while True:
            hits = [(s, sc) for s, sc in self.lib.search(query, limit=ask, kind=kind)]
            keep = [(s, sc) for s, sc in hits if GAME_ONLY not in s.tags and s.id not in seen]
            if len(keep) >= limit or len(hits) < ask:
                dropped = {s.id for s, _ in hits if GAME_ONLY in s.tags}
                self._dropped |= dropped
                return keep[:limit]
            ask *= 4

    def search(self, query: str, role: Role, limit: int) -> list[Candidate]:
        self._dropped: set[str] = set()
        if limit <= 0:
            self.left_out = 0
            return []
        hits = self._search(query, limit, PREFERRED_KIND[role], set())
        hits += self._search(query, limit, None, {s.id for s, _ in hits})
        self.left_out = len(self._dropped)
        return [Candidate(sound, float(score)) for sound, score in hits]


def unplayable(sound: Sound) -> str:
    """Why a library recording cannot be played now (deleted or damaged since the build), or "".

    Checked on accepted candidates only, so a broken file costs one ``stat`` + header read
    and the finder moves on to the next candidate, noting why in the trail.
    """
    if sound.provider != "library":
        return ""
    path = Path(sound.path)
    if not path.is_file():
        return f"'{sound.name}': file missing since the library was built ({path}); next candidate"
    try:
        frames = sf.info(str(path)).frames
    except Exception as exc:  # noqa: BLE001 — any decoder complaint means "not playable"
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
        return f"'{sound.name}': file no longer readable as audio ({reason}); next candidate"
    return "" if frames > 0 else f"'{sound.name}': file has no audio frames any more; next candidate"
