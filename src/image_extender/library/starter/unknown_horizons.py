"""Unknown Horizons (Debian ``unknown-horizons``): the sounds its island settlement makes —
a crowd in the main square, voices in a tavern, a chapel's bell, sheep in their field, a
windmill turning, a smith, a stonemason, a lumberjack's axe, a ship's bell.

They are real recordings the game plays at its buildings, the sounds of a town and a farm
that the other packages lack: a town square's murmur, a church bell, a windmill. Two open
with long silence before the game's building comes into earshot (the chapel's bell after
16 s, the lumberjack after 25 s) and the square's murmur ends in 3 s of it, so silence at
either end (below ``SILENT_DB``) is cut before a file is kept: a bed that loops plays no
gap, and a bell starts when it is asked for. The DEP-5 copyright file's ``content/*``
stanza gives the licence (CC-BY-SA-3.0, the Unknown Horizons Team; the lumberjack with
hazure); the interface clicks and chimes and the warehouse's unexplained work are left out.
The package is large (250 MB), so only the sound folder is unpacked.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import soundfile as sf

from ._common import materialize_listed

NAME = "unknown_horizons"
PACKAGE = "unknown-horizons"
FOLDER = "usr/share/unknown-horizons/content/audio/sounds"
SILENT_DB = -60.0  # dBFS (peak) below which the ends of a file are cut
SOUNDS = {
    "main_square": ("crowd murmur in a town's main square, people talking and walking about",
                    ["crowd", "murmur", "town square", "people", "talking"], "bed"),
    "tavern": ("voices murmuring in a tavern, people talking over drinks", ["tavern", "pub", "voices", "people", "talking", "indoor"],
               "one-shot"),
    "chapel": ("a chapel's bell ringing", ["church bell", "bell", "chapel", "church"], "one-shot"),
    "sheepfield": ("sheep bleating now and then in a field, over a low wind", ["sheep", "bleat", "field", "farm"], "bed"),
    "windmill": ("a windmill turning, its sails and wooden machinery creaking", ["windmill", "mill", "creak"], "bed"),
    "smith": ("a smith hammering on an anvil", ["smith", "anvil", "hammer", "forge"], "one-shot"),
    "stonemason": ("a stonemason's hammer and chisel striking stone", ["stonemason", "stone", "chisel", "hammer"], "one-shot"),
    "lumberjack_long": ("a lumberjack chopping wood with an axe", ["axe", "chopping", "wood", "lumberjack"], None),
    "ships_bell": ("a ship's bell ringing", ["ship", "bell", "harbour"], "one-shot"),
}


def trimmed(data: bytes) -> bytes:
    """``data`` (an audio file) with the silence at either end cut, as OGG Vorbis; unchanged
    when nothing is silent."""
    samples, rate = sf.read(io.BytesIO(data), always_2d=True)
    loud = np.flatnonzero(np.abs(samples).max(axis=1) >= 10 ** (SILENT_DB / 20))
    if loud.size == 0 or (loud[0] == 0 and loud[-1] == len(samples) - 1):
        return data
    out = io.BytesIO()
    sf.write(out, samples[loud[0] : loud[-1] + 1], rate, format="OGG", subtype="VORBIS")
    return out.getvalue()


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "content/audio/sounds/", SOUNDS,
                              "Unknown Horizons building sound", "Unknown Horizons", unpack_only=True, transform=trimmed)
