"""Starter sources: real recordings from Debian packages, credited from the packages' own files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile as sf

from conftest import LIBRARY_TEST_SOURCES, data_dir
from image_extender.library.debian import fetch_package
from image_extender.library.records import SoundRecord
from image_extender.library.starter import build, minetest, opensfx, scaper_audio, tuxpaint

KNOWN_LICENCES = {"CC0-1.0", "CC-BY-3.0", "CC-BY-SA-3.0", "GPL-2"}


def records(folder: Path) -> dict[str, SoundRecord]:
    lines = (folder / "metadata.jsonl").read_text(encoding="utf-8").splitlines()
    recs = [SoundRecord.model_validate(json.loads(line)) for line in lines if line.strip()]
    return {r.path: r for r in recs}


def assert_every_record_is_a_credited_real_file(folder: Path, recs: dict[str, SoundRecord]) -> None:
    audio = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.suffix in {".wav", ".ogg"}}
    assert audio == set(recs)  # every file described, every description has its file
    for rec in recs.values():
        assert rec.licence in KNOWN_LICENCES, (rec.path, rec.licence)
        assert rec.author and rec.url and rec.name and rec.description, rec.path


# ----------------------------------------------------------------- OpenSFX


def test_opensfx_catalogue_holds_73_riff_wavs():
    cat = fetch_package(opensfx.PACKAGE, data_dir()) / opensfx.CAT
    entries = opensfx.read_catalogue(cat)
    assert len(entries) == 73
    assert all(wav[:4] == b"RIFF" for _, wav in entries)
    assert entries[4][0].startswith('"Steam train station departure"')


def test_opensfx_sounds_are_credited_per_sound(starter_folders):
    folder = starter_folders["opensfx"]
    recs = records(folder)
    assert len(recs) == 71  # 73 slots minus two empty placeholders
    assert_every_record_is_a_credited_real_file(folder, recs)
    steam = recs["04_steam_train_station_departure.wav"]
    assert steam.licence == "CC-BY-3.0"
    assert steam.author == "eliasheuninck; edited by Wuzzy"
    assert steam.url == "https://freesound.org/people/eliasheuninck/sounds/170464/"
    heli = recs["24_helicopter.wav"]
    assert heli.licence == "CC-BY-SA-3.0" and heli.author.startswith("Lorenzo Sutton")
    assert recs["14_level_crossing.wav"].licence == "CC0-1.0"
    info = sf.info(str(folder / "04_steam_train_station_departure.wav"))
    assert info.samplerate == 44100 and info.duration > 1.0


# ----------------------------------------------------------------- Minetest


def test_minetest_sounds_credit_the_readme_authors(starter_folders):
    folder = starter_folders["minetest"]
    recs = records(folder)
    assert 100 <= len(recs) <= 120
    assert_every_record_is_a_credited_real_file(folder, recs)
    gravel = recs["default/default_gravel_footstep.1.ogg"]
    assert (gravel.name, gravel.author, gravel.licence) == ("gravel footstep", "Mito551", "CC-BY-SA-3.0")
    glass = recs["default/default_break_glass.2.ogg"]  # numbered list "2: …/Tomlija/…"
    assert (glass.author, glass.licence) == ("Tomlija", "CC-BY-3.0")
    assert "Tomlija/sounds/97669" in glass.url
    boom = recs["tnt/tnt_explode.ogg"]
    assert boom.licence == "CC0-1.0" and "steveygos93" in boom.author
    assert recs["fire/fire_fire.1.ogg"].author == "Dynamicell"
    assert not any("soundstuff" in p for p in recs)  # devtest tones are not recordings


# ----------------------------------------------------------------- Tux Paint


def test_tuxpaint_keeps_effects_and_drops_speech(starter_folders):
    folder = starter_folders["tuxpaint"]
    recs = records(folder)
    assert 90 <= len(recs) <= 120
    assert_every_record_is_a_credited_real_file(folder, recs)
    assert not any("_desc" in p or p.startswith("symbols/") for p in recs)
    dog = recs["animals/mammals/dogs/dog.ogg"]
    assert dog.description.startswith("A dog.") and dog.tags == ["animals", "mammals", "dogs"]
    assert dog.licence == "GPL-2" and "Bill Kendrick" in dog.author


def test_tuxpaint_language_suffix_rule():
    assert not tuxpaint.is_effect(Path("symbols/math/7_en_GB.ogg"))
    assert not tuxpaint.is_effect(Path("animals/mammals/dogs/dog_desc_fr.ogg"))
    assert tuxpaint.is_effect(Path("seasonal/halloween/bat_left.ogg"))
    assert tuxpaint.is_effect(Path("animals/mammals/aquatic/sea_lion.ogg"))


# ----------------------------------------------------------------- scaper audio


def test_scaper_audio_credits_come_from_names_and_readme(starter_folders):
    recs = records(starter_folders["scaper-audio"])
    assert len(recs) == 8
    street = recs["150993__saphe__street-scene-1.wav"]
    assert (street.author, street.url) == ("saphe", "https://freesound.org/s/150993/")
    assert street.description.startswith("urban street ambience")
    assert recs["dogbark.wav"].description.startswith("one dog bark")
    assert {r.licence for r in recs.values()} == {"unknown"}  # the README states none: not guessed


def test_assets_are_found_from_the_checkout():
    assert (scaper_audio.assets_dir() / "dogbark.wav").is_file()


# ----------------------------------------------------------------- idempotence & registry


def test_materialize_twice_changes_nothing(starter_folders):
    modules = {m.NAME: m for m in build.load_sources(LIBRARY_TEST_SOURCES)}
    for name, folder in starter_folders.items():
        before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
        count = modules[name].materialize(data_dir(), folder)
        assert count == len(records(folder))
        assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before


def test_registry_is_a_list_of_module_names():
    assert all(isinstance(n, str) for n in build.SOURCES)
    names = {m.NAME for m in build.load_sources(LIBRARY_TEST_SOURCES)}
    assert names == {"opensfx", "minetest", "tuxpaint", "scaper-audio"}


def test_unwritten_source_modules_are_skipped():
    assert build.load_sources(["opensfx", "no_such_source"])[0] is opensfx


@pytest.mark.parametrize("module", [opensfx, minetest, tuxpaint, scaper_audio])
def test_every_source_follows_the_contract(module):
    assert isinstance(module.NAME, str) and callable(module.materialize)


def test_starter_build_runs_once_then_is_free(tmp_path):
    """The whole starter build into a fresh data folder (sharing the unpacked .debs), twice."""
    for sub in ("debs", "debian"):
        (tmp_path / sub).symlink_to(data_dir() / sub)
    first = build.build_starter_library(tmp_path, sources=LIBRARY_TEST_SOURCES)
    second = build.build_starter_library(tmp_path, sources=LIBRARY_TEST_SOURCES)
    assert first.sources == {"opensfx": 71, "minetest": 108, "tuxpaint": 104, "scaper-audio": 8}
    assert first.added == first.total == 291 and first.failed == []
    assert second.unchanged == 291 and second.embedded == 0 and second.added == second.updated == 0


def test_a_folder_written_by_an_older_source_module_is_written_again(tmp_path):
    """A source module reworded (a description, a file list): its folder, stamped with the
    module's digest when written, is removed so the next build writes it anew; a folder
    stamped by the same module, or by none (written before stamps), stays."""
    from types import SimpleNamespace

    code = tmp_path / "source.py"
    code.write_text('SOUNDS = {"fire": "a fire in a living room"}\n')
    module = SimpleNamespace(__file__=str(code), NAME="source")
    folder = tmp_path / "starter" / "source"
    folder.mkdir(parents=True)
    (folder / "metadata.jsonl").write_text("{}\n")
    build.forget_if_rewritten(folder, build.module_digest(module))  # no stamp yet: kept
    assert (folder / "metadata.jsonl").exists()
    (folder / build.MODULE_STAMP).write_text(build.module_digest(module))
    build.forget_if_rewritten(folder, build.module_digest(module))  # same module: kept
    assert (folder / "metadata.jsonl").exists()
    code.write_text('SOUNDS = {"fire": "a fire in a fireplace"}\n')
    build.forget_if_rewritten(folder, build.module_digest(module))
    assert not folder.exists()
