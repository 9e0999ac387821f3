"""Unknown Horizons' settlement sounds (issue #15, "Missing material": a town square's crowd, a
church bell): real recordings read from the Debian package, credited by its copyright file,
their silent openings and endings cut, and found with the vocabulary's own queries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from starter_folders import assert_real_credited_files, finder_of, materialized, records, verified_for
from image_extender.library.audio_io import read_audio
from image_extender.library.starter import unknown_horizons


@pytest.fixture(scope="module")
def folder() -> Path:
    return materialized([unknown_horizons])[unknown_horizons.NAME]


def test_every_recording_is_a_real_credited_file(folder):
    recs = records(folder)
    assert sorted(recs) == sorted(f"{stem}.ogg" for stem in unknown_horizons.SOUNDS)
    assert_real_credited_files(folder, recs, min_rate=22050, min_frames_per=1)
    assert {r.licence for r in recs.values()} == {"CC-BY-SA-3.0"}
    assert "hazure" in recs["lumberjack_long.ogg"].author


def test_silence_at_either_end_is_cut(folder):
    """The chapel's bell rings 16 s into its file and the square's murmur ends in 3 s of
    silence in the package; kept, both start and end with sound."""
    for name, longest in (("chapel.ogg", 20.0), ("main_square.ogg", 10.0), ("lumberjack_long.ogg", 25.0)):
        samples, rate = read_audio(folder / name)
        assert samples.shape[0] / rate < longest, name
        quiet = 10 ** (unknown_horizons.SILENT_DB / 20)
        assert np.abs(samples[: rate // 10]).max() > quiet and np.abs(samples[-rate // 10 :]).max() > quiet, name


def test_trimming_leaves_a_file_that_is_all_sound_as_it_is():
    import io

    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.full((4410, 1), 0.1), 44100, format="WAV")
    assert unknown_horizons.trimmed(buf.getvalue()) == buf.getvalue()


@pytest.mark.parametrize("label, word", [("church bell", "chapel"), ("people in a square", "square")])
def test_a_church_bell_and_a_square_s_crowd_are_found(folder, tmp_path, label, word):
    """The church bell had no verified recording in the starter library, and people in a
    square only footsteps: with the vocabulary's own queries and the calibrated verifier."""
    finder = finder_of(unknown_horizons.NAME, folder, tmp_path, len(unknown_horizons.SOUNDS))
    found = verified_for(finder, label)
    assert any(word in name for name in found), found


@pytest.mark.parametrize("place, indoor, person, heard", [
    ("beach", False, "people by the water", "main square"),  # not the tavern, which it took before
    ("cafe", True, "people indoors", "tavern"),
])  # fmt: skip
def test_people_are_heard_on_their_side_of_the_wall(folder, tmp_path, place, indoor, person, heard):
    """Both recordings are people talking; a tavern's voices are no people on a beach, and a
    town square's crowd no people at a cafe table."""
    from image_extender.analyze.ambience import load_rules
    from image_extender.analyze.vocabulary import load_sounding
    from image_extender.manifest import AmbienceTag, BBox, ImageInfo, Scene, SceneObject

    finder = finder_of(unknown_horizons.NAME, folder, tmp_path, len(unknown_horizons.SOUNDS))
    rule = load_rules().rule(place)
    rule_of = next(r for r in load_sounding().person_rules if r.label == person)
    people = SceneObject(label=person, query=rule_of.queries[0], queries=list(rule_of.queries[1:]),
                         accepts=list(rule_of.accepts), bbox=BBox(x0=0.3, y0=0.3, x1=0.5, y1=0.9),
                         importance=1.0, confidence=0.9)
    scene = Scene(image=ImageInfo(path="-", md5="-", width=1, height=1), analyzer="test", objects=[people],
                  ambience=[AmbienceTag(label=place, query=rule.query, indoor=indoor)])
    choice = next(c for c in finder(scene) if c.target == person)
    assert choice.sound is not None and choice.sound.name == heard, choice.verdict
