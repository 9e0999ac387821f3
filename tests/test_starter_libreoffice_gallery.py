"""LibreOffice's gallery sounds: the real recordings among the slide-show effects (a gong, a
cow, a horse, applause, a train's whistle, birds, congas, a small bell), read from the Debian
package, credited by its DEP-5 copyright file, and found with the vocabulary's own queries;
the effects, and a "glasses" chord no glasses could make, are left out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import data_dir
from starter_folders import assert_real_credited_files, finder_of, materialized, records, verified_for
from image_extender.library.starter import libreoffice_gallery


@pytest.fixture(scope="module")
def folder() -> Path:
    return materialized([libreoffice_gallery])[libreoffice_gallery.NAME]


@pytest.fixture(scope="module")
def finder(folder, tmp_path_factory):
    return finder_of(libreoffice_gallery.NAME, folder, tmp_path_factory.mktemp("lo"), len(libreoffice_gallery.SOUNDS))


def test_every_recording_is_a_real_credited_file(folder):
    recs = records(folder)
    assert sorted(recs) == sorted(f"{stem}.wav" for stem in libreoffice_gallery.SOUNDS)
    assert_real_credited_files(folder, recs, min_rate=11025, min_frames_per=1)
    assert {r.licence for r in recs.values()} == {"MPL-2.0"}
    assert all("LibreOffice contributors" in r.author and "documentfoundation.org" in r.url for r in recs.values())
    assert {r.kind for r in recs.values()} == {"one-shot"}


def test_the_effects_are_left_out(folder):
    """The package holds 35 sounds; the synthetic ones and the tuned "glasses" chord are not kept."""
    unpacked = data_dir() / "debian" / libreoffice_gallery.PACKAGE / libreoffice_gallery.FOLDER
    assert len(list(unpacked.glob("*.wav"))) >= 30
    kept = {Path(p).stem for p in records(folder)}
    assert not kept & {"glasses", "theetone", "romans", "laser", "beam", "space", "space2", "ok", "ups", "sparcle",
                       "explos", "drama", "falling", "strom"}


def _partials_off_the_tempered_scale(path: Path, start: float, end: float) -> float:
    """Mean distance, in cents, of the file's ten strongest spectral peaks (above 300 Hz) from
    the nearest equal-tempered note."""
    import scipy.signal as ss

    from image_extender.library.audio_io import read_audio

    samples, rate = read_audio(path)
    mono = samples.mean(axis=1) if samples.ndim > 1 else samples
    part = mono[int(start * rate) : int(end * rate)]
    power = np.abs(np.fft.rfft(part * np.hanning(len(part)), n=1 << 17))
    freqs = np.fft.rfftfreq(1 << 17, 1 / rate)
    power[freqs < 300] = 0
    peaks, _ = ss.find_peaks(20 * np.log10(power + 1e-9), distance=int(30 / freqs[1]), prominence=12)
    top = freqs[peaks[np.argsort(power[peaks])[::-1][:10]]]
    cents = 1200 * np.log2(top / 440)
    return float(np.abs(cents - 100 * np.round(cents / 100)).mean())


def test_the_glasses_are_a_tuned_chord_and_the_gong_is_not(folder):
    """Why "glasses" is no toast: its partials sit on equal-tempered notes (a chord with exact
    octaves), which clinking glasses cannot make; the kept gong's partials fall anywhere."""
    unpacked = data_dir() / "debian" / libreoffice_gallery.PACKAGE / libreoffice_gallery.FOLDER
    assert _partials_off_the_tempered_scale(unpacked / "glasses.wav", 0.03, 1.2) < 8.0
    assert _partials_off_the_tempered_scale(folder / "gong.wav", 0.2, 4.0) > 18.0


@pytest.mark.parametrize("label, word", [
    ("gong", "gong"), ("cow", "cow"), ("horse", "horse"), ("train", "train"), ("drum", "kongas"),
    ("audience", "applause"), ("bird", "nature"),
])  # fmt: skip
def test_each_recording_is_found_for_its_vocabulary_entry(finder, label, word):
    """With the entry's own queries and the calibrated embedding verifier."""
    found = verified_for(finder, label)
    assert any(word in name for name in found), found


@pytest.mark.parametrize("label, allowed", [
    ("wine glass", ()),  # the tuned "glasses" chord is left out, and nothing else poses as a toast
    ("church bell", ()), ("bicycle", ()), ("old telephone", ()),  # the small bell is none of these
    ("whistle", ("train",)),  # the train's whistle is one; the birds' sliding notes are not
])  # fmt: skip
def test_nothing_is_found_for_what_it_is_not(finder, label, allowed):
    assert set(verified_for(finder, label)) <= set(allowed)
