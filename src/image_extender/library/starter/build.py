"""Build the starter library: materialize every registered source, then ingest them.

Each source writes ``<data>/starter/<NAME>/`` (audio + ``metadata.jsonl``) once; the
folders then go through the same ``build_library`` a user runs on their own folders, into
``<data>/library``. Both steps are idempotent, so a second run extracts nothing and
embeds nothing. A folder keeps the digest of the module that wrote it (``MODULE_STAMP``):
when the module changes (a description reworded, a file dropped), the next build writes
that folder again and the ingest updates what changed.

To add a source: write ``starter/<module>.py`` with ``NAME`` and ``materialize`` and add
its module name to ``SOURCES``.
"""

from __future__ import annotations

import hashlib
import importlib
import shutil
from pathlib import Path
from types import ModuleType

from ..embed import TextEmbedder
from ..ingest import IngestReport, Progress, build_library

SOURCES: list[str] = [
    "opensfx",
    "minetest",
    "tuxpaint",
    "scaper_audio",
    "zero_ad",
    "lincity",
    "megaglest",
    "hydrogen",
    "openclonk",
    "megaglest_units",
    "sonic_pi",
    "lmms",
    "torcs",
    "micropolis",
    "supertuxkart",
    "bucklespring",
    "freedesktop",
    "ovos_sound_like",
    "wesnoth",
    "hedgewars",
    "gcompris",
    "widelands",
    "supertux",
    "tuxfootball",
    "flare",
    "simutrans",
    "extremetuxracer",
    "homedecor",
    "xdecor",
    "lomiri",
    "lugaru",
    "qabcs",
    "scorched3d",
    "redeclipse",
    "pomodoro",
    "endless_sky",
    "unknown_horizons",
    "etw",
    "trackballs",
    "freetennis",
    "btanks",
    "crossfire",
    "foobillardplus",
    "fluid_soundfont",
    "fluid_soundfont_gs",
    "ufoai",
    "berusky2",
    "libreoffice_gallery",
    "triplea",
    "cube2",
]


def load_sources(names: list[str] | None = None) -> list[ModuleType]:
    """Import the registered source modules; a module not written yet is skipped."""
    modules = []
    for name in names or SOURCES:
        full = f"{__package__}.{name}"
        try:
            modules.append(importlib.import_module(full))
        except ModuleNotFoundError as exc:
            if exc.name != full:  # the module exists but one of *its* imports is missing
                raise
    return modules


MODULE_STAMP = ".module-sha256"  # the source module a folder was written by


def module_digest(module: ModuleType) -> str:
    """A digest of a source module's code: its descriptions and file lists live there."""
    return hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest()


def forget_if_rewritten(out_dir: Path, digest: str) -> None:
    """A folder written by another version of its source module than the one whose
    :func:`module_digest` is ``digest`` (a description reworded, a file dropped) is written
    again from scratch, and the ingest then updates the records that changed. A folder with no
    stamp predates stamps and is kept as it is."""
    stamp = out_dir / MODULE_STAMP
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() != digest:
        shutil.rmtree(out_dir)


def starter_folders(data_dir: Path) -> Path:
    return Path(data_dir) / "starter"


def build_starter_library(
    data_dir: Path,
    progress: Progress | None = None,
    embedder: TextEmbedder | None = None,
    sources: list[str] | None = None,
) -> IngestReport:
    """Materialize the starter sources under ``<data>/starter`` and ingest them into
    ``<data>/library``. ``report.sources`` holds the number of sounds each source wrote."""
    data_dir = Path(data_dir)
    folders: list[Path] = []
    counts: dict[str, int] = {}
    for module in load_sources(sources):
        out_dir = starter_folders(data_dir) / module.NAME
        digest = module_digest(module)
        forget_if_rewritten(out_dir, digest)
        counts[module.NAME] = module.materialize(data_dir, out_dir)
        (out_dir / MODULE_STAMP).write_text(digest, encoding="utf-8")
        folders.append(out_dir)
    report = build_library(folders, data_dir / "library", embedder=embedder, progress=progress)
    report.sources = counts
    return report
