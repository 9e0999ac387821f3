"""Scorched 3D's world sounds (Debian ``scorched3d-data``) as a starter source: fighter jets,
sirens, frogs, gulls, a rooster and city ambience from the base game and its Apocalypse mod,
read from the real package, credited per folder from its DEP-5 file, the game's battle left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from starter_folders import assert_newly_backed, assert_real_credited_files, finder_of, materialized, records
from image_extender.library.starter import scorched3d


@pytest.fixture(scope="module")
def folder() -> Path:
    return materialized([scorched3d])[scorched3d.NAME]


def test_every_recording_is_a_real_credited_file(folder):
    recs = records(folder)
    assert len(recs) == len(scorched3d.SOUNDS) == 50
    assert_real_credited_files(folder, recs, min_rate=11025, min_frames_per=10)
    base = {p for p, r in recs.items() if r.description.endswith("(Scorched 3D sound)")}
    mod = {p for p, r in recs.items() if r.description.endswith("(Scorched 3D sound, Apocalypse mod)")}
    assert len(base) == 30 and len(mod) == 20
    assert {(recs[p].licence, recs[p].author) for p in base} == {("GPL-2+", "Gavin Camp")}
    assert {(recs[p].licence, recs[p].author) for p in mod} == {("CC-BY-SA-3", "Apocalypse mod team")}


def test_beds_are_the_long_ambiences(folder):
    recs = records(folder)
    beds = {Path(p).stem for p, r in recs.items() if r.kind == "bed"}
    assert beds == {"birds1", "birds2", "frogs", "oceanwaves", "rain", "citysounds", "factoryloop1", "cheeringloop"}
    assert all(r.kind == "one-shot" for p, r in recs.items() if Path(p).stem not in beds)


def test_the_game_is_left_out(folder):
    recs = records(folder)
    stems = {Path(p).stem for p in recs}
    # explosions, shots, shields, tank movement (other folders), and the misc folders' game sounds
    left_out = {"large", "napalm", "laser", "machinegun", "activate", "tankmove", "scream1", "screaming",
                "laserdeath", "teleport", "beamup", "extralife", "lockon", "nuclearloop", "beep", "rocket",
                "fight4life", "lava1", "bees"}  # fmt: skip
    assert not stems & left_out
    assert recs["f16_1.wav"].description.startswith("fighter jet flying past")
    assert recs["firetruck.wav"].description.startswith("fire engine siren")
    assert recs["f18_2.wav"].name == "F/A-18 fighter jet"  # not "f", the words of its file name


@pytest.fixture(scope="module")
def finder(folder, tmp_path_factory):
    return finder_of(scorched3d.NAME, folder, tmp_path_factory.mktemp("scorched3d-data"), 50)


# (vocabulary label, a word the first verified recording's name or description holds)
NEWLY_BACKED = [("warplane", "jet"), ("emergency vehicle", "firetruck"), ("seabird", "gull")]


def test_things_the_library_backed_poorly_find_their_recordings(finder):
    """Vocabulary entries the 5,454-recording library backed poorly find these, with the real
    vocabulary queries and the calibrated verifier: a warplane had no verified recording at
    all; an emergency vehicle had a siren, a police car and a burning fuse; a seabird two
    seagulls, a pelican and a penguin."""
    assert_newly_backed(NEWLY_BACKED, finder.source, finder.verifier)
