"""Battle Tanks' four outdoor ambiences and Crossfire's gong and tower clock (issue #15,
"Missing material": beds for a city, the countryside and a swamp; a gong and a bell with
under three recordings): real recordings read from the Debian packages, credited by their
copyright files (one DEP-5, one prose), found with the vocabulary's queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from starter_folders import assert_real_credited_files, bed_text, finder_of, materialized, records, verified_for
from image_extender.library.starter import btanks, crossfire


@pytest.fixture(scope="module")
def folders() -> dict[str, Path]:
    return materialized([btanks, crossfire])


def test_every_recording_is_a_real_credited_file(folders):
    beds = records(folders[btanks.NAME])
    assert sorted(beds) == sorted(f"{stem}.ogg" for stem in btanks.SOUNDS)
    assert_real_credited_files(folders[btanks.NAME], beds, min_rate=22050, min_frames_per=1)
    assert {r.licence for r in beds.values()} == {"Battle-Tanks-License"} and all(r.kind == "bed" for r in beds.values())
    # the DEP-5 holders, without the copyright sign and years they are written with ("© 2005-2008, …")
    assert {r.author for r in beds.values()} == {"Vladimir Menshakov; Battle Tanks Team"}
    bells = records(folders[crossfire.NAME])
    assert sorted(bells) == ["TowerClock.wav", "gong.wav"]
    assert_real_credited_files(folders[crossfire.NAME], bells, min_rate=11025, min_frames_per=1)
    assert {(r.licence, r.author) for r in bells.values()} == {("GPL-2+", "Crossfire Development team")}


@pytest.mark.parametrize("place, word", [("urban street", "traffic"), ("countryside", "countryside")])
def test_a_street_and_the_countryside_get_a_long_bed(folders, tmp_path, place, word):
    finder = finder_of(btanks.NAME, folders[btanks.NAME], tmp_path, len(btanks.SOUNDS))
    assert word in bed_text(finder, place)


@pytest.mark.parametrize("label, name", [("gong", "gong"), ("church bell", "tower clock")])
def test_a_gong_and_a_church_bell_are_found(folders, tmp_path, label, name):
    finder = finder_of(crossfire.NAME, folders[crossfire.NAME], tmp_path, 2)
    assert verified_for(finder, label) == (name,)
