"""WordNet hypernyms from Debian's ``wordnet-base`` + ``wordnet-sense-index``, read by NLTK.

Why not ``nltk.download('wordnet')``: nothing may be downloaded at run time, while the
Debian packages come through the package registry like any other dependency. Two quirks
of that route are handled by :func:`ensure_wordnet`:

* NLTK's reader wants a ``lexnames`` file (the 45 lexicographer file names, WordNet 3.0
  ``lexnames(5WN)``) that the Debian package does not ship: we write it.
* NLTK refuses symlinks that lead out of its data root, so the database files are
  *copied* into ``<data>/nltk_data/corpora/wordnet``.

Sense choice: the first sense of a word is often not the one that sounds ("maple" is first
the wood, then the tree). :func:`sounding_sense` takes the first noun sense whose
hypernym paths reach a thing that can make a sound — an organism, an artifact, a natural
phenomenon or a natural object — and falls back to the first sense otherwise.

Besides hypernym chains for the fallback walk, :meth:`WordNet.expansions` gives the words
people use for the same thing, for search (``library.lexical``): "thoroughbreds" ->
thoroughbred, racehorse, horse; "whinnying" -> neigh; "fiddle" -> violin; "bugler" ->
bugle. Both answers are kept in small JSON files beside the corpus, so the ~3 s it takes
NLTK to open the database is paid once per new word, not once per run.
"""

from __future__ import annotations

import atexit
import json
import re

import shutil
import time
import warnings
from dataclasses import dataclass
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..library.debian import fetch_package

WORDNET_PACKAGES = ("wordnet-base", "wordnet-sense-index")

# WordNet 3.0 lexicographer files, in file-number order (lexnames(5WN)); the third column is
# the syntactic category (1 noun, 2 verb, 3 adjective, 4 adverb).
LEXNAMES: tuple[tuple[str, int], ...] = (
    ("adj.all", 3), ("adj.pert", 3), ("adv.all", 4),
    ("noun.Tops", 1), ("noun.act", 1), ("noun.animal", 1), ("noun.artifact", 1),
    ("noun.attribute", 1), ("noun.body", 1), ("noun.cognition", 1), ("noun.communication", 1),
    ("noun.event", 1), ("noun.feeling", 1), ("noun.food", 1), ("noun.group", 1),
    ("noun.location", 1), ("noun.motive", 1), ("noun.object", 1), ("noun.person", 1),
    ("noun.phenomenon", 1), ("noun.plant", 1), ("noun.possession", 1), ("noun.process", 1),
    ("noun.quantity", 1), ("noun.relation", 1), ("noun.shape", 1), ("noun.state", 1),
    ("noun.substance", 1), ("noun.time", 1),
    ("verb.body", 2), ("verb.change", 2), ("verb.cognition", 2), ("verb.communication", 2),
    ("verb.competition", 2), ("verb.consumption", 2), ("verb.contact", 2), ("verb.creation", 2),
    ("verb.emotion", 2), ("verb.motion", 2), ("verb.perception", 2), ("verb.possession", 2),
    ("verb.social", 2), ("verb.stative", 2), ("verb.weather", 2),
    ("adj.ppl", 3),
)  # fmt: skip

# Synsets under which things make sounds; a sense whose hypernym paths reach one of these
# is preferred over an earlier sense that does not (wood, colour, abstraction…).
# ``event.n.01`` admits waves, thunder and fire (noun.event senses) that reach no other root.
SOUNDING_ROOTS = ("organism.n.01", "artifact.n.01", "natural_phenomenon.n.01", "natural_object.n.01", "event.n.01")

# An animal group with at most this many kinds under it (WordNet hyponym closure) is
# specific enough that any kind of it is a recording of it: dog 189, wading bird 125,
# bird of prey 80, big cat 19 — but not bird (871), insect (454) or animal (4,016).
GROUP_MAX = 200

# Where things sound, not what sounds (``WordNet.places``): buildings, rooms, roads,
# facilities, land forms and woodland, besides noun.location and noun.time senses.
PLACE_KINDS = frozenset({"structure.n.01", "area.n.05", "way.n.06", "facility.n.01", "establishment.n.04",
                         "geological_formation.n.01", "vegetation.n.01", "land.n.04", "location.n.01"})

