"""GNOME Pomodoro (Debian ``gnome-shell-pomodoro-data``): a clock ticking in a quiet room.

The clock is 15 s of a real clock's ticks with the hush of the room between them, which the
timer plays as a background while one works: the quiet room tone the game packages lack,
for a living room, a bedroom, a classroom or any room with nothing else heard. The DEP-5
copyright file's ``Files: *`` stanza gives the licence (GPL-3+, the gnome-pomodoro
contributors). The bells are UI chimes and are left out, and so is the wind-up timer: a
4 s burst of fast ticks that the kitchen's bed took for the kitchen itself.
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "pomodoro"
PACKAGE = "gnome-shell-pomodoro-data"
FOLDER = "usr/share/gnome-pomodoro/sounds"
SOUNDS = {
    "clock": ("a clock ticking in a quiet room, the tick of a wall clock with the room's hush between the ticks, indoor loop",
              ["clock", "ticking", "quiet", "room", "indoor"], "bed"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "data/sounds/", SOUNDS, "GNOME Pomodoro sound", "GNOME Pomodoro")
