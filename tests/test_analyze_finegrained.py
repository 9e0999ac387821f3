"""The right label for what is really in the photo (issue 15, part A), on real photos made by others.

Photos: GCompris's educational activities (Debian ``gcompris-qt-data``: farm animals,
world animals, the "erase" activity's wildlife photos, monuments, world music), darknet's
samples and Tux Paint's photo templates. GCompris keeps its images inside Qt resource
files (``.rcc``); :func:`read_rcc` reads that documented format (``qres`` header, a tree of
name/flags/offset entries, a names table in UTF-16, a data table, zlib- or zstd-compressed
entries). What each photo shows was checked by looking at it.

The patterns, not the photos: the tests name the pattern each photo shows (a pig the
detector calls a horse, a castle that must not get an open-field bed …).
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from image_extender.analyze.ambience import load_rules
from image_extender.analyze.fusion import ADDED_WEIGHT, default_index
from image_extender.analyze.image import load_image
from image_extender.analyze.imagenet import load_table
from image_extender.analyze.vocabulary import load_sounding, sounding_entries
from image_extender.errors import ModelError
from image_extender.library.debian import fetch_package
from image_extender.manifest import Scene, SceneObject


def data_dir() -> Path:
    return Path(os.environ.get("IMAGE_EXTENDER_DATA", "/work/main/data"))


BIRDS = {c.label for c in load_sounding().concepts.values() if c.kind == "bird"}


def read_rcc(path: Path) -> dict[str, bytes]:
    """Files inside a Qt resource file (rcc format versions 1–3), path -> bytes."""
    blob = path.read_bytes()
    if blob[:4] != b"qres":
        raise ValueError(f"{path}: not a Qt resource file")
    version, tree, data, names = struct.unpack(">IIII", blob[4:20])
    entry = 14 if version == 1 else 22

    def name(offset: int) -> str:
        (length,) = struct.unpack(">H", blob[names + offset : names + offset + 2])
        return blob[names + offset + 6 : names + offset + 6 + 2 * length].decode("utf-16-be")

    out: dict[str, bytes] = {}

    def walk(i: int, prefix: str) -> None:
        o = tree + i * entry
        name_offset, flags = struct.unpack(">IH", blob[o : o + 6])
        here = name(name_offset) if i else ""
        if flags & 2:  # directory
            count, first = struct.unpack(">II", blob[o + 6 : o + 14])
            for k in range(count):
                walk(first + k, f"{prefix}{here}/" if i else "")
            return
        (offset,) = struct.unpack(">I", blob[o + 10 : o + 14])
        (size,) = struct.unpack(">I", blob[data + offset : data + offset + 4])
        payload = blob[data + offset + 4 : data + offset + 4 + size]
        if flags & 1:  # qCompress: 4-byte length, then zlib
            payload = zlib.decompress(payload[4:])
        elif flags & 4:
            import zstandard

            payload = zstandard.ZstdDecompressor().decompress(payload, max_output_size=64 << 20)
        out[prefix + here] = payload

    walk(0, "")
    return out


@pytest.fixture(scope="session")
def gcompris(tmp_path_factory):
    """'activity/file.webp' -> path of a GCompris photo, extracted once per session."""
    rcc_dir = fetch_package("gcompris-qt-data", data_dir()) / "usr" / "share" / "gcompris-qt" / "rcc"
    out = tmp_path_factory.mktemp("gcompris")
    cache: dict[str, Path] = {}
    archives: dict[str, dict[str, bytes]] = {}

    def get(key: str) -> Path:
        if key not in cache:
            activity, file = key.split("/")
            if activity not in archives:
                archives[activity] = read_rcc(rcc_dir / f"{activity}.rcc")
            files = archives[activity]
            (inner,) = [k for k in files if k.endswith("/" + file)]
            target = out / f"{activity}-{file}"
            target.write_bytes(files[inner])
            cache[key] = target
        return cache[key]

    return get


@pytest.fixture(scope="module")
def scene(analyzer, gcompris, darknet_photos, tuxpaint_templates):
    cache: dict[str, Scene] = {}

    def get(key: str) -> Scene:
        if key not in cache:
            if key.startswith("darknet/"):
                path = darknet_photos / key.split("/")[1]
            elif key.startswith("tuxpaint/"):
                path = tuxpaint_templates / key.split("/")[1]
            else:
                path = gcompris(key)
            cache[key] = analyzer.analyze(load_image(path))
        return cache[key]

    return get


def lead(s: Scene) -> SceneObject:
    return s.objects[0]


# --------------------------------------------------------------------------- the detector's 80 classes


@pytest.mark.parametrize(
    ("photo", "detected", "label", "word"),
    [
        ("explore_farm_animals/pig.webp", "horse", "pig", "pig"),
        ("erase/bee.webp", "bird", "bee", "bee"),
        ("erase/meerkats.webp", "bird", "meerkat", "meerkat"),
        ("erase/squirrel.webp", "cat", "squirrel", "squirrel"),
        ("erase/camels.webp", "sheep", "camel", "camel"),
        ("erase/nubian_ibex.webp", "sheep", "goat", "goat"),
        ("explore_world_animals/narwhal.webp", "surfboard", "whale", "whale"),  # a thing box, its crop a grey whale 0.77
    ],
)
def test_an_animal_the_detector_forces_into_another_class_gets_its_own_sound(scene, photo, detected, label, word):
    """A pig boxed as "horse", a bee or meerkats as "bird": the crop's classifier says what it is."""
    s = scene(photo)
    (obj,) = [o for o in s.objects if o.detected_as == detected]
    assert obj.label == label
    assert word in obj.query and word in obj.accepts
    assert detected not in obj.query and all(detected not in q for q in obj.queries)  # no neighing pig
    assert obj.refined_by.startswith("classifier:") and "not a kind of" in obj.refined_by


def test_swans_the_detector_calls_a_person_are_heard_as_birds(scene):
    s = scene("erase/swans.webp")
    assert not any(o.label.startswith("people") or o.label == "person" for o in s.objects)
    (bird,) = [o for o in s.objects if o.detected_as == "person"]
    assert bird.label in BIRDS


@pytest.mark.parametrize(
    ("photo", "label"),
    [
        ("darknet/eagle.jpg", "bird of prey"),
        ("erase/heron.webp", "wading bird"),
        ("erase/toucan.webp", "tropical bird"),
        ("erase/penguin.webp", "penguin"),
        ("explore_world_animals/scarlet_macaw.webp", "parrot"),
        ("explore_farm_animals/chicken.webp", "chicken"),
    ],
)
def test_a_bird_is_refined_to_its_kind_through_wordnet(scene, photo, label):
    """Every bird used to get the same call; a kind of bird (WordNet hyponym) now has its own."""
    s = scene(photo)
    (bird,) = [o for o in s.objects if o.detected_as == "bird"]
    assert bird.label == label
    assert "is a kind of bird (WordNet bird.n.01)" in bird.refined_by
    # none of these sounds like a generic (songbird) chirp: no fallback to it, and it would not count as right
    assert not {"bird call", "birdsong", "bird chirping"} & {bird.query, *bird.queries}
    assert "bird" not in bird.accepts


