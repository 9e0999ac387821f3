"""Red Eclipse (Debian ``redeclipse-data``): the field recordings under the arena shooter's
maps — night crickets, cicadas, a forest, a river, a creek, waterfalls, running water,
water dripping in a cave, distant road traffic, wind, rain, a thunderstorm, a fire —
and the player's footsteps on concrete, swimming strokes, water splashes and the muffled
sound heard under water.

Left out: the weapons, explosions and shell casings, the announcer ("headshot",
"multikill") and the player's voice lines ("gogogo", "haha", "sorry"), pain and death
cries, jump pads, teleports, lava, alien and "wakawaka" map sounds, the interface and the
music; the player and sfx folders' game effects (impulse boosts, burning and its
extinguishing, damage, respawn); and map sounds whose names do not say what they are (the
``morph`` pack's ``ambient1-10`` and ``machine1-16``, ``hum``, ``electro``, ``pneumatic``,
``door``, ``switch``, an indoor waterfall variant).

Licences from the DEP-5 copyright file's stanzas: ``data/sounds/ambience/*``
(CC-BY-SA-3.0, Quinton Reeves and Alex Anguix) with its own stanzas for the Freesound
recordings (river, cavedrip, creek, nightcrickets, water, wind, waterfall*: CC-BY-SA-3.0;
distant_cars, forest*, cycadas: CC-BY-3.0) and vapour; ``data/sounds/ambience/morph/*``
(CC-BY-3.0, Slawek "Q009" Blauciak) for rain, storm and wind; ``*`` (CC-BY-SA-3.0+, Red
Eclipse Team) for the player and sfx sounds.
"""

from __future__ import annotations

from pathlib import Path

from ._common import Entry, materialize_listed

NAME = "redeclipse"
PACKAGE = "redeclipse-data"
FOLDER = "usr/share/games/redeclipse/data/sounds"
WATERFALL = ["waterfall", "water", "cascade"]
WIND = ["wind", "weather", "outdoors"]
# file stem (or stem without its number) -> entry; matched over the whole sounds folder,
# so no key may name a game file elsewhere (ambience/hum and weapons/hum share a stem)
SOUNDS: dict[str, Entry] = {
    # ambience/
    "nightcrickets": ("night crickets chirping, a summer night in the countryside",
                      ["crickets", "insects", "night", "countryside"], "bed"),
    "cycadas": ("cicadas buzzing in the summer heat, a cicada chorus", ["cicadas", "insects", "summer"], "bed"),
    "forest": ("forest ambience, a quiet wood with birds calling now and then", ["forest", "woods", "birds", "nature"],
               "bed"),
    "river": ("river flowing, running water over stones", ["river", "stream", "water"], "bed"),
    "creek": ("creek babbling, a small stream running over stones", ["creek", "stream", "brook", "water"], "bed"),
    "water": ("running water, a steady trickling flow", ["water", "flowing water"], "bed"),
    "waterfall": ("waterfall, water rushing and splashing down", WATERFALL, "bed"),
    "waterfall_deep": ("waterfall with a deep roar, rushing water", WATERFALL, "bed"),
    "waterfall_huge": ("huge waterfall roaring, a mass of falling water", WATERFALL, "bed"),
    "waterfall_medium": ("medium waterfall, rushing water", WATERFALL, "bed"),
    "cavedrip": ("cave ambience, water dripping and echoing", ["cave", "dripping", "drops", "water"], "bed"),
    "distant_cars": ("distant road traffic, cars passing far away", ["traffic", "cars", "road", "distant"], "bed"),
    "wind": ("wind blowing in gusts outdoors", WIND, "bed"),
    "blowwind": ("wind blowing, low rumbling gusts", WIND, "bed"),
    "hollowwind": ("hollow wind, a low moaning wind", WIND, "bed"),
    "wastewind": ("desolate wind over bare open land, a steady low wind", [*WIND, "wasteland"], "bed"),
    "fire": ("fire burning, flames roaring", ["fire", "flames", "burning"], "one-shot"),
    "vapour": ("steam hissing, vapour venting", ["steam", "hiss", "vapour"], "one-shot"),
    # ambience/morph/
    "rain": ("rain falling, steady rainfall", ["rain", "weather"], "bed"),
    "stormrain": ("rainstorm, heavy rain pouring down", ["rain", "storm", "weather"], "bed"),
    "stormwind": ("storm wind howling", ["wind", "storm", "weather"], "bed"),
    "stormbolts": ("thunderstorm, claps and rolls of thunder", ["thunder", "storm", "lightning", "weather"], "bed"),
    # player/
    "footstep": ("footstep, a single step of a person walking", ["footsteps", "walking"], "one-shot"),
    "concstep": ("footstep on concrete", ["footsteps", "walking", "concrete"], "one-shot"),
    "swimstep": ("swimming stroke, a soft splash in water", ["swimming", "water", "splash"], "one-shot"),
    # sfx/
    "splashin": ("splash of something plunging into water", ["splash", "water", "plunge"], "one-shot"),
    "splashout": ("coming out of water, splashing and dripping", ["splash", "water", "dripping"], "one-shot"),
    "splosh": ("small water splash", ["splash", "water"], "one-shot"),
    "underwater": ("underwater ambience, the muffled rumble heard below the surface", ["underwater", "water"], "bed"),
}  # fmt: skip


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "data/sounds/", SOUNDS, "Red Eclipse sound", "Red Eclipse",
                              unpack_only=True)  # 950 MB of maps and textures around 52 recordings
