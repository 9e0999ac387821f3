"""A logo or a diagram is no scene: the offline analyzer calls it non-sonic (analyze/graphic.py).

Graphics come from packages made by others (matplotlib's logo in its wheel); photos from the
Debian packages the other tests use (darknet, Tux Paint) and the flattest dev photos of the
evaluation (a statue against a clear sky, a windmill on a white sky), which must never be
called silent.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from PIL import Image
from typer.testing import CliRunner

from image_extender.analyze.graphic import graphic_evidence
from image_extender.analyze.image import load_image
from image_extender.cli import app
from image_extender.manifest import Manifest

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))
LOGO = Path(matplotlib.get_data_path()) / "sample_data" / "logo2.png"


def test_a_logo_is_a_flat_colour_graphic_and_says_why():
    evidence = graphic_evidence(load_image(LOGO).rgb)
    assert evidence and evidence.startswith("flat-colour graphic:"), evidence
    assert "% of the picture in 8 colours" in evidence


def test_a_dark_themed_graphic_is_left_alone():
    """Its main colour near black, it could be a night sky: a photo is never risked on it."""
    inverted = 255 - load_image(LOGO).rgb
    assert graphic_evidence(inverted) is None


@pytest.mark.parametrize("name", ["dog", "eagle", "giraffe", "horses", "kite", "person"])
def test_darknet_photos_are_photos(darknet_photos, name):
    assert graphic_evidence(load_image(darknet_photos / f"{name}.jpg").rgb) is None


@pytest.mark.parametrize("name", ["ocean_waves", "lighthouse", "sheep", "cliff", "redwoods_above"])
def test_tux_paint_photo_templates_are_photos(tuxpaint_templates, name):
    assert graphic_evidence(load_image(tuxpaint_templates / f"{name}.jpg").rgb) is None


@pytest.mark.parametrize("pid", ["cz-christ-redeemer", "cz-windmill14", "cz-liberty", "erase-swans"])
def test_the_flattest_dev_photos_are_photos(pid):
    """The dev photos with the most exactly-equal neighbours (clear skies) or the fewest
    colours (a white swan on dark water) stay photos, by a wide margin."""
    from eval.photos import load_photos, photo_path

    (photo,) = [p for p in load_photos() if p.id == pid]
    assert photo.split == "dev"
    assert graphic_evidence(load_image(photo_path(photo, DATA)).rgb) is None


@pytest.mark.skipif(not (DATA / "library").is_dir(), reason="starter library not built: run `make install`")
def test_sonifying_a_logo_offline_exits_7_with_the_reason_and_only_a_manifest(tmp_path):
    logo = tmp_path / "logo.png"
    Image.open(LOGO).save(logo)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sonify", str(logo), "-o", str(out)])
    assert result.exit_code == 7, result.output
    (line,) = [x for x in result.output.splitlines() if x.startswith("error:")]
    assert "logo.png" in line and "non-sonic" in line and "flat-colour graphic" in line
    manifest = Manifest.load(out / "manifest.json")
    assert manifest.scene.non_sonic and not manifest.scene.objects and not manifest.scene.ambience
    assert not manifest.tracks
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]


def test_a_graphic_with_something_detected_in_it_still_sounds(analyzer, darknet_photos, monkeypatch):
    """The flag needs an empty detector: were the dog photo a drawing, its dog would still bark."""
    import image_extender.analyze.offline as offline

    monkeypatch.setattr(offline, "graphic_evidence", lambda rgb: "flat-colour graphic: as if")
    scene = analyzer.analyze(load_image(darknet_photos / "dog.jpg"))
    assert not scene.non_sonic and any(o.label == "dog" for o in scene.objects), scene.objects
