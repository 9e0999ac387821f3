"""Choosing among verified recordings: the most specific concept wins, chains are walked, game sounds never play.

Sounds are the starter library's recordings as their sources describe them
(``tests/data/retrieval_library.jsonl``), searched the way the library searches (mean of
full-text and core-text cosines plus the WordNet word match) and checked by the real
calibrated verifier. Scenes use the analyzer's contract: ``SceneObject.queries`` /
``accepts`` and ``AmbienceTag.queries``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from image_extender.library.core import boilerplate, core_text
from image_extender.library.embed import CachedEmbedder, get_embedder
from image_extender.library.lexical import Doc, LexicalIndex
from image_extender.library.store import embed_text, fuse
from image_extender.manifest import AmbienceTag, BBox, ImageInfo, Scene, SceneObject, Sound
from image_extender.analyze.vocabulary import sounding_entries
from image_extender.sounds.base import Candidate, Verdict
from image_extender.sounds.find import FILED, NAMED, concept_rank, find_sounds, part_without_its_thing, word_evidence
from image_extender.sounds.hierarchy import ConceptHierarchy
from image_extender.sounds.library_source import LibrarySource
from image_extender.sounds.verify import EmbeddingVerifier, default_vocabulary
from image_extender.sounds.wordnet import WordNet

DATA = Path(__file__).resolve().parent / "data"
ASSETS = Path(__file__).resolve().parent.parent / "assets" / "scaper-audio"

# Verbatim from the grown starter library's OpenClonk source (Debian openclonk-data):
# an invented game creature, tagged game-only by the library.
MONSTER = {"id": "openclonk/Animals/Monster/Growl1.wav", "name": "growl",
           "description": "monster growl (OpenClonk sound, animal, monster) [game-only: invented game creature]",
           "tags": ["animals", "monster", "game-only"], "kind": "one-shot"}


def data_dir() -> Path:
    return Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parent.parent / "data"))


def _sound(r: dict) -> Sound:
    """The recording as the library holds it: the starter folder ``make install`` fills."""
    return Sound(provider="library", id=r["id"], path=str(data_dir() / "starter" / r["id"]), name=r["name"], description=r["description"], tags=r["tags"],
                 licence="see the library", duration=30.0 if r.get("kind") == "bed" else 2.0, sample_rate=44100,
                 channels=1, kind=r.get("kind"))


class StarterSource:
    """The starter library in memory, ranked like ``SoundLibrary.search`` (``store.fuse``)."""

    name = "starter"

    def __init__(self, records: list[dict], embedder, wordnet):
        self.sounds = [_sound(r) for r in records]
        boiler = boilerplate(r["description"] for r in records)
        self.embedder = embedder
        self.full = embedder.embed([embed_text(r["name"], r["description"], r["tags"]) for r in records])
        self.core = embedder.embed([core_text(r["name"], r["description"], boiler) for r in records])
        self.words = LexicalIndex([Doc(i, r["name"], r["description"], tuple(r["tags"])) for i, r in enumerate(records)],
                                  wordnet.expansions)
        self.queries: list[str] = []

    def search(self, query, role, limit):
        self.queries.append(query)
        q = self.embedder.embed([query])[0]
        scores = fuse(dict(enumerate((self.full @ q).tolist())), dict(enumerate((self.core @ q).tolist())),
                      self.words.score(query))
        order = sorted(scores, key=lambda i: -scores[i])
        want = "bed" if role == "ambience" else "one-shot"
        first = [i for i in order if self.sounds[i].kind == want][:limit]
        rest = [i for i in order if i not in first][:limit]
        return [Candidate(self.sounds[i], scores[i]) for i in first + rest]


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(line) for line in (DATA / "retrieval_library.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def wordnet() -> WordNet:
    return WordNet.from_data_dir(data_dir())


@pytest.fixture(scope="module")
def embedder():
    return CachedEmbedder(get_embedder(), data_dir() / "cache" / "embeddings.sqlite")


@pytest.fixture(scope="module")
def source(records, embedder, wordnet) -> StarterSource:
    return StarterSource([*records, MONSTER], embedder, wordnet)


@pytest.fixture(scope="module")
def verifier(embedder, wordnet):
    return EmbeddingVerifier(embedder, default_vocabulary(ConceptHierarchy.load(use_wordnet=False).terms()), lexicon=wordnet)


def _obj(label, query, importance=0.9, queries=(), accepts=()):
    return SceneObject(label=label, query=query, bbox=BBox(x0=0.1, y0=0.1, x1=0.5, y1=0.9), importance=importance,
                       confidence=0.9, queries=list(queries), accepts=list(accepts))


def _scene(objects, ambience=()):
    return Scene(image=ImageInfo(path="photo.jpg", md5="0" * 32, width=640, height=480), analyzer="test",
                 objects=objects, ambience=list(ambience))


def test_a_recording_that_names_the_thing_outranks_one_filed_under_it(records):
    by_name = {r["id"].rsplit("/", 1)[-1]: _sound(r) for r in records}
    assert concept_rank(by_name["blackcat.ogg"], ["cat"])[0] == NAMED  # "A black cat"
    assert concept_rank(by_name["tiger.ogg"], ["cat"])[0] == FILED  # "(animals, mammals, cats)"
    assert concept_rank(by_name["lark.ogg"], ["robin", "songbird", "bird"]) == (FILED, 1)  # only "(animals, birds)"
    assert concept_rank(by_name["owl.ogg"], ["owl", "bird"]) == (NAMED, 2)  # the most specific concept, named


def test_a_cat_gets_the_cat_not_a_big_cat(source, verifier):
    (cat,) = find_sounds(_scene([_obj("cat", "cat meowing", accepts=["cat"])]), source, verifier, None)
    assert cat.sound is not None and cat.sound.id.endswith("blackcat.ogg"), cat.verdict


def test_two_birds_of_different_species_get_their_own_calls_and_never_the_peacock(source, verifier):
    scene = _scene([
        _obj("owl", "owl hooting", 0.9, accepts=["owl", "bird"]),
        _obj("gull", "seagull calls", 0.8, queries=["gull crying", "sea bird"], accepts=["seagull", "gull", "bird"]),
        _obj("duck", "duck quacking", 0.7, accepts=["duck", "bird"]),
    ])
    owl, gull, duck = find_sounds(scene, source, verifier, None)
    assert "owl" in owl.sound.id and "seagull" in gull.sound.id and ("duck" in duck.sound.id or "drake" in duck.sound.id)
    assert len({owl.sound.id, gull.sound.id, duck.sound.id}) == 3
    assert not any("peacock" in c.sound.id for c in (owl, gull, duck))


def test_search_knows_a_hog_is_a_pig(source, verifier):
    (hog,) = find_sounds(_scene([_obj("hog", "hog grunting", accepts=["hog", "pig"])]), source, verifier, None)
    assert hog.sound is not None and "pig" in hog.sound.id and "death" not in hog.sound.id, hog.verdict
    assert hog.query == "hog grunting"


def test_an_object_walks_its_own_queries_before_the_hierarchy(source, verifier):
    """Nobody recorded a robin: the analyzer's further queries are tried in order before
    the hierarchy's more general words, and the peacock never sings for the robin."""
    hierarchy = ConceptHierarchy.load(use_wordnet=False)
    obj = _obj("robin", "robin singing", queries=["songbird chirping", "bird song"], accepts=["robin", "songbird", "bird"])
    source.queries.clear()
    (robin,) = find_sounds(_scene([obj]), source, verifier, hierarchy)
    assert source.queries[:3] == ["robin singing", "songbird chirping", "bird song"]
    assert any(s.action == "fallback" and "next query of 'robin' (2 of 3)" in s.detail for s in robin.trail)
    assert robin.sound is None or "peacock" not in robin.sound.id, robin.verdict


