"""UFO: Alien Invasion's sounds (issue #15, "every vocabulary entry backed by >= 3 verified
recordings": a television and a fountain had none, a night in the countryside two): the
listed files taken out of the Debian package's sound archive, credited stanza by stanza by
its DEP-5 copyright file, and found with the vocabulary's own queries."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from starter_folders import assert_real_credited_files, finder_of, materialized, records, verified_for
from image_extender.library.debian import FetchError
from image_extender.library.starter import ufoai


@pytest.fixture(scope="module")
def folder() -> Path:
    return materialized([ufoai])[ufoai.NAME]


def test_only_listed_sounds_are_kept_each_a_real_credited_file(folder):
    recs = records(folder)
    assert_real_credited_files(folder, recs, min_rate=22050, min_frames_per=10)
    assert {p.split("/")[0] for p in recs} == {"ambience", "doors", "footsteps"}
    assert not [p for p in recs if any(w in p for w in ("alien", "weapon", "death", "scream", "droning", "city_abnd"))]
    assert len([p for p in recs if p.startswith("footsteps/")]) >= 30
    # stanza by stanza: most sounds are CC-BY-SA-3.0, the mine pump CC-BY-3.0, a few GPL-2 from OpenArena
    assert recs["ambience/tv_newswav.ogg"].licence == "CC-BY-SA-3.0"
    assert recs["ambience/minepump03.ogg"].licence == "CC-BY-3.0"
    assert recs["ambience/creak.ogg"].licence == "GPL-2" and "OpenArena" in recs["ambience/creak.ogg"].author
    assert recs["footsteps/carpet1.ogg"].description.startswith("a footstep on carpet")


@pytest.mark.parametrize("label, word", [("television", "tv newswav"), ("fountain", "waterfontain"),
                                         ("night countryside", "cricket loop")])
def test_a_television_a_fountain_and_crickets_at_night_are_found(folder, tmp_path, label, word):
    finder = finder_of(ufoai.NAME, folder, tmp_path, len(records(folder)))
    found = verified_for(finder, label)
    assert word in found, found


def test_an_archive_that_is_no_zip_is_refused_naming_it(tmp_path):
    archive = tmp_path / ufoai.ARCHIVE
    archive.parent.mkdir(parents=True)
    archive.write_bytes(b"PK not really")
    with pytest.raises(FetchError, match="0snd.pk3: cannot read the sound archive"):
        ufoai.unpack_listed(tmp_path)
    assert not (tmp_path / ufoai.UNPACKED).exists()


def test_an_archive_without_the_listed_folders_is_refused(tmp_path):
    archive = tmp_path / ufoai.ARCHIVE
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("sound/weapons/shot.ogg", b"x")
    with pytest.raises(FetchError, match="holds none of sound/ambience/"):
        ufoai.unpack_listed(tmp_path)
