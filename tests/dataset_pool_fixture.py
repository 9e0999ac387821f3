"""A small audio pool for the dataset tests: part of the starter library, built once per session.

Tux Paint's stamp sounds (animals, vehicles, weather…) and scaper's test recordings (a
45 s street scene, a dog bark, car horns, voices): ~130 chunks, a few seconds to build.
"""

from __future__ import annotations

import os
from pathlib import Path

from image_extender.dataset.embedders import TextPoolEmbedder
from image_extender.dataset.pool import AudioPool, build_pool
from image_extender.library.store import SoundLibrary

POOL_SOURCES = ("tuxpaint/", "scaper-audio/")


def library_dir() -> Path:
    return Path(os.environ.get("IMAGE_EXTENDER_DATA", "/work/main/data")) / "library"


def small_pool(base: Path) -> AudioPool:
    pool_dir = base / "dataset-pool"
    if not (pool_dir / "pool.json").is_file():
        with SoundLibrary.open(library_dir()) as lib:
            sounds = [s for s in lib.sounds() if s.id.startswith(POOL_SOURCES)]
            build_pool(lib, pool_dir, TextPoolEmbedder(), sounds=sounds)
    return AudioPool(pool_dir)
