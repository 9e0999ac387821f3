"""Build the starter library: materialize every registered source, then ingest them.

Each source writes ``<data>/starter/<NAME>/`` (audio + ``metadata.jsonl``) once; the
folders then go through the same ``build_library`` a user runs on their own folders, into
``<data>/library``. Both steps are idempotent, so a second run extracts nothing and
embeds nothing.

To add a source: write ``starter/<module>.py`` with ``NAME`` and ``materialize`` and add
its module name to ``SOURCES``.
"""

from __future__ import annotations

import importlib
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
        counts[module.NAME] = module.materialize(data_dir, out_dir)
        folders.append(out_dir)
    report = build_library(folders, data_dir / "library", embedder=embedder, progress=progress)
    report.sources = counts
    return report