def test_different_birds_ask_for_different_calls(scene):
    firsts = {lead(scene(p)).query for p in ("darknet/eagle.jpg", "erase/heron.webp", "erase/penguin.webp", "erase/toucan.webp")}
    assert len(firsts) == 4


@pytest.mark.parametrize(
    ("photo", "label", "not_label"),
    [
        ("darknet/person.jpg", "horse", "llama"),  # a white horse the classifier calls "llama" 0.54
        ("erase/calf.webp", "cow", "deer"),  # a calf it calls "impala"
        ("darknet/dog.jpg", "dog", None),  # the bicycle's crop is mostly the dog in front of it: no second dog
        ("darknet/giraffe.jpg", "zebra", None),
    ],
)
def test_a_doubtful_or_borrowed_crop_does_not_overrule_the_detector(scene, photo, label, not_label):
    s = scene(photo)
    labels = [o.label for o in s.objects]
    assert label in labels
    if not_label:
        assert not_label not in labels
    if photo == "darknet/dog.jpg":
        assert labels.count("dog") == 1 and "bicycle" not in labels  # and the parked bicycle is silent (riders)
    if photo == "darknet/giraffe.jpg":  # the giraffe's crop shows the zebra; the silent giraffe stays silent
        assert labels == ["zebra"]


def test_a_herd_is_one_herd_even_when_one_crop_is_doubtful(scene):
    (herd,) = [o for o in scene("darknet/horses.jpg").objects if o.label == "horse"]
    assert herd.count >= 3 and "herd" in herd.query


def test_fish_the_detector_calls_a_knife_make_no_sound(scene):
    """COCO false positives on fish photos (knife, toothbrush): the crop says fish, which is silent."""
    for photo in ("categorization/fish2.webp", "categorization/fish16.webp"):
        s = scene(photo)
        assert s.objects == [], [(o.label, o.refined_by) for o in s.objects]
        assert s.ambience[0].label == "underwater"


def test_instruments_the_detector_cannot_see_are_added_and_people_become_musicians(scene):
    s = scene("explore_world_music/mexico.webp")
    (brass,) = [o for o in s.objects if o.label == "brass"]
    # the trumpeters' and trombonists' own boxes: their crops name what they hold
    assert brass.detected_as == "person" and "is what the person plays" in brass.refined_by
    assert brass.count >= 3 and brass.bbox.x1 - brass.bbox.x0 > 0.5  # the whole brass section, one group sound
    assert "trumpet" in brass.query or "trombone" in brass.query or "brass" in brass.query
    # the other people are the band, heard through its instruments: no footsteps, no random piano
    assert [o.label for o in s.objects if o.detected_as == "person" and o.label != "brass"] == []


def test_people_holding_strings_at_a_concert_are_the_strings_not_an_audience(scene):
    """The orchestra photo: a violinist and a cellist in front of the orchestra are heard as
    their instruments; nobody in it is an audience cheering."""
    s = scene("explore_world_music/orchestra.webp")
    labels = {o.label for o in s.objects}
    assert {"violin", "cello"} & labels
    assert "audience" not in labels


def test_classifier_only_finds_count_less_than_a_detected_box(analyzer, gcompris):
    """The same thing found by the detector outweighs a whole-image guess (ADDED_WEIGHT < 1)."""
    s = analyzer.analyze(load_image(gcompris("explore_world_music/america.webp")))
    added = [o for o in s.objects if "the detector has no such class" in o.refined_by]
    boxed = [o for o in s.objects if o.detected_as is not None]
    assert ADDED_WEIGHT < 1.0
    for o in added:
        assert o.importance < 1.0 or not boxed


# --------------------------------------------------------------------------- people in context


def test_people_sound_like_what_they_do_where_they_are(scene):
    at_a_concert = [o for o in scene("explore_world_music/italy.webp").objects if o.detected_as == "person"]
    assert at_a_concert and at_a_concert[0].label in {"performers", "musician"}  # on the stage, not in the seats
    near_a_gate = [o for o in scene("explore_monuments/brandenburgGate.webp").objects if o.detected_as == "person"]
    assert near_a_gate and near_a_gate[0].label == "people in a square"
    assert any(w in near_a_gate[0].query for w in ("footsteps", "square", "crowd"))
    for o in at_a_concert + near_a_gate:
        assert "all aboard" not in " ".join([o.query, *o.queries])


# --------------------------------------------------------------------------- kinds of place


@pytest.mark.parametrize(
    "photo",
    [
        "explore_monuments/chateaudeChambord.webp",
        "explore_monuments/neuschwansteinCastle.webp",
        "explore_monuments/citedeCarcassonne.webp",
        "explore_monuments/montStMichel.webp",
    ],
)
def test_a_castle_with_nobody_around_gets_the_landscape_it_stands_in(scene, photo):
    """Castles are mostly rural: with no people or vehicles in sight, the bed is the landscape's
    (countryside, mountains, coast, wind over the land), never a town's traffic."""
    rules = load_rules()
    tags = scene(photo).ambience
    first = rules.rule(tags[0].label)
    assert not first.monument and not first.indoor and first.label != "urban street", tags[0]
    assert "city street" not in tags[0].query
    for tag in tags:  # a monument tag is only kept with evidence of a town, which these lack
        assert not rules.rule(tag.label).monument, tag


def test_a_castle_falls_back_to_the_country_and_a_town_building_to_the_town():
    """A castle stands in the country as often as in a town; an old town is kept only with
    people or vehicles in sight, and churches and temples are mostly photographed in towns
    (a church bed that went to "birds" was wrong in 3 of 5 dev photos), so those walk the
    town's beds first."""
    rules = load_rules()
    chain = rules.chain("castle")
    assert chain.index("countryside") < chain.index("urban street"), chain
    assert rules.rule("old town").monument and rules.rule("castle").monument
    for label in ("old town", "church", "temple"):
        chain = rules.chain(label)
        assert chain.index("urban street") < chain.index("countryside"), (label, chain)
        assert not any("bird" in q for q in rules.rule(label).queries), label