def test_a_bed_falls_back_to_the_closest_kind_of_place(source, verifier):
    tag = AmbienceTag(label="old town", query="medieval old town square with bells ambience",
                      queries=["town square ambience", "busy city street ambience"])
    (bed,) = find_sounds(_scene([], [tag]), source, verifier, None)
    assert bed.sound is not None and bed.sound.kind == "bed", bed.verdict
    assert bed.query in tag.queries
    assert any(s.action == "fallback" and "next query of 'old town'" in s.detail for s in bed.trail)


def test_game_only_sounds_never_reach_an_object(source, verifier):
    (monster,) = find_sounds(_scene([_obj("bear", "monster growl", accepts=["monster"])]), source, verifier, None)
    assert monster.sound is None or "game-only" not in monster.sound.tags
    assert any(s.sound_id == MONSTER["id"] and "game-only" in s.detail for s in monster.trail)


def test_the_library_source_leaves_game_only_recordings_out_and_says_how_many(tmp_path):
    from image_extender.library.ingest import build_library
    from image_extender.library.records import SoundRecord, write_jsonl
    from image_extender.library.store import SoundLibrary

    folder = tmp_path / "sounds"
    folder.mkdir()
    shutil.copyfile(ASSETS / "dogbark.wav", folder / "dogbark.wav")
    shutil.copyfile(ASSETS / "17-CAR-Rolls-Royce-Horn.wav", folder / "horn.wav")
    write_jsonl([SoundRecord(path="dogbark.wav", name="Dog bark", description="one dog bark, close",
                             tags=["dog", "game-only"], licence="BSD-3-Clause"),
                 SoundRecord(path="horn.wav", name="Car horn", description="Rolls-Royce car horn", tags=["car"],
                             licence="BSD-3-Clause")], folder)
    embedder = get_embedder()
    build_library([folder], tmp_path / "lib", embedder=embedder)
    with SoundLibrary.open(tmp_path / "lib", embedder=embedder) as lib:
        src = LibrarySource(lib)
        hits = src.search("dog barking", "object", 5)
        assert [h.sound.name for h in hits] == ["Car horn"] and src.left_out >= 1


