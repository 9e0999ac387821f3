"""Berusky 2's recordings (issue #15, "every vocabulary entry backed by >= 3 verified
recordings": a church bell had two): the listed files of the Debian package, named in
English, credited by its DEP-5 copyright file, and found with the vocabulary's own queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from starter_folders import assert_real_credited_files, finder_of, materialized, records, verified_for
from image_extender.library.starter import berusky2


@pytest.fixture(scope="module")
def folder() -> Path:
    return materialized([berusky2])[berusky2.NAME]


def test_only_listed_sounds_are_kept_named_in_english(folder):
    recs = records(folder)
    assert_real_credited_files(folder, recs, min_rate=22050, min_frames_per=5)
    assert {(r.licence, r.author.split()[0]) for r in recs.values()} == {("GPL-2+", "AnakreoN")}
    names = {r.name for r in recs.values()}
    assert {"car passing", "church bell", "steamboat horn", "seagulls", "rat"} <= names
    assert names <= set(berusky2.NAMES.values())  # no Czech file name left as a name
    # the game's own noises stay out
    assert not [p for p in recs if p.lower().startswith(("telep", "magnet", "exploze", "tlacitko", "voc", "pray"))]
    assert recs["zvon1.wav"].description.startswith("a church bell")


def test_every_table_entry_has_an_english_name():
    assert set(berusky2.NAMES) == set(berusky2.SOUNDS)


@pytest.mark.parametrize("label, word", [("church bell", "church bell"), ("seabird", "seagulls")])
def test_a_church_bell_and_gulls_are_found(folder, tmp_path, label, word):
    finder = finder_of(berusky2.NAME, folder, tmp_path, len(records(folder)))
    found = verified_for(finder, label)
    assert word in found, found
