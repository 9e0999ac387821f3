"""Trackballs (Debian ``trackballs-data``): a capuchin monkey calling.

The game plays it in its jungle levels; the sound folder's other files are the game's own
(pills, deaths, a crazy laugh, level jingles), and ``capuch_monkey`` is a quieter copy of
the same call, so one file is kept. The package is 31 MB of levels and music, so only the
sound folder is unpacked. The DEP-5 copyright file's ``Files: *`` stanza gives the licence
(GPL-2+; the sounds by Benoit Rouits, Joshua Harding, Rusty Johnson and others).
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "trackballs"
PACKAGE = "trackballs-data"
FOLDER = "usr/share/games/trackballs/sfx"
SOUNDS = {
    "capuchmonk": ("a capuchin monkey calling, a primate's chattering call in the jungle", ["monkey", "capuchin", "primate", "jungle"],
                   "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "share/sfx/", SOUNDS, "Trackballs sound", "Trackballs",
                              unpack_only=True)
