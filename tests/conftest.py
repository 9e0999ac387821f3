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
