"""Starter ambience beds (issue 7): 0 A.D., LinCity-NG and MegaGlest recordings from Debian.

Runs on the real packages in the data cache (IMAGE_EXTENDER_DATA, default
/work/main/data): the first run pulls public.zip out of the 0ad-data .deb (about a
minute), later runs reuse it. Sounds are materialised into a temporary folder per session.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
import soundfile as sf

from image_extender.library.records import METADATA_JSONL, SoundRecord
from image_extender.library.starter import lincity, megaglest, zero_ad

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", "/work/main/data"))
SOURCES = {m.NAME: m for m in (zero_ad, lincity, megaglest)}
# (min, max) sounds per source: 0ad 42 ambient + animals + footsteps + people's steps,
# hooves, ships, gates and (game-only) death cries; LinCity tile ambiences without UI
# clicks; MegaGlest distinct tileset files after de-duplication.
EXPECTED = {"0ad": (250, 270), "lincity": (110, 130), "megaglest": (25, 32)}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, tuple[Path, list[SoundRecord], float]]:
    root = tmp_path_factory.mktemp("beds")
    out = {}
    for name, module in SOURCES.items():
        t0 = time.perf_counter()
        n = module.materialize(DATA, root / name)
        seconds = time.perf_counter() - t0
        lines = (root / name / METADATA_JSONL).read_text(encoding="utf-8").splitlines()
        records = [SoundRecord(**json.loads(line)) for line in lines]
        assert n == len(records)
        out[name] = (root / name, records, seconds)
    return out


def _beds(records: list[SoundRecord]) -> list[SoundRecord]:
    return [r for r in records if r.kind == "bed"]


@pytest.mark.parametrize("name", list(SOURCES))
def test_each_source_yields_the_expected_number_of_sounds(built, name):
    lo, hi = EXPECTED[name]
    assert lo <= len(built[name][1]) <= hi


@pytest.mark.parametrize("name", list(SOURCES))
def test_every_record_names_a_file_that_decodes(built, name):
    folder, records, _ = built[name]
    for rec in records:
        audio, rate = sf.read(folder / rec.path, dtype="float32")
        assert rate >= 8000 and len(audio) > 0.1 * rate, rec.path
        assert abs(audio).max() > 1e-4, f"{rec.path} is silent"


@pytest.mark.parametrize("name", list(SOURCES))
def test_beds_are_long_enough_to_loop_or_say_they_are_not(built, name):
    folder, records, _ = built[name]
    for rec in records:
        assert rec.kind in ("bed", "one-shot") and rec.loopable is not None, rec.path
        if rec.loopable:
            assert rec.kind == "bed" and sf.info(folder / rec.path).duration >= 10.0, rec.path


def test_zero_ad_brings_about_half_an_hour_of_ambience_loops(built):
    folder, records, _ = built["0ad"]
    beds = _beds(records)
    minutes = sum(sf.info(folder / r.path).duration for r in beds) / 60
    assert 35 <= len(beds) <= 42
    assert 25 <= minutes <= 32
    assert sum(r.loopable for r in beds) >= 15  # most designed loops run on without a fade
    surfaces = {t for r in records if "footstep" in r.tags for t in r.tags} - {"footstep", "walking"}
    assert surfaces == {"grass", "gravel", "rock", "sand", "snow", "wood"}
    animals = {r.description.split()[0].strip(",") for r in records if "farm" in r.tags and r.kind == "one-shot"}
    assert {"horse", "cattle", "chicken", "sheep", "pig", "goat"} <= animals


def test_a_fading_recording_is_not_called_loopable(built):
    """wind_11.ogg fades in from silence (the game crossfades it): a bed, but not a seamless loop."""
    _, records, _ = built["0ad"]
    wind = next(r for r in records if r.path == "ambient/weather/wind_11.ogg")
    rain = next(r for r in records if r.path == "ambient/weather/rain_11.ogg")
    assert wind.kind == "bed" and wind.loopable is False
    assert rain.kind == "bed" and rain.loopable is True


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("0ad", {"rain"}),
        ("0ad", {"waves", "sea"}),
        ("0ad", {"birds", "forest"}),
        ("0ad", {"farm"}),
        ("0ad", {"river"}),
        ("lincity", {"traffic", "city"}),
        ("lincity", {"crowd", "market"}),
        ("megaglest", {"forest", "night"}),
        ("megaglest", {"wind", "winter"}),
    ],
)
def test_bed_descriptions_carry_the_scene_words(built, name, words):
    beds = _beds(built[name][1])
    assert any(words <= set(re.findall(r"[a-z]+", r.description.lower())) for r in beds), words


def test_lincity_beds_are_marked_low_quality_so_better_beds_win(built):
    _, records, _ = built["lincity"]
    low = [r for r in records if r.quality.startswith("low: 11 kHz")]
    assert len(low) >= 0.75 * len(records)
    assert all(not r.quality.startswith("low") for r in _beds(built["0ad"][1]))


def _copyright(package_root: Path, package: str) -> str:
    return (package_root / f"usr/share/doc/{package}/copyright").read_text(encoding="utf-8")


def test_licences_and_authors_come_from_the_copyright_files(built):
    zero = _copyright(DATA / "debian" / "0ad-data-zip", "0ad-data")
    assert {r.licence for r in built["0ad"][1]} == {"CC-BY-SA-3.0"}
    assert "Files: *\nCopyright: 2010 Wildfire Games\nLicense: CC-BY-SA-3.0" in zero
    assert {r.author for r in built["0ad"][1]} == {"Wildfire Games"}

    lin = _copyright(DATA / "debian" / "lincity-ng-data", "lincity-ng-data")
    assert {r.licence for r in built["lincity"][1]} == {"GPL-2+ OR CC-BY-SA-2.0"}
    assert "sound effects are dual-licensed" in lin and "Attribution Sharealike v2" in lin

    mg = _copyright(DATA / "debian" / "megaglest-data", "megaglest-data")
    assert {r.licence for r in built["megaglest"][1]} == {"CC-BY-SA-3.0"}
    authors = {r.path: r.author for r in built["megaglest"][1]}
    assert authors["autumn/sunny_day.ogg"] == "Elimnator" and "Elimnator" in mg
    assert authors["spring/day.ogg"] == "dobroide" and "dobroide" in mg
    assert authors["birch_forest/night.ogg"] == "The Glest Team; The MegaGlest Team"


@pytest.mark.parametrize("name", list(SOURCES))
def test_second_materialize_returns_at_once(built, name):
    folder, records, _ = built[name]
    stamp = (folder / METADATA_JSONL).stat().st_mtime_ns
    assert SOURCES[name].materialize(DATA, folder) == len(records)
    assert (folder / METADATA_JSONL).stat().st_mtime_ns == stamp


def test_zero_ad_zip_is_extracted_once_and_reused():
    first = zero_ad.extract_zip(DATA) / zero_ad.ZIP_MEMBER
    stamp = first.stat().st_mtime_ns
    again = zero_ad.extract_zip(DATA) / zero_ad.ZIP_MEMBER
    assert again == first and again.stat().st_mtime_ns == stamp  # not extracted a second time
    assert again.stat().st_size > 3_000_000_000


@pytest.fixture(scope="module")
def library(built, tmp_path_factory):
    from image_extender.library.ingest import build_library
    from image_extender.library.store import SoundLibrary

    lib_dir = tmp_path_factory.mktemp("library")
    build_library([built[name][0] for name in SOURCES], lib_dir)
    with SoundLibrary.open(lib_dir) as lib:
        yield lib


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("ocean waves beach ambience", {"waves"}),
        ("city street traffic", {"traffic"}),
        ("forest birds", {"forest", "birds"}),
        ("farm animals", {"farm"}),
        ("rain", {"rain"}),
    ],
)
def test_library_answers_scene_queries_with_a_matching_bed(library, query, words):
    (best, score), *_ = library.search(query, limit=3, kind="bed")
    found = set(re.findall(r"[a-z]+", best.description.lower()))
    assert words & found, f"{query!r} -> {best.description!r} ({score:.2f})"


def test_zero_ad_death_cries_are_game_only_and_steps_are_not(built):
    _, records, _ = built["0ad"]
    by_path = {r.path: r for r in records}
    assert "game-only" in by_path["actor/human/death/male_death_01.ogg"].tags
    steps = by_path["actor/human/movement/Footsteps/Footstep_Gravel_Walking.ogg"]
    assert steps.description == "footsteps of a person walking on gravel" and "game-only" not in steps.tags
    assert "game-only" not in by_path["actor/mounted/movement/mstep110.ogg"].tags
