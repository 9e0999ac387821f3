"""Extreme Tux Racer (Debian ``extremetuxracer-data``): the sounds of sliding downhill on
each kind of ground — snow, ice, rock, grass, mud, fallen leaves — and of running into a
tree.

``sounds/sounds.lst`` names each file's role (``snow_sound``, ``ice_sound``…) and
``terrains/terrains.lst`` which terrain plays it; only the slides and the tree hit are
kept (the three "pickup" chimes are the game's own). The DEP-5 copyright file's
``Files: *`` stanza gives the licence (GPL-2+, the Tux Racer, Planetpenguin Racer and
Extreme Tux Racer teams).
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "extremetuxracer"
PACKAGE = "extremetuxracer-data"
FOLDER = "usr/share/games/etr/sounds"
SOUNDS = {
    "snow_slide": ("sliding downhill on snow, sledging, skiing swish", ["snow", "sledge", "ski", "winter"], None),
    "ice_slide": ("sliding on ice, scraping across a frozen surface", ["ice", "winter"], None),
    "rock_slide": ("sliding over rock and gravel", ["rock", "gravel"], None),
    "grass_slide": ("sliding through grass", ["grass"], None),
    "mud_slide": ("sliding through mud", ["mud"], None),
    "leaves_slide": ("sliding through fallen leaves, rustling", ["leaves", "autumn", "rustling"], None),
    "tree_hit": ("bumping into a tree, thud on a trunk", ["tree", "thud"], "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "data/sounds/", SOUNDS, "Extreme Tux Racer terrain sound", "Extreme Tux Racer")