@pytest.mark.parametrize(
    "photo",
    [
        "explore_monuments/brandenburgGate.webp",
        "explore_monuments/reimsCathedral.webp",
        "explore_monuments/wormsCathedral.webp",
        "explore_monuments/berlinCathedral.webp",
        "explore_monuments/palaisdesPapes.webp",
        "explore_monuments/gatewayofIndia.webp",
        "explore_monuments/mysorePalace.webp",
        "explore_monuments/tajMahal.webp",
        "explore_monuments/statueofLiberty.webp",
    ],
)
def test_towns_and_old_buildings_never_get_an_open_field_bed(scene, photo):
    tag = scene(photo).ambience[0]
    # a park is a town's too (Worms: a bench and a passer-by in front of the cathedral)
    assert tag.label in {"old town", "town square", "church", "temple", "castle", "urban street", "museum", "park"}, tag
    assert "open field" not in tag.query and "windmill" not in tag.query


@pytest.mark.parametrize(
    ("photo", "place"),
    [
        ("explore_monuments/pontduGard.webp", "river"),  # an aqueduct over a river, nobody around
        ("explore_world_animals/crocodile.webp", "river"),
        ("erase/swans.webp", "lake"),
    ],
)
def test_water_is_heard_and_a_lake_is_no_sea_coast(scene, photo, place):
    labels = [t.label for t in scene(photo).ambience]
    assert labels[0] == place, labels
    assert "sea coast" not in labels and "old town" not in labels


@pytest.mark.parametrize(
    ("photo", "not_place"),
    [
        ("erase/kingfisher.webp", "jungle"),  # a kingfisher the classifier half-takes for a jacamar
        ("erase/kitten.webp", "living room"),  # a kitten on a green lawn
    ],
)
def test_one_uncertain_animal_does_not_move_the_photo_to_another_place(scene, photo, not_place):
    rules = load_rules()
    labels = [t.label for t in scene(photo).ambience]
    assert not_place not in labels and not any(rules.rule(x).indoor for x in labels), labels


def test_the_savanna_bed_asks_for_wind_in_dry_grass_before_any_birds():
    queries = load_rules().tag_queries("savanna")
    first_wind = next(i for i, q in enumerate(queries) if "wind" in q)
    birds = [i for i, q in enumerate(queries) if "bird" in q]
    assert not birds or first_wind < birds[0], queries


@pytest.mark.parametrize("name", ["burnt_bark.jpg", "mossy_bark.jpg", "rocks.jpg", "mossy_log.jpg", "mudstone.jpg"])
def test_outdoor_close_ups_are_not_rooms(scene, name):
    rules = load_rules()
    tag = scene(f"tuxpaint/{name}").ambience[0]
    assert not rules.rule(tag.label).indoor, tag


@pytest.mark.parametrize(
    ("photo", "label"),
    [
        ("explore_world_music/ireland.webp", "concert hall"),
        ("explore_world_music/italy.webp", "concert hall"),
    ],
)
def test_indoor_scenes_ask_for_what_libraries_have_and_fall_back_to_room_tone(scene, photo, label):
    tag = scene(photo).ambience[0]
    assert tag.label == label
    assert any(w in tag.query for w in ("murmur", "applause", "crowd"))
    assert "room tone" in tag.queries  # the end of every indoor chain


# --------------------------------------------------------------------------- the data behind it


def test_every_imagenet_class_is_its_wordnet_synset(analyzer):
    """The shipped table agrees with the model's label file: each class's synset carries its first name."""
    table = load_table()
    labels = analyzer._classifier.labels
    assert len(table) == 1000 == len(labels)
    assert [c.wnid for c in table] == sorted(c.wnid for c in table)  # ImageNet's id order
    assert table[15].synset == "robin.n.02" and "bird.n.01" in table[15].ancestors
    assert table[341].synset == "hog.n.03" and "equine.n.01" not in table[341].ancestors


def test_the_shipped_table_is_what_wordnet_gives(analyzer):
    """Rebuilding the ImageNet→WordNet table from the Debian WordNet reproduces the shipped file."""
    from image_extender.analyze.detector import pibo_models_dir
    from image_extender.analyze.imagenet import derive_table, format_table
    from image_extender.sounds.wordnet import WordNet

    reader = WordNet.from_data_dir(data_dir())._reader
    lines = (pibo_models_dir() / "efficientnet_labels.txt").read_text(encoding="utf-8").splitlines()
    from importlib import resources

    shipped = (resources.files("image_extender") / "data" / "imagenet_wordnet.tsv").read_text(encoding="utf-8")
    assert format_table(derive_table(lines, reader)) == shipped


def test_vocabulary_synsets_exist_in_wordnet():
    from image_extender.sounds.wordnet import WordNet

    reader = WordNet.from_data_dir(data_dir())._reader
    missing = []
    for c in load_sounding().concepts.values():
        for s in c.wordnet:
            try:
                reader.synset(s)
            except Exception:  # noqa: BLE001 — NLTK raises WordNetError/ValueError for unknown names
                missing.append((c.label, s))
    assert missing == []


def test_sounding_entries_cover_every_concept_and_place_with_several_queries():
    entries = sounding_entries()
    objects = {e.label: e for e in entries if e.role == "object"}
    places = {e.label: e for e in entries if e.role == "ambience"}
    vocab = load_sounding()
    sounding = {c.label for c in vocab.concepts.values() if not c.silent}
    assert sounding <= set(objects)
    assert {r.label for r in vocab.person_rules if not r.silent} <= set(objects)
    assert {r.label for r in load_rules().rules} == set(places) and len(places) >= 40
    for e in entries:
        assert len(e.queries) >= 3, e.label
        assert e.accepts and e.label in e.accepts, e.label
    # the kinds the issue names are all there
    for label in ("pig", "goat", "bee", "squirrel", "camel", "accordion", "church bell", "microwave", "oven",
                  "refrigerator", "sink", "television", "clock", "performers", "children", "audience"):  # fmt: skip
        assert label in objects, label


def test_every_imagenet_animal_has_a_concept():
    """No ImageNet animal falls through to nothing: each maps to a sounding or a deliberately silent concept."""
    index = default_index(tuple(str(i) for i in range(1000)))
    animals = [c for c in load_table() if "animal.n.01" in c.ancestors]
    unmapped = [c.synset for c in animals if index.ids[c.index] < 0]
    assert len(animals) > 390 and unmapped == []


def test_an_imagenet_class_named_like_a_concept_is_that_concept():
    """ImageNet's "television" (television.n.02, the system) had fallen through to nothing while
    the television concept named only the receiver's synsets: a TV crop's mass went nowhere.
    Every ImageNet class whose head word is a concept's label or COCO class maps to it, but
    for the homonyms (a memorial brass, a cup of punch, the kite that is a bird)."""
    homonyms = {"brass.n.07", "cup.n.06", "kite.n.04"}
    index = default_index(tuple(str(i) for i in range(1000)))
    concepts = load_sounding().concepts.values()
    wrong = []
    for cls in load_table():
        head = cls.synset.split(".")[0].replace("_", " ")
        for concept in concepts:
            if head in (concept.label, concept.coco) and cls.synset not in homonyms:
                got = index.concepts[index.ids[cls.index]].label if index.ids[cls.index] >= 0 else None
                if got != concept.label:
                    wrong.append((cls.synset, got, concept.label))
    assert wrong == []


