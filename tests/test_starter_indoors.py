"""Starter sources for the inside of a home (issue #15, "Missing material"): Minetest's Home
Decor and X-Decor mods (a fireplace, a shower, a tap, a toaster, a pot boiling), Lomiri's
phone sounds (ringtones, alarm clocks, a camera shutter) and Lugaru's world (a hawk, wolves,
desert and grassland wind). Each is read from its real Debian package; descriptions and
credits come from the package, and an indoor place's bed is heard indoors: the rules never
send a room's bed through the wall to a street, a residential area or the night outside."""

from __future__ import annotations

from pathlib import Path

import pytest

from starter_folders import assert_newly_backed, assert_real_credited_files, bed_text, library_of, materialized, records
from image_extender.analyze.ambience import load_rules
from image_extender.library.starter import homedecor, lomiri, lugaru, xdecor

SOURCES = [homedecor, xdecor, lomiri, lugaru]


@pytest.fixture(scope="module")
def folders() -> dict[str, Path]:
    return materialized(SOURCES)


@pytest.mark.parametrize("module, count", [(homedecor, 12), (xdecor, 1), (lomiri, 45), (lugaru, 19)])
def test_every_recording_is_a_real_credited_file(folders, module, count):
    folder = folders[module.NAME]
    recs = records(folder)
    assert len(recs) == count
    assert not [path for path in recs if " " in path]
    assert_real_credited_files(folder, recs, min_rate=11025, min_frames_per=10)


def test_home_decor_loops_are_indoor_beds_with_their_mod_licence(folders):
    recs = records(folders[homedecor.NAME])
    fire = recs["fake_fire/sounds/fire_small.ogg"]
    assert fire.kind == "bed" and "fireplace" in fire.description and fire.licence == "CC-BY-SA-4.0"
    assert fire.author == "Vanessa Ezekowitz"
    assert recs["homedecor_bathroom/sounds/homedecor_shower.ogg"].kind == "bed"
    assert not [p for p in recs if "coin" in p]  # the vending machine's coin slot is left out
    boil = records(folders[xdecor.NAME])["sounds/xdecor_boiling_water.ogg"]
    assert boil.licence == "CC-BY-3.0" and boil.author == "Audionautics" and "/sounds/133901" in boil.url


def test_lomiri_names_licences_and_authors_are_per_file(folders):
    recs = records(folders[lomiri.NAME])
    wooden = recs["ringtones/Wooden_Drive.ogg"]
    assert wooden.description.startswith("Wooden Drive ringtone, a mobile phone ringing")
    assert wooden.licence == "CC-BY-3.0" and wooden.author == "Amber Forest"
    assert recs["ringtones/Koto_chords.ogg"].licence == "CC-BY-SA-3.0"  # the Ubuntu Touch set, Canonical
    assert recs["ringtones/Mangore.ogg"].author == "Mauricio Duarte"  # 'Mangoré' kept, accent dropped from the path
    click = recs["camera/click/camera_click.ogg"]
    assert click.licence == "CC0-1.0" and "freesound.org/people/jdaniel1999" in click.author
    assert "alarm clock" in recs["ringtones/Alarm_clock.ogg"].tags
    assert sum(r.path.startswith("ringtones/") for r in recs.values()) == 29


def test_lugaru_keeps_its_world_and_leaves_the_fight_out(folders):
    recs = records(folders[lugaru.NAME])
    fight = ("Knife", "Sword", "Staff", "Rabbit", "Whoosh", "Console", "Music", "Flesh", "Claw")
    assert not [p for p in recs if any(word in p for word in fight)]
    hawk = recs["Hawk.ogg"]
    assert hawk.licence == "CC-BY-SA-3.0" and hawk.author == "Wolfire Games" and "bird of prey" in hawk.tags
    assert recs["DesertAmbient.ogg"].kind == "bed" and recs["Bark2.ogg"].name == "bark"


# ----------------------------------------------------------------- the rules: beds stay indoors

OUTDOOR_WORDS = ("street", "traffic", "residential", "night", "crickets", "wind", "birds", "outdoor")


def test_an_indoor_places_bed_never_crosses_a_wall():
    """Every place on an indoor place's fallback chain is indoors too, and no query its bed
    is looked up with describes the outdoors (the residential-area loop and night beds a
    kitchen used to end on)."""
    rules = load_rules()
    indoor = [r for r in rules.rules if r.indoor]
    assert len(indoor) >= 14
    for rule in indoor:
        outside = [p for p in rules.chain(rule.label) if not rules.rule(p).indoor]
        assert not outside, (rule.label, outside)
        queries = [rule.query, *rules.tag_queries(rule.label)]
        said = [q for q in queries if any(w in q.lower() for w in OUTDOOR_WORDS)]
        assert not said, (rule.label, said)


# ----------------------------------------------------------------- retrieval on the new recordings


@pytest.fixture(scope="module")
def indoor_library(folders, tmp_path_factory) -> Path:
    """A data folder whose library holds only the four new sources (77 recordings)."""
    root = tmp_path_factory.mktemp("indoor-data")
    report = library_of(folders, root)
    assert not report.failed and report.total == 77
    return root


@pytest.fixture(scope="module")
def finder(indoor_library):
    from image_extender.settings import load_settings
    from image_extender.sounds.factory import build_finder

    return build_finder(load_settings(data_dir=indoor_library, source="library", verifier="embedding"))


# (vocabulary label, a word the first verified recording's name or description holds)
NEWLY_BACKED = [("toaster", "toaster"), ("sink", "faucet"), ("kettle", "boiling"), ("phone", "")]


def test_appliances_find_their_recordings(finder):
    """Detected appliances the 5,265-recording library backed with 0-2 verified recordings
    (toaster 0, sink 1, kettle 2) find these, with the real vocabulary queries and verifier."""
    assert_newly_backed(NEWLY_BACKED, finder.source, finder.verifier)


@pytest.mark.parametrize("place, words", [
    ("living room", ("fireplace", "hearth")),
    ("bathroom", ("shower", "washbasin", "tap")),
    ("bedroom", ("fireplace", "room")),
])  # fmt: skip
def test_a_rooms_bed_is_an_indoor_recording(finder, place, words):
    """With Lugaru's desert and grassland wind in the same library, a living room, a
    bathroom and a bedroom are heard by their fire or their shower, never the wind outside."""
    text = bed_text(finder, place)
    assert any(w in text for w in words) and "wind" not in text, (place, text)
