"""Battle Tanks (Debian ``btanks-data``): four long outdoor ambiences — a city's distant
traffic, the countryside, a swamp's chorus of frogs and insects, and a forest's birds.

They are the beds the game loops under its maps, 58–88 s each, and look like field
recordings (steady broadband traffic rumble under 1 kHz in the city; sparse bird calls over a
quiet bed in the country and the forest; a dense, even chorus between 1 and 4.5 kHz in the
swamp). The game's own "horror" and "space" drones are left out. The package is 26 MB of
maps and sprites, so only the ambience folder is unpacked. The DEP-5 copyright file's
``Files: *`` stanza gives the licence, "Battle-Tanks-License": the GNU GPL with an exception
that lets its authors (Netive Company) also sell add-ons; the game's content is "distributed
free on the GNU GPL conditions".
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "btanks"
PACKAGE = "btanks-data"
FOLDER = "usr/share/games/btanks/data/sounds/ambient"
SOUNDS = {
    "city": ("city ambience, the steady rumble of distant traffic", ["city", "traffic", "urban", "street", "ambience"], "bed"),
    "country": ("countryside ambience, birds calling now and then in the quiet open air",
                ["countryside", "birds", "nature", "outdoors", "ambience"], "bed"),
    "swamp": ("swamp ambience, a dense chorus of frogs and insects", ["swamp", "marsh", "frogs", "insects", "nature", "ambience"],
              "bed"),
    "forest": ("forest ambience, birds calling in a quiet wood", ["forest", "woods", "birds", "nature", "ambience"], "bed"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "data/sounds/ambient/", SOUNDS, "Battle Tanks ambience",
                              "Battle Tanks", unpack_only=True)