def test_a_geyser_is_no_fountain():
    """ImageNet's geyser had been filed under "fountain", so a geothermal field's steam plume
    played a fountain's splashing basin: it is a concept of its own, heard as steam and boiling."""
    index = default_index(tuple(str(i) for i in range(1000)))
    geyser = next(c for c in load_table() if c.synset == "geyser.n.01")
    concept = index.concepts[index.ids[geyser.index]]
    assert concept.label == "geyser" and "fountain" not in " ".join(concept.queries)
    assert "steam" in " ".join(concept.queries)


def test_appliances_make_their_sound():
    vocab = load_sounding()
    for coco in ("oven", "microwave", "refrigerator", "sink", "tv", "clock", "toaster"):
        concept = vocab.by_coco[coco]
        assert not concept.silent and len(concept.queries) >= 3, coco


def test_concept_masses_sum_the_breeds(analyzer, darknet_photos):
    """All dog breeds are "dog": the mass is the sum, not the top-1 breed."""
    index = default_index(tuple(analyzer._classifier.labels))
    probs = analyzer._classifier.classify(load_image(darknet_photos / "dog.jpg").rgb).probs
    masses = index.masses(probs)
    dog = next(i for i, c in enumerate(index.concepts) if c.label == "dog")
    assert masses[dog] > float(np.max(probs)) and abs(float(masses.sum()) - float(probs[index.ids >= 0].sum())) < 1e-9


def test_a_vision_llm_label_gets_the_vocabularys_queries_and_place_chain():
    """Objects and places another analyzer names in its own words walk the same fallbacks."""
    from image_extender.analyze.vocabulary import enrich_object, enrich_tag
    from image_extender.manifest import AmbienceTag, BBox

    box = BBox(x0=0.1, y0=0.1, x1=0.5, y1=0.5)
    truck = enrich_object(SceneObject(label="pickup truck", query="pickup truck engine", bbox=box, importance=1.0, confidence=0.9))
    assert truck.query == "pickup truck engine" and "truck passing by" in truck.queries
    assert {"pickup truck", "truck", "lorry"} <= set(truck.accepts)
    hens = enrich_object(SceneObject(label="Hens", query="hens", bbox=box, importance=1.0, confidence=0.9, count=4))
    assert hens.queries[0] == "chickens clucking in a farmyard"  # four hens: the group query first
    unknown = SceneObject(label="nebula", query="space hum", bbox=box, importance=1.0, confidence=0.9)
    assert enrich_object(unknown) == unknown
    street = enrich_tag(AmbienceTag(label="suburban street", query="quiet suburban street"))
    assert street.queries[0] == "city street traffic ambience"
    square = enrich_tag(AmbienceTag(label="old town square", query="old town square ambience"))
    assert "city street traffic ambience" in square.queries  # town square -> urban street


def test_a_kitchen_the_detector_sees_asks_for_kitchen_sounds_then_room_tone(analyzer):
    """Detected appliances make a kitchen (and make their own sounds); its bed walks to room tone."""
    from image_extender.analyze.ambience import infer_ambience, load_rules

    labels = analyzer._classifier.labels
    flat = np.full(len(labels), 1.0 / len(labels))
    cues = {"vegetation": 0.0, "canopy": 0.0, "meadow": 0.0, "sky": 0.0, "dark": 0.0, "snow": 0.0, "sand": 0.0, "overcast": 0.0}
    (tag,) = infer_ambience(flat, labels, [("oven", 0.9), ("refrigerator", 0.8), ("sink", 0.7)], cues)
    assert tag.label == "kitchen" and "kitchen" in tag.query
    own = len(load_rules().rule("kitchen").queries) - 1
    room = list(load_rules().rule("indoor room").queries)
    assert tag.queries[:own] == list(load_rules().rule("kitchen").queries[1:])
    assert tag.queries[own:] == room  # the last resort says everything a quiet room is called
    (nothing,) = infer_ambience(flat, labels, [], cues)
    assert nothing.label == "outdoors" and nothing.evidence[0].startswith("fallback")
    (a_room,) = infer_ambience(flat, labels, [("couch", 0.2)], cues)  # weak, but indoor evidence
    assert a_room.label == "indoor room" and a_room.query == "room tone"


def test_a_crane_the_bird_builds_no_construction_site(analyzer):
    """ImageNet has two "crane"s, a wading bird and a lifting device: the classifier's
    names tell them apart, and a photo the classifier is sure shows the bird gets no
    construction site's bed (the machine still makes one)."""
    from image_extender.analyze.ambience import infer_ambience

    labels = analyzer._classifier.labels
    assert len(set(labels)) == len(labels) == 1000
    cues = dict.fromkeys(("vegetation", "canopy", "meadow", "sky", "dark", "snow", "sand", "overcast", "water"), 0.0)
    for name, wanted in (("crane (wading bird)", False), ("crane (lifting device)", True)):
        probs = np.full(len(labels), 0.1 / (len(labels) - 1))
        probs[labels.index(name)] = 0.9
        tags = infer_ambience(probs, labels, [], cues)
        assert ("construction site" in [t.label for t in tags]) is wanted, (name, tags)


def test_hybrid_matches_a_vision_llm_word_to_the_refined_label_and_keeps_its_fallbacks(scene):
    """The LLM says "hog" where the offline analyzer says "pig" (boxed as "horse"): one object,
    the LLM's words first, the detector's box, refined queries and accepted concepts after."""
    from image_extender.analyze.hybrid import merge_scenes, same_concept
    from image_extender.manifest import BBox

    assert same_concept("hog", "pig") and same_concept("robin", "songbird") and not same_concept("hog", "horse")
    detected = scene("explore_farm_animals/pig.webp")
    (pig,) = detected.objects
    llm = SceneObject(label="hog", query="hog snorting", bbox=BBox(x0=0.1, y0=0.2, x1=0.6, y1=0.9), importance=1.0, confidence=0.8)
    described = detected.model_copy(update={"objects": [llm], "analyzer": "openai"})
    (merged,) = merge_scenes(detected, described).objects
    assert merged.label == "hog" and merged.query == "hog snorting" and merged.bbox == pig.bbox
    assert "pig grunting" in merged.queries and "pig" in merged.accepts
    assert merged.detected_as == "horse" and merged.refined_by.startswith("vision model; classifier:")


