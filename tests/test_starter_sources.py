"""The starter sources added for everyday coverage: drum kits, OpenClonk, MegaGlest units,
Sonic Pi, LMMS, TORCS, Micropolis, SuperTuxKart. Each is read from its real Debian
package; descriptions and credits must come from the package, and game sounds must be
tagged game-only by the source's own structure."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import data_dir
from starter_folders import materialized, records
from image_extender.library.audio_io import read_audio
from image_extender.library.debian import fetch_package
from image_extender.library.starter import (
    bucklespring,
    freedesktop,
    hedgewars,
    hydrogen,
    lmms,
    megaglest_units,
    micropolis,
    openclonk,
    ovos_sound_like,
    sonic_pi,
    supertuxkart,
    torcs,
    wesnoth,
)
from image_extender.library.starter._common import GAME_ONLY, Rule, game_only_reason

SOURCES = [hydrogen, openclonk, megaglest_units, sonic_pi, lmms, torcs, micropolis, supertuxkart, bucklespring,
           freedesktop, ovos_sound_like, wesnoth, hedgewars]


@pytest.fixture(scope="module")
def folders() -> dict[str, Path]:
    return materialized(SOURCES)


@pytest.mark.parametrize("module, at_least", [
    (hydrogen, 600), (openclonk, 390), (megaglest_units, 1200), (sonic_pi, 160), (lmms, 170),
    (torcs, 40), (micropolis, 45), (supertuxkart, 70), (bucklespring, 160), (freedesktop, 20),
    (ovos_sound_like, 10), (wesnoth, 280), (hedgewars, 880),
])  # fmt: skip
def test_every_recording_is_a_real_credited_file(folders, module, at_least):
    folder = folders[module.NAME]
    recs = records(folder)
    assert len(recs) >= at_least
    for rec in recs.values():
        assert (folder / rec.path).is_file(), rec.path
        assert rec.licence not in ("", "unknown") and rec.author and rec.url, rec.path
        assert rec.description and rec.name and rec.source.startswith(("Debian ", "PyPI ")), rec.path
    # a sample decodes to real, non-silent audio
    for rec in list(recs.values())[:: max(1, len(recs) // 3)][:3]:
        samples, rate = read_audio(folder / rec.path)
        assert rate >= 8000 and samples.shape[0] > rate // 50 and abs(samples).max() > 0.01, rec.path


def test_total_starter_library_is_past_three_thousand_recordings(folders):
    from image_extender.library.starter.build import SOURCES as REGISTERED
    from image_extender.library.starter.build import load_sources

    total = 0
    for module in load_sources(REGISTERED):
        folder = data_dir() / "starter" / module.NAME
        total += module.materialize(data_dir(), folder)
    assert total >= 3000


# ----------------------------------------------------------------- descriptions and credits


def test_drum_samples_are_named_by_their_kit(folders):
    recs = records(folders[hydrogen.NAME])
    rim = [r for r in recs.values() if r.name.startswith("snare rimshot (pearl")]
    assert rim and all(r.licence == "GPL-2" and "Forzee Stereo Drumkit" in r.description for r in rim)
    djembe = [r for r in recs.values() if r.name.startswith("djembe")]
    assert len(djembe) >= 10 and all(r.licence == "CC-BY-SA-3.0" and r.author == "Jim Harney" for r in djembe)
    assert all("hand drum" in r.tags for r in djembe)


def test_openclonk_archive_and_per_sound_credits():
    files = openclonk.read_c4group(fetch_package(openclonk.PACKAGE, data_dir()) / openclonk.ARCHIVE)
    audio = [p for p in files if p.endswith((".ogg", ".wav"))]
    assert len(audio) == 397 and "authors.txt" in files
    assert files["Environment.ocg/BirdsLoop.ogg"][:4] == b"OggS"
    credits = openclonk.read_credits(files["authors.txt"].decode("latin-1"))
    thunder = openclonk.credit_for("Environment.ocg/Lightning.ocg/Thunder3.ogg", credits)
    assert thunder.author == "nicStage" and thunder.url.endswith("/sounds/64460/") and thunder.licence == "CC-BY-3.0"
    fan = openclonk.credit_for("Structures.ocg/FanLoop.ogg", credits)
    assert fan.author == "cambra"
    assert openclonk.credit_for("Liquids.ocg/Boiling.ogg", credits).licence == "CC0-1.0"
    spark = openclonk.credit_for("Fire.ocg/Spark2.wav", credits)  # "Fire/Spark1&2&3"
    assert spark.author == "ala"


def test_megaglest_descriptions_say_what_the_unit_does(folders):
    recs = records(folders[megaglest_units.NAME])
    chop = recs["commondata/sounds/worker_harvest_wood1.wav"]
    assert chop.description.startswith("worker working, gathering resources")
    assert GAME_ONLY not in chop.tags
    hooves = recs["commondata/sounds/horseman_walk1.wav"]
    assert hooves.description.startswith("horseman moving") and GAME_ONLY not in hooves.tags
    anvil = recs["commondata/sounds/anvil1.wav"]
    assert "blacksmith" in anvil.description and GAME_ONLY not in anvil.tags


def test_wesnoth_licence_is_read_from_its_copyright_file():
    root = fetch_package(wesnoth.PACKAGE, data_dir())
    assert wesnoth.read_licence(root / wesnoth.COPYRIGHT) == "GPL-2+"


def test_keyboard_keys_are_named_by_their_evdev_code(folders):
    recs = records(folders[bucklespring.NAME])
    assert recs["1e-1.wav"].name == "A key press"  # KEY_A = 30 = 0x1e, value 1 = press
    assert recs["39-0.wav"].name == "space bar key release"  # KEY_SPACE = 57 = 0x39
    assert all("keyboard typing" in r.description for r in recs.values())


def test_bundled_animal_recordings_carry_their_bigsoundbank_pages(folders):
    recs = records(folders[ovos_sound_like.NAME])
    assert set(recs) == {f"{a}.mp3" for a in ("cat", "cow", "dog", "duck", "frog", "horse", "owl", "pig", "rooster", "sheep")}
    dog = recs["dog.mp3"]
    assert dog.name == "2 dogs barking" and dog.url == "https://bigsoundbank.com/2-dogs-barking-s0868.html"
    assert dog.licence == "CC0-1.0" and "Sardin" in dog.author


def test_bundled_mp3s_decode_without_a_word_on_the_terminal(folders, capfd):
    """The horse's empty ID3v2 tag made libmpg123 print "unrealistic small tag length 0" in
    the middle of ``make demo``; kept without it, every file decodes in silence, whole."""
    folder = folders[ovos_sound_like.NAME]
    for name in records(folder):
        samples, rate = read_audio(folder / name)
        assert samples.shape[0] > rate // 2, name
    assert "ID3" not in capfd.readouterr().err
    assert ovos_sound_like.without_empty_id3(b"ID3\3\0\0\0\0\0\0" + b"\xff\xfb") == b"\xff\xfb"
    assert ovos_sound_like.without_empty_id3(b"ID3\3\0\0\0\0\1\0" + b"tag") == b"ID3\3\0\0\0\0\1\0tag"


# ----------------------------------------------------------------- game-only


def test_game_only_rules_take_the_first_matching_reason():
    rules = (Rule(r"^ui\b", "interface"), Rule(r"\bdie\b", "death cry"))
    assert game_only_reason("ui click", rules) == "interface"
    assert game_only_reason("clonk skin die", rules) == "death cry"
    assert game_only_reason("environment birds loop", rules) is None


@pytest.mark.parametrize("source, path, game_only", [
    (openclonk, "UI/Click.wav", True),                                      # interface
    (openclonk, "Clonk/Skin/Adventurer/Laughter1.wav", True),               # character voice line
    (openclonk, "Objects/Weapons/Bow/Shoot1.ogg", True),                    # weapon
    (openclonk, "Animals/Mooq/Snort1.wav", True),                           # invented creature
    (openclonk, "Environment/BirdsLoop.ogg", False),
    (openclonk, "Structures/DoorOpen1.wav", False),
    (openclonk, "Animals/Bat/Flutter1.wav", False),                         # a real animal
    (megaglest_units, "commondata/sounds/swordman_attack1.wav", True),      # attack skill
    (megaglest_units, "commondata/sounds/archer_select1.wav", True),        # voice reply
    (megaglest_units, "commondata/sounds/cow_select1.wav", False),          # a cow's moo is a cow
    (supertuxkart, "sfx/wee.ogg", True),                                     # character voice
    (supertuxkart, "sfx/pre_start_race.ogg", True),                         # positional="false"
    (supertuxkart, "sfx/rain.ogg", False),                                  # ambience, kept
    (supertuxkart, "sfx/goal_scored.ogg", False),                           # the crowd cheer
    (micropolis, "res.wav", True),                                          # zoning tool feedback
    (micropolis, "stadium.wav", False),
    (lmms, "misc/applause01.ogg", False),
    (lmms, "basses/bass_acid01.ogg", True),                                 # synthesiser, not a thing
    (freedesktop, "dialog-information.oga", True),                          # desktop alert
    (freedesktop, "phone-incoming-call.oga", False),
    (wesnoth, "core/human-female-die-2.ogg", True),                         # death cry
    (wesnoth, "core/magic-holy-miss-1.ogg", True),                          # spell
    (wesnoth, "interface/bell.wav", True),                                  # "used by the C++ UI"
    (wesnoth, "core/horse-canter.wav", False),
    (wesnoth, "core/ambient/birds1.ogg", False),
    (hedgewars, "voices/Pirate/Hello.ogg", True),                          # a hedgehog's voice line
    (hedgewars, "shotgunfire.ogg", True),                                   # weapon
    (hedgewars, "shutterclick.ogg", False),
])  # fmt: skip
def test_game_sounds_are_tagged_game_only(folders, source, path, game_only):
    rec = records(folders[source.NAME])[path]
    assert (GAME_ONLY in rec.tags) is game_only, rec.description
    assert ("[game-only:" in rec.description) is game_only


def test_most_of_the_world_sounds_stay_available(folders):
    """Rules that tag everything would empty the library: count what is left per source."""
    for module, at_least in ((openclonk, 150), (megaglest_units, 90), (hydrogen, 600), (torcs, 40)):
        recs = records(folders[module.NAME]).values()
        assert sum(GAME_ONLY not in r.tags for r in recs) >= at_least, module.NAME
