"""Scorched 3D (Debian ``scorched3d-data``): the world around the tanks — fighter jets, a jet,
a light aircraft and helicopters flying over, frogs, a wolf, bats, gulls, songbirds and
birdsong, the sea, rain and thunder; and, from the bundled Apocalypse mod's city, car
horns, a fire engine's and a police car's sirens, city traffic, a factory, a cheering
crowd, dogs, cows, sheep and a rooster.

The game keeps these in two folders: ``none/data/wav/misc`` (the base game, which the
mods also play) and ``apoc/data/wav/misc`` (the Apocalypse mod's own), so :data:`FOLDERS`
reads both, keeping only what :data:`SOUNDS` lists. Left out is everything that is the
game's: explosions (the bees too, a weapon's swarm filed there), shots, shields, tank
movement, the mod's screams, teleports and beams, beeps, the music, and files whose names
do not say what they are (``fight4life``, ``lava1``, ``para``). The game's landscape files
say how each is played: the wolf and the frogs in its night ambience, the jets, the
helicopters, the bats and the gulls as flocks crossing the sky, the city sounds around its
buildings. The wolf is described as howling because the recording is one: a sustained
tone gliding up and down for four seconds.

The DEP-5 copyright file gives the licence: the ``Files: *`` stanza for the base game
(GPL-2+, Gavin Camp), the ``data/globalmods/apoc/*`` stanza for the mod (CC-BY-SA-3,
Apocalypse mod team, whose members ``authors.txt`` names).
"""

from __future__ import annotations

from pathlib import Path

from ..debian import fetch_package
from ._common import Entry, existing_count, folder_clips, write_clips

NAME = "scorched3d"
PACKAGE = "scorched3d-data"
ROOT = "usr/share/games/scorched3d/data/globalmods"
# folder under ROOT -> what the description says after "Scorched 3D sound"
FOLDERS = {"none/data/wav/misc": "", "apoc/data/wav/misc": ", Apocalypse mod"}
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"

FIGHTER = ["warplane", "fighter jet", "military jet", "jet", "flyby", "aircraft"]
HELICOPTER = ["helicopter", "rotor", "aircraft"]
BATS: Entry = ("bats flying, a swarm of bats", ["bat", "bats", "animal"], "one-shot")
CHIRP: Entry = ("bird chirping, a songbird's short call", ["bird", "songbird", "chirp"], "one-shot")
BIRDSONG: Entry = ("birds calling in the trees, sparse birdsong ambience", ["birds", "birdsong", "forest", "nature"],
                   "bed")  # fmt: skip
GULL: Entry = ("seagull crying, a gull's call", ["gull", "seagull", "seabird", "sea"], "one-shot")
THUNDER: Entry = ("thunder, a thunderclap and its rumble", ["thunder", "thunderstorm", "storm", "weather"], "one-shot")
HORN: Entry = ("car horn honking", ["car horn", "horn", "car", "traffic"], "one-shot")
DOG = ["dog", "bark", "animal"]
# The file names' aircraft models, said whole: the words of "f16_1" are just "f".
AIRCRAFT = {"f16": "F-16 fighter jet", "f18": "F/A-18 fighter jet", "t38": "T-38 jet trainer"}

SOUNDS: dict[str, Entry] = {
    # the base game
    "f16_1": ("fighter jet flying past, an F-16's roar", FIGHTER, "one-shot"),
    "f16_2": ("fighter jet flying past, an F-16's roar", FIGHTER, "one-shot"),
    "f18_1": ("fighter jet flying past, an F/A-18's roar", FIGHTER, "one-shot"),
    "f18_2": ("fighter jet flying past, an F/A-18's roar", FIGHTER, "one-shot"),
    "t38": ("military jet trainer (a T-38), a jet engine's roar", ["warplane", "military jet", "jet", "aircraft"],
            "one-shot"),
    "jet": ("jet aircraft flying over, the engine roar rising and fading away",
            ["jet", "airplane", "aircraft", "flyby"], "one-shot"),
    "apache_1": ("military helicopter (an Apache) flying past, the thud of its rotor blades",
                 ["military helicopter", *HELICOPTER], "one-shot"),
    "frogs": ("frogs croaking at night, a pond chorus", ["frog", "frogs", "croaking", "pond", "night"], "bed"),
    "wolf": ("wolf howling at night", ["wolf", "howl", "night", "animal"], "one-shot"),
    "bats1": BATS, "bats2": BATS, "bats3": BATS,
    "birdchirp1": CHIRP, "birdchirp2": CHIRP, "birdchirp3": CHIRP,
    "birdchirp4": CHIRP, "birdchirp5": CHIRP, "birdchirp6": CHIRP,
    "birds1": BIRDSONG, "birds2": BIRDSONG,
    "gull1": GULL, "gull2": GULL, "gull4": GULL, "gull5": GULL,
    "oceanwaves": ("ocean waves rolling in, seaside ambience", ["waves", "ocean", "sea", "shore"], "bed"),
    "rain": ("rain falling, steady rain ambience", ["rain", "weather"], "bed"),
    "thunder": THUNDER, "thunder2": THUNDER, "thunder3": THUNDER,
    "splash": ("water splash, something falling into water", ["water", "splash"], "one-shot"),
    # the Apocalypse mod's city
    "carhorn1": HORN, "carhorn2": HORN, "carhorn3": HORN, "carhorn4": HORN, "carhorn5": HORN, "carhorn6": HORN,
    "firetruck": ("fire engine siren wailing", ["fire engine", "fire truck", "siren", "emergency vehicle"], "one-shot"),
    "policecar": ("police car siren wailing", ["police car", "police", "siren", "emergency vehicle"], "one-shot"),
    "citysounds": ("city ambience, a distant hum of traffic", ["city", "traffic", "urban", "street"], "bed"),
    "factoryloop1": ("factory ambience, industrial machinery running", ["factory", "machinery", "industrial"], "bed"),
    "cheeringloop": ("crowd cheering, a large crowd's roar", ["crowd", "cheering", "audience", "stadium"], "bed"),
    "helicopter": ("helicopter flying past, rotor noise rising and fading", HELICOPTER, "one-shot"),
    "cessna": ("light aircraft flying, a Cessna's propeller engine drone",
               ["light aircraft", "propeller plane", "airplane", "aircraft"], "one-shot"),
    "dog": ("dog barking, a single bark", DOG, "one-shot"),
    "dog2": ("dog barking", DOG, "one-shot"),
    "dog3": ("dog barking several times", DOG, "one-shot"),
    "cows": ("cows mooing", ["cow", "cows", "moo", "cattle", "farm"], "one-shot"),
    "moo": ("cow mooing, a single moo", ["cow", "moo", "cattle", "farm"], "one-shot"),
    "sheep": ("sheep bleating", ["sheep", "bleat", "farm"], "one-shot"),
    "rooster": ("rooster crowing", ["rooster", "cockerel", "crowing", "farm"], "one-shot"),
}  # fmt: skip


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    clips = []
    for folder, mod in FOLDERS.items():
        clips += folder_clips(root, f"{ROOT}/{folder}", root / COPYRIGHT,
                              lambda rel, folder=folder: f"data/globalmods/{folder}/{rel}", SOUNDS,
                              f"Scorched 3D sound{mod}", only_table=True)  # fmt: skip
    for clip in clips:
        clip.name = AIRCRAFT.get(Path(clip.rel).stem.split("_")[0], clip.name)
    return write_clips(out_dir, clips, rules=(), source=f"Debian {PACKAGE} (Scorched 3D)")
