"""Cube 2: Sauerbraten's data (Debian ``cube2-data``): a chainsaw idling and at full throttle,
and a door slammed.

The chainsaw pair is Johannes "Hanni" Schneider's recording of a real saw (his "audioaugust"
folder; the game arms a player with it, but what it plays is the saw's two-stroke engine,
idling and revved), CC-BY-SA-4.0 by its own stanza of the DEP-5 copyright file. The door
slam is one of the OLPC project's sound samples (Michael Bierylo, Berklee College of
Music), CC-BY-3.0. The rest of the sound folder is the game's own: weapons, pain and death
cries, pick-ups, teleporters, jump pads, and copies of 0 A.D.'s and Red Eclipse's sounds
that those sources already give. The package is 173 MB of maps and textures, so only the
sound folder is unpacked.
"""

from __future__ import annotations

from pathlib import Path

from ._common import Entry, materialize_listed

NAME = "cube2"
PACKAGE = "cube2-data"
FOLDER = "usr/share/games/cube2/packages/sounds"
SOUNDS: dict[str, Entry] = {
    "idle": ("a chainsaw idling, its two-stroke engine running between cuts",
             ["chainsaw", "saw", "engine", "idling", "forestry"], "one-shot"),
    "attack": ("a chainsaw revved to full throttle, the saw running as it cuts wood",
               ["chainsaw", "saw", "engine", "revving", "cutting", "wood"], "one-shot"),
    "sfx_DoorSlam": ("a wooden door slammed shut", ["door", "slam", "close"], "one-shot"),
}


NAMES = {"idle": "chainsaw idling", "attack": "chainsaw revving", "sfx_DoorSlam": "door slam"}  # the game's words
# ("attack", "sfx") say what it does with them, not what they are


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "packages/sounds/", SOUNDS, "Cube 2: Sauerbraten sound",
                              "Cube 2: Sauerbraten", unpack_only=True, name=lambda rel: NAMES[Path(rel).stem])
