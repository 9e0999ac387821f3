"""Unpacking a Debian package, whole or only the folders a source needs (a 950 MB game
package around 52 recordings): a real .deb built here with dpkg-deb."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from image_extender.library.debian import FetchError, fetch_package

SOUNDS = "usr/share/games/toy/sounds"
DOC = "usr/share/doc/toy-data"
MAPS = "usr/share/games/toy/maps"


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    tree = tmp_path / "build" / "toy-data"
    for folder, name, body in ((SOUNDS, "rain.ogg", b"r"), (DOC, "copyright", b"c"), (MAPS, "big.map", b"m" * 4096)):
        (tree / folder).mkdir(parents=True)
        (tree / folder / name).write_bytes(body)
    (tree / "DEBIAN").mkdir()
    (tree / "DEBIAN" / "control").write_text(
        "Package: toy-data\nVersion: 1.0\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: toy\n")
    data = tmp_path / "data"
    (data / "debs").mkdir(parents=True)
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(tree), str(data / "debs" / "toy-data_1.0_all.deb")],
                   check=True, capture_output=True)
    return data


def test_only_the_named_folders_are_unpacked_and_more_are_added_later(data):
    root = fetch_package("toy-data", data, only=(SOUNDS, DOC))
    assert (root / SOUNDS / "rain.ogg").read_bytes() == b"r" and (root / DOC / "copyright").exists()
    assert not (root / MAPS).exists()
    assert fetch_package("toy-data", data, only=(SOUNDS,)) == root  # already there: nothing redone
    fetch_package("toy-data", data, only=(MAPS,))
    assert (root / MAPS / "big.map").exists() and (root / SOUNDS / "rain.ogg").exists()  # both sets now
    fetch_package("toy-data", data)
    assert (root / ".unpacked").read_text() == "toy-data_1.0_all.deb\n"  # the whole package


def test_a_folder_the_package_lacks_fails_naming_it(data):
    with pytest.raises(FetchError, match="nothing under usr/share/games/toy/music"):
        fetch_package("toy-data", data, only=("usr/share/games/toy/music",))
    assert not list((data / "debian").iterdir())  # nothing half-unpacked left behind