def test_every_sounding_label_has_a_step_in_the_concept_hierarchy():
    """Never nothing: each label the analyzer can give an object has somewhere to fall back to."""
    import tomllib
    from importlib import resources

    table = tomllib.loads((resources.files("image_extender") / "data" / "hierarchy.toml").read_text(encoding="utf-8"))
    vocab = load_sounding()
    labels = [c.label for c in vocab.concepts.values() if not c.silent] + [r.label for r in vocab.person_rules if not r.silent]
    assert [label for label in labels if label.lower() not in table] == []


# --------------------------------------------------------------------------- what a listener hears (issue 15)
# False detections that would be played, people who are not walking, and water no detector boxes.


def test_a_stray_animal_in_a_flock_of_another_kind_is_one_of_the_flock(scene):
    """Tux Paint's sheep field: the detector calls one tiny sheep a cow; the whole image is a
    flock of sheep, so it is a sheep (no moo in a sheep field)."""
    labels = [o.label for o in scene("tuxpaint/sheep.jpg").objects]
    assert "cow" not in labels and "sheep" in labels


@pytest.mark.parametrize(("photo", "animal"), [("explore_farm_animals/horse.webp", "horse"),
                                               ("explore_world_animals/bison.webp", "bison")])
def test_no_cow_is_added_to_a_herd_of_another_animal(scene, photo, animal):
    """A foal lying among horses (its crop: a sorrel horse) and a far bison the classifier is
    unsure of were "cow" boxes; they are one more of the herd."""
    labels = [o.label for o in scene(photo).objects]
    assert "cow" not in labels and animal in labels


def test_a_detection_its_crop_contradicts_is_not_played(scene):
    """Castle Clinton: the fort's wall boxed as a "train" is an ocean liner to the classifier
    and nothing like a train: no train passing beside a fort."""
    labels = [o.label for o in scene("explore_monuments/castleClinton.webp").objects]
    assert "train" not in labels


def test_a_clock_on_a_distant_tower_does_not_tick(scene):
    """Berlin Cathedral: a clock face 0.14 % of the photo is no ticking clock (min_area)."""
    labels = [o.label for o in scene("explore_monuments/berlinCathedral.webp").objects]
    assert "clock" not in labels
    assert load_sounding().concepts["clock"].min_area > 0.0014


def test_a_drum_the_detector_calls_a_sink_is_a_drum(scene):
    """The American band: the detector has no drum class and says "sink"; the crop says drum."""
    s = scene("explore_world_music/america.webp")
    labels = {o.label for o in s.objects}
    assert "sink" not in labels
    (drum,) = [o for o in s.objects if o.detected_as == "sink"]
    assert drum.label == "drum" and "drum" in drum.query


def test_a_seashore_photo_gets_waves_along_its_bottom(scene):
    """Tux Paint's ocean waves: no detector box, but the classifier names a seashore: waves
    become an object lying across the lower part of the photo (centred pan, wide)."""
    s = scene("tuxpaint/ocean_waves.jpg")
    (waves,) = [o for o in s.objects if o.label == "waves"]
    assert waves.bbox.y0 >= 0.5 and waves.bbox.x1 - waves.bbox.x0 > 0.9
    assert "waves" in waves.query
    assert waves.importance <= 1.0


def test_vehicles_and_kitchen_things_are_only_heard_where_they_can_be():
    from image_extender.analyze.vocabulary import plausible_here
    from image_extender.manifest import AmbienceTag

    concepts = load_sounding().concepts
    indoor = frozenset(r.label for r in load_rules().rules if r.indoor)
    room = [AmbienceTag(label="living room", query="living room ambience")]
    beach = [AmbienceTag(label="beach", query="waves")]
    assert not plausible_here(concepts["airplane"], room, indoor)  # an airliner in a living room is a picture
    assert plausible_here(concepts["airplane"], beach, indoor)
    assert not plausible_here(concepts["sink"], beach, indoor) and plausible_here(concepts["sink"], room, indoor)
    assert not plausible_here(concepts["suitcase"], [AmbienceTag(label="concert hall", query="x")], indoor)
    assert plausible_here(concepts["dog"], room, indoor) and plausible_here(concepts["dog"], beach, indoor)


def test_far_away_people_in_a_landscape_are_not_heard_walking_but_near_ones_are(scene):
    """The Tux Paint cliff photo is a landscape; a figure a twentieth of the photo tall on it
    gets no footsteps on grass (they would sound at the listener's feet), one half as tall
    as the photo does."""
    from image_extender.analyze.vocabulary import apply_person_context
    from image_extender.manifest import BBox

    ambience = scene("tuxpaint/cliff.jpg").ambience
    far = SceneObject(label="person", query="people talking", bbox=BBox(x0=0.5, y0=0.6, x1=0.52, y1=0.65), importance=1.0, confidence=0.8)
    near = far.model_copy(update={"bbox": BBox(x0=0.3, y0=0.3, x1=0.5, y1=0.9)})
    assert apply_person_context([far], ambience) == []
    (heard,) = apply_person_context([near], ambience)
    assert heard.label != "person" and ("footsteps" in heard.query or "talking" in heard.query)


def test_one_person_filling_the_photo_is_heard_not_their_footsteps():
    """A portrait (one person four fifths of the photo tall) poses: their breath and voice,
    never footsteps on the ground the place rules guessed; two such people at a table are a
    conversation, and one person half the photo tall still walks."""
    from image_extender.analyze.vocabulary import apply_person_context
    from image_extender.manifest import AmbienceTag, BBox

    forest = [AmbienceTag(label="forest", query="x")]
    portrait = SceneObject(label="person", query="people talking", bbox=BBox(x0=0.1, y0=0.15, x1=0.8, y1=1.0),
                           importance=1.0, confidence=0.8)
    (o,) = apply_person_context([portrait], forest)
    assert o.label == "person up close" and "footsteps" not in " ".join([o.query, *o.queries]), o
    second = portrait.model_copy(update={"bbox": BBox(x0=0.5, y0=0.1, x1=0.95, y1=1.0)})
    assert all(x.label == "people outdoors" for x in apply_person_context([portrait, second], forest))
    walker = portrait.model_copy(update={"bbox": BBox(x0=0.3, y0=0.4, x1=0.5, y1=0.9)})
    assert apply_person_context([walker], forest)[0].query.startswith("footsteps")


def test_people_are_not_doubted_for_what_they_wear(scene):
    """ImageNet has no class for a person, only for what they wear: singers whose crops say
    "abaya" or "stretcher" are still the cast on the stage, one group of performers."""
    s = scene("explore_world_music/italy.webp")
    (cast,) = [o for o in s.objects if o.detected_as == "person"]
    assert cast.label == "performers" and cast.count >= 5
    assert "sing" in cast.query or "choir" in cast.query


