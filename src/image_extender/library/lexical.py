"""Word matching that understands people's words, beside the sentence embedding.

A sentence embedding alone ranks the right recording first for only ~half of the
paraphrased queries people type: it has never seen "feline" next to "A black cat",
"thoroughbreds" next to "horse call" or "fiddle" next to "A violin", and a surface word in
an incidental tag pulls ("cats" on a Tux Paint tiger beats "cat meowing" on the cat).
This module adds the missing half, in the spirit of query/document expansion for
retrieval (Voorhees 1994, "Query expansion using lexical-semantic relations"; Nogueira
et al. 2019, "Document expansion by query prediction"):

* **Fields are weighed**: a word in the sound's name or description counts fully, a word
  in parentheses (a source's category boilerplate, "(animals, mammals, cats)") half, a
  tag :data:`TAG_WEIGHT`. The description speaks about *this* recording; tags are often
  the folder it came from.
* **Both sides are expanded** through an :data:`Expander` (WordNet in practice,
  ``sounds.wordnet.WordNet.expansions``): a document word brings its synonyms and
  hypernyms (cat -> feline, carnivore), a query word its synonyms, derived forms and
  hypernyms (thoroughbred -> racehorse -> horse; whinnying -> neigh). Each relation has a
  weight below 1, so the plain word always beats its relatives.
* **What a subject does is no thing named**: a word right after a subject pronoun ("as they
  fly over", "it barks") is a verb, weighed :data:`VERB_WEIGHT`: Canada geese honking "as
  they fly over" are no fly buzzing, though "fly" is also an insect's name.
* **Rare words count more** (inverse document frequency, Spärck Jones 1972): "horse"
  decides, "sound" or "ambience" barely.

``score`` is the IDF-weighted share of query words a document matches, 0..1; the store
adds it to the embedding cosine (``store.LEXICAL_WEIGHT``). Without an expander (no
WordNet) words still match by plain form and a crude plural rule.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

class Expander(Protocol):
    """words -> {word: {related word: weight 0..1}} (the word itself with weight 1);
    ``verbs`` for a query's words, which may be verbs ("whinnying")."""

    def __call__(self, words: Iterable[str], *, verbs: bool = False) -> dict[str, dict[str, float]]: ...

NAME_WEIGHT = 1.0
DESCRIPTION_WEIGHT = 1.0
ASIDE_WEIGHT = 0.5  # words in parentheses: a source's categories, a file name repeated
TAG_WEIGHT = 0.4
VERB_WEIGHT = 0.25  # a word after a subject pronoun: what the subject does, barely a thing named
SUBJECTS = frozenset("i you he she it we they".split())

STOPWORDS = frozenset(
    "a an the of in on at by for to from with and or into onto over under near its it is are "
    "be this that these those some any one two very some short long loop sound sounds noise "
    "recording recorded effect fx sfx".split()
)  # fmt: skip

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def words(text: str) -> list[str]:
    """Lower-case words of ``text``: camelCase split, digits and punctuation dropped, no stop words."""
    text = _CAMEL.sub(" ", text)
    return [w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 1 and w not in STOPWORDS]


def singular(word: str) -> str:
    """The plain singular: a final "s" dropped from a word longer than three letters, unless
    it is "ss" ("cats" -> "cat", "grass" stays); no dictionary, so "buses" -> "buse"."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def plain_expansions(items: Iterable[str], *, verbs: bool = False) -> dict[str, dict[str, float]]:
    """The expander used without WordNet: a word and its singular ("cats" -> "cat")."""
    out: dict[str, dict[str, float]] = {}
    for w in items:
        forms = {w: 1.0}
        if singular(w) != w:
            forms[singular(w)] = 1.0
            if w.endswith("es"):
                forms[w[:-2]] = 1.0
        out[w] = forms
    return out


def field_words(name: str, description: str, tags: Sequence[str]) -> dict[str, float]:
    """word -> weight of the strongest field it appears in (see module doc)."""
    bag: dict[str, float] = {}

    def put(text: str, weight: float, prose: bool = False) -> None:  # prose: a word after a subject pronoun is a verb
        raw = re.findall(r"[a-z]+", _CAMEL.sub(" ", text).lower())  # as words(), with each word's predecessor
        for before, w in zip(["", *raw], raw):
            w_weight = min(weight, VERB_WEIGHT) if prose and before in SUBJECTS else weight
            if len(w) > 1 and w not in STOPWORDS and w_weight > bag.get(w, 0.0):
                bag[w] = w_weight

    aside = re.compile(r"\(([^)]*)\)|\"([^\"]*)\"|“([^”]*)”")  # (categories), "original file.wav"
    for match in aside.finditer(description):
        put(" ".join(g for g in match.groups() if g), ASIDE_WEIGHT)
    main = aside.sub(" ", description)
    for tag in tags:
        put(tag, TAG_WEIGHT)
    put(re.sub(r"[_\-.]+", " ", name), NAME_WEIGHT)
    put(main, DESCRIPTION_WEIGHT, prose=True)
    return bag


@dataclass(frozen=True)
class Doc:
    key: int  # the caller's id (SQLite row id)
    name: str
    description: str
    tags: tuple[str, ...]


class LexicalIndex:
    """Inverted index over expanded field words; ``score(query)`` -> {key: 0..1}."""

    def __init__(self, docs: Iterable[Doc], expander: Expander | None = None):
        self.expander: Expander = expander or plain_expansions
        bags = [(d.key, field_words(d.name, d.description, d.tags)) for d in docs]
        vocabulary = {w for _, bag in bags for w in bag}
        expansions = self.expander(sorted(vocabulary))
        self.postings: dict[str, dict[int, float]] = defaultdict(dict)
        for key, bag in bags:
            for word, field_weight in bag.items():
                for term, relation in expansions.get(word, {word: 1.0}).items():
                    weight = field_weight * relation
                    if weight > self.postings[term].get(key, 0.0):
                        self.postings[term][key] = weight
        self.size = max(1, len(bags))

    def idf(self, term: str) -> float:
        return math.log(1.0 + self.size / (1.0 + len(self.postings.get(term, ()))))

    def score(self, query: str) -> dict[int, float]:
        """IDF-weighted share of the query's words each document matches (best relation per word)."""
        qwords = list(dict.fromkeys(words(query)))
        if not qwords:
            return {}
        expansions = self.expander(qwords, verbs=True)
        total = 0.0
        scores: dict[int, float] = defaultdict(float)
        for w in qwords:
            related = expansions.get(w, {w: 1.0})
            # the word's weight: IDF of its rarest form that occurs at all (a word nobody
            # uses still counts, so unknown words dilute every document alike)
            known = [self.idf(t) for t, r in related.items() if r >= 1.0 and t in self.postings]
            weight = max(known) if known else self.idf(w)
            total += weight
            best: dict[int, float] = {}
            for term, relation in related.items():
                for key, doc_weight in self.postings.get(term, {}).items():
                    m = relation * doc_weight
                    if m > best.get(key, 0.0):
                        best[key] = m
            for key, m in best.items():
                scores[key] += weight * m
        return {key: s / total for key, s in scores.items()}
