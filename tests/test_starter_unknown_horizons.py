"""Unknown Horizons' settlement sounds (issue #15, "Missing material": a town square's crowd, a
church bell): real recordings read from the Debian package, credited by its copyright file,
their silent openings and endings cut, and found with the vocabulary's own queries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from starter_folders import assert_real_credited_files, finder_of, materialized, records
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
    from image_extender.analyze.vocabulary import sounding_entries
    from image_extender.library.coverage import entry_coverage

    finder = finder_of(unknown_horizons.NAME, folder, tmp_path, len(unknown_horizons.SOUNDS))
    entry = next(e for e in sounding_entries() if e.label == label)
    found = entry_coverage(entry, finder.source, finder.verifier, hierarchy=finder.hierarchy)
    assert any(word in name for name in found.verified), found
