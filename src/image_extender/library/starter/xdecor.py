"""X-Decor for Minetest (Debian ``minetest-mod-xdecor``): water boiling in a pot on the
stove (the mod's cauldron), a Freesound recording by Audionautics.

Only that file is kept: the mod's other two sounds are a cartoon bounce and an
enchanting-table effect. The DEP-5 copyright file gives the file its own stanza
(CC-BY-3.0, with the Freesound page).
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "xdecor"
PACKAGE = "minetest-mod-xdecor"
FOLDER = "usr/share/games/minetest/mods/xdecor"
SOUNDS = {
    "xdecor_boiling_water": ("water boiling and bubbling in a pot or kettle on a kitchen stove",
                             ["boiling", "water", "kettle", "pot", "stove", "kitchen", "cooking"], "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "", SOUNDS, "Minetest X-Decor sound", "X-Decor")
