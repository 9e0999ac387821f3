"""Cube 2: Sauerbraten's chainsaw and door slam (issue #15: the chainsaw had two verified
recordings, under the three every vocabulary entry wants): real recordings read from the
Debian package, each credited by its own DEP-5 stanza, found with the vocabulary's queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from starter_folders import assert_newly_backed, assert_real_credited_files, finder_of, materialized, records, verified_for
from image_extender.library.starter import cube2


@pytest.fixture(scope="module")
def folder() -> Path:
    return materialized([cube2])[cube2.NAME]


def test_the_saw_and_the_door_are_real_files_credited_stanza_by_stanza(folder):
    recs = records(folder)
    assert sorted(r.name for r in recs.values()) == ["chainsaw idling", "chainsaw revving", "door slam"]
    assert_real_credited_files(folder, recs, min_rate=44100, min_frames_per=2)
    by_name = {r.name: r for r in recs.values()}
    assert {by_name["chainsaw idling"].licence, by_name["chainsaw revving"].licence} == {"CC-BY-SA-4.0"}
    assert "Schneider" in by_name["chainsaw revving"].author
    assert by_name["door slam"].licence == "CC-BY-3.0" and "OLPC" in by_name["door slam"].author
    assert not any("attack" in r.name or "sfx" in r.name for r in recs.values())  # the game's words, not the sound's


def test_a_chainsaw_hears_both_and_nothing_else(folder, tmp_path):
    finder = finder_of(cube2.NAME, folder, tmp_path, 3)
    assert set(verified_for(finder, "chainsaw")) == {"chainsaw idling", "chainsaw revving"}
    assert_newly_backed([("chainsaw", "chainsaw")], finder.source, finder.verifier)
    assert verified_for(finder, "motorcycle") == ()  # an engine, but a saw's
