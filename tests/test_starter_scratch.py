"""Scratch's sound library (issue #15, "every vocabulary entry backed by >= 3 verified
recordings": a motorcycle had none, a goose, a sewing machine, a church bell and a gong two):
real recordings read from the Debian package, credited by its DEP-5 copyright file, found
with the vocabulary's own queries, and not mistaken for a neighbour."""

from __future__ import annotations

from pathlib import Path

import pytest

from starter_folders import assert_real_credited_files, finder_of, materialized, records, verified_for
from image_extender.library.starter import scratch


@pytest.fixture(scope="module")
def folder() -> Path:
    return materialized([scratch])[scratch.NAME]


@pytest.fixture(scope="module")
def finder(folder, tmp_path_factory):
    return finder_of(scratch.NAME, folder, tmp_path_factory.mktemp("scratch"), len(scratch.SOUNDS))


def test_every_listed_sound_is_a_real_credited_file(folder):
    recs = records(folder)
    assert sorted(Path(p).stem for p in recs) == sorted(scratch.SOUNDS)
    assert_real_credited_files(folder, recs, min_rate=11025, min_frames_per=4)
    assert {(r.licence, r.author) for r in recs.values()} == {("CC-BY-SA-3.0", "Massachusetts Institute of Technology")}
    assert not any(Path(p).parts[0] in ("Electronic", "Vocals") for p in recs)


@pytest.mark.parametrize("label, name", [("motorcycle", "motorcycle passing"), ("goose", "goose"),
                                         ("sewing machine", "sewing machine"), ("church bell", "bell toll")])
def test_a_motorcycle_a_goose_a_sewing_machine_and_a_church_bell_are_found(finder, label, name):
    assert name in verified_for(finder, label)


def test_a_songbirds_chirp_is_no_bird_of_prey_and_a_house_cat_no_wild_cat(finder):
    assert "bird" in verified_for(finder, "bird")
    assert verified_for(finder, "bird of prey") == ()
    assert "cat" in verified_for(finder, "cat")
    assert verified_for(finder, "wild cat") == ()