def test_a_river_object_flows_on_rather_than_splashing_once(source, verifier):
    """The river of a river photo asks for a bed (``sound_kind``): a river recording, never
    the game's "splat (building docks/canals/river)" one-shot that only names a river."""
    river = _obj("river", "river flowing", queries=["stream babbling over stones"], accepts=["river", "stream"])
    (choice,) = find_sounds(_scene([river.model_copy(update={"sound_kind": "bed"})]), source, verifier, None)
    assert choice.sound is not None and choice.sound.kind == "bed" and "river" in choice.sound.description
    (plain,) = find_sounds(_scene([river]), source, verifier, None)  # the role's default: a one-shot first
    assert plain.sound is not None and plain.sound.kind == "one-shot"


# ------------------------------------------------------------------ category neighbours (issue 15)


def source_records() -> list[dict]:
    return [json.loads(line) for line in (DATA / "retrieval_library.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def hierarchy() -> ConceptHierarchy:
    return ConceptHierarchy.load(None, data_dir())


def test_a_fallback_that_names_another_animal_finds_nothing_rather_than_that_animal(source, verifier, hierarchy):
    """A llama the classifier is sure of (0.93): the library has no llama, and the table's
    fallback "farm animals" finds a recording that a piggery's pig is behind. Whatever query
    finds it, a recording that names another animal than the object's first query (and
    than its own further queries) is rejected: no sound beats a pig for a llama."""
    llama = _obj("llama", "llama call", queries=["llama vocalization"], accepts=["llama", "alpaca"])
    pig = {"id": "widelands/sound/farm/farm_animal_00.ogg", "name": "farm animal", "kind": "one-shot", "tags": ["pig", "farm", "sound"],
           "description": "farm animal, pig grunting on a piggery (Widelands, sound, farm); heard at: piggery"}  # verbatim
    assert hierarchy.fallbacks("llama")[0] == "farm animals"
    farm = StarterSource([*source_records(), pig], source.embedder, WordNet.from_data_dir(data_dir()))
    (choice,) = find_sounds(_scene([llama]), farm, verifier, hierarchy)
    assert choice.sound is None or not {"pig", "sheep", "goat", "cow"} & set(choice.sound.name.replace("_", " ").split()), choice.verdict
    assert any("names pig, not llama" in s.detail for s in choice.trail if s.action == "reject"), choice.trail


def test_a_cheetah_never_falls_back_to_a_lion_roar(source, verifier, hierarchy):
    """The cheetah the classifier named (0.93) is a "cheetah" (it chirps and purrs), not a
    "big cat": its queries, then the hierarchy, which stops there. A lion roar answers
    "lion" and "feline" alike, and is still no cheetah: no sound beats the wrong animal."""
    entry = next(e for e in sounding_entries() if e.label == "cheetah")
    cheetah = _obj("cheetah", entry.queries[0], queries=entry.queries[1:], accepts=entry.accepts)
    (choice,) = find_sounds(_scene([cheetah]), source, verifier, hierarchy)
    assert choice.sound is None or not {"lion", "tiger"} & set(re.findall(r"[a-z]+", choice.sound.name.lower())), choice.verdict


def test_a_jaguar_takes_a_lion_or_a_tiger_and_never_a_house_cat(source, verifier, hierarchy):
    """A jaguar is a "big cat" (the label's WordNet group): the library has no jaguar, and
    a lion's or a tiger's growl is what a listener takes for it, though a sentence embedding
    ranks "A lion" nearest "lion", far below "big cat growling". A house cat is a feline
    too, but "feline" (a WordNet step, not the label's group) stands for no jaguar."""
    entry = next(e for e in sounding_entries() if e.label == "big cat")
    jaguar = _obj("big cat", "jaguar growl", queries=entry.queries, accepts=entry.accepts)
    second = _obj("big cat", "jaguar growl", importance=0.5, queries=entry.queries, accepts=entry.accepts)
    choices = find_sounds(_scene([jaguar, second]), source, verifier, hierarchy)
    names = [c.sound.name.lower() if c.sound else "" for c in choices]
    assert all({"lion", "tiger"} & set(re.findall(r"[a-z]+", n)) for n in names), [c.verdict for c in choices]
    assert all("a kind of big cat" in c.verdict for c in choices), [c.verdict for c in choices]
    assert len(set(names)) == 2  # two jaguars, two different big cats

    feline = _obj("big cat", "feline", accepts=entry.accepts)  # the WordNet step on its own
    (choice,) = find_sounds(_scene([feline]), source, verifier, None)
    assert choice.sound is None or not {"cat", "meow", "kitten"} & set(re.findall(r"[a-z]+", choice.sound.name.lower())), choice.verdict
    assert any("is a kind of feline, which does not stand for 'big cat'" in s.detail for s in choice.trail), choice.trail


def test_a_goose_takes_the_gander(source, verifier):
    """A gander is a (male) goose: Tux Paint's terse "A gander" ranks far below "goose
    honking" by sentence embedding, and is still the goose's sound."""
    goose = _obj("goose", "goose honking", queries=["geese honking", "goose call"], accepts=["goose", "geese", "honk"])
    (choice,) = find_sounds(_scene([goose]), source, verifier, None)
    assert choice.sound is not None and "gander" in choice.sound.id, choice.verdict
    assert "names gander, a kind of goose" in choice.verdict


def test_a_goose_that_is_a_duck_falls_back_to_the_duck(records, embedder, wordnet, verifier, hierarchy):
    """A farm duck the classifier calls a goose (0.68): a library with no goose (nor gander),
    and the hierarchy table offers the water bird a listener accepts instead — goose -> duck
    -> waterfowl, never a songbird's chirp — so the duck is heard, and the trail says why."""
    goose = _obj("goose", "goose honking", queries=["geese honking", "goose call"], accepts=["goose", "geese", "honk"])
    assert hierarchy.fallbacks("goose")[:2] == ["duck", "waterfowl"] and hierarchy.stops("waterfowl")
    source = StarterSource([r for r in records if "gander" not in r["id"]], embedder, wordnet)
    (choice,) = find_sounds(_scene([goose]), source, verifier, hierarchy)
    assert choice.sound is not None and ("duck" in choice.sound.id or "drake" in choice.sound.id), choice.verdict
    assert "'goose' -> 'duck' (table)" in " ".join(s.detail for s in choice.trail)


class _TwoRecordings:
    """A source that ranks a 0.55 s bubble above a 6.5 s underwater bed (as the library did)."""

    name = "two"

    def __init__(self, sounds: list[Sound]):
        self.sounds = sounds

    def search(self, query, role, limit):
        return [Candidate(s, 0.9 - 0.1 * i) for i, s in enumerate(self.sounds[:limit])]


# Verbatim from the starter library (GCompris and Red Eclipse, Debian), with their real lengths.
BUBBLE = Sound(provider="library", id="gcompris/activities/watercycle/resource/bubble.wav",
               path=str(data_dir() / "starter" / "gcompris/activities/watercycle/resource/bubble.wav"),
               name="bubble", description="underwater air bubbles (GCompris activity 'watercycle')",
               tags=["water", "bubbles"], licence="GPL-3.0+", duration=0.55, sample_rate=44100, channels=1,
               kind="one-shot")
UNDERWATER = Sound(provider="library", id="redeclipse/sfx/underwater.ogg",
                   path=str(data_dir() / "starter" / "redeclipse/sfx/underwater.ogg"), name="underwater",
                   description="underwater ambience, the muffled rumble heard below the surface (Red Eclipse sound, sfx)",
                   tags=["underwater", "water", "sfx"], licence="CC-BY-SA-4.0", duration=6.45, sample_rate=44100,
                   channels=1, kind="bed")


class _TakesAll:
    """Accepts every candidate: these tests are about length, not about what a sound is."""

    def verify(self, query, candidates):
        return [Verdict(True, c.score, "accepted", margin=0.1) for c in candidates]


def test_a_bed_is_never_a_clip_too_short_to_loop():
    """A 0.55 s bubble looped under a whole mix is a beat, not the sea: the bed takes the
    longer recording and the trail says why the clip was passed over."""
    tag = AmbienceTag(label="underwater", query="underwater ambience bubbles", queries=["underwater ocean ambience"])
    (bed,) = find_sounds(_scene([], [tag]), _TwoRecordings([BUBBLE, UNDERWATER]), _TakesAll(), None)
    assert bed.sound is not None and bed.sound.id == UNDERWATER.id, bed.verdict
    assert any(s.sound_id == BUBBLE.id and "too short to loop" in s.detail for s in bed.trail)
    (only,) = find_sounds(_scene([], [tag]), _TwoRecordings([BUBBLE]), _TakesAll(), None)
    assert only.sound is None, only.verdict


def test_an_object_may_be_a_short_clip():
    (bubbles,) = find_sounds(_scene([_obj("bubbles", "underwater air bubbles", accepts=["bubble"])]),
                             _TwoRecordings([BUBBLE]), _TakesAll(), None)
    assert bubbles.sound is not None and bubbles.sound.id == BUBBLE.id, bubbles.verdict


# Verbatim from the starter library (Berusky 2, Debian), with its real length: long enough to
# loop, but a one-shot.
BUBBLES = Sound(provider="library", id="berusky2/bubliny3.wav", path=str(data_dir() / "starter" / "berusky2/bubliny3.wav"),
                name="bubbles", description="bubbles rising in water (Berusky 2 sound)", tags=["bubbles", "underwater", "water"],
                licence="GPL-2+", duration=2.2, sample_rate=22050, channels=1, kind="one-shot")


class _ByQuery:
    """A source that answers each query with its own recordings (the library's first query
    found only the bubbles, its second the underwater bed)."""

    name = "by-query"

    def __init__(self, answers: dict[str, list[Sound]]):
        self.answers = answers

    def search(self, query, role, limit):
        return [Candidate(s, 0.9) for s in self.answers.get(query, [])[:limit]]


def test_a_bed_from_a_later_query_beats_a_one_shot_from_an_earlier_one():
    """Two seconds of bubbles passed for "underwater ambience bubbles" and played as the bed,
    looped under the whole mix, while the next query had the sea's own bed: the one-shot waits
    in reserve and the bed wins; alone, the one-shot is still taken."""
    tag = AmbienceTag(label="underwater", query="underwater ambience bubbles", queries=["underwater ocean ambience"])
    both = _ByQuery({"underwater ambience bubbles": [BUBBLES], "underwater ocean ambience": [UNDERWATER]})
    (bed,) = find_sounds(_scene([], [tag]), both, _TakesAll(), None)
    assert bed.sound is not None and bed.sound.id == UNDERWATER.id, bed.verdict
    assert any(s.sound_id == BUBBLES.id and "is a one-shot, no bed to loop; kept in reserve" in s.detail for s in bed.trail)
    (only,) = find_sounds(_scene([], [tag]), _ByQuery({"underwater ambience bubbles": [BUBBLES]}), _TakesAll(), None)
    assert only.sound is not None and only.sound.id == BUBBLES.id, only.verdict
    obj = _obj("bubbles", "underwater air bubbles", queries=["bubbles rising"], accepts=["bubbles"])
    (one_shot,) = find_sounds(_scene([obj]), _ByQuery({"underwater air bubbles": [BUBBLES]}), _TakesAll(), None)
    assert one_shot.sound is not None and one_shot.sound.id == BUBBLES.id  # an object's one-shot is no stand-in


def _starter(folder: str, name: str, kind: str = "one-shot") -> Sound:
    """A recording of the starter library (``make install`` fills it) as its metadata describes it."""
    meta = data_dir() / "starter" / folder / "metadata.jsonl"
    r = next(json.loads(line) for line in meta.read_text(encoding="utf-8").splitlines() if json.loads(line)["name"] == name)
    return Sound(provider="library", id=f"{folder}/{r['path']}", path=str(meta.parent / r["path"]), name=r["name"],
                 description=r["description"], tags=r["tags"], licence=r["licence"], duration=2.0, sample_rate=44100,
                 channels=1, kind=kind)


def test_a_part_named_by_its_thing_is_that_things_part(verifier):
    """"oven door opening and closing" asks for an oven's door: SuperTux's "door opening and
    closing" ranked first of all concepts and played for ovens, though it is any house door;
    a small bell is no bicycle's. A recording that names the part and none of the thing's
    concepts is another thing's; one that names the thing stays."""
    door = _starter("supertux", "door")
    bell, bicycle = _starter("libreoffice_gallery", "kling"), _starter("qabcs", "bicycle")
    oven = _obj("oven", "oven door opening and closing", accepts=["oven", "stove"])
    (found,) = find_sounds(_scene([oven]), _ByQuery({"oven door opening and closing": [door]}), verifier, None)
    assert found.sound is None, found.verdict
    assert any(s.sound_id == door.id and "names door, not the oven's" in s.detail for s in found.trail)
    ride = _obj("bicycle", "bicycle bell ringing", accepts=["bicycle", "bicycle bell"])
    (found,) = find_sounds(_scene([ride]), _ByQuery({"bicycle bell ringing": [bell, bicycle]}), verifier, None)
    assert found.sound is not None and found.sound.id == bicycle.id, found.verdict
    words = word_evidence(verifier, None)
    assert part_without_its_thing(words, "bicycle", "bicycle bell ringing", bell, ["bicycle"]) == "bell"
    assert part_without_its_thing(words, "bicycle", "bicycle bell ringing", bicycle, ["bicycle"]) is None
    assert part_without_its_thing(words, "tram", "tram bell and rumble", bell, ["tram", "bell"]) is None  # a concept
    # two words that are one thing name no part; nor does what an animal does
    humming = door.model_copy(update={"name": "oven", "description": "an oven humming"})
    assert part_without_its_thing(words, "microwave", "microwave oven humming", humming, ["microwave"]) is None
    assert part_without_its_thing(words, "microwave", "microwave door opening", door, ["microwave"]) == "door"
    assert part_without_its_thing(words, "dog", "dog bark", _starter("supertux", "door"), ["dog"]) is None


def test_a_fallback_pick_needs_the_embedding_not_just_the_general_word(verifier, hierarchy):
    """With no coffee machine in the library, the table's fallback "kitchen" found Home
    Decor's toaster: it names "kitchen", so the words alone passed it, and a toaster's click
    played at the coffee machine. On a fallback the word named is the general one, so the
    query must lead the concepts nearest to the recording; a keyboard's key press does for a
    computer mouse's "keyboard typing clicking" (the embedding puts it first of all)."""
    toaster = _starter("homedecor", "toaster")
    machine = _obj("coffee machine", "espresso machine brewing", accepts=["coffee machine", "espresso"])
    assert hierarchy.fallbacks("coffee machine")[0] == "kitchen"
    (found,) = find_sounds(_scene([machine]), _ByQuery({"kitchen": [toaster]}), verifier, hierarchy)
    assert found.sound is None, found.verdict
    assert any(s.sound_id == toaster.id and "on its words alone" in s.detail for s in found.trail), found.trail
    (verdict,) = verifier.verify("kitchen", [Candidate(toaster, 0.5)])
    assert verdict.accepted and verdict.by_words  # what the finder now turns down, and why
    key = _starter("bucklespring", "slash key press")
    mouse = _obj("computer mouse", "computer mouse clicking", accepts=["mouse", "click", "computer"])
    (found,) = find_sounds(_scene([mouse]), _ByQuery({"keyboard typing clicking": [key]}), verifier, hierarchy)
    assert found.sound is not None and found.sound.id == key.id, found.verdict


def test_a_fallback_that_names_the_thing_beats_a_reserve_that_names_nothing(hierarchy):
    """A tram's own query found only Micropolis's bare "rumble", kept in reserve because it
    names nothing of a tram; the reserve used to be taken the moment the own queries ran out.
    The hierarchy's "train" may find a recording that names a concept of the tram (its
    ``accepts`` hold "train"): that one wins; with nothing better, the reserve still plays."""
    rumble, rail = _starter("micropolis", "rumble"), _starter("micropolis", "rail")
    tram = _obj("tram", "tram bell and rumble", queries=["tram passing"], accepts=["tram", "streetcar", "train"])
    assert hierarchy.fallbacks("tram")[0] == "train"
    answers = {"tram bell and rumble": [rumble], "train bell and rumble": [rail]}
    (found,) = find_sounds(_scene([tram]), _ByQuery(answers), _TakesAll(), hierarchy)
    assert found.sound is not None and found.sound.id == rail.id, found.verdict
    (found,) = find_sounds(_scene([tram]), _ByQuery({"tram bell and rumble": [rumble]}), _TakesAll(), hierarchy)
    assert found.sound is not None and found.sound.id == rumble.id, found.verdict


def test_a_bed_of_the_place_itself_beats_a_one_shot_kept_for_it():
    """"motorway traffic passing" finds Micropolis's two seconds of heavy traffic (a one-shot,
    kept in reserve), "distant road traffic", another of the highway's own queries, a Red
    Eclipse traffic bed: the highway's own bed plays, though it names no more of "highway".
    A bed found only for a closer place it falls back to (a city street) still loses to the
    reserve, as before."""
    heavy = _starter("micropolis", "heavytraffic")
    distant = _starter("redeclipse", "distant cars", kind="bed")
    tag = AmbienceTag(label="highway", query="motorway traffic passing",
                      queries=["distant road traffic", "city street traffic ambience"])
    own = _ByQuery({"motorway traffic passing": [heavy], "distant road traffic": [distant]})
    (bed,) = find_sounds(_scene([], [tag]), own, _TakesAll(), None)
    assert bed.sound is not None and bed.sound.id == distant.id, bed.verdict
    closer = _ByQuery({"motorway traffic passing": [heavy], "city street traffic ambience": [distant]})
    (bed,) = find_sounds(_scene([], [tag]), closer, _TakesAll(), None)
    assert bed.sound is not None and bed.sound.id == heavy.id, bed.verdict


def test_the_people_of_a_square_do_not_double_its_bed():
    """Unknown Horizons' "crowd murmur in a town's main square" is the town square's bed and
    the only recording the people's first query accepts: they used to reuse it, a second voice
    of the bed. Their own next query is tried first (footsteps on the square's stone); only
    when it finds nothing do they reuse the bed's recording, and say so."""
    square = _starter("unknown_horizons", "main square", kind="bed").model_copy(update={"duration": 8.7})
    steps = _starter("lugaru", "foot step stone")
    tag = AmbienceTag(label="town square", query="town square ambience with people and pigeons")
    people = _obj("people in a square", "people chatting in a town square", queries=["footsteps on cobblestones"])
    answers = {"town square ambience with people and pigeons": [square], "people chatting in a town square": [square]}
    bed, found = find_sounds(_scene([people], [tag]), _ByQuery({**answers, "footsteps on cobblestones": [steps]}),
                             _TakesAll(), None)
    assert bed.sound is not None and bed.sound.id == square.id, bed.verdict
    assert found.sound is not None and found.sound.id == steps.id, found.verdict
    assert any(s.sound_id == square.id and "plays as the bed already" in s.detail for s in found.trail)
    bed, found = find_sounds(_scene([people], [tag]), _ByQuery(answers), _TakesAll(), None)
    assert found.sound is not None and found.sound.id == square.id, found.verdict
    assert found.trail[-1].action == "exhausted" and "plays as the bed already" in found.trail[-1].detail
    # two objects of one kind still share a recording when there is no other (step 3)
    dogs = [_obj(f"dog {i}", "dog barking") for i in range(2)]
    bark = _starter("qabcs", "dog")
    first, second = find_sounds(_scene(dogs), _ByQuery({"dog barking": [bark]}), _TakesAll(), None)
    assert first.sound.id == second.sound.id == bark.id and second.trail[-1].action == "exhausted"