def test_a_water_bird_too_unsure_to_name_gets_no_songbird_chirp(scene):
    """A gosling: the crop splits between goose, sandpiper and limpkin, none sure enough to
    refine the "bird" box; all are birds a generic chirp would be wrong for, so it is silent
    rather than a tropical chirp."""
    s = scene("erase/gosling.webp")
    assert [o.label for o in s.objects if o.detected_as in (None, "bird") and o.label == "bird"] == []


def test_a_river_photo_has_its_river_as_an_object_across_the_bottom():
    """No detector boxes water: a photo whose kind of place is a river gets the river itself
    as a positioned object (and a waterfall photo its waterfall), once; a lake's quiet water
    stays in the bed."""
    from image_extender.analyze.fusion import drafts_from_place
    from image_extender.manifest import AmbienceTag

    (river,) = drafts_from_place([AmbienceTag(label="river", query="river flowing ambience", confidence=0.7)], [])
    assert river.concept.label == "river" and river.box[1] >= 0.5 and river.box[2] - river.box[0] == 1.0
    assert "river" in river.concept.queries[0] and river.weight < 1.0
    (fall,) = drafts_from_place([AmbienceTag(label="waterfall", query="waterfall")], [])
    assert fall.concept.label == "waterfall"
    assert drafts_from_place([AmbienceTag(label="lake", query="lake shore water lapping")], []) == []
    assert drafts_from_place([AmbienceTag(label="river", query="river")], [river]) == []
    # a doubtful river place keeps its water in the bed: no second, positioned copy
    assert drafts_from_place([AmbienceTag(label="river", query="river flowing ambience", confidence=0.45)], []) == []


def test_a_river_the_likeness_is_sure_of_is_in_view_beside_a_forest_bed():
    """A stream running through a wood: leaves overhead make the bed a forest, while the
    likeness is surest of a river. The river is in view beside the bed and becomes an object;
    a likeness under ``[likeness] sure``, a place the bed excludes (a river beside a sea coast)
    and an outdoor place beside an indoor bed are not."""
    from image_extender.analyze.ambience import load_rules, seen_beside_the_bed
    from image_extender.analyze.fusion import drafts_from_place
    from image_extender.manifest import AmbienceTag

    sure = load_rules().likeness_sure
    forest = [AmbienceTag(label="forest", query="forest ambience", confidence=0.89)]
    beside = seen_beside_the_bed(forest, {"river": sure + 0.1, "lake": sure - 0.05, "forest": 0.33})
    assert beside == [("river", round(sure + 0.1, 4))]
    (river,) = drafts_from_place(forest, [], beside=beside)
    assert river.concept.label == "river" and river.box[1] >= 0.5 and "likeness: river" in river.refined_by
    coast = [AmbienceTag(label="sea coast", query="sea waves crashing on rocks", confidence=0.77)]
    assert seen_beside_the_bed(coast, {"river": sure + 0.1}) == []
    room = [AmbienceTag(label="living room", query="living room ambience", confidence=0.9, indoor=True)]
    assert seen_beside_the_bed(room, {"river": sure + 0.1}) == []
    # a river bed's own river is not added twice
    assert len(drafts_from_place([AmbienceTag(label="river", query="river", confidence=0.9)], [], beside=beside)) == 1


def test_bubbles_and_water_drops_sound_like_drops():
    """ImageNet's "bubble" takes close-ups of water drops and splashes as well as soap bubbles:
    the concept asks for drops first, and a pop counts as right."""
    index = default_index(tuple(str(i) for i in range(1000)))
    (bubble,) = [c for c in load_table() if c.synset == "bubble.n.01"]
    concept = index.concepts[index.ids[bubble.index]]
    assert concept.label == "bubbles" and "drops" in concept.queries[0] and "pop" in concept.accepts


def test_an_unsure_detection_nothing_supports_is_not_played(scene):
    """GCompris's windmill tower: "skis" at 0.44 over the tower, whose crop is nothing like
    skis (radio telescope 0.05, skis' kinds 0.001): no skiing at a windmill. A detector
    this unsure, with no support from its crop, is not a sound source; a sure one is kept
    (the American band's "sink" is a drum, not dropped)."""
    assert "skis" not in {o.label for o in scene("categorization/windmill.webp").objects}
    # a sure detection still needs a trace of itself: "airplane" 0.84 over a windmill's sails,
    # whose crop gives aircraft 0.009 and is sure of nothing else
    assert "airplane" not in {o.label for o in scene("categorization/windmill13.webp").objects}
    assert "drum" in {o.label for o in scene("explore_world_music/america.webp").objects}
    alpaca = [o.label for o in scene("erase/alpaca.webp").objects]
    assert set(alpaca) == {"llama"}, alpaca  # the second "sheep", over its legs, has no vote in the herd: one more llama


def test_a_detection_the_fusion_drops_does_not_choose_the_place(scene):
    """What the fusion no longer believes votes for no kind of place either: the windmill
    tower's unsupported "skis" made it a snow field, and the crabs' beach was a meadow
    while a "horse" box (its crop a rock crab) counted for the countryside."""
    windmill = scene("categorization/windmill.webp")
    assert windmill.ambience[0].label != "snow", windmill.ambience
    assert not any("object:skis" in e for tag in windmill.ambience for e in tag.evidence)
    crab = scene("erase/crab.webp")
    assert crab.ambience[0].label == "beach", crab.ambience
    assert not any(e.startswith("object:horse") for tag in crab.ambience for e in tag.evidence), crab.ambience


def test_a_statue_the_detector_calls_a_person_makes_no_footsteps(scene):
    """GCompris's Statue of Liberty: "person" 0.87 over the statue, whose crop ImageNet
    files under "pedestal" (0.99). Bronze walks nowhere: no footsteps, no voices, and no
    crowd of one to make it a town."""
    s = scene("categorization/statueOfLiberty.webp")
    assert not [o for o in s.objects if o.detected_as == "person" or o.label == "person" or o.label.startswith("people")], s.objects
    assert not any(e.startswith("object:person") for tag in s.ambience for e in tag.evidence), s.ambience


