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
And (3) **another animal**: the most specific animals the candidate's name and
description name (the WordNet senses of its words that are animals; a general word beside
a specific one — "farm animal, pig grunting" — counts as the specific one) when none is the
query's animal, a kind of it or a more general word for it: "A bear" for "panda bleating",
"Lion roar" for "cheetah growl", a pig on a piggery for "alpaca humming". Sentence
embeddings put every big cat near every other one; the words do not. What an animal word
of the analyzer's vocabulary stands for is the vocabulary's to say (``extents``, its
``wordnet`` synsets): WordNet files "songbird" as one more kind of oscine bird beside the
thrushes, wrens and finches, while a songbird in a photo is any of them, so a nightingale
is no other animal than the songbird asked for, and a "Wren" names it (as a kind of it,
``EXTENT_WEIGHT``: WordNet files wrens under passerines, no oscine).
The verifier accepts a candidate that names enough of the query and rejects a
contradiction or another animal, with thresholds fitted on the labelled pairs (``calibration``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ..library.lexical import DESCRIPTION_WEIGHT, field_words, plain_expansions, singular, words
from ..manifest import Sound


class Lexicon(Protocol):
    def expansions(self, words, *, verbs: bool = False) -> dict[str, dict[str, float]]: ...

    def antonyms(self, words) -> dict[str, set[str]]: ...

    def kinds(self, words) -> dict[str, set[str]]: ...

    def animal_senses(self, words) -> dict[str, list[set[str]]]: ...

    def usual_animal_senses(self, words) -> dict[str, list[set[str]]]: ...

    def animal_group(self, words: list[str]) -> str | None: ...

    def animal_compounds(self, pairs) -> set[str]: ...

    def thing_compounds(self, pairs) -> set[str]: ...

    def substances(self, words) -> set[str]: ...

    def places(self, words) -> set[str]: ...

    def lexnames(self, words) -> dict[str, str]: ...

    def persons(self, words, *, groups: bool = False) -> set[str]: ...

    def mostly_animals(self, words) -> set[str]: ...

    def lemmas(self, synset: str) -> set[str]: ...


@dataclass(frozen=True)
class Wording:
    naming: float  # 0..1: share of the query's words the candidate's text names
    things: float  # 0..1: the same over the query's things ("cat" of "cat meowing"), not its -ing actions
    contradiction: str | None  # "'close' is the opposite of 'opening'"
    other: str | None = None  # "names bear, not panda": the animal it names instead of the query's
    kind: str | None = None  # "names lion, a kind of big cat": a kind of the animal group the query names
    group: str | None = None  # that group's synset ("big_cat.n.01")
    modifier: str | None = None  # "names wind, not wind chime": only the first word of the made thing asked for
    other_thing: str | None = None  # "names axe, not chainsaw": another tool or instrument than the query's


LISTING = frozenset({"and", "with", "or", ","})
# what every bed is, not a thing in it: "restaurant ambience" asks a bed for a restaurant, and a
# bed labelled "Restaurant walla" names all it asks for (a one-shot "farm animal" is no ambience)
EXTENT_WEIGHT = 0.75  # a candidate's animal within the extent of a query's vocabulary word names it as a kind of it
NAMED = 0.5  # a query word the candidate's words name at least this much (a synonym, a kind of it) is named
# what a bed's sound can be once its place is set aside: animals, people, crowds and traffic,
# wind and rain, waves and fire, machines and bells, talk and music (no stones, trees, water or a quiet)
SOUND_SOURCES = frozenset({"noun.animal", "noun.person", "noun.group", "noun.phenomenon", "noun.event", "noun.artifact",
                           "noun.communication", "noun.act", "noun.food"})
# where a bed is, in words WordNet has as adverbs only ("outdoor" of "wind blowing outdoors")
OUT_OR_IN = frozenset({"outdoor", "outdoors", "indoor", "indoors", "outside", "inside"})
SET_IN = frozenset({"in", "at"})  # "crowd in a city street", "owl hoot at night"
ARTICLES = frozenset({"a", "an", "the"})
# where the phrase after "in" or "at" ends: another preposition or a listing ("in a room with a view")
PHRASE_ENDS = SET_IN | LISTING | frozenset({"on", "by", "of", "from", "to", "near", "over", "under", "through", "into", "during"})
SETTING_WORDS = frozenset({"ambience", "ambiance", "ambient", "atmosphere", "atmos", "background", "soundscape"})
# families of made things whose members sound each their own way: an axe is no chainsaw, a banjo no guitar
FAMILIES = frozenset({"tool.n.01", "musical_instrument.n.01"})


def _listed_animals(phrase: list[str], text: str, senses: dict) -> list[str]:
    """The first animal word of ``phrase`` (the words of ``text``) and every other one listed
    beside it ("birds and bees", "chickens, cows"), not one that follows it as its call would
    ("cockerel crow")."""
    animals = [w for w in phrase if senses[w]]
    raw = re.findall(r"[a-z]+|,", text.lower())
    listed = animals[:1]
    for w in animals[1:]:
        i = next((k for k, token in enumerate(raw) if token == w.split("_", 1)[0]), 0)
        if i > 0 and raw[i - 1] in LISTING:
            listed.append(w)
    return listed


def _own_texts(sound: Sound) -> list[tuple[str, list[str]]]:
    """A recording's own texts, its name and its description without asides in parentheses,
    each with its words: where two adjacent words may name one thing ("sea lion",
    "pneumatic drill")."""
    texts = (re.sub(r"_+", " ", sound.name), re.sub(r"\([^)]*\)", " ", sound.description))
    return [(text, words(re.sub(r"[\-.]+", " ", text))) for text in texts]


class WordEvidence:
    """Naming and contradiction of a candidate's text against a query (module doc)."""

    def __init__(self, lexicon: Lexicon | None, extents: dict[str, Iterable[str]] | None = None):
        self.lexicon = lexicon
        # animal word ("songbird") -> the synsets it stands for in the analyzer's vocabulary
        self.extents = {k.replace(" ", "_"): tuple(v) for k, v in (extents or {}).items()}

    def _expand(self, items: list[str], verbs: bool) -> dict[str, dict[str, float]]:
        if self.lexicon is None:
            return plain_expansions(items)
        return self.lexicon.expansions(items, verbs=verbs)

    def judge(self, query: str, sound: Sound, *, bed: bool = False) -> Wording:
        """``bed``: the query asks for a kind of place's bed, whose place words are where the
        sound is, not what sounds (:meth:`_where`); an object query's are only the place it
        sets its thing in (:meth:`_set_in`)."""
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
        for w, weight in self._named_by_extent(qwords, bag).items():
            named[w] = max(named[w], weight)
        modifiers = self._ing_modifiers(query, qwords)  # "sewing" of "sewing machine running" is a thing's name
        setting = SETTING_WORDS if sound.kind == "bed" else frozenset()  # a one-shot is no ambience
        thing_words = [w for w in qwords if (not w.endswith("ing") or w in modifiers) and w not in setting]
        where = self._where(query, [w for w in thing_words if w not in SETTING_WORDS]) if bed else self._set_in(query, thing_words)
        if where and not self._another_place(sound, where, tags=not bed):
            thing_words = [w for w in thing_words if w not in where]
            setting = setting | where
            # without its place, a bed's thing is one word: "wind chime" must not name the wind
            for w in self._only_in_own_thing(query, [w for w in thing_words if named[w] >= NAMED], sound):
                named[w] = 0.0
        if self.lexicon is not None and thing_words and set(thing_words) <= self.lexicon.substances(thing_words):
            # a material or a plant sounds by what is done to it: a glass door or a glass of water is
            # no glass breaking, a drill in wood no wood splitting, a lawn mowed no walking on grass;
            # the action must be named too
            things = [named[w] for w in qwords if w not in setting]
        else:
            things = [named[w] for w in thing_words]
        things = things or list(named.values())
        kind = self.kind_of(query, sound)
        return Wording(sum(named.values()) / len(qwords), sum(things) / len(things), self._contradiction(qwords, qexp, bag),
                       self.other_animal([query], sound), *(kind or (None, None)),
                       modifier=self._modifier_only(query, sound, thing_words, named),
                       other_thing=self.other_thing(thing_words, sound))

    def _set_in(self, query: str, thing_words: list[str]) -> set[str]:
        """The words of a place an object query sets its thing in ("city street" of "crowd in a
        city street", "room" of "voices in a room", "night" of "owl hoot at night"): where it is
        heard, not what is heard. Only a phrase after "in" or "at" whose last word is a place
        (``places``; WordNet's first sense of "square", "market" or "concert" is none), and only
        when a thing is left: "footsteps on a wooden floor" keeps its floor, "walking in snow"
        its snow."""
        if self.lexicon is None:
            return set()
        raw = re.findall(r"[a-z]+", query.lower())
        where: set[str] = set()
        for k, w in enumerate(raw):
            if w not in SET_IN:
                continue
            phrase = []
            for nxt in raw[k + 1:]:
                if nxt in PHRASE_ENDS:
                    break
                if nxt not in ARTICLES:
                    phrase.append(nxt)
            if phrase and self.lexicon.places([phrase[-1]]):
                where.update(w for w in phrase if w in thing_words)
        return where if any(w not in where for w in thing_words) else set()

    def _where(self, query: str, thing_words: list[str]) -> set[str]:
        """Of a bed query's things, its places ("mountain" of "mountain wind ambience", "stadium"
        of "stadium crowd cheering", "night" of "night ambience crickets"; ``places``): a
        recording of what sounds there names the bed whether or not it names the place, which a
        collection labelling its clips by their source ("wind", "crowd", "crickets") never does.
        None when the places are all its things ("city street", "forest"): then the place is
        what is asked for; and none unless what is left is what sounds (:data:`SOUND_SOURCES`):
        "quiet garden" asks for a garden's quiet, "old stone courtyard" for a courtyard. An
        action before a place ("blowing" of "blowing outdoors") goes with it."""
        if self.lexicon is None:
            return set()
        where = self.lexicon.places(thing_words) | OUT_OR_IN.intersection(thing_words)
        raw = re.findall(r"[a-z]+", query.lower())
        where |= {a for a, b in zip(raw, raw[1:]) if a.endswith("ing") and b in where}
        rest = [w for w in thing_words if w not in where]
        kinds = self.lexicon.lexnames(rest)
        if not any(kinds.values()) or not all(k in SOUND_SOURCES for k in kinds.values() if k):
            return set()  # "quiet garden": a quiet is no thing; "old stone courtyard": stones sound by what is done to them
        return where

    def other_thing(self, thing_words: list[str], sound: Sound) -> str | None:
        """"names axe, not chainsaw" when the first of the query's things that is a tool or a
        musical instrument (:data:`FAMILIES`) is not named by the candidate's own words (name and
        description), which name another of that family instead: neither a kind of it (a
        "grand piano" for a piano) nor a more general word for it (a "saw" for a chainsaw),
        nor the same thing by another name (a fiddle for a violin). Splitting firewood with
        an axe is no chainsaw cutting wood, a banjo no guitar, however near a sentence
        embedding puts them. None without a lexicon, or when the candidate names no such thing."""
        if self.lexicon is None or not thing_words:
            return None
        kinds = self.lexicon.kinds(thing_words)
        wanted = next((w for w in thing_words if kinds[w].intersection(FAMILIES)), None)
        if wanted is None:
            return None
        family = kinds[wanted].intersection(FAMILIES)
        pairs = [(a, b) for _, seq in _own_texts(sound) for a, b in zip(seq, seq[1:])]
        compounds = [f"{a}_{singular(b)}" for a, b in pairs]  # "chain saw" is a chainsaw, not a saw
        compound_kinds = self.lexicon.kinds(compounds)
        if wanted in {a + singular(b) for a, b in pairs} or any(kinds[wanted] <= k for k in compound_kinds.values() if k):
            return None
        own = self._own_words(sound)
        own_kinds = self.lexicon.kinds(own)
        named = [u for u in own if own_kinds[u] & family]
        if not named or any(kinds[wanted] <= own_kinds[u] or own_kinds[u] <= kinds[wanted] for u in named):
            return None
        return f"names {named[0]}, not {wanted}"

    def _another_place(self, sound: Sound, where: set[str], *, tags: bool = False) -> set[str]:
        """The places a candidate's name and description name that the query does not: a
        recording of another place ("voices murmuring in a tavern", "rain in Seattle") is
        that place's sound, so a bed query keeps its own place for it. With ``tags`` (an
        object's place, :meth:`_set_in`) the tags count too: a football crowd tagged "stadium"
        is no crowd in a city street. A bed's own tags name its wider place ("school" of a
        classroom), so they do not."""
        own = {w for _, seq in _own_texts(sound) for w in seq}
        if tags:
            own |= {w for t in sound.tags for w in words(t)}
        return self.lexicon.places(own) - where if self.lexicon is not None else set()

    def _only_in_own_thing(self, query: str, named_words: list[str], sound: Sound) -> set[str]:
        """Of the query words the candidate names, those it names only as the first word of a
        made thing of its own (``thing_compounds``) the query does not ask for: "wind chime"
        names no wind, "fire truck" no fire (the mirror of :meth:`_modifier_only`). Empty
        without a lexicon."""
        if self.lexicon is None or not named_words:
            return set()
        texts = [seq for _, seq in _own_texts(sound)]
        pairs = {f"{a}_{singular(b)}": a for seq in texts for a, b in zip(seq, seq[1:]) if a in named_words}
        if not pairs:
            return set()
        raw = re.findall(r"[a-z]+", query.lower())
        asked = {f"{a}_{singular(b)}" for a, b in zip(raw, raw[1:])}
        compounds = self.lexicon.thing_compounds(p for p in pairs if p not in asked)
        out = set()
        for w in {pairs[c] for c in compounds}:
            alone = any(a == w and (i + 1 == len(seq) or f"{a}_{singular(seq[i + 1])}" not in compounds)
                        for seq in texts for i, a in enumerate(seq))
            if not alone and w not in sound.tags:
                out.add(w)
        return out

    def _modifier_only(self, query: str, sound: Sound, thing_words: list[str], named: dict[str, float]) -> str | None:
        """"names wind, not wind chime" when the query asks for a made thing by two words
        (``thing_compounds``: a wind chime, a fire engine, a car horn, a coffee shop) and of
        all its things the candidate names only the first of those two: a gust of wind is no
        wind chime, a fire crackling no fire engine, a car passing no car horn, though a
        sentence embedding puts each near the query by that shared word. None without a
        lexicon."""
        if self.lexicon is None:
            return None
        raw = re.findall(r"[a-z]+", query.lower())
        pairs = {f"{a}_{b}": (a, b) for a, b in zip(raw, raw[1:]) if a in thing_words and b in thing_words}
        for compound in sorted(self.lexicon.thing_compounds(pairs)):
            first = pairs[compound][0]
            if named[first] < NAMED or any(named[w] >= NAMED for w in thing_words if w != first):
                continue
            # a made thing of its own by that word is another name for it, or a kind of it, when
            # WordNet files the two as one (a "fire engine" for "fire truck siren"); another thing
            # by that word is not: a wind turbine is no wind chime, a car alarm no car horn
            own = [pair for _, seq in _own_texts(sound) for pair in self._thing_heads(seq) if pair.startswith(f"{first}_")]
            kinds = self.lexicon.kinds([compound, *own])
            if not any(kinds[compound] <= kinds[pair] or kinds[pair] <= kinds[compound] for pair in own):
                return f"names {first}, not {compound.replace('_', ' ')}"
        return None

    def _extent(self, word: str) -> tuple[str, ...]:
        """The synsets the analyzer's vocabulary says ``word`` stands for (none: WordNet's own)."""
        return self.extents.get(singular(word), self.extents.get(word, ()))

    def _named_by_extent(self, qwords: list[str], bag: dict[str, float]) -> dict[str, float]:
        """Query word -> ``EXTENT_WEIGHT`` (times the candidate word's field weight) for each
        query word the analyzer's vocabulary gives an extent ("songbird": oscine and passerine
        birds) when one of the candidate's words is an animal within it ("Wren singing")."""
        extent = {w: set(self._extent(w)) for w in qwords}
        extent = {w: synsets for w, synsets in extent.items() if synsets}
        if not extent or self.lexicon is None:
            return {}
        senses = self.lexicon.animal_senses(sorted(bag))
        return {w: max((EXTENT_WEIGHT * bag[d] for d in bag for k in senses.get(d, []) if synsets & k), default=0.0)
                for w, synsets in extent.items()}

    def _ing_modifiers(self, query: str, qwords: list[str]) -> set[str]:
        """The -ing words of ``query`` that name a thing together with the noun after them
        ("sewing machine", "shopping trolley", "washing machine"), not what it does
        ("dog barking", "people chatting in a market", "water running fast"): the next word
        of the query is a content word that WordNet knows as a physical thing ("fast" is a
        fasting to it, an act: no thing). Without a lexicon: none."""
        if self.lexicon is None:
            return set()
        raw = re.findall(r"[a-z]+", query.lower())
        pairs = [(w, nxt) for w, nxt in zip(raw, raw[1:]) if w.endswith("ing") and not nxt.endswith("ing") and nxt in qwords]
        if not pairs:
            return set()
        kinds = self.lexicon.kinds([nxt for _, nxt in pairs])
        return {w for w, nxt in pairs if "physical_entity.n.01" in kinds.get(nxt, ())}

    def kind_of(self, query: str, sound: Sound) -> tuple[str, str] | None:
        """("names lion, a kind of big cat", "big_cat.n.01") when the query names an animal group small enough
        to stand for any of its kinds (``animal_group``: "big cat growling", "bird of prey
        call", "dog barking") and the candidate's own words (name and description) name an
        animal of that group by another word than the group's own (a lion, a gander; a "horse
        call" for "herd of horses galloping" names the horse itself, and whether a call is a
        gallop is the embedding's question); else None. A sentence embedding ranks "A lion"
        nearest the concept "lion", below "big cat growling": right, and no reason to refuse it.
        Without a lexicon there is no evidence: None."""
        if self.lexicon is None:
            return None
        group = self.lexicon.animal_group(re.findall(r"[a-z]+", query.lower()))
        if group is None:
            return None
        own = sorted(self._own_words(sound))
        senses = self.lexicon.animal_senses(own)
        plain = self.lexicon.lemmas(group)  # "horse call" for "herd of horses galloping" names the group itself:
        kinds = [w for w in own  # the embedding judges that (a call is no gallop); "cat" is no big cat (its first sense)
                 if senses[w] and group in senses[w][0] and w.replace("_", " ") not in plain and w.rstrip("s") not in plain]
        if not kinds:
            return None
        return f"names {kinds[0].replace('_', ' ')}, a kind of {group.split('.')[0].replace('_', ' ')}", group

    def groups(self, names: Iterable[str]) -> set[str]:
        """The animal groups (synset names) that ``names`` name: a thing's label ("big cat",
        "bird of prey") and its hierarchy table's steps ("wading bird" for a spoonbill) say
        which group's every kind is right for it. Without a lexicon: none."""
        if self.lexicon is None:
            return set()
        found = (self.lexicon.animal_group(re.findall(r"[a-z]+", n.lower())) for n in names)
        return {g for g in found if g}

    def other_animal(self, things: Iterable[str], sound: Sound, siblings: Iterable[str] = ()) -> str | None:
        """"names bear, not panda" when the candidate's own words (name and description,
        not its asides or tags) name animals and none of their most specific ones is the
        animal wanted, a kind of it or a more general word for it, or name no animal but a
        person ("names woman, not hyena"); else None. The animal
        wanted is the one the first of ``things`` that names any animal names (an object's
        first query, else its label: "meerkat calls" when WordNet knows no meerkat).

        ``siblings``: animals a listener accepts *instead* (a fallback table's "duck" for a
        goose); more general words among them (a "farm animal" for a llama) allow nothing
        new, since a pig is a farm animal too. Without a lexicon there is no evidence: None.
        """
        if self.lexicon is None:
            return None
        phrases = [self._animal_compounds(words(t)) for t in things]
        sibling_words = [w for t in siblings for w in words(t)]  # "farm animals" read as one would be a new animal
        own = self._own_words(sound, {w for p in phrases for w in p if "_" in w})
        senses = self.lexicon.animal_senses([*(w for p in phrases for w in p), *sibling_words, *own])
        # the first thing that names an animal asks for its first animal and those listed beside it:
        # "cockerel crow" asks for a cockerel (that crows), not for a crow, "garden ambience birds and
        # bees" for both; "bird of prey call" is one word here (a compound)
        wanted_words = next((_listed_animals(p, t, senses) for p, t in zip(phrases, things, strict=True)
                             if any(senses[w] for w in p)), [])
        usual = self.lexicon.usual_animal_senses(wanted_words)  # "cat" asked for is the house cat, not a big cat
        wanted = [frozenset(k) for w in wanted_words for k in usual[w]] + self._extent_senses(wanted_words)
        if not wanted:
            return None
        wanted += [frozenset(k) for w in sibling_words for k in senses[w] if not any(frozenset(k) < q for q in wanted)]
        named = {w: [frozenset(k) for k in senses[w]] for w in own if senses[w]}
        if not named:  # a "woman laughing" is no laughing hyena, a "man whistling" no bird (unless people are asked for too;
            # the animal asked for is none of them, though WordNet's "gull" is first a dupe)
            if self.lexicon.persons((w for p in phrases for w in p if w not in wanted_words), groups=True):
                return None
            people = self.lexicon.persons(own)
            person = next((w for w in own if w in people), None)
            return f"names {person}, not {wanted_words[0].replace('_', ' ')}" if person else None
        usual = {w: [frozenset(k) for k in ks] for w, ks in self.lexicon.usual_animal_senses(named).items()} if named else {}

        def general(w: str) -> bool:  # a sense of it is more general than another word named ("animal" beside "pig",
            return any(k < o for k in named[w] + usual[w] for v, others in named.items() if v != w for o in others)  # "cat"
            # beside "tiger", "farm animal", any animal kept for use, beside "pig")

        specific = [w for w in named if not general(w)]
        # a word named is the animal wanted in any of its senses when that sense is a kind of it (a "sparrow" may be
        # the hedge sparrow, a songbird), but a more general word for it only in the senses it is used in: "cat
        # purring" is the house cat, no cheetah, though WordNet's "cat" may also mean the big cat
        if not specific or any(q <= k for w in specific for k in named[w] for q in wanted) or any(
                k <= q for w in specific for k in usual[w] for q in wanted):
            return None
        first = next(w for w in wanted_words if senses[w])
        deepest = min(specific, key=lambda w: (-max(len(k) for k in named[w]), w))  # "pig" before "farm animal"
        return f"names {deepest.replace('_', ' ')}, not {first.replace('_', ' ')}"

    def _extent_senses(self, animal_words: Iterable[str]) -> list[frozenset[str]]:
        """For each word with an extent, the senses (every synset each is a kind of) of the
        synsets it stands for: "songbird" -> oscine bird's and passerine's."""
        assert self.lexicon is not None
        out: list[frozenset[str]] = []
        for w in animal_words:
            for synset in self._extent(w):
                lemmas = sorted(lemma.replace(" ", "_") for lemma in self.lexicon.lemmas(synset))
                out += [frozenset(k) for senses in self.lexicon.animal_senses(lemmas).values() for k in senses
                        if synset in k]
        return list(dict.fromkeys(out))

    def animal_homonym(self, things: Iterable[str], sound: Sound) -> str | None:
        """"names bats, an animal, where 'baseball bat' means a thing" when ``things`` (a
        thing's label and query) end a two-word name WordNet knows as no animal with a word
        ("baseball bat", "computer mouse": the head) and the candidate's own words name that
        word as an animal in its most used sense: a swarm of bats flying is no baseball bat's
        crack, but a cordless drill is no baboon. A first word keeps its own sense (a horse
        cart's horse is heard). Else, or without a lexicon, None."""
        if self.lexicon is None:
            return None
        meant: dict[str, str] = {}  # word (singular) -> the thing's name it belongs to
        for text in things:  # the head is the thing: a horse cart's horse is a horse all the same
            for pair, head in self._thing_heads(words(text)).items():
                meant.setdefault(head, pair.replace("_", " "))
        if not meant:
            return None
        own = self._own_words(sound)
        senses = self.lexicon.animal_senses(own)
        mostly = self.lexicon.mostly_animals(w for w in own if singular(w) in meant and senses.get(w))
        hits = [w for w in own if singular(w) in meant and w in mostly]  # bats, mice; a "drill" is first a tool
        if not hits:
            return None
        # the candidate may use the word as the thing too: a "pneumatic drill" is no baboon
        as_thing = {head for _, seq in _own_texts(sound) for head in self._thing_heads(seq, set(meant)).values()}
        hit = next((w for w in hits if singular(w) not in as_thing), None)
        return f"names {hit}, an animal, where '{meant[singular(hit)]}' means a thing" if hit else None

    def _thing_heads(self, seq: list[str], heads: set[str] | None = None) -> dict[str, str]:
        """"a_b" -> b (singular) for each two adjacent words of ``seq`` that WordNet knows as a
        noun that is no animal ("baseball bat", "pneumatic drill"), only those whose head is in
        ``heads`` when given."""
        assert self.lexicon is not None
        pairs = {f"{a}_{singular(b)}": singular(b) for a, b in zip(seq, seq[1:])
                 if heads is None or singular(b) in heads}
        if not pairs:
            return {}
        kinds, animals = self.lexicon.kinds(pairs), self.lexicon.animal_senses(pairs)
        return {pair: head for pair, head in pairs.items() if kinds.get(pair) and not animals.get(pair)}

    def thing_not_animal(self, label: str, query: str, sound: Sound) -> str | None:
        """"names elephant, an animal, and 'brass' is a thing" when a thing's label is a
        man-made thing to WordNet (its sense under ``artifact.n.01``), neither it nor its query
        asks for an animal (a horse cart does), and the candidate's own words name an animal
        in the sense it is usually meant, and which is the word's most used sense at all: an
        elephant's trumpeting is no trumpet, geese flying over no fly swatter, but a drum kit's
        "kit" is no young fox and a railway's "rail" no marsh bird. Else, or without a lexicon, None."""
        if self.lexicon is None or self.animal_asked(label) or self.animal_asked(query):
            return None
        name = "_".join(words(label))
        if not name or "artifact.n.01" not in self.lexicon.kinds([name]).get(name, set()):
            return None
        hit = self._first_usual_animal(self._own_words(sound))
        return f"names {hit.replace('_', ' ')}, an animal, and '{label}' is a thing" if hit else None

    def animal_not_people(self, things: Iterable[str], sound: Sound) -> str | None:
        """"names dog, an animal, where people are meant" when ``things`` (a thing's label and
        query) ask for people ("people in a square", "passers-by talking": WordNet persons and
        groups) and for no animal, and the candidate's *name* names an animal in the sense the
        word is most used in: a recording called "dog barking in the backyard" is the dog's,
        though its description says it barks at passers-by. Only the name: a park's birdsong
        in a description of people talking stays theirs. Else, or without a lexicon, None."""
        if self.lexicon is None:
            return None
        things = list(things)
        if any(self.animal_asked(t) for t in things):
            return None
        if not self.lexicon.persons((w for t in things for w in words(t)), groups=True):
            return None
        hit = self._first_usual_animal(words(sound.name))
        return f"names {hit} in its name, an animal, where people are meant" if hit else None

    def _first_usual_animal(self, seq: list[str]) -> str | None:
        """The first of ``seq`` that is an animal in the sense it is usually meant and whose
        most used sense is one (a drum "kit" is no young fox), or a two-word animal; else None."""
        assert self.lexicon is not None
        senses = self.lexicon.usual_animal_senses(seq)
        mostly = self.lexicon.mostly_animals(w for w in seq if senses.get(w))
        return next((w for w in seq if senses.get(w) and ("_" in w or w in mostly)), None)

    def _own_words(self, sound: Sound, asked: set[str] = frozenset()) -> list[str]:
        """The words of a candidate's name and description (not its asides or tags), each
        two-word animal joined into one: "sea lions" is a sea lion, no lion, and a guinea pig no
        pig (WordNet's ``animal_compounds``: a "black cat" stays a cat that is black, not
        WordNet's "black cat", a fisher); and so is the two-word animal ``asked`` for, or
        another of the same head word ("giant panda" when a red panda is asked for). An animal
        word right before another says which one of it ("bull elephant", "hen pheasant"): the
        elephant is named, no bull (cattle, as good as a cow)."""
        assert self.lexicon is not None
        bag = field_words(sound.name, sound.description, sound.tags)
        own = [w for w, weight in bag.items() if weight >= DESCRIPTION_WEIGHT]
        heads = {w.rsplit("_", 1)[1] for w in asked}  # "panda" when a red panda is asked for
        for text, split in _own_texts(sound):
            pairs = [(a, b, f"{a}_{singular(b)}") for a, b in zip(split, split[1:])]
            if not pairs:
                continue
            named = self.lexicon.animal_compounds(c for _, _, c in pairs)
            same_head = self.lexicon.animal_senses(c for _, b, c in pairs if singular(b) in heads) if heads else {}
            animals = self.lexicon.animal_senses(split)
            for a, b, compound in pairs:
                if compound not in own and (compound in asked or compound in named or same_head.get(compound)):
                    own = [w for w in own if w not in (a, b, singular(b))] + [compound]
                elif (animals[a] and animals[b] and a != b  # "bull elephant", "hen pheasant": the sex of the second,
                      and re.search(rf"\b{re.escape(a)} +{re.escape(b)}\b", text.lower())):  # not a list ("chickens, cows", "Pigs - Sows")
                    own = [w for w in own if w != a]
        return own

    def animal_asked(self, text: str) -> list[frozenset[str]]:
        """The animal a query (or any short phrase) asks for, in the senses it is used in: its
        first word (or two-word animal) WordNet knows as an animal, every synset each sense
        is a kind of ("cat meowing" -> the house cat's; "bird of prey call" -> a bird of
        prey's); empty without one or without a lexicon."""
        if self.lexicon is None:
            return []
        seq = self._animal_compounds(words(text))
        senses = self.lexicon.animal_senses(seq)
        first = next((w for w in seq if senses[w]), None)
        return [frozenset(k) for k in self.lexicon.usual_animal_senses([first])[first]] if first else []

    def _animal_compounds(self, seq: list[str]) -> list[str]:
        """``seq`` with each two adjacent words that WordNet knows as one animal joined
        ("red_panda", "sea_lion", "guinea_pig", "bird of prey" -> "bird_of_prey": the words leave
        out "of"): a red panda is not the panda, a sea lion no lion.
        The query's words are read so; a recording's are read by :meth:`_own_words`."""
        assert self.lexicon is not None
        pairs = [f"{a}{join}{b}" for a, b in zip(seq, seq[1:]) for join in ("_", "_of_")]  # "of" is no search word
        senses = self.lexicon.animal_senses(pairs) if pairs else {}
        out, i = [], 0
        while i < len(seq):
            join = next((j for j in ("_", "_of_") if i + 1 < len(seq) and senses.get(f"{seq[i]}{j}{seq[i + 1]}")), None)
            if join:
                out.append(f"{seq[i]}{join}{singular(seq[i + 1])}")  # "sea lions" and "sea lion" are one animal
                i += 2
            else:
                out.append(seq[i])
                i += 1
        return out

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
