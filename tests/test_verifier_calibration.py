"""The verifier, calibrated on labelled pairs: fitted on two thirds of the queries, measured on the rest.

``tests/data/verifier_pairs.jsonl`` (made by ``tests/data/make_verifier_pairs.py``) holds
1,689 (query, sound, right/wrong) pairs over the real descriptions of the starter library:
every right recording, the nearest wrong ones a search returns, and the hard negatives of
issue 15 (tiger vs cat, a deep-sea vessel vs a rowing boat, the peacock for every bird,
a hand clap vs applause), its false rejections ("crowd talking", "room tone") and the
category neighbours the dev photos were given (a bear for a panda, a lion roar for a
cheetah, a pig's "farm animal" for an alpaca).

Floors: the held-out third has 138 right and 464 wrong pairs; at the measured precision
0.87 (131 accepts) and recall 0.83 one standard error is ~0.03 and ~0.032, so the
floors (0.80, 0.74) sit two to three standard errors below the measurement, and both above
the verifier before (0.76, 0.67), which a regression to it would fall under.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pytest

from image_extender.analyze.vocabulary import sounding_entries
from image_extender.library.embed import CachedEmbedder, get_embedder
from image_extender.sounds.base import Candidate
from image_extender.sounds.calibration import fit, held_out, load_pairs, measure
from image_extender.sounds.hierarchy import ConceptHierarchy
from image_extender.sounds.sound_words import SoundWords
from image_extender.sounds.verify import EmbeddingVerifier, default_vocabulary
from image_extender.sounds.wordnet import WordNet

PAIRS = Path(__file__).resolve().parent / "data" / "verifier_pairs.jsonl"


def data_dir() -> Path:
    return Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parent.parent / "data"))


@pytest.fixture(scope="module")
def pairs():
    return load_pairs(PAIRS)


@pytest.fixture(scope="module")
def embedder():
    return CachedEmbedder(get_embedder(), data_dir() / "cache" / "embeddings.sqlite")


@pytest.fixture(scope="module")
def vocabulary():
    return default_vocabulary(ConceptHierarchy.load(use_wordnet=False).terms())


@pytest.fixture(scope="module")
def verifier(embedder, vocabulary):
    return EmbeddingVerifier(embedder, vocabulary, lexicon=SoundWords(WordNet.from_data_dir(data_dir())))  # as the finder


@lru_cache(maxsize=1)
def _template():
    return next(iter(load_pairs(PAIRS))).sound


def described(text: str, tags: tuple[str, ...] = (), name: str | None = None):
    """A recording of the labelled set, described anew: ``text`` as its name (or ``name``) and description."""
    return _template().model_copy(update={"name": name or text, "description": text, "tags": list(tags)})


def _pair(pairs, query, name):
    return next(p for p in pairs if p.query == query and p.sound.name == name)


def test_the_labelled_set_holds_the_hard_cases_of_the_issue(pairs):
    assert len(pairs) >= 300 and sum(p.right for p in pairs) >= 100
    assert not _pair(pairs, "cat meowing", "tiger").right and _pair(pairs, "cat meowing", "blackcat").right
    assert not _pair(pairs, "rowing boat", "bathyscape").right
    bird_queries = {p.query for p in pairs if p.sound.name == "peacock_call_01" and not p.right}
    assert len(bird_queries) >= 10  # the peacock is a wrong answer for robin, owl, duck, heron, penguin…
    for query in ("crowd talking", "room tone", "ball bouncing"):
        assert any(p.query == query for p in pairs)
    held = {p.query for p in pairs if held_out(p.query)}
    assert 0.25 < len(held) / len({p.query for p in pairs}) < 0.42


def test_held_out_precision_and_recall_stay_above_their_floors(verifier, embedder, vocabulary, pairs):
    held = [p for p in pairs if held_out(p.query)]
    after = measure(verifier, held)
    assert after.precision >= 0.80 and after.recall >= 0.74, str(after)
    before = measure(EmbeddingVerifier(embedder, vocabulary, top_k=5, max_gap=0.15, floor=0.30, name_cover=9.0), held)
    # measured with the analyzer's full vocabulary as rivals: precision 0.76 -> 0.87, recall 0.67 -> 0.84
    assert after.precision > before.precision + 0.10 and after.recall > before.recall + 0.10, (str(before), str(after))


def test_the_shipped_thresholds_are_the_best_fit_on_the_other_queries(verifier, pairs):
    """Fitted (verify.CALIBRATION): the shipped point is the grid's best F1 on the fitting
    part. When the analyzer's vocabulary grows, ranks move; the shipped point must then
    stay within 0.02 F1 of the best, or be refitted with ``calibration.fit``."""
    grid = {"top_k": (1, 5), "max_gap": (0.0, 0.05, 0.15), "floor": (0.35, 0.4, 0.45), "name_cover": (0.75, 0.9, 1.01),
            "name_floor": (0.0,)}
    fitting = [p for p in pairs if not held_out(p.query)]
    _, best = fit(verifier, fitting, grid)
    shipped = measure(verifier, fitting)

    def f1(c):
        return 2 * c.precision * c.recall / (c.precision + c.recall)

    assert f1(shipped) >= f1(best) - 0.02, (str(shipped), str(best))


def test_a_cat_is_not_a_tiger_but_a_crowd_in_a_port_is_a_crowd(verifier, pairs):
    for query, name, right in [("cat meowing", "tiger", False), ("cat meowing", "blackcat", True),
                               ("cuckoo calling", "cuckoo", True), ("lark singing", "lark", True),
                               ("crowd talking", "amb_port_10", True), ("violin", "violin", True)]:
        p = _pair(pairs, query, name)
        (verdict,) = verifier.verify(query, [Candidate(p.sound, 0.5)])
        assert verdict.accepted is right, (query, name, verdict.reason)


def test_what_is_heard_at_a_place_is_no_rival_of_its_bed(embedder, vocabulary):
    """Unknown Horizons' "crowd murmur in a town's main square" was judged against "crowd
    murmur in a town square", the query of the people in a square, and so was never near
    enough to a town square's own bed. The people in a square are heard *at* a town square
    (their rule's ``when_places``), so for that bed they are no rival; for a market's bed they
    still are."""
    from image_extender.sounds.verify import default_heard_at, default_places_heard

    heard, places = default_heard_at(), default_places_heard()
    assert "town square" in heard["crowd murmur in a town square"]
    assert places["town square ambience with people and pigeons"] == {"town square"}
    square = described("crowd murmur in a town's main square, people talking and walking about (Unknown Horizons "
                       "building sound)", ("crowd", "murmur", "town square", "people", "talking"), name="main square")
    lexicon = SoundWords(WordNet.from_data_dir(data_dir()))
    aware = EmbeddingVerifier(embedder, vocabulary, lexicon=lexicon)
    blind = EmbeddingVerifier(embedder, vocabulary, lexicon=lexicon, places_heard={}, heard_at={})
    query = "town square ambience with people and pigeons"
    (before,), (after,) = blind.judge(query, [square]), aware.judge(query, [square])
    assert before.best == "crowd murmur in a town square" and before.margin < -0.1, before
    assert after.best != "crowd murmur in a town square" and after.margin > before.margin + 0.1, after
    (market,) = aware.judge("busy market crowd ambience", [square])
    assert market.rank > 1, market  # a market's bed still meets the square's crowd as a rival


def test_two_ways_of_asking_for_one_bed_are_no_rivals(embedder, vocabulary):
    """With the people in the square set aside, the nearest rival of the main square's crowd
    murmur was the town square's other bed query, "city square footsteps and chatter", and for
    that query the first one: the two ways of asking for the square's bed kept the square's own
    recording out of it. Queries of one kind of place are no rivals of each other; another
    place's still are (a market's crowd)."""
    square = described("crowd murmur in a town's main square, people talking and walking about (Unknown Horizons "
                       "building sound)", ("crowd", "murmur", "town square", "people", "talking"),
                       name="main square").model_copy(update={"kind": "bed"})
    lexicon = SoundWords(WordNet.from_data_dir(data_dir()))
    aware = EmbeddingVerifier(embedder, vocabulary, lexicon=lexicon)
    own = next(e.queries for e in sounding_entries() if e.role == "ambience" and e.label == "town square")
    first, second = own[0].lower(), own[1].lower()
    # the same verifier, told only that the first query is a town square's bed
    alone = EmbeddingVerifier(embedder, vocabulary, lexicon=lexicon, places_heard={first: frozenset({"town square"})})
    (before,), (after,) = alone.judge(first, [square]), aware.judge(first, [square])
    assert before.best == second and before.rank > 1, before
    assert after.best not in {q.lower() for q in own} and after.rank == 1, after
    assert aware.decide(first, square, after).accepted
    (market,) = aware.judge("busy market crowd ambience", [square])
    assert market.rank > 1, market


def test_a_door_closing_is_the_opposite_of_a_door_opening(verifier, pairs):
    p = _pair(pairs, "door opening", "door close")
    (verdict,) = verifier.verify("door opening", [Candidate(p.sound, 0.5)])
    assert not verdict.accepted
    assert "says the opposite of 'door opening': 'close' is the opposite of 'opening'" in verdict.reason


def test_only_the_senses_a_word_is_used_in_have_opposites(verifier):
    """Running water's opposite is standing water (a tagged sense); "passing" is the opposite
    of "running" only for a football play (an untagged one), so a mower or a car "passing"
    does not contradict an engine "running"."""
    def contradiction(query: str, text: str):
        return verifier.words.judge(query, described(text)).contradiction

    assert contradiction("lawn mower running", "petrol lawn mower cutting grass, passing close") is None
    assert contradiction("car engine running", "car passing by on a wet road") is None
    assert contradiction("water running", "standing water in a ditch") == "'standing' is the opposite of 'running'"
    assert contradiction("door opening", "door close") == "'close' is the opposite of 'opening'"


@pytest.mark.parametrize(("query", "name"), [
    ("panda bleating", "bear"),  # a red panda boxed as a bear: the bear recording is no panda
    ("cheetah growl", "lion roar"),  # one big cat for another
    ("alpaca humming", "farm animal"),  # "farm animal, pig grunting on a piggery"
    ("leopard growl", "tiger"),
])
def test_a_category_neighbour_is_another_animal(verifier, pairs, query, name):
    """The dev photos' category neighbours (issue 15), now hard negatives of the labelled
    set: the candidate's own words name an animal that is neither the query's, a kind of
    it nor a more general word for it, so it is rejected whatever the embedding says."""
    p = _pair(pairs, query, name)
    assert not p.right
    (verdict,) = verifier.verify(query, [Candidate(p.sound, 0.5)])
    assert not verdict.accepted and "is another animal than" in verdict.reason, verdict.reason


def test_sexes_and_ages_of_one_animal_are_that_animal(verifier):
    """WordNet files a bull beside a cow exactly as it files a lion beside a cheetah; the
    gloss ("uncastrated adult male of domestic cattle") makes a bull, a hen or a calf stand
    for its animal, so these are never "another animal"."""
    words = verifier.words
    for query, named in [("cow mooing", "A bull and a calf"), ("chicken clucking", "A brown hen"),
                         ("horse neighing", "a mare with her foal"), ("hog grunting", "pig squealing")]:
        sound = described(named)
        assert words.other_animal([query], sound) is None, (query, named)


def test_a_big_cat_is_no_house_cat_whatever_words_it_shares(verifier):
    """"Tiger roar, big cat, zoo enclosure" says "cat" too: beside a tiger the word means the
    big cat (one of its WordNet senses), and a "cat" asked for is the house cat, the sense
    people mean (18 tagged uses to 0). So a tiger is no cat, no kitten (a "young domestic
    cat" by its gloss, not any young animal), while a black cat is a cat and a hog a pig; and a
    recording's own "cat" is the house cat too."""
    def other(query: str, text: str, tags: tuple[str, ...] = ()):
        return verifier.words.other_animal([query], described(text, tags))

    tiger = ("Tiger roar, big cat, zoo enclosure", ("tiger", "roar", "big-cat"))
    for query in ("cat meowing", "cats meowing", "kitten mewing"):
        assert other(query, *tiger) == f"names tiger, not {query.split()[0]}", query
    assert other("big cat growling", *tiger) is None
    assert other("cat meowing", "A black cat. Tux Paint stamp sound") is None
    assert other("kitten mewing", "my cat meowing for food", ("cat",)) is None
    assert other("hog grunting", "pig squealing") is None
    # and the other way round: a recording's "cat" is read in the sense people mean too, so a
    # purring cat is no cheetah (seen accepted for "cheetah purring", rank 1 by the embedding),
    # while a "big cat" (WordNet's own first name for the group) is one for a lion
    assert other("cheetah purring", "Cat purring contentedly on a lap, close.") == "names cat, not cheetah"
    assert other("lion roaring", "Big cat roaring at night") is None


@pytest.mark.parametrize(("query", "text", "right"), [
    # descriptions unlike the starter library's (freesound-style sentences)
    ("washing machine running", "Car passing by on a wet road", False),  # a car is a "machine": cosine 0.09
    ("wood splitting", "Wolf howling at night in the forest", False),  # a forest is a "wood": 0.61 nearer elsewhere
    ("whistle blowing", "Dolphins clicking and whistling underwater", False),
    ("sewing machine running", "Washing machine spin cycle", False),  # "sewing" names the machine, it is no action
    ("shopping trolley rolling", "Tram bell and wheels squealing on a city street", False),
    ("cockerel crow", "Crow cawing from a rooftop", False),  # a cockerel is asked for; the crow is what it does
    ("washing machine running", "Washing machine spin cycle", True),
    ("cat meowing", "My cat meowing for food in the kitchen", True),
    ("rooster crowing", "Rooster crowing at dawn on the farm", True),
    ("fly buzzing", "Canada geese honking as they fly over", False),  # what they do: a verb, not the insect
    ("fly buzzing", "A fly buzzing against the window as it tries to get out", True),
])
def test_words_name_a_query_only_in_the_sense_it_means(verifier, query, text, right):
    """A recording's words can name a query through a sense it does not mean (a car is a
    "machine" to WordNet, a forest a "wood", dolphins "whistle"): naming counts only when the
    embedding does not put the recording far nearer something else (``NAME_FLOOR``,
    ``NAME_MAX_GAP``), an -ing word before a noun is part of the thing's name, an animal
    query asks for its first animal (the cockerel, not the crow), and a word right after a
    subject pronoun is what the subject does (geese honking "as they fly over")."""
    (verdict,) = verifier.verify(query, [Candidate(described(text, name=text.split()[0].lower()), 0.5)])
    assert verdict.accepted == right, verdict.reason


def test_a_songbird_is_any_of_the_birds_wordnet_files_beside_it(verifier):
    """WordNet's "songbird" (any bird having a musical call) has no kinds of its own: robins,
    blackbirds, sparrows, finches and nightingales are filed under its parent, "oscine". A
    library that names the species ("Blackbird singing at dawn") still backs a songbird; a crow
    or a gull named so does not back a goose, nor a goose a songbird."""
    def other(query: str, text: str):
        return verifier.words.other_animal([query], described(text))

    for species in ("robin", "blackbird", "sparrow", "finch", "nightingale", "lark", "starling", "wren"):
        assert other("songbird singing", f"{species} singing at dawn") is None, species
    assert other("songbird singing", "goose honking") == "names goose, not songbird"
    assert other("goose honking", "blackbird singing at dawn") == "names blackbird, not goose"


def test_what_a_vocabulary_animal_stands_for_is_the_vocabulary_s_to_say(verifier, embedder, vocabulary):
    """WordNet files the wren under "passerine", beside "oscine" (where its "songbird" sits):
    to WordNet alone a wren is another animal than a songbird. The analyzer's vocabulary says
    what its songbird stands for (oscine and passerine birds, ``sounding.toml``), and the
    verifier reads it so; without that table the wren is refused."""
    wren = described("Wren singing in a hedgerow, close, spring morning")
    assert verifier.words.other_animal(["songbird singing"], wren) is None
    bare = EmbeddingVerifier(embedder, vocabulary, lexicon=verifier.lexicon, extents={})
    assert bare.words.other_animal(["songbird singing"], wren) == "names wren, not songbird"
    assert verifier.words.other_animal(["songbird singing"], described("Gull calling")) == "names gull, not songbird"
    # ...and a wren names the songbird asked for, as a kind of it: so the verifier takes "Wren singing"
    wren_song = described("Wren singing loudly from a hedge.", ("wren", "birdsong"), name="Wren singing")
    assert verifier.words.judge("songbird singing", wren_song).things >= 0.75
    assert bare.words.judge("songbird singing", wren_song).things < 0.5
    (verdict,) = verifier.verify("songbird singing", [Candidate(wren_song, 1.0)])
    assert verdict.accepted, verdict.reason
    assert verifier.words.judge("songbird singing", described("Gull calling", name="gull")).things < 0.5


def test_a_bird_s_song_is_its_call_not_music(verifier):
    """"song" marks a song called "Dog", but a bird's song (and a whale's) is its call: a
    nightingale's song backs a songbird; a song about a dog still backs no bark."""
    nightingale = described("Nightingale song. Nightingale singing at night, woodland", ("nightingale", "bird", "song"),
                            name="Nightingale song")
    for query in ("songbird singing", "birdsong", "nightingale song"):
        (verdict,) = verifier.verify(query, [Candidate(nightingale, 0.5)])
        assert "a song" not in verdict.reason, (query, verdict.reason)
    assert any(v.accepted for v in verifier.verify("birdsong", [Candidate(nightingale, 0.5)]))
    dog_song = described("Dog, a song by a garage band", ("song", "rock"), name="Dog")
    (verdict,) = verifier.verify("dog barking", [Candidate(dog_song, 0.5)])
    assert not verdict.accepted and "a song" in verdict.reason, verdict.reason


def test_a_part_of_an_animal_is_no_other_animal(verifier):
    """WordNet files horns, hooves, wings and feathers as noun.animal, but none is an
    organism: a street's "distant horns" are no animal that is not a pigeon, and hooves on
    cobblestones or a pigeon's wings are no animal other than the horse or the pigeon."""
    def other(query: str, text: str):
        return verifier.words.other_animal([query], described(text))

    assert other("town square ambience with people and pigeons",
                 "City street ambience, traffic and pedestrians passing, distant horns") is None
    assert other("horse galloping", "hooves clattering on cobblestones") is None
    assert other("pigeon cooing", "pigeons cooing and wings flapping in a square") is None
    assert other("pigeon cooing", "gulls crying and feathers everywhere") == "names gulls, not pigeon"


def test_a_two_word_animal_is_that_animal_not_its_last_word(verifier):
    """A sea lion is no lion, a guinea pig no pig: the query's two words are read as the one
    animal WordNet knows, and a recording that says them is that animal, or a recording's own
    two words whose first is no adjective; its "black cat" stays a cat that is black
    (WordNet's black cat is a fisher)."""
    words = verifier.words
    named = described

    assert "names lion, not sea lion" in (words.other_animal(["sea lions barking"], named("lion roaring")) or "")
    assert "names pig, not guinea pig" in (words.other_animal(["guinea pig squeaking"], named("pig grunting")) or "")
    assert words.other_animal(["sea lions barking"], named("sea lion colony barking")) is None
    assert words.other_animal(["cat meowing"], named("black cat meowing")) is None
    # the recording's own two-word animals too, when the first word cannot describe the second
    # (seen wrong before: Freesound-style sea lions were a lion roaring, a big cat growling)
    sea_lions = named("Californian sea lions barking on a pier")
    assert "names sea lion, not lion" in (words.other_animal(["lion roaring"], sea_lions) or "")
    assert words.kind_of("big cat growling", sea_lions) is None
    assert not verifier.verify("lion roaring", [Candidate(sea_lions, 0.0)])[0].accepted
    assert words.other_animal(["lion roaring"], named("Male lion roaring, Kenya")) is None
    # ... unless the pair is only a second name of an animal the last word does not mean: a
    # "carrion crow" is WordNet's black vulture, but what a recordist means is the crow
    carrion = named("Carrion crow cawing from a treetop")
    assert words.other_animal(["crow cawing"], carrion) is None
    assert "names crow, not eagle" in (words.other_animal(["eagle screeching"], carrion) or "")
    # when the query tells kinds apart by a word, the recording's own pair is read the same way
    assert "names giant panda, not red panda" in (words.other_animal(["red panda squeaking"], named("giant panda call")) or "")
    # a fallback's general words are not read as one new animal: "farm animals" allows no pig for an alpaca
    piggery = named("farm animal, pig grunting on a piggery")
    assert "names pig, not alpaca" in (words.other_animal(["alpaca humming", "llama"], piggery, ["farm animals"]) or "")


def test_a_musical_instrument_is_not_music(verifier, pairs):
    """Hydrogen's drum-kit samples are tagged "musical instrument": a thing, not a song.
    The reference cue for music must not read "musical" there (a hand clap for "hand
    clapping" is judged on its own words, not rejected as music)."""
    p = next(p for p in pairs if p.query == "hand clapping" and "musical instrument" in p.sound.tags)
    (verdict,) = verifier.verify("hand clapping", [Candidate(p.sound, 0.5)])
    assert "is music" not in verdict.reason, verdict.reason



def test_a_kind_of_the_animal_asked_for_is_no_rival(verifier):
    """A robin is a bird: a recording nearest to the concept "robin" is a bird chirping all the
    same, so kinds of the query's animal do not rank against it (seen on a Freesound-style
    description: "European robin singing" ranked "birds chirping" 12th, behind "robin"; 7th now), while
    another animal does: a tiger is no cat meowing."""
    robin = described("European robin singing from a hedge, winter.", name="Robin")
    (judged,) = verifier.judge("birds chirping", [robin])
    assert "robin" not in judged.best and judged.rank <= 10, (judged.best, judged.rank)
    tiger = described("Tiger growling and snarling, zoo.", name="Tiger")
    (judged,) = verifier.judge("cat meowing", [tiger])
    assert "tiger" in judged.best


def test_people_doing_what_animals_do_are_no_animal(verifier):
    """Laughing, howling, whistling: a recording of a person doing it names a person and no
    animal, and is no hyena, wolf or bird (seen on a Freesound/BBC-style description: "Woman
    laughing heartily" was accepted for "hyena laughing", third of 1,800 concepts). A recording
    that names the animal beside people stays that animal."""
    woman = described("Woman laughing heartily.", ("laugh", "female"), name="Woman laughing")
    assert "names woman, not hyena" in (verifier.words.other_animal(["hyena laughing"], woman) or "")
    assert not verifier.verify("hyena laughing", [Candidate(woman, 0.0)])[0].accepted
    assert verifier.verify("people laughing", [Candidate(woman, 0.0)])[0].accepted
    assert verifier.words.other_animal(["wolf howling"], described("Man howling at the moon")) == "names man, not wolf"
    postman = described("Dog barking at the postman at the gate")
    assert verifier.words.other_animal(["dog barking"], postman) is None
    # a word whose first sense is people but that is also the sex or age of an animal is that animal
    for query, text in (("sheep bleating", "A ewe"), ("fox screaming", "Vixen screaming"), ("goat bleating", "Kid bleating")):
        assert verifier.words.other_animal([query], described(text)) is None, text
    assert verifier.words.other_animal(["kids laughing and shouting"], woman) is None  # a query's kids are children


def test_a_sex_of_an_animal_is_read_through_the_sense_its_gloss_means(verifier):
    """A sow is "an adult female hog", and WordNet's first animal "hog" is a yearling sheep:
    read so, "Sows grunting" was a sheep and another animal than a pig. The gloss's word is
    read in its sense nearest to the word defined (the swine)."""
    sows = described("Sows grunting at the trough")
    assert verifier.words.other_animal(["pig grunting"], sows) is None
    assert verifier.words.other_animal(["sheep bleating"], sows) == "names sows, not sheep"


def test_a_bed_that_lists_animals_asks_for_each_of_them(verifier):
    """"Garden ambience birds and bees" asks for birds and for bees: a garden recording that
    names only its bees (or a dairy farm only its cows, for "barnyard with chickens and cows")
    is no other animal; one that follows another as its call would is not listed ("cockerel
    crow" asks for the cockerel), and an animal the bed does not list still is another animal."""
    def other(query: str, text: str):
        return verifier.words.other_animal([query], described(text))

    assert other("garden ambience birds and bees", "Suburban garden, birdsong, distant lawnmower, bees.") is None
    assert other("barnyard with chickens and cows", "Dairy farm, cows mooing, milking machine") is None
    assert other("garden ambience birds and bees", "Dog barking in a garden") == "names dog, not birds"
    assert other("cockerel crow", "Crow cawing from a treetop") == "names crow, not cockerel"


def test_a_bird_of_prey_is_asked_for_as_one_animal(verifier):
    """Search words leave out "of", so "bird of prey call" was read as asking for a bird and a
    pheasant passed for it (seen on a BBC-style description: "Cock pheasant calling and
    wing-whirring" backed the bird of prey and the ostrich). An animal word right
    before another says which one ("bull elephant") and is no animal of its own: no cattle."""
    def other(query: str, text: str):
        return verifier.words.other_animal([query], described(text))

    pheasant = "Cock pheasant calling and wing-whirring in a field."
    assert other("bird of prey call", pheasant) == "names pheasant, not bird of prey"
    assert other("pheasant call", pheasant) is None
    assert other("bird of prey call", "Common buzzard mewing overhead") is None
    assert other("elephant trumpeting", "Bull elephant trumpeting") is None
    assert other("cow mooing", "Bull elephant trumpeting") == "names elephant, not cow"
    assert other("chicken clucking", "Farmyard, chickens, cows, tractor idling.") is None  # a list names each
    assert other("pig grunting", "Pigs - Sows Grunting at Trough") is None  # so does a library's category


def test_a_cymbal_named_after_a_thing_is_a_cymbal(verifier):
    """A drum kit names a cymbal's kinds and parts after things: a "ride cup" is the bell of a
    ride cymbal, a "splash" and a "china" are cymbals. Hydrogen's samples say so in their
    tags, and a hit on one is no cup on a saucer, no splash of water, no church bell; a drum
    kit's whistle or hand clap names no cymbal and stays what it is."""
    kit = ("drum", "percussion", "musical instrument", "drum kit", "cymbal")
    ride_cup = described('ride-cup, a drum kit sample (percussion instrument hit) from the Hydrogen drum kit '
                         '"ColomboAcousticDrumkit"', kit, name="ride-cup")
    splash = described('Splash (Paiste Rude 10"), a drum kit sample (percussion instrument hit)', kit, name="splash")
    for query, sound in (("cup clinking on saucer", ride_cup), ("water splashing", splash), ("church bell ringing", ride_cup)):
        (verdict,) = verifier.verify(query, [Candidate(sound=sound, score=1.0)])
        assert not verdict.accepted and "a cymbal" in verdict.reason, (query, verdict.reason)
    (verdict,) = verifier.verify("drums playing", [Candidate(sound=splash, score=1.0)])
    assert "a cymbal" not in verdict.reason, verdict.reason
    clap = described("Hand Clap, a drum kit sample (percussion instrument hit)", kit[:4], name="hand clap")
    (verdict,) = verifier.verify("hand clapping", [Candidate(sound=clap, score=1.0)])
    assert "a cymbal" not in verdict.reason, verdict.reason


def test_a_tom_is_a_drum_not_a_tomcat(verifier):
    """WordNet files "tom" under cats (a tomcat): a drum kit's toms passed for "cat meowing".
    A drum query still takes them."""
    kit = ("drum", "percussion", "musical instrument", "drum kit")
    tom = described('Tom Low, a drum kit sample (percussion instrument hit) from the Hydrogen drum kit "Audiophob"',
                    kit, name="tom low")
    floor = described("Floor Tom, a drum kit sample (percussion instrument hit)", kit, name="floor tom")
    for sound in (tom, floor):
        (verdict,) = verifier.verify("cat meowing", [Candidate(sound=sound, score=1.0)])
        assert not verdict.accepted and "a tom drum" in verdict.reason, verdict.reason
    (verdict,) = verifier.verify("drums playing", [Candidate(sound=tom, score=1.0)])
    assert "a tom drum" not in verdict.reason, verdict.reason
    cat = described("A black cat meowing. Tux Paint stamp sound (animals, mammals, cats)", name="blackcat")
    (verdict,) = verifier.verify("cat meowing", [Candidate(sound=cat, score=1.0)])
    assert verdict.accepted, verdict.reason


def test_a_computer_mouse_is_no_mouse_and_a_bicycle_no_motorcycle(verifier):
    """Word senses: the "mouse" of "computer mouse clicking" is the device, so a cat that
    hunts mice is no kind of it (the OVOS skill's cat took every computer mouse); and
    qABCs' bicycle, described as a bicycle ridden, is no motorcycle passing by."""
    cat = described("Cat: The cat goes 'meow'. Cats are valued by humans for companionship and their ability to hunt "
                    "mice.", ("cat",), name="cat")
    (verdict,) = verifier.verify("computer mouse clicking", [Candidate(sound=cat, score=1.0)])
    assert not verdict.accepted, verdict.reason
    assert verifier.words.lexicon.animal_group(["computer", "mouse", "clicking"]) is None
    assert verifier.words.lexicon.animal_group(["mouse", "squeaking"]) is not None
    from image_extender.library.starter.qabcs import SOUNDS

    text, tags, _ = SOUNDS["bicycle"]
    bicycle = described(text + " (qABCs noise)", tuple(tags), name="bicycle")
    (verdict,) = verifier.verify("motorcycle passing by", [Candidate(sound=bicycle, score=1.0)])
    assert not verdict.accepted, verdict.reason


def test_a_thing_named_like_an_animal_is_not_that_animal(verifier):
    """A sentence embedding puts "bat hits ball" beside a swarm of bats; the finder asks the
    thing's own name ("baseball bat": WordNet's head word is the club) and refuses a
    recording that names the animal, while a horse cart's horse and a pneumatic drill (no
    baboon) stay what they are."""
    bats = described("bats flying, a swarm of bats (Scorched 3D sound)", name="bats")
    why = verifier.words.animal_homonym(["baseball bat", "baseball bat hitting ball"], bats)
    assert why and "bats" in why and "baseball bat" in why, why
    carriage = described("horse and carriage, hooves (Simutrans pak64 sound)", name="horse")
    assert verifier.words.animal_homonym(["horse cart", "horse drawn carriage"], carriage) is None
    drill = described("pneumatic drill, jackhammer (Hedgewars sound)", ("jackhammer", "drill"), name="pickhammer")
    assert verifier.words.animal_homonym(["power drill", "power drill drilling"], drill) is None
    bat_animal = described("bat chirp (OpenClonk sound, animal, bat)", ("animals", "bat"), name="chirp")
    assert verifier.words.animal_homonym(["bat", "bat chirping"], bat_animal) is None  # the animal asked for


def test_a_man_made_thing_never_takes_an_animal(verifier):
    """A brass section or a fly swatter is a man-made thing to WordNet: an elephant's
    trumpet or geese flying over are animals, whatever word they share. A horse cart asks
    for its horse, and a thing's recording that names no animal stays."""
    elephant = described("Elephant trumpet, a bull calling in the bush", name="elephant trumpet")
    why = verifier.words.thing_not_animal("brass", "trumpet playing", elephant)
    assert why and "elephant" in why, why
    carriage = described("horse and carriage, hooves (Simutrans pak64 sound)", name="horse")
    assert verifier.words.thing_not_animal("horse cart", "horse drawn carriage", carriage) is None
    trumpet = described("trumpet playing, a short phrase (qABCs noise)", name="trumpet")
    assert verifier.words.thing_not_animal("brass", "trumpet playing", trumpet) is None
    assert verifier.words.thing_not_animal("elephant", "elephant trumpeting", elephant) is None  # an animal asked for


def test_people_are_not_an_animal_named_by_the_recording(verifier):
    """A recording named after a dog is the dog's, though its description says it barks at
    passers-by; people talking in a park with birds around are still people, and an animal
    asked for keeps its recordings."""
    dog = described("Recorded in my backyard, early evening. The neighbour's dog barking at passers-by, distant "
                    "traffic.", ("dog", "bark"), name="dog_barking_backyard.wav")
    why = verifier.words.animal_not_people(["people in a square", "passers-by talking"], dog)
    assert why and "dog" in why, why
    park = described("Park in Paris, people talking on benches, birds singing, children far off.", name="Park in Paris")
    assert verifier.words.animal_not_people(["people in a square", "passers-by talking"], park) is None
    assert verifier.words.animal_not_people(["dog", "dog barking"], dog) is None  # an animal asked for
    assert verifier.words.animal_not_people(["car", "car passing"], dog) is None  # no people asked for


def test_a_word_is_an_animal_only_where_it_mostly_means_one(verifier):
    """WordNet files a young fox as a "kit", a marsh bird as a "rail", a baboon as a "drill"
    and a sea duck as a "scooter", but no one means those first: a drum kit's cowbell is a
    drum, a railway's train a train, a cordless drill a drill; bats are still bats."""
    cowbell = described('Cowbell, a drum kit sample (percussion instrument hit) from the Hydrogen drum kit "Audiophob"',
                        name="cowbell")
    assert verifier.words.thing_not_animal("drum", "drum playing", cowbell) is None
    rail = described("railway with a passing train, short ambience", name="RailTrain1")
    assert verifier.words.thing_not_animal("train", "train passing", rail) is None
    cordless = described("Cordless drill screwing into wood.", ("drill", "power tool"), name="Cordless drill")
    assert verifier.words.animal_homonym(["power drill", "electric drill"], cordless) is None
    vespa = described("Vespa scooter kick start and ride away.", ("scooter", "vespa", "moped"), name="Scooter start")
    assert verifier.words.thing_not_animal("motorcycle", "motorcycle passing by", vespa) is None
    bats = described("bats flying, a swarm of bats (Scorched 3D sound)", name="bats")
    assert verifier.words.animal_homonym(["baseball bat", "baseball bat hitting ball"], bats)


def test_a_bed_is_an_ambience_and_walla_is_a_crowd(verifier):
    """Sound libraries call a crowd's indistinct chatter "walla", and every bed is an
    ambience whatever its label says: "Restaurant walla" is a restaurant's ambience and a
    crowd's murmur. A one-shot is no ambience: a single farm animal is no farm's bed."""
    walla = described("Busy restaurant walla, cutlery clinks, indistinct conversation", ("walla", "restaurant", "crowd"),
                      name="Restaurant walla").model_copy(update={"kind": "bed"})
    (verdict,) = verifier.verify("restaurant ambience", [Candidate(walla, 0.5)])
    assert verdict.accepted, verdict.reason
    assert verifier.words.judge("indoor crowd murmur", walla).things > verifier.words.judge(
        "indoor crowd murmur", walla.model_copy(update={"description": "Busy restaurant, cutlery clinks", "tags": ["restaurant"],
                                                        "name": "Restaurant"})).things
    animal = described("A farm animal calling", ("farm", "animal"), name="farm animal").model_copy(update={"kind": "one-shot"})
    (verdict,) = verifier.verify("farm ambience", [Candidate(animal, 0.5)])
    assert not verdict.accepted, verdict.reason


def test_a_word_that_is_mostly_a_person_is_no_animal(verifier):
    """WordNet's "kid" is also a young goat, "baby" a young animal, "wheeler" a wheel horse,
    "man" a hominid; but most of each word's senses are people. Children playing are no goat
    (they were "a kind of goat"), an 18-wheeler no horse, and a baby crying is a person, so
    no gull's cry, though WordNet's first "gull" is a dupe. A hog (a greedy person, then two
    animals) stays an animal."""
    words = verifier.words
    kids = described("Kids playing in the park, shouting", ("kids", "park"), name="Kids playing")
    assert words.kind_of("goat bleating", kids) is None
    truck = described("18 wheeler semi truck driving by on the interstate, doppler", ("truck", "semi"),
                      name="Semi truck pass")
    assert not any(v.accepted for v in verifier.verify("horse neighing", [Candidate(truck, 0.5)]))
    baby = described("Baby crying in cot", ("baby", "infant", "cry"), name="Baby crying")
    assert words.other_animal(["gull cry"], baby) == "names baby, not gull"
    assert not verifier.verify("gull cry", [Candidate(baby, 0.5)])[0].accepted
    assert words.other_animal(["pig grunting"], described("Hog grunting in the mud")) is None


def test_a_made_thing_is_not_the_first_of_its_two_words(verifier):
    """A wind chime, a fire truck, a car horn are one made thing named by two words
    (WordNet): a gust of wind, a fire crackling, a car passing name only the first of them,
    and the embedding ranked the gust first of all concepts for "wind chimes tinkling". A
    made thing of its own by that word is another name for the embedding to judge when WordNet
    files the two as one ("fire engine"), never when it does not (a wind turbine, a car
    alarm), and a first word that is the thing itself ("microwave") names it."""
    gust = described("gust of wind ambience", ("gust", "weather", "wind"), name="windgust_11")
    (verdict,) = verifier.verify("wind chimes tinkling", [Candidate(gust, 0.5)])
    assert not verdict.accepted and "names wind" in verdict.reason, verdict.reason
    assert verifier.words.judge("wind blowing", gust).modifier is None  # wind asked for
    fire = described("fire crackling, a campfire", name="Fire1")
    assert verifier.words.judge("fire truck siren", fire).modifier == "names fire, not fire truck"
    engine = described("Fire engine passing by", name="fire engine")
    assert verifier.words.judge("fire truck siren", engine).modifier is None
    # another made thing by that word is not another name: WordNet files it elsewhere
    turbine = described("wind turbine turning", name="WindMillHTech1")
    assert verifier.words.judge("wind chimes tinkling", turbine).modifier == "names wind, not wind chimes"
    alarm = described("car alarm going off in a car park", name="car alarm")
    assert verifier.words.judge("car horn honking", alarm).modifier == "names car, not car horn"
    chime = described("wind chime tinkling in a breeze", name="wind chime")
    assert verifier.words.judge("wind chimes tinkling", chime).modifier is None
    beep = described("microwave beeping when done", name="microwave")
    assert verifier.words.judge("microwave oven humming", beep).modifier is None


def test_a_material_sounds_by_what_is_done_to_it(verifier, pairs):
    """Glass and wood sound only by what is done to them: a glass door closing or a glass of
    water names the glass of "glass breaking" but not the breaking, a cordless drill in wood
    no wood splitting. Recordings of the breaking itself are still accepted."""
    for name in ("glass door close", "glass"):
        pair = _pair(pairs, "glass breaking", name)
        (verdict,) = verifier.verify(pair.query, [Candidate(pair.sound, 0.5)])
        assert not pair.right and not verdict.accepted, verdict.reason
    for name in ("glass break", "glass shatter"):
        pair = _pair(pairs, "glass breaking", name)
        (verdict,) = verifier.verify(pair.query, [Candidate(pair.sound, 0.5)])
        assert pair.right and verdict.accepted, verdict.reason
    drill = described("Cordless drill screwing into wood.", ("drill", "power tool"), name="Cordless drill")
    assert verifier.words.judge("wood splitting", drill).things < verifier.lead_cover
    axe = described("Splitting wood with an axe.", ("axe", "firewood"), name="Splitting wood")
    assert verifier.words.judge("wood splitting", axe).things >= verifier.name_cover


def test_a_plant_sounds_by_what_is_done_to_it(verifier):
    """Grass is walked on or mowed: a lawn mower "cutting grass" names the grass of "walking on
    grass" but not the walking, so its words no longer accept it; footsteps on grass still name both."""
    mower = described("Petrol lawnmower cutting grass.", ("lawnmower", "garden"), name="Mowing the lawn")
    assert verifier.words.judge("walking on grass", mower).things < verifier.lead_cover
    (verdict,) = verifier.verify("walking on grass", [Candidate(mower, 0.5)])
    assert not verdict.accepted, verdict.reason
    steps = described("Footsteps walking slowly on grass in a park.", ("footsteps", "grass"), name="Walking on grass")
    assert verifier.words.judge("walking on grass", steps).things >= verifier.name_cover


@pytest.mark.parametrize(("query", "text", "objection"), [
    ("chainsaw cutting wood", "Splitting firewood with an axe.", "names axe, not chainsaw"),
    ("acoustic guitar strumming", "Bluegrass banjo picking on a porch.", "names banjo, not guitar"),
    ("piano playing", "A grand piano, a slow chord progression.", None),  # a kind of piano
    ("chainsaw cutting wood", "Chain saw felling a tree, then the saw idling.", None),  # a saw: a more general word
    ("violin playing", "Fiddle tune at a folk session.", None),  # the same instrument by another name
    ("chainsaw cutting wood", "Logs crackling on an open fire.", None),  # no tool named: the embedding's to judge
])
def test_another_tool_or_instrument_is_not_the_one_asked_for(verifier, query, text, objection):
    """An axe is no chainsaw and a banjo no guitar, however near a sentence embedding puts
    them; a kind of the thing asked for, a more general word for it or another name for it is."""
    sound = described(text, name=text.split()[0].lower())
    assert verifier.words.judge(query, sound).other_thing == objection
    if objection:
        (verdict,) = verifier.verify(query, [Candidate(sound, 0.5)])
        assert not verdict.accepted and objection in verdict.reason


@pytest.mark.parametrize("query, label, kind, right", [
    ("wind blowing outdoors", "wind", "one-shot", True),
    ("stadium crowd cheering", "crowd", "one-shot", True),
    ("forest birds", "chirping birds", "one-shot", True),
    ("night ambience crickets", "crickets", "bed", True),
    ("mountain wind ambience", "wind", "bed", True),
    ("mountain wind ambience", "wind", "one-shot", False),  # a one-shot is still no ambience
    ("mountain wind ambience", "wind chime", "bed", False),  # the wind of a wind chime is no wind
    ("wind blowing outdoors", "wind chime", "one-shot", False),
    ("stadium crowd cheering", "church bells", "one-shot", False),
    ("forest ambience", "chirping birds", "bed", False),  # a place alone: the place is what is asked for
    ("river flowing ambience", "wind", "bed", False),  # water is what sounds at a river: no place word
    ("quiet garden ambience", "a quiet wood with birds", "bed", False),  # a garden's quiet is no thing heard
    ("old stone courtyard ambience", "river flowing over stones", "bed", False),  # stones sound by what is done
])
def test_a_bed_s_place_is_where_its_sound_is_not_what_sounds(verifier, query, label, kind, right):
    """Collections that label clips by their source (ESC-50's "wind", "crickets", "crowd")
    never name the place a bed query names; the sound of the place is named all the same.
    An object query keeps the places it does not put its thing in: "field crickets" are asked
    for with the field."""
    clip = described(label, (label,)).model_copy(update={"kind": kind, "duration": 5.0 if kind == "one-shot" else 30.0})
    (verdict,) = verifier.verify(query, [Candidate(clip, 0.5)])
    assert verdict.accepted == right, verdict.reason
    assert verifier.words.judge("field crickets chirping", clip).things <= verifier.words.judge(
        "field crickets chirping", clip, bed=True).things


@pytest.mark.parametrize("query, label, right", [
    ("chimes ringing", "snoring", False),  # nothing in the photo vocabulary snores: the nearest query won it
    ("fire crackling in a fireplace", "fireworks", False),
    ("fire crackling in a fireplace", "crackling fire", True),
    ("person breathing", "breathing", True),
])
def test_a_clip_of_an_everyday_sound_no_photo_asks_for_has_its_own_rival(verifier, query, label, right):
    """Collections label clips by sound events (ESC-50's "snoring", "fireworks", "can opening")
    that no photo's concept asks for; without such a concept among the rivals a terse label
    ranks first for whatever query comes nearest."""
    clip = described(label, (label,)).model_copy(update={"kind": "one-shot", "duration": 5.0})
    (verdict,) = verifier.verify(query, [Candidate(clip, 0.5)])
    assert verdict.accepted == right, verdict.reason


@pytest.mark.parametrize("query, label, right", [
    ("mouse squeaking", "mouse click", False),  # the mouse of a click is a computer mouse
    ("computer mouse clicking", "mouse click", True),
    ("mouse squeaking", "mouse squeak", True),
    ("bat squeaking", "baseball bat hit", False),
])
def test_a_word_the_candidate_names_as_another_made_thing_does_not_name_the_query(verifier, query, label, right):
    """A candidate names the query's thing ("mouse") by its words while the concepts far nearer
    to it ask for a made thing with that word last ("computer mouse click"): the word means that
    thing there, so naming is no evidence; the embedding's ranking decides."""
    clip = described(label, (label,)).model_copy(update={"kind": "one-shot", "duration": 5.0})
    (verdict,) = verifier.verify(query, [Candidate(clip, 0.5)])
    assert verdict.accepted == right, verdict.reason


def test_a_kind_of_the_query_s_thing_named_by_a_rival_is_that_thing(verifier):
    """The concepts far nearer to a Ferrari ("sports car engine revving") name a sports car,
    which is a car: its naming of "car passing by" stands."""
    ferrari = described("Ferrari V12 revving and accelerating away.", ("supercar", "sports car", "rev"),
                        name="Ferrari revs").model_copy(update={"kind": "one-shot", "duration": 5.0})
    (verdict,) = verifier.verify("car passing by", [Candidate(ferrari, 0.5)])
    assert verdict.accepted and verdict.by_words, verdict.reason


@pytest.mark.parametrize("query, labels, right", [
    ("monkey screeching", ("Drill", "Power tool", "Tools"), False),  # WordNet's drill is also a baboon
    ("wading birds in a marsh", ("Train", "Rail transport", "Vehicle"), False),  # and a rail a marsh bird
    ("goose honking", ("gander",), True),
])
def test_a_kind_named_through_a_sense_the_recording_does_not_mean_is_no_kind(verifier, query, labels, right):
    """Collections that label clips with a sound ontology's classes ("Drill, Power tool, Tools")
    name words WordNet also files under an animal; a kind of the query's animal counts only
    where the embedding does not put the clip far from the query (the naming route's guards)."""
    clip = described(", ".join(labels), labels).model_copy(update={"kind": "one-shot", "duration": 5.0})
    (verdict,) = verifier.verify(query, [Candidate(clip, 0.5)])
    assert verdict.accepted == right, verdict.reason


@pytest.mark.parametrize("query, labels, right", [
    ("crowd in a city street", ("Chatter", "Crowd", "Human group actions"), True),  # FSD50K's labels
    ("fire crackling in a fireplace", ("Fire", "Crackle"), True),
    ("voices in a room", ("Male speech and man speaking", "Speech", "Human voice"), True),
    ("footsteps on a wooden floor", ("Footsteps on gravel",), False),  # the ground is what is stepped on
    ("walking in snow", ("walking",), False),  # snow is no place
])
def test_a_place_an_object_query_puts_its_thing_in_is_where_it_is_heard(verifier, query, labels, right):
    """"in a city street", "in a fireplace": a recording of the crowd names the query whether
    or not it names the place (as a bed's place words), unless it names another place, in
    its tags too; a surface stepped on or a material walked in is still asked for."""
    clip = described(", ".join(labels), labels).model_copy(update={"kind": "one-shot", "duration": 5.0})
    (verdict,) = verifier.verify(query, [Candidate(clip, 0.5)])
    assert verdict.accepted == right, verdict.reason


def test_a_crowd_tagged_with_another_place_is_that_place_s(verifier):
    """Its description names no place, its tags a stadium: no crowd in a city street."""
    fans = described("Crowd at a football match, chanting and cheering.", ("stadium", "football", "crowd"),
                     name="Football match crowd").model_copy(update={"kind": "one-shot", "duration": 5.0})
    (verdict,) = verifier.verify("crowd in a city street", [Candidate(fans, 0.5)])
    assert not verdict.accepted, verdict.reason
