"""FluidR3 GS's sound effects that are recordings of the world (wind chimes, cars, doors,
a river, thunder, rain, a horse, a train, birds, a dog): samples read out of the Debian
package's SoundFont by the GM source's reader, credited by the package's prose copyright
file, found with the vocabulary's own queries."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import soundfile as sf

from conftest import data_dir
from starter_folders import assert_real_credited_files, bed_text, finder_of, materialized, records, verified_for
from image_extender.library.debian import fetch_package
from image_extender.library.starter import fluid_soundfont, fluid_soundfont_gs


@pytest.fixture(scope="module")
def folder() -> Path:
    return materialized([fluid_soundfont_gs])[fluid_soundfont_gs.NAME]


@pytest.fixture(scope="module")
def finder(folder, tmp_path_factory):
    return finder_of(fluid_soundfont_gs.NAME, folder, tmp_path_factory.mktemp("gs"), len(fluid_soundfont_gs.SOUNDS))


def test_every_kept_sample_is_a_real_credited_file(folder):
    recs = records(folder)
    assert len(recs) == len(fluid_soundfont_gs.SOUNDS) == 14
    assert_real_credited_files(folder, recs, min_rate=16000, min_frames_per=5)
    assert {(r.licence, r.author) for r in recs.values()} == {("MIT", "Frank Wen")}
    assert {r.source for r in recs.values()} == {"Debian fluid-soundfont-gs (FluidR3 GS)"}
    for rec in recs.values():
        info = sf.info(str(folder / rec.path))
        assert info.duration >= 0.25, rec.path  # nothing kept is a click
        assert "FluidR3 GS SoundFont sample" in rec.description, rec.path
    assert {p for p in recs if sf.info(str(folder / p)).channels == 2} == {
        "thunder.wav", "seattlerain.wav", "bird2.wav"}  # their (L) and (R) samples, joined
    assert {p for p, r in recs.items() if r.kind == "bed"} == {"river.wav", "seattlerain.wav"}


def test_no_weapon_and_no_sample_the_gm_font_shares_is_kept():
    kept = " ".join(fluid_soundfont_gs.SOUNDS).lower()
    assert not any(w in kept for w in ("gun", "explosion", "punch", "ufo", "noise", "pull", "push", "click"))
    gs = fluid_soundfont.samples(fetch_package(fluid_soundfont_gs.PACKAGE, data_dir()) / fluid_soundfont_gs.SF2)
    gm = fluid_soundfont.samples(fetch_package(fluid_soundfont.PACKAGE, data_dir()) / fluid_soundfont.SF2)
    gm_pcm = {hashlib.md5(s.pcm.tobytes()).hexdigest() for s in gm}
    shared = {s.name for s in gs if hashlib.md5(s.pcm.tobytes()).hexdigest() in gm_pcm}
    assert {"Applause", "Sea Shore"} <= shared  # the GM source's to keep, not this one's
    kept = {n for s in gs for n in fluid_soundfont_gs.SOUNDS if s.name in (n, f"{n}(L)", f"{n}(R)")}
    assert kept == set(fluid_soundfont_gs.SOUNDS) and not kept & shared


@pytest.mark.parametrize("label, found", [("wind chime", ("wind chime",)), ("river", ("river",)),
                                          ("train", ("train",)), ("horse", ("gallops",)), ("dog", ("dog bark",))])
def test_wind_chimes_a_river_a_train_a_horse_and_a_dog_are_found(finder, label, found):
    assert verified_for(finder, label) == found


@pytest.mark.parametrize("place, word", [("rain", "rain"), ("river", "river")])
def test_a_rainy_photo_and_a_river_get_their_bed(finder, place, word):
    assert word in bed_text(finder, place)
