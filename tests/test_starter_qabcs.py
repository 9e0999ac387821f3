"""qABCs' noises (Debian ``qabcs-data``) as a starter source (issue #15, "Missing material"):
animals and machines the library lacked (a tractor, a hyena, a giant panda, a skateboard),
read from the real package, credited from its DEP-5 file, cartoon characters left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from starter_folders import assert_newly_backed, assert_real_credited_files, finder_of, materialized, records
from image_extender.library.starter import qabcs


@pytest.fixture(scope="module")
def folder() -> Path:
    return materialized([qabcs])[qabcs.NAME]


def test_every_recording_is_a_real_credited_file(folder):
    recs = records(folder)
    assert len(recs) == len(qabcs.SOUNDS) == 112
    assert_real_credited_files(folder, recs, min_rate=11025, min_frames_per=10)
    assert {(r.licence, r.author) for r in recs.values()} == {("GPL-3+", "DanSoft")}
    assert all(r.kind == "one-shot" and r.description.endswith("(qABCs noise)") for r in recs.values())


def test_characters_and_silent_things_are_left_out(folder):
    recs = records(folder)
    left_out = ("umka", "cheburashka", "dunno", "yaga", "emelya", "prince", "star", "vase", "igloo", "ladybug", "x-men")
    assert not [p for p in recs if Path(p).stem in left_out]
    assert recs["goose.ogg"].description.startswith("goose honking")
    assert recs["hyena.ogg"].description.startswith("hyena call") and "laugh" in recs["hyena.ogg"].tags


@pytest.fixture(scope="module")
def finder(folder, tmp_path_factory):
    return finder_of(qabcs.NAME, folder, tmp_path_factory.mktemp("qabcs-data"), 112)


# (vocabulary label, a word the first verified recording's name or description holds)
NEWLY_BACKED = [("tractor", "tractor"), ("hyena", "hyena"), ("panda", "panda"), ("skateboard", "skateboard")]


def test_animals_and_machines_the_library_lacked_find_their_recordings(finder):
    """Vocabulary entries the 5,342-recording library backed with no verified recording at all
    find these, with the real vocabulary queries and the calibrated verifier."""
    assert_newly_backed(NEWLY_BACKED, finder.source, finder.verifier)
