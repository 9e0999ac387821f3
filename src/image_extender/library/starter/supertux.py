"""SuperTux (Debian ``supertux-data``): the few recordings of the world among the game's
effects — rain, thunder and lightning, a waterfall, splashes, fire and flames, fireworks
and firecrackers, a ringing telephone, a door, a saw, a ticking clock, lava bubbling, ice
cracking, a key turning in a lock.

Only those files are kept (``SOUNDS`` says what each is); the rest of ``sounds/`` is the
game's own (coins, power-ups, jumps, the yeti boss) and ``speech/`` and ``music/`` are
Tux's voice and the soundtrack. The DEP-5 copyright file gives the licence of
``data/sounds`` (its ``Files: *`` stanza: GPL-3+, the SuperTux Devel Team and
contributors).
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "supertux"
PACKAGE = "supertux-data"
FOLDER = "usr/share/games/supertux2/sounds"
SOUNDS = {
    "rain": ("rain falling steadily", ["rain", "weather"], "bed"),
    "thunder": ("thunder rumbling, thunderstorm", ["thunder", "storm", "weather"], None),
    "lightning": ("lightning strike, thunder crack", ["lightning", "storm", "weather"], None),
    "waterfall": ("waterfall, water rushing down", ["waterfall", "water", "river"], None),
    "splash": ("splash into water", ["water", "splash"], None),
    "fire": ("fire burning, crackling flames", ["fire"], None),
    "flame": ("flame whoosh, burst of fire", ["fire", "flame"], None),
    "fireworks": ("fireworks exploding", ["fireworks", "celebration"], None),
    "firecracker": ("firecracker bang", ["firecracker", "fireworks"], None),
    "phone": ("telephone ringing", ["telephone", "phone", "ring"], None),
    "door": ("door opening and closing", ["door"], None),
    "saw": ("saw cutting wood", ["saw", "wood", "tool"], None),
    "ticking": ("clock ticking", ["clock", "tick"], None),
    "lava": ("lava bubbling, boiling liquid", ["lava", "bubbling"], None),
    "cracking": ("ice cracking", ["ice", "crack"], None),
    "icecrash": ("ice block shattering", ["ice", "crash"], None),
    "turnkey": ("key turning in a lock", ["key", "lock", "door"], None),
    "sizzle": ("sizzling, hot surface hissing", ["sizzle", "frying"], None),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "data/sounds/", SOUNDS, "SuperTux sound", "SuperTux")
