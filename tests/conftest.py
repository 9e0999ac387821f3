"""Shared fixtures: real photos made by others, unpacked from Debian packages on demand."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from image_extender.library.debian import fetch_package


def data_dir() -> Path:
    return Path(os.environ.get("IMAGE_EXTENDER_DATA", "/work/main/data"))


@pytest.fixture(scope="session")
def darknet_photos() -> Path:
    """Folder with darknet's sample photos: dog, eagle, giraffe, horses, kite, person (.jpg)."""
    return fetch_package("darknet", data_dir()) / "usr" / "share" / "darknet" / "data"


@pytest.fixture(scope="session")
def tuxpaint_templates() -> Path:
    """Folder with Tux Paint's photo templates: ocean_waves, sheep, redwoods_above, lighthouse, cliff… (.jpg)."""
    return fetch_package("tuxpaint-data", data_dir()) / "usr" / "share" / "tuxpaint" / "templates"


# ----------------------------------------------------------------- sound library (library owner)

# The starter sources whose recordings the library tests run on (beds are tested apart).
LIBRARY_TEST_SOURCES = ["opensfx", "minetest", "tuxpaint", "scaper_audio"]


@pytest.fixture(scope="session")
def starter_folders() -> dict[str, Path]:
    """NAME -> <data>/starter/<NAME>: real recordings + metadata.jsonl (extracted once, cached)."""
    from image_extender.library.starter.build import load_sources, starter_folders as root

    folders = {}
    for module in load_sources(LIBRARY_TEST_SOURCES):
        out = root(data_dir()) / module.NAME
        module.materialize(data_dir(), out)
        folders[module.NAME] = out
    return folders


@pytest.fixture(scope="session")
def built_library(starter_folders, tmp_path_factory):
    """(library_dir, IngestReport) of a library ingested from the starter folders above."""
    from image_extender.library.ingest import build_library

    lib_dir = tmp_path_factory.mktemp("library")
    report = build_library(list(starter_folders.values()), lib_dir)
    return lib_dir, report


# ----------------------------------------------------------------- a finished soundscape (robustness tests)


@pytest.fixture(scope="session")
def soundscape(tmp_path_factory, darknet_photos) -> Path:
    """An output folder of ``sonify dog.jpg`` (8 s): manifest.json + sounds/ to re-render and to break."""
    from image_extender.pipeline import sonify
    from image_extender.settings import load_settings

    out = tmp_path_factory.mktemp("soundscape") / "dog"
    sonify(darknet_photos / "dog.jpg", out, load_settings(duration=8.0, seed=5, data_dir=data_dir()))
    return out


@pytest.fixture(scope="session")
def analyzer():
    """The offline analyzer, models loaded once for the whole run (they are cached per process anyway)."""
    from image_extender.analyze.offline import OfflineAnalyzer

    a = OfflineAnalyzer()
    a.load()
    return a