def test_an_unsure_person_showing_no_skin_is_a_statue(scene, gcompris, darknet_photos):
    """Christ the Redeemer against the sky: "person" 0.40, nothing on it skin-coloured, and
    no pedestal in its crop. Stone walks nowhere: no footsteps. A real person's box shows skin,
    and a black-and-white photo is not tested."""
    from image_extender.analyze.fusion import shows_skin

    s = scene("categorization/christTheRedeemer.webp")
    assert not [o for o in s.objects if o.detected_as == "person" or o.label.startswith("people")], s.objects

    rgb = load_image(darknet_photos / "person.jpg").rgb
    person = next(o for o in scene("darknet/person.jpg").objects if o.detected_as == "person" or o.label == "person")
    box = (person.bbox.x0, person.bbox.y0, person.bbox.x1, person.bbox.y1)
    assert shows_skin(rgb, box)
    statue = load_image(gcompris("categorization/christTheRedeemer.webp")).rgb
    assert not shows_skin(statue, (0.3, 0.1, 0.6, 0.6))
    grey = np.repeat(statue.mean(axis=2, keepdims=True), 3, axis=2).astype(np.uint8)
    assert shows_skin(grey, (0.3, 0.1, 0.6, 0.6))  # no colour, no verdict


def test_a_sure_person_is_no_silent_animal_and_two_at_a_meal_are_no_festival(analyzer):
    """labelme's VOC example 2011_000003: two men crouching at a meal in a hut. The crop of
    the one in a teal jacket (detector 0.92) is a reptile to ImageNet (0.71): his jacket,
    not him; both are heard. The pots read as steel drums and gongs, but two people are no
    festival crowd."""
    folder = fetch_package("labelme-examples", data_dir()) / "usr/share/doc/labelme-examples/examples"
    scene = analyzer.analyze(load_image(folder / "bbox_detection/data_dataset_voc/JPEGImages/2011_000003.jpg"))
    people = [o for o in scene.objects if o.detected_as == "person" or o.label == "person"]
    assert sum(o.count for o in people) == 2 and all(o.label.startswith("people") or o.label == "person" for o in people), scene.objects
    assert "festival" not in {t.label for t in scene.ambience}, scene.ambience


