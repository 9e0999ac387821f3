"""Endless Sky (Debian ``endless-sky-data``): the machinery hum the game plays in its
spaceports, 164 s of real machines and ventilation droning inside a large building (its
energy lies mostly between 200 Hz and 1 kHz, steady to within 1–2 dB over most of its
length, with the odd clank).

It is the hum of a building's plant and air handling that a concourse, a lobby or a hall
has under its voices: the interior drone the other packages lack. The DEP-5 copyright
file's ``sounds/*`` stanza gives the licence (public domain: "based on public domain sounds
taken from freesound.org"); only this ambience is kept (the rest are the game's weapons and
engines). The package is large, so only the sound folder is unpacked.
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "endless_sky"
PACKAGE = "endless-sky-data"
FOLDER = "usr/share/games/endless-sky/sounds/ambient"
SOUNDS = {
    "machinery": ("machinery humming inside a large building, a steady drone of ventilation and machines with the odd "
                  "clank, indoor ambience loop", ["machinery", "hum", "ventilation", "drone", "building", "indoor"], "bed"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "sounds/ambient/", SOUNDS, "Endless Sky ambient sound",
                              "Endless Sky", unpack_only=True)
