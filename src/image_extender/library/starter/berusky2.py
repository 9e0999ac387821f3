"""Berusky 2 (Debian ``berusky2-data``): the sounds of the places its ladybirds walk through —
cars passing, rain, thunder, a church bell over a village, a city's and a village's
ambience, a forest by day and by night, frogs in a swamp, gulls, a steamboat's horn, rats and
dripping water in a sewer, bubbles, wind, crows, doors and footsteps.

The game names its files in Czech, and its environment files (``sound/*ext.dat``) list which
of them play together in each kind of level: ``zahradaext`` (garden) a bell, cars and the
city; ``les_nocext`` (forest at night) the night birds ``Ptak1-5``; ``vodaext`` (water)
bubbles, a steamboat and gulls; ``kanalext`` (sewer) cars above, drips, rats and water.
The table below translates the names (``auto`` car, ``déšť`` rain, ``hrom`` thunder,
``blesk`` lightning, ``pták`` bird, ``les`` forest, ``bažina`` swamp, ``kapka`` drop,
``krysa`` rat, ``voda`` water, ``bubliny`` bubbles, ``parník`` steamboat, ``racek`` gull,
``město`` city, ``zvon`` bell, ``vítr`` wind, ``dveře otevřít/zavřít`` door open/close,
``krumpáč`` pickaxe) and was checked against the audio: the cars rise and fade as they pass,
the steamboat holds one horn note (93–178 Hz with its odd harmonics) for 1–3 s, the bell is
one strike (partials at 284 and 478 Hz) ringing down over 4 s. The game's own noises
(teleports, magnets, explosions, buttons, the ladybirds' voices, crates pushed) and the
files whose names say nothing (``voc``, ``pray``, ``drak``) are left out. The DEP-5
copyright file gives every file to AnakreoN under GPL-2+. The package is large (560 MB,
mostly textures), so only the sound folder is unpacked.
"""

from __future__ import annotations

import re
from pathlib import Path

from ._common import Entry, materialize_listed

NAME = "berusky2"
PACKAGE = "berusky2-data"
FOLDER = "usr/share/games/berusky2/sound/sound"


def _step(ground: str, *tags: str) -> Entry:
    return (f"footsteps on {ground}", ["footsteps", "footstep", "walking", *tags], "one-shot")


SOUNDS: dict[str, Entry] = {
    "Auto": ("a car passing by on a road", ["car", "passing", "traffic", "road", "vehicle"], "one-shot"),
    "Dest": ("rain falling", ["rain", "weather", "shower"], "bed"),
    "Hrom": ("thunder rumbling", ["thunder", "storm", "weather"], "one-shot"),
    "Blesk": ("a lightning strike, a sharp thunderclap", ["lightning", "thunder", "thunderclap", "storm"], "one-shot"),
    "Ptak": ("a bird calling in a forest at night", ["bird", "night", "forest", "call"], "one-shot"),
    "ptak": ("a bird chirping in a forest", ["bird", "chirping", "forest", "birdsong"], "one-shot"),
    "les": ("forest ambience, birds and leaves in the woods", ["forest", "woods", "birds", "ambience"], "bed"),
    "frog": ("a frog croaking", ["frog", "croaking", "pond", "swamp"], "one-shot"),
    "swamp": ("swamp ambience, frogs and insects in a marsh", ["swamp", "marsh", "frogs", "insects", "ambience"], "bed"),
    "Kap": ("water dripping in a sewer tunnel", ["dripping", "drip", "water", "sewer", "tunnel"], "one-shot"),
    "Krysa": ("a rat squeaking in a sewer", ["rat", "squeak", "rodent", "sewer"], "one-shot"),
    "Voda": ("water flowing in a sewer channel", ["water", "flowing", "sewer", "channel"], "bed"),
    "bubliny": ("bubbles rising in water", ["bubbles", "underwater", "water"], "one-shot"),
    "parnik": ("a steamboat's horn sounding", ["steamboat", "boat", "ship horn", "horn", "ship"], "one-shot"),
    "racek": ("seagulls calling by the water", ["seagull", "gull", "gulls", "sea", "harbour"], "bed"),
    "mesto": ("city ambience, traffic and people in the streets of a town",
              ["city", "town", "street", "traffic", "ambience"], "bed"),
    "village": ("village ambience, a village in the countryside", ["village", "countryside", "ambience"], "bed"),
    "zvon": ("a church bell struck once, ringing out over a village", ["church bell", "bell", "village"], "one-shot"),
    "Vitr": ("wind blowing", ["wind", "gusts", "weather"], "bed"),
    "Crow": ("a crow cawing", ["crow", "caw", "bird"], "one-shot"),
    "Zblunk": ("something plopping into water", ["plop", "splash", "water"], "one-shot"),
    "stepsand": _step("sand", "sand", "beach"),
    "stepsgrass": _step("grass", "grass"),
    "stepsnow": _step("snow", "snow"),
    "stepssteel": _step("steel", "metal", "steel"),
    "stepsstone": _step("stone", "stone"),
    "stepswood": _step("a wooden floor", "wood", "indoor"),
    "dvereotevrit": ("a door opening", ["door", "open"], "one-shot"),
    "dverezavrit": ("a door closing", ["door", "close", "shut"], "one-shot"),
    "krumpac": ("a pickaxe striking rock", ["pickaxe", "digging", "rock", "mining"], "one-shot"),
}


# the Czech file names in English, for the records' names
NAMES = {"Auto": "car passing", "Dest": "rain", "Hrom": "thunder", "Blesk": "lightning strike", "Ptak": "night bird",
         "ptak": "forest bird", "les": "forest", "frog": "frog", "swamp": "swamp", "Kap": "sewer drips",
         "Krysa": "rat", "Voda": "sewer water", "bubliny": "bubbles", "parnik": "steamboat horn", "racek": "seagulls",
         "mesto": "city", "village": "village", "zvon": "church bell", "Vitr": "wind", "Crow": "crow",
         "Zblunk": "plop", "stepsand": "steps sand", "stepsgrass": "steps grass", "stepsnow": "steps snow",
         "stepssteel": "steps steel", "stepsstone": "steps stone", "stepswood": "steps wood",
         "dvereotevrit": "door open", "dverezavrit": "door close", "krumpac": "pickaxe"}


def _key(rel: str) -> str:
    stem = Path(rel).stem
    return stem if stem in SOUNDS else re.sub(r"[-_]?\d+$", "", stem)


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "", SOUNDS, "Berusky 2 sound", "Berusky 2",
                              unpack_only=True, name=lambda rel: NAMES[_key(rel)])
