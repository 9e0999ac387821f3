"""Eat the Whistle's stadium crowd, Free Tennis's rally, FooBillard++'s billiard balls and
Trackballs' capuchin monkey (issue #15, "Missing material": a sports crowd, a ball in play;
an animal with under three recordings): real recordings read from the Debian packages,
credited by their copyright files, found with the vocabulary's queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from starter_folders import (assert_newly_backed, assert_real_credited_files, bed_text, finder_of, materialized, records,
                             verified_for)
from image_extender.library.starter import etw, foobillardplus, freetennis, trackballs
from image_extender.library.starter._common import StatedLicence
from image_extender.library.debian import FetchError


@pytest.fixture(scope="module")
def folders() -> dict[str, Path]:
    return materialized([etw, trackballs, freetennis, foobillardplus])


def test_every_recording_is_a_real_credited_file(folders):
    crowd = records(folders[etw.NAME])
    assert len(crowd) == 20  # 17 match crowds, the event folder's crowd, its booing and its background
    assert {Path(p).stem.rstrip("0123456789") for p in crowd} == set(etw.SOUNDS)
    assert_real_credited_files(folders[etw.NAME], crowd, min_rate=22050, min_frames_per=1)
    monkey = records(folders[trackballs.NAME])
    assert sorted(monkey) == ["capuchmonk.wav"]
    assert_real_credited_files(folders[trackballs.NAME], monkey, min_rate=11025, min_frames_per=1)
    assert {r.licence for r in (*crowd.values(), *monkey.values())} == {"GPL-2+"}
    assert "Gabriele Greco" in next(iter(crowd.values())).author


def test_a_stadium_hears_its_crowd_and_a_monkey_its_call(folders, tmp_path):
    finder = finder_of(etw.NAME, folders[etw.NAME], tmp_path / "etw", 20)
    assert "stadium" in bed_text(finder, "stadium")
    assert_newly_backed([("player", "crowd")], finder.source, finder.verifier)
    monkeys = finder_of(trackballs.NAME, folders[trackballs.NAME], tmp_path / "trackballs", 1)
    assert_newly_backed([("monkey", "capuchmonk")], monkeys.source, monkeys.verifier)


def test_a_stadium_crowd_is_no_murmur_in_a_square(folders, tmp_path):
    """The fans' cheering is a crowd too, but not the murmur of people in a town square."""
    finder = finder_of(etw.NAME, folders[etw.NAME], tmp_path, 20)
    assert verified_for(finder, "people in a square") == ()


def test_a_tennis_ball_is_hit_and_the_prose_licence_is_checked(folders, tmp_path):
    tennis = records(folders[freetennis.NAME])
    assert {Path(p).stem.rstrip("0123456789") for p in tennis} == {s.rstrip("0123456789") for s in freetennis.SOUNDS}
    assert_real_credited_files(folders[freetennis.NAME], tennis, min_rate=11025, min_frames_per=10)
    assert {(r.licence, r.author) for r in tennis.values()} == {("GPL-2+", "Maurizio Colucci")}
    finder = finder_of(freetennis.NAME, folders[freetennis.NAME], tmp_path, len(tennis))
    verified = set(verified_for(finder, "tennis ball"))
    assert {"colpo", "battuta", "fh", "taglio"} <= verified and "pubblico" not in verified, verified  # the hits, not the applause


def test_a_prose_licence_the_copyright_file_does_not_state_keeps_nothing(tmp_path):
    copyright_file = tmp_path / "copyright"
    copyright_file.write_text("This package is free software; you can redistribute it under the terms of the\n"
                              "GNU General Public License, version 2 or later.\n", encoding="utf-8")
    assert StatedLicence("GPL-2+", "A", "u", "you can redistribute it under the terms of the GNU General").check(copyright_file)[0] == "GPL-2+"
    with pytest.raises(FetchError, match="does not state CC0"):
        StatedLicence("CC0-1.0", "A", "u", "dedicated to the public domain").check(copyright_file)


def test_a_pool_table_in_play_sounds_like_billiard_balls(folders, tmp_path):
    """ImageNet's pool table is the "billiards" concept, heard only when someone is there to
    play, and its recordings are FooBillard++'s balls, never a bouncing ball's fallback."""
    from image_extender.analyze.fusion import default_index
    from image_extender.analyze.imagenet import load_table
    index = default_index(tuple(str(i) for i in range(1000)))
    (table,) = [c for c in load_table() if c.synset == "pool_table.n.01"]
    concept = index.concepts[index.ids[table.index]]
    assert concept.label == "billiards" and concept.heard_when == "in play"
    balls = records(folders[foobillardplus.NAME])
    assert sorted(balls) == sorted(f"{stem}.wav" for stem in foobillardplus.SOUNDS)
    assert_real_credited_files(folders[foobillardplus.NAME], balls, min_rate=44100, min_frames_per=1)
    assert {r.licence for r in balls.values()} == {"GPL-2"}
    finder = finder_of(foobillardplus.NAME, folders[foobillardplus.NAME], tmp_path, len(balls))
    found = verified_for(finder, "billiards")
    assert set(found) == {"shuffleballs", "ballinhole", "balloutoftable"}, found
