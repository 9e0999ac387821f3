"""Flare (Debian ``flare-game``): the environment loops of a fantasy action RPG's world —
a river, birds twittering, an owl in a forest at night, ravens, an open fire, wind, a
cave's dripping water and wind, rain, falling rocks, a mine cart, a blacksmith's anvil —
and a few doors (wooden, stone) and footsteps on stairs.

Only those recordings are kept (``SOUNDS`` says what each is; ``_loop`` files are marked
loopable); the creatures, spells and combat sounds and the soundtrack are the game's own.
The DEP-5 copyright file's ``Files: *`` stanza gives the licence (CC-BY-SA-3.0+, Clint
Bellanger and others).
"""

from __future__ import annotations

from pathlib import Path

from ..debian import fetch_package
from ._common import existing_count, folder_clips, write_clips

NAME = "flare"
PACKAGE = "flare-game"
FOLDER = "usr/share/games/flare/mods"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
SOUNDS = {
    "river_loop": ("river flowing, stream of water over stones", ["river", "stream", "water"], "bed"),
    "bird_twitter_loop": ("birds twittering, songbirds in the woods", ["bird", "birdsong", "forest"], "bed"),
    "forest_owl_loop": ("owl hooting in a forest at night", ["owl", "forest", "night"], "bed"),
    "raven_loop": ("ravens cawing", ["raven", "crow", "bird"], "bed"),
    "open_fire_loop": ("open fire crackling", ["fire", "campfire"], "bed"),
    "open_fire": ("open fire crackling", ["fire", "campfire"], None),
    "wind_loop": ("wind blowing outdoors", ["wind", "weather"], "bed"),
    "cave_wind_loop": ("wind howling in a cave", ["cave", "wind"], "bed"),
    "cave_droplets_loop": ("water droplets dripping in a cave", ["cave", "water", "drip"], "bed"),
    "rain": ("rain falling", ["rain", "weather"], "bed"),
    "falling_rocks": ("rocks falling, rockfall", ["rock", "stone"], "one-shot"),
    "minecart": ("mine cart rolling on rails", ["mine", "cart", "rails"], "one-shot"),
    "anvil_loop": ("blacksmith hammering on an anvil", ["blacksmith", "anvil", "forge"], "bed"),
    "door_open": ("door opening", ["door"], "one-shot"),
    "wood_open": ("wooden chest or door creaking open", ["wood", "door", "creak"], "one-shot"),
    "stone_open": ("heavy stone door grinding open", ["stone", "door"], "one-shot"),
    "stairs": ("footsteps on stairs", ["footsteps", "stairs"], "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    clips = folder_clips(root, FOLDER, root / COPYRIGHT, lambda rel: f"mods/{rel}", SOUNDS, "Flare game world",
                         only_table=True, skip=lambda rel: "/soundfx/" not in rel)  # fmt: skip
    for clip in clips:
        clip.loopable = clip.rel.endswith("_loop.ogg") or None
    return write_clips(out_dir, clips, rules=(), source=f"Debian {PACKAGE} (Flare)")
