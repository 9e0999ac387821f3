"""Protocols for where sounds come from and how a candidate is checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from ..manifest import Role, Sound


@dataclass(frozen=True)
class Candidate:
    """A sound a source returned for a query, with the source's similarity score."""

    sound: Sound
    score: float


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    score: float
    reason: str
    # how far the query leads the strongest rival concept for this sound (embedding
    # verifier); ranks accepted candidates: the one that is most clearly *this* thing wins
    margin: float | None = None
    # accepted as a kind of this animal group (a synset name: "big_cat.n.01"): right only
    # for a thing in view that belongs to the group too (``find`` checks)
    group: str | None = None
    # accepted on the candidate's words (it names the query's things) rather than on the
    # embedding's ranking of the query among all concepts (embedding verifier); a
    # hierarchy fallback's general word is too little to go on alone (``find``)
    by_words: bool = False
    # turned down before any verifier heard it (a game-only recording, a bed too short to
    # loop: ``find.unfit``); no near miss worth reporting
    screened: bool = False


class SoundSource(Protocol):
    """Anything that answers a text query with ranked recordings (library, Freesound…)."""

    name: str

    def search(self, query: str, role: Role, limit: int) -> list[Candidate]: ...


class Verifier(Protocol):
    """Decides whether a candidate really *is* the thing (a dog recording, not a song "Dog")."""

    def verify(self, query: str, candidates: list[Candidate]) -> list[Verdict]: ...


SelectionMode = Literal["best", "random"]
