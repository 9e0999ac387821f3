"""What a candidate's own words say about the query: does it *name* the thing, or its opposite?

The embedding verifier (``verify``) judges by sentence similarity, which is blind in two
ways the labelled pairs in ``tests/data/verifier_pairs.jsonl`` show again and again:

* a terse, exact name loses to its category: "A cuckoo. Tux Paint stamp sound (animals,
  birds)" is nearer the concept "birds" than "cuckoo calling", "A brown hen" nearer
  "birds" than "chicken clucking", "harbour port with crowd" nearer "harbour" than "crowd
  talking" — all rejected, though the text names the very thing (or a kind of it: a hen
  *is* a chicken, WordNet says);
* opposites look alike: "door close" is a fine match for "door opening" by cosine.

So :class:`WordEvidence` measures (1) **naming**: the share of the query's words that the
candidate's name and description (fully), asides and tags (partly) name, through the same
WordNet expansion as search (``library.lexical``): the candidate's words bring their
synonyms and hypernyms (hen -> chicken), the query's its forms and synonyms (opening ->
open); and (2) a **contradiction**: a word in the candidate's name or description that
WordNet lists as an antonym of a query word (open / close, day / night, empty / full).
The verifier accepts a candidate that names enough of the query and rejects a
contradiction, with thresholds fitted on the labelled pairs (``calibration``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..library.lexical import DESCRIPTION_WEIGHT, field_words, plain_expansions, words
from ..manifest import Sound


class Lexicon(Protocol):
    def expansions(self, words, *, verbs: bool = False) -> dict[str, dict[str, float]]: ...

    def antonyms(self, words) -> dict[str, set[str]]: ...

    def kinds(self, words) -> dict[str, set[str]]: ...


@dataclass(frozen=True)
class Wording:
    naming: float  # 0..1: share of the query's words the candidate's text names
    things: float  # 0..1: the same over the query's things ("cat" of "cat meowing"), not its -ing actions
    contradiction: str | None  # "'close' is the opposite of 'opening'"


class WordEvidence:
    """Naming and contradiction of a candidate's text against a query (module doc)."""

    def __init__(self, lexicon: Lexicon | None):
        self.lexicon = lexicon

    def _expand(self, items: list[str], verbs: bool) -> dict[str, dict[str, float]]:
        if self.lexicon is None:
            return plain_expansions(items)
        return self.lexicon.expansions(items, verbs=verbs)

    def judge(self, query: str, sound: Sound) -> Wording:
        qwords = list(dict.fromkeys(words(query)))
        if not qwords:
            return Wording(0.0, 0.0, None)
        bag = field_words(sound.name, sound.description, sound.tags)
        doc: dict[str, float] = {}
        for word, expansions in self._expand(sorted(bag), verbs=False).items():
            for term, relation in expansions.items():
                doc[term] = max(doc.get(term, 0.0), bag[word] * relation)
        qexp = self._expand(qwords, verbs=True)
        named = {w: max(relation * doc.get(term, 0.0) for term, relation in qexp[w].items()) for w in qwords}
        things = [named[w] for w in qwords if not w.endswith("ing")] or list(named.values())
        return Wording(sum(named.values()) / len(qwords), sum(things) / len(things), self._contradiction(qwords, qexp, bag))

    def _contradiction(self, qwords: list[str], qexp: dict[str, dict[str, float]], bag: dict[str, float]) -> str | None:
        if self.lexicon is None:
            return None
        own = {w for w, weight in bag.items() if weight >= DESCRIPTION_WEIGHT}
        forms = {w: [t for t, r in qexp[w].items() if r >= 1.0] for w in qwords}
        opposites = self.lexicon.antonyms({t for ts in forms.values() for t in ts})
        matched = {t for ts in forms.values() for t in ts} & own
        for w, ts in forms.items():
            for t in ts:
                clash = (opposites.get(t, set()) & own) - matched
                if clash:
                    return f"'{sorted(clash)[0]}' is the opposite of '{w}'"
        return None
