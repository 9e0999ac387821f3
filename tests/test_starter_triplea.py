"""TripleA's recordings of the world (issue #15, "every vocabulary entry backed by >= 3
verified recordings": a bird of prey had two): the listed files of the Debian package, named
by what they are rather than by the game event they play at, credited by its DEP-5
copyright file, and found with the vocabulary's own queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from starter_folders import assert_real_credited_files, finder_of, materialized, records, verified_for
from image_extender.library.starter import triplea


@pytest.fixture(scope="module")
def folder() -> Path:
    return materialized([triplea])[triplea.NAME]


def test_only_listed_recordings_are_kept_once_each_named_by_what_they_are(folder):
    recs = records(folder)
    assert_real_credited_files(folder, recs, min_rate=11025, min_frames_per=2)
    assert {r.licence for r in recs.values()} == {"GPL-2+"} and all("Sean Bridges" in r.author for r in recs.values())
    names = [r.name for r in recs.values()]
    assert len(names) == len(set(names)) == 13  # horses galloping is in two themes, kept once
    assert "hawk scream" in names and not [n for n in names if any(w in n for w in ("battle", "political", "chat"))]
    assert not [p for p in recs if any(w in p for w in ("anthem", "overture", "cannon", "musket", "laser", "alarm"))]


def test_a_name_loses_the_game_event_it_plays_at():
    assert triplea.plain_name("battle_air_01_hawk_scream") == "hawk scream"
    assert triplea.plain_name("placed_infrastructure_01_sawing_wood") == "sawing wood"


def test_a_bird_of_prey_gets_the_hawk(folder, tmp_path):
    finder = finder_of(triplea.NAME, folder, tmp_path, len(records(folder)))
    found = verified_for(finder, "bird of prey")
    assert {"hawk scream", "hawk call"} <= set(found), found

