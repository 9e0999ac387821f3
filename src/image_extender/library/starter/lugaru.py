"""Lugaru HD (Debian ``lugaru-data``): the world the rabbit fighter walks through — a
minute of desert wind and a minute of wind over grassland, a hawk's cry, a wolf's barks and
growls, a campfire, a bush rustling, footsteps on grass, snow and stone.

Only these recordings are kept; the rest of ``Sounds/`` is the fight (knife, sword and
staff hits, whooshes, rabbit attack and pain cries), the game's console and its music.
The DEP-5 copyright file's ``Data/*`` stanza gives the licence (CC-BY-SA-3.0, Wolfire
Games).
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "lugaru"
PACKAGE = "lugaru-data"
FOLDER = "usr/share/games/lugaru/Sounds"
WOLF = ["wolf", "canine", "dog", "animal"]
SOUNDS = {
    "DesertAmbient": ("desert ambience, dry wind blowing over sand and rocks", ["desert", "wind", "sand"], "bed"),
    "Wind": ("wind blowing over open grassland, windy field ambience", ["wind", "field", "grass"], "bed"),
    "Hawk": ("hawk screeching, a raptor's cry overhead", ["hawk", "raptor", "bird of prey"], "one-shot"),
    "Bark": ("wolf barking, a canine bark like a dog's", WOLF, "one-shot"),
    "BarkGrowl": ("wolf barking and growling", WOLF, "one-shot"),
    "Growl": ("wolf growling, a dog's low snarl", WOLF, "one-shot"),
    "Snarl": ("wolf snarling", WOLF, "one-shot"),
    "Fire": ("campfire burning, wood crackling", ["fire", "campfire"], "one-shot"),
    "BushRustle": ("rustling through a bush, leaves brushed aside", ["bush", "leaves", "rustle"], "one-shot"),
    "FootStepGrass": ("footstep on grass", ["footsteps", "grass"], "one-shot"),
    "FootStepSnow": ("footstep on snow", ["footsteps", "snow"], "one-shot"),
    "FootStepStone": ("footstep on stone", ["footsteps", "stone"], "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "Data/Sounds/", SOUNDS, "Lugaru sound", "Lugaru")
