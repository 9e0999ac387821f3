"""FooBillard++ (Debian ``foobillardplus-data``): billiards — balls racked together, a ball
dropping into a pocket, a ball jumping off the table onto the floor.

The file names say what each is (``ballinhole``, ``shuffleballs``, ``balloutoftable``); two
whose names do not (``smack``, ``oneballontable``), the intro music and a bomb are left out,
and so are its audience's applause and "ooh": applause for a shot, which outranked
GCompris's clapping crowd as a concert hall's bed. 44.1 kHz stereo. The DEP-5 copyright
file's ``Files: *`` stanza gives the licence (GPL-2, Florian Berger and Holger Schäkel).
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "foobillardplus"
PACKAGE = "foobillardplus-data"
FOLDER = "usr/share/games/foobillardplus/data"
BALLS = ["billiards", "billiard balls", "snooker", "balls", "table"]
SOUNDS = {
    "shuffleballs": ("billiard balls clacking together as they are racked on the table", [*BALLS, "clack", "rack"], "one-shot"),
    "ballinhole": ("a billiard ball dropping into a pocket of the table", [*BALLS, "pocket"], "one-shot"),
    "balloutoftable": ("a billiard ball jumping off the table and bouncing on the floor", [*BALLS, "bounce", "floor"], "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "data/", SOUNDS, "FooBillard++ sound", "FooBillard++",
                              unpack_only=True)
