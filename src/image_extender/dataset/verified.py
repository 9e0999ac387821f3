"""The chunks a concept may draw: those whose recording the finder would accept for it.

Algorithm 1 (:mod:`.retrieval`) draws among every chunk whose similarity to the concept
clears a threshold, and similarity alone is what issue 15 measured wrong for single photos:
the peacock for every bird, a tiger for a cat, a game character's voice line for a cheetah.
On the starter pool, for the first query of each of the 241 vocabulary entries, 47 % of the
chunks above τ were of recordings the finder turns down, and for 90 entries all of them. So
unless a run asks for the method as published (``--no-verify``), a concept draws only among
chunks whose recording :func:`~image_extender.sounds.find.finder_verdicts` accepts for it —
the single-photo finder's verifier, game-only rule and objections — with τ taken from those
chunks' own best scores. A concept walks its own further queries when its first finds
nothing the finder accepts, and is left out of the image when none does (silence, not a
wrong sound).

The ``depth`` nearest chunks of each query are judged once per worker and kept: a dataset
asks the same few hundred queries of millions of images.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..manifest import Sound
from ..sounds.base import Candidate, Verifier
from ..sounds.find import Hierarchy, finder_verdicts
from ..sounds.wording import WordEvidence
from .concepts import Concept
from .index import top_k
from .pool import AudioPool
from .retrieval import Pick, pick_among

DEPTH = 200  # nearest chunks judged per query (the finder judges 10–40 candidates per query)


@dataclass
class VerifiedChunks:
    """Per query, the pool rows (and cosines) of the recordings the finder accepts for a concept."""

    pool: AudioPool
    sounds: Mapping[str, Sound]  # the pool's records of its sounds by id: what the finder judges
    verifier: Verifier
    words: WordEvidence
    hierarchy: Hierarchy | None
    depth: int = DEPTH
    _vectors: dict[str, np.ndarray] = field(default_factory=dict)
    _chunks: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def chunks(self, concept: Concept, query: str) -> tuple[np.ndarray, np.ndarray]:
        """(cosines, rows) of the accepted chunks among the ``depth`` nearest to ``query``."""
        key = (concept.role, concept.label, query)
        if key not in self._chunks:
            if query not in self._vectors:
                self._vectors[query] = self.pool.embedder.embed_queries([query])[0]
            scores, rows = top_k(self.pool.index, self._vectors[query], self.depth)
            ids = [self.pool.table["sound_id"][int(r)] for r in rows]
            best: dict[str, Candidate] = {}  # one candidate per recording, at its best chunk's score
            for i, score in zip(ids, scores.tolist(), strict=True):
                if i in self.sounds and i not in best:
                    best[i] = Candidate(self.sounds[i], score)
            candidates = list(best.values())
            verdicts = finder_verdicts(self.verifier, self.words, self.hierarchy, role=concept.role,  # type: ignore[arg-type]
                                       label=concept.label, queries=concept.queries or (concept.query,),
                                       concepts=concept.accepts or (concept.label,), query=query, candidates=candidates)
            accepted = {c.sound.id for c, v in zip(candidates, verdicts, strict=True) if v.accepted}
            keep = np.fromiter((i in accepted for i in ids), dtype=bool, count=len(ids))
            self._chunks[key] = (scores[keep], rows[keep])
        return self._chunks[key]

    def pick(self, concept: Concept, rng: np.random.Generator, *, k: int, ssr: bool) -> tuple[Pick | None, str]:
        """Algorithm 1 among the accepted chunks of the concept's first query that has any; the query used."""
        for query in concept.queries or (concept.query,):
            scores, rows = self.chunks(concept, query)
            if rows.size:
                return pick_among(scores, rows, rng, k=k, ssr=ssr), query
        return None, concept.query