def test_a_silent_thing_the_detector_is_sure_of_makes_no_sound(analyzer):
    """Matplotlib's portrait of Grace Hopper in uniform: the detector is sure of her tie
    (0.61), whose crop ImageNet reads as a cleaver (the axe concept at 0.78). No wood is
    chopped in a portrait; she is heard up close."""
    import matplotlib

    scene = analyzer.analyze(load_image(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"))
    assert [o.label for o in scene.objects] == ["person up close"], scene.objects


def test_a_tower_is_no_bell_tower_unless_the_classifier_is_sure(scene):
    """ImageNet's "bell cote" goes to any tower or spire: the Eiffel Tower (0.39) and India
    Gate (0.40) ring no bells; the campanile of Pisa (0.63) does."""
    for photo in ("categorization/eiffelTower.webp", "categorization/IndiaGate.webp"):
        assert "church bell" not in {o.label for o in scene(photo).objects}, photo
    assert "church bell" in {o.label for o in scene("categorization/leaningTowerOfPisa.webp").objects}


def _imgaug_quokka() -> Path:
    """imgaug's bundled sample photo (its PyPI wheel 0.4.0, fetched once): a quokka."""
    import zipfile

    from image_extender.library.pypi import fetch_wheel

    target = data_dir() / "pypi" / "imgaug-quokka.jpg"
    if not target.is_file():
        with zipfile.ZipFile(fetch_wheel("imgaug", "0.4.0", target.parent)) as wheel:
            target.write_bytes(wheel.read("imgaug/quokka.jpg"))
    return target


def test_a_quiet_animal_boxed_as_a_dog_does_not_bark(analyzer):
    """The detector is sure of a "dog" (0.92) where imgaug's photo shows a quokka; its crop
    gives dogs 0.03 and quiet mammals (wombat, wallaby, beaver) 0.51, under the 0.55 a sure
    box's replacement needs. Where the crop gives the detected animal nothing, a quiet animal
    it names needs only REPLACE_MIN: silence, not a bark."""
    scene = analyzer.analyze(load_image(_imgaug_quokka()))
    assert "dog" not in {o.label for o in scene.objects}, scene.objects


def test_a_rodent_boxed_as_a_dog_does_not_bark(analyzer, scene):
    """Tux Paint's rat and mouse stamps fill their photos, and the detector is sure of a
    "dog" (0.94, 0.91); ImageNet knows dogs by 130 breeds and gives them nothing there,
    naming a fox squirrel and a mousetrap instead. That absence is the classifier's no:
    silence, not a bark. ImageNet's single horse class or cow class says nothing by its
    absence, so those are left to the replacement rules; a real dog still barks."""
    stamps = fetch_package("tuxpaint-stamps-default", data_dir()) / "usr" / "share" / "tuxpaint" / "stamps"
    for rodent in ("rat", "mouse"):
        objects = analyzer.analyze(load_image(stamps / "animals" / "mammals" / "rodents" / f"{rodent}.png")).objects
        assert "dog" not in {o.label for o in objects}, (rodent, objects)
    assert "dog" in {o.label for o in scene("darknet/dog.jpg").objects}


def test_fog_over_a_field_is_no_geyser(analyzer, scene):
    """ImageNet's "geyser" takes a morning fog drifting over a field (0.40, LXQt's "fog"
    wallpaper): no steam roars over a meadow. A geothermal plant's plume (0.83) still does."""
    fog = fetch_package("lxqt-themes", data_dir()) / "usr" / "share" / "lxqt" / "wallpapers" / "fog.jpg"
    assert "geyser" not in {o.label for o in analyzer.analyze(load_image(fog)).objects}
    assert "geyser" in {o.label for o in scene("categorization/geothermal.webp").objects}


def test_water_is_darker_than_the_sky_it_mirrors(gcompris, tuxpaint_templates):
    """The water cue counts blue below the horizon, but a statue shot from below has plain
    sky there, and so does the sky seen up through a canopy: only blue darker than the sky
    above is water. Tower Bridge's Thames stays water."""
    from image_extender.analyze.ambience import colour_cues

    def water(path):
        return colour_cues(load_image(path).rgb)["water"]

    assert water(gcompris("categorization/statueOfLiberty.webp")) < 0.1
    assert water(tuxpaint_templates / "trees_above.jpg") < 0.3
    assert water(gcompris("details/TowerBridgeLondon_background.webp")) > 0.3


def test_warm_ground_is_sand_only_under_a_sky(gcompris, scene):
    """A gosling close up on a brown bank (no sky in view) is no desert, whatever colour the
    bank is; camels on dunes under a blue sky keep their sand."""
    from image_extender.analyze.ambience import colour_cues

    assert colour_cues(load_image(gcompris("erase/gosling.webp")).rgb)["sand"] < 0.05
    assert colour_cues(load_image(gcompris("erase/camels.webp")).rgb)["sand"] > 0.4
    assert "desert" not in {t.label for t in scene("erase/gosling.webp").ambience}
    assert scene("erase/camels.webp").ambience[0].label == "desert"


def test_people_whose_crops_are_animals_are_those_animals(scene):
    """GCompris's crabs on a beach: the detector sees people (0.53, 0.51) where the crops
    are rock crabs (0.74): no footsteps and no voices among the crabs."""
    s = scene("erase/crab.webp")
    assert not [o for o in s.objects if o.detected_as == "person" or o.label == "person"], s.objects


def test_footsteps_follow_the_ground_at_peoples_feet(scene):
    """Darknet's person.jpg: a walker and a horse on winter-dry grass, which the place rules
    read as a farm. The band at her feet is neither green nor snow, so she gets footsteps on
    dry ground, not on a lawn; a green band inland is grass and a white one snow, whatever
    the place rules guessed, but not in a street (beige paving, a white crossing) nor by
    the water (white sand is as bright and colourless as snow)."""
    from image_extender.analyze.ground import ground_under
    from image_extender.analyze.vocabulary import apply_person_context
    from image_extender.manifest import AmbienceTag, BBox

    s = scene("darknet/person.jpg")
    (walker,) = [o for o in s.objects if o.detected_as == "person"]
    assert "grass" not in walker.query and walker.query.startswith("footsteps"), walker
    rgb = load_image(data_dir() / "debian" / "darknet" / "usr" / "share" / "darknet" / "data" / "person.jpg").rgb
    assert ground_under(rgb, walker.bbox) is None

    person = SceneObject(label="person", query="people talking", bbox=BBox(x0=0.3, y0=0.3, x1=0.5, y1=0.9), importance=1.0, confidence=0.8)
    def heard(place, ground):
        (o,) = apply_person_context([person], [AmbienceTag(label=place, query="x")], ground=lambda box: ground)
        return o.query
    assert heard("forest", "snow") == "footsteps in snow" and heard("savanna", "grass") == "footsteps on grass"
    assert heard("urban street", "snow") == "footsteps on pavement" and heard("beach", "snow") == "footsteps in sand"


# --------------------------------------------------------------------------- riders


def test_a_parked_bicycle_is_silent_but_the_dog_beside_it_barks(scene):
    """darknet's dog.jpg: a bicycle (0.98) leans on the fence behind the dog, nobody on it."""
    s = scene("darknet/dog.jpg")
    labels = [o.label for o in s.objects]
    assert "dog" in labels and "bicycle" not in labels, labels


def test_a_bicycle_sounds_only_with_a_person_on_it():
    from image_extender.analyze.fusion import Draft, in_use_if_it_must_be

    concepts = load_sounding().concepts
    bicycle = concepts["bicycle"]
    assert bicycle.heard_when == concepts["motorcycle"].heard_when == "ridden" and not concepts["car"].heard_when
    bike = Draft(bicycle, (0.4, 0.5, 0.7, 0.9), 0.9)
    rider = (0.45, 0.2, 0.65, 0.75)  # head above the saddle, legs over the frame
    passer_by = (0.05, 0.2, 0.25, 0.9)
    assert in_use_if_it_must_be(bike, [passer_by, rider])
    assert not in_use_if_it_must_be(bike, [passer_by])
    assert not in_use_if_it_must_be(bike, [])


def test_tools_sound_in_a_hand_and_balls_in_a_game():
    """Scissors on a desk and a laptop on an empty table are silent; a ball needs players."""
    from image_extender.analyze.fusion import Draft, in_use_if_it_must_be

    concepts = load_sounding().concepts
    assert concepts["scissors"].heard_when == concepts["laptop"].heard_when == "handled"
    assert concepts["volleyball"].heard_when == "in play" and not concepts["refrigerator"].heard_when
    scissors = Draft(concepts["scissors"], (0.5, 0.5, 0.6, 0.6), 0.8)
    hand = (0.45, 0.3, 0.9, 1.0)  # the person holding them
    across_the_room = (0.0, 0.1, 0.2, 0.9)
    assert in_use_if_it_must_be(scissors, [hand]) and not in_use_if_it_must_be(scissors, [across_the_room])
    ball = Draft(concepts["volleyball"], (0.7, 0.1, 0.75, 0.15), 0.8)  # in the air, away from every player
    assert in_use_if_it_must_be(ball, [across_the_room]) and not in_use_if_it_must_be(ball, [])
    fridge = Draft(concepts["refrigerator"], (0.1, 0.1, 0.4, 0.9), 0.8)
    assert in_use_if_it_must_be(fridge, [])


def test_heard_when_takes_only_known_values(tmp_path):
    from image_extender.analyze.vocabulary import load_sounding as load

    bad = tmp_path / "sounding.toml"
    bad.write_text('[[object]]\nlabel = "kite"\nqueries = ["kite flapping"]\nheard_when = "flown"\n', encoding="utf-8")
    with pytest.raises(ModelError, match="kite.*heard_when must be one of"):
        load(bad)


def test_a_red_panda_is_no_giant_panda():
    """Two entries: a giant panda's bleat is never a red panda's call, and nothing stands in."""
    from image_extender.sounds.hierarchy import builtin_table

    sounding = load_sounding().concepts
    assert sounding["red panda"].wordnet == ("lesser_panda.n.01",) and sounding["panda"].wordnet == ("giant_panda.n.01",)
    assert "panda" not in sounding["red panda"].accepts
    assert builtin_table()["red panda"] == []


def test_a_far_animal_the_whole_photo_shows_no_trace_of_is_none(analyzer):
    """A "sheep" box too small to crop (hay bales far off) in a photo the classifier calls
    hay at 0.92 is no sheep; the same box where the whole photo gives a ram some mass, or
    where the photo is of an animal the box's class does not cover (a bison), still counts."""
    from image_extender.analyze.detector import Detection
    from image_extender.analyze.fusion import crop, fine_grained_drafts
    from image_extender.analyze.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    sheep = next(i for i, e in vocabulary.items() if e.label == "sheep")
    names = tuple(analyzer._classifier.labels)
    index = default_index(names)
    rgb = np.full((360, 480, 3), 120, dtype=np.uint8)
    box = (0.80, 0.62, 0.84, 0.68)
    assert crop(rgb, box) is None  # too small to check by its crop

    def whole(**probs: float) -> np.ndarray:
        p = np.full(len(names), 1e-4)
        for name, v in probs.items():
            p[names.index(name)] = v
        return p / p.sum()

    def drafts(probs: np.ndarray) -> list:
        return fine_grained_drafts(rgb, [Detection(sheep, 0.77, box)], vocabulary, probs, lambda _: probs, index)

    assert drafts(whole(hay=0.92)) == []
    assert [d.concept.label for d in drafts(whole(hay=0.6, ram=0.19))] == ["sheep"]
    assert [d.concept.label for d in drafts(whole(bison=0.92))] == ["sheep"]
