"""Red Eclipse's field recordings (Debian ``redeclipse-data``) as a starter source: night
crickets, cicadas, a forest, rivers and waterfalls, a dripping cave, distant traffic, wind,
rain and thunder, footsteps and splashes — read from the real package, credited from its
DEP-5 file stanza by stanza, the shooter's weapons, voices and sci-fi map sounds left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from starter_folders import assert_newly_backed, assert_real_credited_files, finder_of, materialized, records
from image_extender.library.starter import redeclipse

COUNT = 52  # the listed stems' files, waterfall1.ogg being a byte copy of waterfall.ogg


@pytest.fixture(scope="module")
def folder() -> Path:
    return materialized([redeclipse])[redeclipse.NAME]


def test_every_recording_is_a_real_credited_file(folder):
    recs = records(folder)
    assert len(recs) == COUNT
    assert_real_credited_files(folder, recs, min_rate=22050, min_frames_per=20)
    assert all(r.source == "Debian redeclipse-data (Red Eclipse)" and "(Red Eclipse sound" in r.description
               for r in recs.values())  # fmt: skip
    assert all(r.url.startswith("http") and " " not in r.url for r in recs.values())


def test_licences_are_the_copyright_files_stanzas(folder):
    recs = records(folder)
    credit = {p: (r.licence, r.author) for p, r in recs.items()}
    assert credit["ambience/cycadas.ogg"] == ("CC-BY-3.0", 'Dob "dobroide" Roide')
    assert credit["ambience/distant_cars.ogg"] == ("CC-BY-3.0", "fresco; WIM")
    assert credit["ambience/nightcrickets.ogg"] == ("CC-BY-SA-3.0", 'Richard "RHumphries" Humphries')
    assert credit["ambience/river.ogg"] == ("CC-BY-SA-3.0", 'Mike "Acclivity" of Freesound.org')
    assert credit["ambience/blowwind.ogg"] == ("CC-BY-SA-3.0", 'Quinton "quin" Reeves, Alex "blackshoe" Anguix')
    assert credit["ambience/morph/stormbolts.ogg"] == ("CC-BY-3.0", 'Slawek "Q009" Blauciak')
    assert credit["player/concstep.ogg"] == ("CC-BY-SA-3.0+", "Red Eclipse Team")
    assert recs["ambience/nightcrickets.ogg"].url == "http://www.freesound.org/samplesViewSingle.php?id=1056"
    assert {r.licence for r in recs.values()} == {"CC-BY-3.0", "CC-BY-SA-3.0", "CC-BY-SA-3.0+"}


def test_game_sounds_are_left_out(folder):
    recs = records(folder)
    tops = {Path(p).parts[0] for p in recs}
    assert tops == {"ambience", "player", "sfx"}  # no weapons, announcer, voice, interface or music
    left_out = ("headshot", "gogogo", "haha", "sorry", "death", "pain", "jumppad", "teleport", "lava1", "wakawaka",
                "alienwind", "machine1", "ambient1", "hum", "door", "burning", "waterfall_indoor")  # fmt: skip
    assert not [p for p in recs if Path(p).stem in left_out]
    kinds = {Path(p).stem: r.kind for p, r in recs.items()}
    assert kinds["nightcrickets"] == kinds["cycadas"] == kinds["forest3"] == kinds["distant_cars"] == "bed"
    assert kinds["concstep"] == kinds["splosh"] == kinds["fire"] == "one-shot"
    assert recs["ambience/cycadas.ogg"].description.startswith("cicadas buzzing")


@pytest.fixture(scope="module")
def finder(folder, tmp_path_factory):
    return finder_of(redeclipse.NAME, folder, tmp_path_factory.mktemp("redeclipse-data"), COUNT)


# (vocabulary label, a word the first verified recording's name holds)
NEWLY_BACKED = [("cicada", "cycadas"), ("night countryside", "nightcrickets"), ("cave", "cavedrip")]


def test_entries_the_library_lacked_find_their_recordings(finder):
    """The cicada (no verified recording in the 5,454-recording library) and the night
    countryside and cave beds (one each) find these, with the real vocabulary queries and
    the calibrated verifier."""
    assert_newly_backed(NEWLY_BACKED, finder.source, finder.verifier)