# Hypernyms too abstract to search a sound library for ("whole", "object", "entity"…).
TOO_ABSTRACT = frozenset(
    {
        "entity.n.01", "physical_entity.n.01", "object.n.01", "whole.n.02", "living_thing.n.01",
        "organism.n.01", "artifact.n.01", "instrumentality.n.03", "abstraction.n.06",
        "matter.n.03", "causal_agent.n.01", "natural_object.n.01", "phenomenon.n.01",
        "natural_phenomenon.n.01", "process.n.06", "physical_phenomenon.n.01", "device.n.01",
        "container.n.01", "chordate.n.01", "vertebrate.n.01", "placental.n.01", "eutherian_mammal.n.01",
        "vascular_plant.n.01", "woody_plant.n.01", "conveyance.n.03", "self-propelled_vehicle.n.01",
        "wheeled_vehicle.n.01", "craft.n.02", "structure.n.01", "commodity.n.01", "consumer_goods.n.01",
        "event.n.01", "psychological_feature.n.01", "happening.n.01", "act.n.02", "thing.n.12",
        "group.n.01", "covering.n.02", "implement.n.01", "equipment.n.01",
    }
)  # fmt: skip


def _wordnet_files(data_dir: Path) -> list[Path]:
    files: list[Path] = []
    for package in WORDNET_PACKAGES:
        root = fetch_package(package, data_dir) / "usr" / "share" / "wordnet"
        files.extend(p for p in sorted(root.iterdir()) if p.is_file())
    return files


