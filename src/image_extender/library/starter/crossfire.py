"""Crossfire's client (Debian ``crossfire-client``): a gong struck, and a tower clock's bell
striking once.

The client plays them for a death and for the game's clock. The gong swells over its first
0.2 s and rings down over 5 s with the many inharmonic partials of a struck gong; the tower
clock is one bell strike (partials at 322, 382 and 651 Hz) dying away over 2 s. The other
sounds are spells, weapons, UI blips and monster grunts, several under other licences,
and are left out. The copyright file is prose: it states GPL-2+ for the program and its
sounds, © the Crossfire Development team, and names the few sounds taken from elsewhere,
which are not these two (:class:`~._common.StatedLicence` checks it says so).
"""

from __future__ import annotations

from pathlib import Path

from ._common import StatedLicence, materialize_listed

NAME = "crossfire"
PACKAGE = "crossfire-client"
FOLDER = "usr/share/games/crossfire-client/sounds"
LICENCE = StatedLicence(
    licence="GPL-2+",
    author="Crossfire Development team",
    url="http://crossfire.real-time.com/",
    quote="This program is free software; you can redistribute it and/or modify it under the terms of the GNU General "
          "Public License as published by the Free Software Foundation; either version 2 of the License, or (at your "
          "option) any later version.",
)
SOUNDS = {
    "gong": ("a gong struck, its ring swelling and fading slowly", ["gong", "struck", "metal", "percussion"], "one-shot"),
    "TowerClock": ("a tower clock's bell striking once", ["clock tower", "bell", "church bell", "strike"], "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "", SOUNDS, "Crossfire sound", "Crossfire",
                              unpack_only=True, stated=LICENCE)