def ensure_wordnet(data_dir: Path) -> Path:
    """Return ``<data>/nltk_data/corpora/wordnet`` ready for NLTK, building it only once.

    Unpacks the two Debian packages (idempotent), copies their database files and writes
    ``lexnames``. A ``.complete`` stamp makes later calls a single ``stat``.
    Raises :class:`~image_extender.library.debian.FetchError` when the packages cannot be had.
    """
    target = Path(data_dir) / "nltk_data" / "corpora" / "wordnet"
    stamp = target / ".complete"
    if stamp.exists():
        return target
    tmp = target.with_name("wordnet.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for src in _wordnet_files(Path(data_dir)):
        shutil.copyfile(src, tmp / src.name)  # a copy, not a symlink: NLTK rejects those
    lines = [f"{i:02d}\t{name}\t{cat}" for i, (name, cat) in enumerate(LEXNAMES)]
    (tmp / "lexnames").write_text("\n".join(lines) + "\n", encoding="ascii")
    (tmp / ".complete").write_text("WordNet 3.0 from Debian " + " + ".join(WORDNET_PACKAGES) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


@lru_cache(maxsize=2)
def _open_reader(corpus_dir: str):
    """One NLTK reader per corpus folder and process: opening it costs ~3 s, and the
    finder, the analyzer and the library search all ask WordNet."""
    import nltk.data
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class WordNet30Reader(WordNetCorpusReader):
        def map_wn(self, version="wordnet"):
            # NLTK 3.9+ maps the loaded database onto WordNet 3.0 for multilingual (OMW)
            # data by re-reading index.sense: ~9 s. Debian's database *is* 3.0 and we use
            # no OMW, so there is nothing to map.
            return None

    # NLTK only reads corpora under a registered data root (its path sandbox).
    root = str(Path(corpus_dir).parent.parent)
    if root not in nltk.data.path:
        nltk.data.path.append(root)
    with warnings.catch_warnings():  # "multilingual functions are not available": we need none
        warnings.simplefilter("ignore", UserWarning)
        return WordNet30Reader(corpus_dir, None)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".partial")
    try:
        tmp.write_text(json.dumps(data, indent=0, sort_keys=True))
        tmp.replace(path)
    except OSError:
        pass  # a read-only data folder only costs speed


@dataclass(frozen=True)
class Hypernym:
    term: str  # searchable words ("tree")
    synset: str  # WordNet id it came from ("tree.n.01")


# How much a related word counts for the word itself (``WordNet.expansions``): a form of
# the word (plural, -ing) is the word; a synonym nearly; a word derived from it ("bugle" for
# "bugler") less; each hypernym level up ("racehorse", then "horse") less again.
SAME, SYNONYM, DERIVED, HYPERNYM, HYPERNYM_DECAY = 1.0, 0.9, 0.75, 0.75, 0.7
HYPERNYM_LEVELS = 3
USUAL_SENSES, USUAL_COUNT = 2, 2  # a synonym counts in the senses a word is used in (_usually_means)
EXPANSIONS_VERSION = 5  # bump when the expansion rules change: the disk cache is keyed by it
SAVE_EVERY_S = 30.0  # the expansions cache is written at most this often (and when the process ends)
VERB_SENSES = 2  # "croak" is first "die": only the first senses of a verb are its sounds


# senses that name people, or what is made of an animal, before the animal itself
NOT_THE_ANIMAL = frozenset({"noun.person", "noun.artifact", "noun.food", "noun.substance"})

# a gloss that makes a noun a sex or an age of an animal ("adult female chicken", "young of
# domestic cattle", "uncastrated adult male horse"), not a species of its own
# words of such a gloss that WordNet also files as animals but that name no species ("young": any immature animal)
GLOSS_NOT_AN_ANIMAL = frozenset({"young", "male", "female", "adult", "mature", "offspring", "animal", "animals"})
SEX_OR_AGE = re.compile(r"^(an? |the )?((mature|adult|uncastrated|castrated|domestic|young|immature|wild) )*"
                        r"(male|female|young|offspring|castrated)\b", re.IGNORECASE)


class WordNet:
    """Hypernym chains of sounding things, on a WordNet database folder."""

    def __init__(self, corpus_dir: Path):
        self.corpus_dir = Path(corpus_dir)
        self._related: dict | None = None  # expansions-cache.json, read once
        self._unsaved = 0  # entries computed since the cache file was last written
        self._saved_at = time.monotonic()

    @property
    def _related_path(self) -> Path:
        return self.corpus_dir.parent.parent / f"expansions-v{EXPANSIONS_VERSION}-cache.json"

    def _related_cache(self, keys: list[str], compute) -> dict:
        """The on-disk cache of expansions / antonyms, read once per instance; ``compute``
        fills the ``keys`` it lacks. The file (a megabyte once warm) is rewritten at most every
        ``SAVE_EVERY_S`` seconds and when the process ends (:meth:`save`), not on every miss:
        rewriting it per miss had made a first ``library coverage`` run 90 % JSON writing."""
        if self._related is None:
            self._related = _read_json(self._related_path)
        missing = [k for k in keys if k not in self._related]
        if missing:
            for k in missing:
                self._related[k] = compute(k)
            if not self._unsaved:
                atexit.register(self.save)
            self._unsaved += len(missing)
            if time.monotonic() - self._saved_at >= SAVE_EVERY_S:
                self.save()
        return self._related

    def _nouns_that(self, tag: str, words: Iterable[str], test) -> set[str]:
        """Of ``words`` (or two-word phrases joined by "_"), those whose noun senses, as WordNet
        lists them, pass ``test(base, senses)``; a word with no noun sense never does. Cached
        beside :meth:`expansions` under ``tag``."""
        words = list(dict.fromkeys(w.strip().lower() for w in words if w and w.strip()))

        def compute(key: str) -> bool:
            base = self._reader.morphy(key.split(":", 1)[1], "n")
            senses = self._reader.synsets(base, pos="n") if base else []
            return bool(senses) and test(base, senses)

        cache = self._related_cache([f"{tag}:{w}" for w in words], compute)
        return {w for w in words if cache[f"{tag}:{w}"]}

    def save(self) -> None:
        """Write what was computed since the last write (a no-op when nothing was)."""
        if self._unsaved and self._related is not None:
            _write_json(self._related_path, self._related)
            atexit.unregister(self.save)
        self._unsaved, self._saved_at = 0, time.monotonic()

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> WordNet:
        """The WordNet that ``setup-data`` unpacked into ``data_dir``; never downloads.

        At run time the data folder may be a typo (a wrong ``IMAGE_EXTENDER_DATA``): writing
        80 MB of packages into it would be worse than running without WordNet.
        """
        target = Path(data_dir) / "nltk_data" / "corpora" / "wordnet"
        if not (target / ".complete").exists():
            raise FileNotFoundError(f"WordNet is not set up in {data_dir}; run 'image-extender setup-data'")
        return cls(target)

    @property
    def _reader(self):
        return _open_reader(str(self.corpus_dir))

    def expansions(self, words: Iterable[str], *, verbs: bool = False) -> dict[str, dict[str, float]]:
        """word -> {related word: weight 0-1} for every word (itself included, weight 1).

        Relations: inflected forms (morphy), synonyms of the word's :meth:`thing_sense`,
        derivationally related words, and up to :data:`HYPERNYM_LEVELS` hypernym levels
        (too abstract ones skipped). With ``verbs`` (a query: "horse whinnying"), an -ing
        word or a word with no noun reading also brings its first verb senses' synonyms
        ("whinny" -> neigh); a sound's own description is expanded without them, since verb
        senses of plain nouns are mostly noise ("cat" is also "to vomit"). Multi-word
        lemmas are left out: search matches single words. Cached on disk
        (``expansions-v<N>-cache.json``, see :meth:`save`).
        """
        words = list(dict.fromkeys(w.strip().lower() for w in words if w and w.strip()))
        mode = "q" if verbs else "d"
        cache = self._related_cache([f"{mode}:{w}" for w in words], lambda key: self._expand(key[2:], verbs))
        return {w: cache[f"{mode}:{w}"] for w in words}

    def antonyms(self, words: Iterable[str]) -> dict[str, set[str]]:
        """word -> its WordNet antonyms over the first senses of each part of speech
        ("opening" -> close, closing; "empty" -> full): a door closing is no door opening.
        Only the senses the word is used in count when WordNet's sense counts know any: "running"
        water's opposite is "standing" (1 tagged use), not the football play's "passing" (0), so a
        mower "passing close" still runs. Cached beside :meth:`expansions`."""
        words = list(dict.fromkeys(w.strip().lower() for w in words if w and w.strip()))
        cache = self._related_cache([f"a2:{w}" for w in words], lambda key: self._antonyms(key[3:]))
        return {w: set(cache[f"a2:{w}"]) for w in words}

    def kinds(self, words: Iterable[str]) -> dict[str, set[str]]:
        """word -> every synset its :meth:`thing_sense` is a kind of ("violin" ->
        musical_instrument.n.01, device.n.01…). Cached beside :meth:`expansions`."""
        words = list(dict.fromkeys(w.strip().lower() for w in words if w and w.strip()))

        def compute(key: str) -> list[str]:
            base = self._reader.morphy(key[2:], "n")
            sense = self.thing_sense(base) if base else None
            return sorted({n.name() for path in sense.hypernym_paths() for n in path}) if sense is not None else []

        cache = self._related_cache([f"k:{w}" for w in words], compute)
        return {w: set(cache[f"k:{w}"]) for w in words}

    def animal_senses(self, words: Iterable[str]) -> dict[str, list[set[str]]]:
        """word -> for each of its animal noun senses (lexicographer file ``noun.animal``:
        "hog" is also a greedy person, "bear" also an investor), when its first sense that is
        not a person, a thing made of it or its meat (:data:`NOT_THE_ANIMAL`: a leopard's
        pelt, alpaca wool, chicken meat, a fierce "tiger") is an animal ("hand" is first a
        body part, not a farm hand); not the roles any animal
        plays, directly under ``animal.n.01``: "game", "pest", "predator"), every synset that sense is
        a kind of, itself included. A sex or an age of an animal stands for the animal:
        WordNet files a bull, a cow and an ox as siblings under "cattle" and a hen and a
        rooster under "chicken" — exactly as it files a lion and a cheetah under "big cat" —
        and only the gloss tells them apart ("uncastrated adult *male* of domestic cattle",
        "*young* of domestic cattle"); for such a sense its own synset (and buckets like
        "young mammal", "male horse") gives way to the animal its gloss names
        (:meth:`_gloss_animal`): a bull and a calf are what cattle is, a kitten what a domestic
        cat is (not any animal: a tiger is no kitten). Cached beside :meth:`expansions`."""
        words = list(dict.fromkeys(w.strip().lower() for w in words if w and w.strip()))

        def compute(key: str) -> list[list[str]]:
            return [sorted(self._sense_kinds(sense)) for sense in self._animal_synsets(key.split(":", 1)[1])]

        cache = self._related_cache([f"animal8:{w}" for w in words], compute)
        return {w: [set(k) for k in cache[f"animal8:{w}"]] for w in words}

    def _sense_kinds(self, sense) -> set[str]:
        """Every synset an animal ``sense`` is a kind of, itself included; for a sex or an age
        the animal its gloss names, else its ancestors without its own synset and buckets
        ("young_mammal", "male_horse")."""
        found = {n.name() for path in sense.hypernym_paths() for n in path}
        if SEX_OR_AGE.match(sense.definition()):
            return self._gloss_animal(sense) or {
                n for n in found if n != sense.name() and not re.match(r"(young|male|female)(_|\.n\.)", n)}
        return found

    def _animal_synsets(self, word: str) -> list:
        """The animal noun senses of ``word`` that :meth:`animal_senses` reads, in WordNet's
        order: none when its first sense that is not a person, a thing made of it or its meat
        is no animal ("hand" is not read as a farm hand, nor "drum" as the drumfish); never a
        role any animal plays ("game", "pest", "predator": directly under animal.n.01) nor a
        part of one ("horns", "hooves", "wings", "feathers": filed as noun.animal, no organism);
        none either for a word that is mostly a person (more than half of its noun senses, and
        the first is no animal): "kids playing" are children, no young goats, a "baby" crying
        no young animal, a "man" no hominid, an "18 wheeler" no wheel horse."""
        base = self._reader.morphy(word, "n")
        every = self._reader.synsets(base, pos="n") if base else []
        if every and every[0].lexname() != "noun.animal" and 2 * sum(s.lexname() == "noun.person" for s in every) > len(every):
            return []
        senses = [s for s in every if s.lexname() not in NOT_THE_ANIMAL]
        if not senses or senses[0].lexname() != "noun.animal":
            return []
        return [s for s in senses if s.lexname() == "noun.animal"
                and not any(h.name() == "animal.n.01" for h in s.hypernyms())
                and any(n.name() == "animal.n.01" for path in s.hypernym_paths() for n in path)]

    def usual_animal_senses(self, words: Iterable[str]) -> dict[str, list[set[str]]]:
        """:meth:`animal_senses`, keeping only the senses a word is usually meant in when
        WordNet's sense counts say so: "cat" asked for is the house cat (18 tagged uses), not
        the big cat (0) it may also mean; a "hog" (young sheep 0, swine 0) stays both. A sense
        that is a category WordNet fills elsewhere (no kinds of its own, a gloss "any …":
        "songbird", any bird having a musical call, while robins, finches and wrens are filed
        under its parent "oscine") stands for its parent's kinds."""
        words = list(dict.fromkeys(w.strip().lower() for w in words if w and w.strip()))

        def compute(key: str) -> list[list[str]]:
            word = key.split(":", 1)[1]
            base = self._reader.morphy(word, "n")
            animals = self._animal_synsets(word)
            counts = [sum(lemma.count() for lemma in s.lemmas() if lemma.name().lower() == base) for s in animals]
            if counts and max(counts) > 0:
                animals = [s for s, c in zip(animals, counts, strict=True) if c == max(counts)]
            return [sorted(self._sense_kinds(s) - ({s.name()} if not s.hyponyms() and s.definition().startswith("any ") else set()))
                    for s in animals]

        cache = self._related_cache([f"usual5:{w}" for w in words], compute)
        return {w: [set(k) for k in cache[f"usual5:{w}"]] for w in words}

    def _gloss_animal(self, sense, depth: int = 0) -> set[str] | None:
        """What a sex or an age of an animal is a kind of, read from its gloss: the first
        animal the definition names ("young domestic cat" -> domestic cat, "young of domestic
        cattle" -> cattle, a heifer's "young cow" -> a cow's "female of domestic cattle"), every
        synset that animal is a kind of, itself included; None when the gloss names none."""
        tokens = re.findall(r"[a-z]+", sense.definition().lower())
        for i in range(len(tokens)):
            for size in (2, 1):
                name = "_".join(tokens[i:i + size])
                if len(tokens) < i + size or (size == 1 and name in GLOSS_NOT_AN_ANIMAL):
                    continue
                base = self._reader.morphy(name, "n")
                animals = [a for a in (self._reader.synsets(base, pos="n") if base else [])
                           if a.lexname() == "noun.animal" and a != sense]
                if not animals:
                    continue
                # the sense of the word nearest to the one defined: a sow's "hog" is the swine, not the
                # yearling sheep WordNet lists first; ties keep WordNet's order
                animal = max(animals, key=lambda a: max((c.max_depth() for c in sense.lowest_common_hypernyms(a)),
                                                        default=0))
                if SEX_OR_AGE.match(animal.definition()):
                    found = self._gloss_animal(animal, depth + 1) if depth < 2 else None
                    if found:
                        return found
                    continue
                return {n.name() for path in animal.hypernym_paths() for n in path}
        return None

    def animal_group(self, words: list[str]) -> str | None:
        """The animal group a query's words name, as a synset name, or None: the longest run
        of adjacent words that WordNet knows as an animal noun ("big cat growling" ->
        big_cat.n.01, "bird of prey" -> bird_of_prey.n.01, "dog barking" -> dog.n.01),
        read in its first sense, when that group holds at most :data:`GROUP_MAX` kinds; a
        word inside a longer run WordNet knows as something else is not read alone (the
        "mouse" of "computer mouse clicking" is a device: no mouse, no cat that hunts mice).
        A recording of any kind in it is a recording of the group (a lion is a big cat, an
        eagle a bird of prey); a larger group ("bird" holds 871 kinds, "animal" 4,016) says
        too little to tell a peacock from a robin. Cached beside :meth:`expansions`."""
        words = [w.strip().lower() for w in words if w and w.strip()]
        key = "group2:" + " ".join(words)

        def compute(_key: str) -> str:
            r = self._reader
            taken: set[int] = set()  # words of a longer run WordNet knows as something else
            for size in range(min(3, len(words)), 0, -1):
                for start in range(len(words) - size + 1):
                    if taken & set(range(start, start + size)):
                        continue  # the "mouse" of "computer mouse" is the device, not the animal
                    phrase = "_".join(words[start : start + size])
                    base = r.morphy(phrase, "n")
                    senses = r.synsets(base, pos="n") if base else []
                    if senses and size > 1 and senses[0].lexname() != "noun.animal":
                        taken |= set(range(start, start + size))
                    if not senses or senses[0].lexname() != "noun.animal":
                        continue
                    kinds = sum(1 for _ in senses[0].closure(lambda s: s.hyponyms()))
                    return senses[0].name() if 0 < kinds <= GROUP_MAX else ""
            return ""

        found = self._related_cache([key], compute)[key]
        return found or None

    def animal_compounds(self, pairs: Iterable[str]) -> set[str]:
        """Of two-word phrases ("sea_lion", "black_cat", "big_cat"), those a description names
        one animal by: WordNet knows the pair as an animal, and either the pair is that
        animal's own first name ("sea lion", "big cat", "brown bear", "domestic cat") or its
        first word cannot describe the second (no adjective: "guinea", "mountain") and the
        second is no animal itself. A "black cat" is a cat that is black, not the fisher
        WordNet also calls so; a "polar bear" stays a bear (WordNet names it "ice bear"
        first); a "carrion crow" stays a crow: WordNet's is the American black vulture, a
        name few recordists mean by it. Cached beside :meth:`expansions`."""
        pairs = list(dict.fromkeys(p.strip().lower() for p in pairs if p and p.strip()))

        def compute(key: str) -> bool:
            pair = key.split(":", 1)[1]
            senses = self._animal_synsets(pair)
            if not senses:
                return False
            first, last = pair.split("_", 1)
            base = self._reader.morphy(pair, "n")
            if any(s.lemma_names()[0].lower() == base for s in senses):
                return True
            describes = bool(self._reader.synsets(first, pos="a") or self._reader.synsets(first, pos="s"))
            return not describes and not self._animal_synsets(last)

        cache = self._related_cache([f"compound3:{p}" for p in pairs], compute)
        return {p for p in pairs if cache[f"compound3:{p}"]}

    def thing_compounds(self, pairs: Iterable[str]) -> set[str]:
        """Of two-word phrases ("wind_chimes", "fire_engine", "microwave_oven"), those that name
        one made thing its first word alone does not: WordNet's first noun sense of the pair is
        an artifact (no animal: :meth:`animal_compounds` reads those), and no noun sense of the
        first word is that thing ("microwave" is a microwave oven, "market" a market place; "wind"
        is no wind chime, "fire" no fire engine). Cached beside :meth:`expansions`."""

        def made_thing(base: str, senses) -> bool:
            if senses[0].lexname() == "noun.animal":
                return False
            if not any("artifact.n.01" in {n.name() for n in path} for path in senses[0].hypernym_paths()):
                return False
            return senses[0] not in self._reader.synsets(base.split("_", 1)[0], pos="n")

        return self._nouns_that("thing1", pairs, made_thing)

    def persons(self, words: Iterable[str], *, groups: bool = False) -> set[str]:
        """Of ``words``, those whose first noun sense is a person ("woman", "men", "baby",
        "farmer"; not "ewe", "vixen" or "kid", also the sex or age of an animal), with ``groups``
        (a query's people) also a group ("people", "crowd"; a "flock" too) and any word whose
        first sense is a person ("kids"): a recording that names a person and no animal is of
        people, whatever it does that an animal does too (laughing, howling, whistling).
        Cached beside :meth:`expansions`."""
        kinds = ("noun.person", "noun.group") if groups else ("noun.person",)
        found = self._first_lexnames(words)
        # a recording's "ewe", "vixen" or "kid" is the sex or age of an animal (first the Ewe people,
        # a shrew, a child); a query's "kids" asking for people (``groups``) are the children
        return {w for w, (lexname, sexed) in found.items() if lexname in kinds and (groups or not sexed)}

    def substances(self, words: Iterable[str]) -> set[str]:
        """Of ``words``, those whose first noun sense is a substance ("glass", "wood", "water",
        "gravel") or a plant ("grass", "leaves"): a material or what grows, which sounds only by
        what is done to it (walking on grass is no lawn mowed). Cached beside :meth:`expansions`."""
        return {w for w, (lexname, _) in self._first_lexnames(words).items() if lexname in ("noun.substance", "noun.plant")}

    def places(self, words: Iterable[str]) -> set[str]:
        """Of ``words``, those whose first noun sense is where something sounds rather than what
        sounds: a location ("city", "countryside", "field", "park"), a time ("night", "winter"),
        a building, room, road or facility ("stadium", "kitchen", "street", "airport"), a land
        form ("mountain", "beach", "cave") or woodland ("forest"). Water ("river", "sea",
        "waterfall") is what sounds at its place, so it is none. Cached beside :meth:`expansions`."""

        def place(_base: str, senses) -> bool:
            first = senses[0]
            if first.lexname() in ("noun.location", "noun.time"):
                return not self._is_water(first)
            above = {h.name() for h in first.closure(lambda s: s.hypernyms() + s.instance_hypernyms())}
            return bool(above & PLACE_KINDS) and "body_of_water.n.01" not in above

        return self._nouns_that("place1", words, place)

    @staticmethod
    def _is_water(sense) -> bool:
        return "body_of_water.n.01" in {h.name() for h in sense.closure(lambda s: s.hypernyms())}

    def lexnames(self, words: Iterable[str]) -> dict[str, str]:
        """word -> the lexicographer file of its first noun sense ("noun.animal"), "" for none."""
        return {w: lexname for w, (lexname, _) in self._first_lexnames(words).items()}

    def _first_lexnames(self, words: Iterable[str]) -> dict[str, tuple[str, bool]]:
        """word -> (lexicographer file of its first noun sense or "", whether any of its animal
        senses is a sex or an age of an animal)."""
        words = list(dict.fromkeys(w.strip().lower() for w in words if w and w.strip()))

        def compute(key: str) -> list:
            base = self._reader.morphy(key.split(":", 1)[1], "n")
            senses = self._reader.synsets(base, pos="n") if base else []
            sexed = any(s.lexname() == "noun.animal" and SEX_OR_AGE.match(s.definition()) for s in senses)
            return [senses[0].lexname() if senses else "", sexed]

        cache = self._related_cache([f"lexname3:{w}" for w in words], compute)
        return {w: (cache[f"lexname3:{w}"][0], cache[f"lexname3:{w}"][1]) for w in words}

    def mostly_animals(self, words: Iterable[str]) -> set[str]:
        """Of ``words``, those WordNet's sense counts say are usually an animal: the most used
        noun sense (the first when no sense was ever tagged) is an animal. A "kit" is first a
        set of tools (the young fox is never tagged), a "rail" a railing, a "bongo" a drum,
        while a "cow", a "bat" and an "elephant" are animals. Cached beside :meth:`expansions`."""

        def usually_animal(base: str, senses) -> bool:
            counts = [sum(lemma.count() for lemma in s.lemmas() if lemma.name().lower() == base) for s in senses]
            usual = senses[counts.index(max(counts))]  # the first of the most used, or the first sense
            return usual.lexname() == "noun.animal"

        return self._nouns_that("mostly1", words, usually_animal)

    def lemmas(self, synset: str) -> set[str]:
        """The words of a synset, lower case, multi-word ones with spaces ("big_cat.n.01" ->
        {"big cat", "cat"}). Cached beside :meth:`expansions`."""
        key = f"lemmas1:{synset}"
        found = self._related_cache([key], lambda _k: sorted({n.lower().replace("_", " ") for n in self._reader.synset(synset).lemma_names()}))
        return set(found[key])

    def _antonyms(self, word: str) -> list[str]:
        r = self._reader
        pairs: list[tuple[int, str]] = []  # (tagged uses of the word's lemma, antonym)
        for pos in ("v", "n", "a"):
            base = r.morphy(word, pos)
            for synset in r.synsets(base, pos=pos)[:3] if base else []:
                pairs += [(lemma.count(), a.name().lower()) for lemma in synset.lemmas() for a in lemma.antonyms()]
        used = any(count > 0 for count, _ in pairs)
        return sorted({a for count, a in pairs if a.isalpha() and (count > 0 or not used)})

    def thing_sense(self, word: str):
        """The noun sense search should read ``word`` in: the first sense under a sounding
        root that is not a person ("ewe" the sheep, not the Ewe people; "humpback" the
        whale), else the first sense ("brook" the stream, "day" the time, "bugler" the
        person), else None."""
        synsets = self._reader.synsets(word, pos="n")
        roots = set(SOUNDING_ROOTS)
        things = [
            s for s in synsets
            if s.lexname() != "noun.person" and any(n.name() in roots for path in s.hypernym_paths() for n in path)
        ]  # fmt: skip
        return (things or synsets or [None])[0]

    def _expand(self, word: str, verbs: bool) -> dict[str, float]:
        out: dict[str, float] = {word: SAME}

        def add(term: str, weight: float) -> None:
            term = term.lower()
            if "_" in term or "-" in term or " " in term or not term.isalpha():
                return
            if weight > out.get(term, 0.0):
                out[term] = weight

        r = self._reader
        noun = r.morphy(word, "n")
        sense = self.thing_sense(noun) if noun else None
        senses = [sense] if sense is not None else []
        verb = r.morphy(word, "v") if verbs and (word.endswith("ing") or sense is None) else None
        if noun:
            add(noun, SAME)
        if verb:
            add(verb, SAME)
            senses += r.synsets(verb, pos="v")[:VERB_SENSES]
        for synset in senses:
            for lemma in synset.lemmas():
                if synset.lexname() == "noun.artifact" and not self._usually_means(lemma, synset):
                    continue
                add(lemma.name(), SYNONYM)
                if verbs:  # "bugler" -> bugle, "neighing" -> neigh; in descriptions mostly noise
                    for related in lemma.derivationally_related_forms():
                        add(related.name(), DERIVED)
            if synset.pos() != "n":
                continue
            level, weight = [synset], HYPERNYM
            for _ in range(HYPERNYM_LEVELS):
                level = [h for node in level for h in node.hypernyms() + node.instance_hypernyms()]
                for parent in level:
                    if parent.name() not in TOO_ABSTRACT:  # its head word only: "big cat" is no "cat"
                        add(parent.lemma_names()[0], weight)
                weight *= HYPERNYM_DECAY
        return out

    def _usually_means(self, lemma, synset) -> bool:
        """Is ``lemma`` a name people use for the thing made ``synset``: one of the word's first
        :data:`USUAL_SENSES` noun senses, or tagged in it at least :data:`USUAL_COUNT` times?
        A trumpet is a "horn" (its fifth sense, one tagged use) and a harmonica a "harp" (third),
        chimes are "bells" (ninth) and a car a "machine" (sixth), but no recording of a car horn,
        a harp, a church bell or a washing machine is one of those; a bicycle is a "bike" (second).
        Only things made are read so: an animal's other names are its names ("hog" is the pig's
        third sense, never tagged, yet a hog grunting is a pig)."""
        names = [s.name() for s in self._reader.synsets(lemma.name(), pos="n")]
        rank = names.index(synset.name()) + 1 if synset.name() in names else len(names) + 1
        return rank <= USUAL_SENSES or lemma.count() >= USUAL_COUNT

    def sounding_sense(self, word: str):
        """First noun sense of ``word`` under a sounding root, else its first noun sense, else None."""
        synsets = self._reader.synsets(word.strip().replace(" ", "_"), pos="n")
        if not synsets:
            return None
        roots = set(SOUNDING_ROOTS)
        for synset in synsets:
            if any(s.name() in roots for path in synset.hypernym_paths() for s in path):
                return synset
        return synsets[0]

    @property
    def _cache_file(self) -> Path:
        return self.corpus_dir.parent.parent / "hypernyms-cache.json"

    def hypernyms(self, word: str, max_steps: int = 4) -> list[Hypernym]:
        """Up to ``max_steps`` ever more general names for ``word``, nearest first.

        Answers are kept in a small JSON file beside the corpus: opening the NLTK reader
        costs ~3 s, and the same few labels come back run after run.
        """
        key = f"{word.strip().lower()}|{max_steps}"
        cache = _read_json(self._cache_file)
        if key in cache:
            return [Hypernym(term, synset) for term, synset in cache[key]]
        found = self._walk_hypernyms(word, max_steps)
        cache[key] = [[h.term, h.synset] for h in found]
        _write_json(self._cache_file, cache)
        return found

    def _walk_hypernyms(self, word: str, max_steps: int) -> list[Hypernym]:
        """Walks the hypernym graph of the chosen sense breadth-first (a bicycle is a wheeled
        vehicle, which is both a container and a vehicle: both parents count), skipping
        nodes too abstract to search a sound library for.
        """
        synset = self.sounding_sense(word)
        out: list[Hypernym] = []
        seen_terms = {word.strip().lower()}
        seen = set()
        level = [synset] if synset is not None else []
        while level and len(out) < max_steps:
            parents = []
            for node in level:
                for parent in node.hypernyms() + node.instance_hypernyms():
                    if parent.name() not in seen:
                        seen.add(parent.name())
                        parents.append(parent)
            for parent in parents:
                if parent.name() in TOO_ABSTRACT or len(out) >= max_steps:
                    continue
                term = parent.lemma_names()[0].replace("_", " ").lower()
                if term not in seen_terms:
                    seen_terms.add(term)
                    out.append(Hypernym(term, parent.name()))
            level = parents
        return out
