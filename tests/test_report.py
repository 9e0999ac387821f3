"""The outputs a user keeps, specified on a real mix (scaper's recordings).

mix.wav under the ceiling after the write, a timeline with a lane per track, credits
naming every author and licence, and a ZIP holding every file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from image_extender.errors import RenderError
from image_extender.manifest import BBox, ImageInfo, Manifest, MixSpec, Scene, SceneObject, Sound, SoundChoice
from image_extender.mix import plan_mix, render_mix
from image_extender.report import copy_sounds, write_audio, write_bundle, write_credits, write_stems, write_timeline
from image_extender.report.credits import credits_markdown
from image_extender.report.timeline import build_timeline

AUDIO = Path(__file__).resolve().parents[1] / "assets" / "scaper-audio"
SR = 44100

# (file, author, licence) — authors as the file names / README of the test data give them
SOUNDS = {
    "street": ("150993__saphe__street-scene-1.wav", "saphe", "Freesound sound 150993 (via scaper test data)"),
    "dog": ("dogbark.wav", "scaper contributors", "BSD-3-Clause (scaper test data)"),
    "car": ("17-CAR-Rolls-Royce-Horn.wav", "scaper contributors", "BSD-3-Clause (scaper test data)"),
    "man": ("42-Human-Vocal-Voice-taxi-2_edit.wav", "scaper contributors", "BSD-3-Clause (scaper test data)"),
}


def sound(key: str) -> Sound:
    name, author, licence = SOUNDS[key]
    info = sf.info(str(AUDIO / name))
    return Sound(provider="library", id=name, path=str(AUDIO / name), name=name, licence=licence, author=author,
                 url="https://freesound.org/s/150993/" if key == "street" else "", source="scaper tests/data",
                 duration=info.duration, sample_rate=info.samplerate, channels=info.channels)


OBJECTS = [
    SceneObject(label="dog", query="dog", bbox=BBox(x0=0.0, y0=0.3, x1=0.3, y1=0.9), importance=0.9, confidence=0.8),
    SceneObject(label="car", query="car", bbox=BBox(x0=0.6, y0=0.4, x1=1.0, y1=0.8), importance=0.4, confidence=0.7),
    SceneObject(label="man", query="man", bbox=BBox(x0=0.4, y0=0.1, x1=0.6, y1=1.0), importance=0.6, confidence=0.9),
]
CHOICES = [
    SoundChoice(role="ambience", target="urban street", target_index=0, query="street", sound=sound("street")),
    SoundChoice(role="object", target="dog", target_index=0, query="dog bark", sound=sound("dog")),
    SoundChoice(role="object", target="car", target_index=1, query="car horn", sound=sound("car")),
    SoundChoice(role="object", target="man", target_index=2, query="man calling", sound=sound("man")),
]


@pytest.fixture(scope="module")
def mix():
    spec = MixSpec(duration=12.0, sample_rate=SR, seed=11)
    tracks = plan_mix(CHOICES, OBJECTS, spec)
    return tracks, spec, render_mix(tracks, spec)


@pytest.fixture(scope="module")
def out_dir(mix, tmp_path_factory) -> Path:
    """The whole output folder, as the pipeline writes it."""
    tracks, spec, rendered = mix
    out = tmp_path_factory.mktemp("out")
    write_audio(out / "mix.wav", rendered.mix, SR)
    write_stems(out / "stems", tracks, rendered, SR)
    copy_sounds(out / "sounds", tracks)
    scene = Scene(image=ImageInfo(path="street.jpg", md5="0" * 32, width=640, height=480), analyzer="test",
                  objects=OBJECTS)
    Manifest(scene=scene, choices=CHOICES, mix=spec, tracks=tracks, report=rendered.report).save(out / "manifest.json")
    write_timeline(tracks, rendered, spec, out / "timeline.png")
    write_credits(tracks, out / "CREDITS.md")
    return out


# ----------------------------------------------------------------- audio files


def test_the_ceiling_survives_writing_and_reading_back_even_with_gains_pushed_30db(mix, tmp_path):
    tracks, spec, _ = mix
    hot = render_mix([t.model_copy(update={"gain_db": t.gain_db + 30}) for t in tracks], spec)
    path = write_audio(tmp_path / "mix.wav", hot.mix, SR)
    back, sr = sf.read(str(path), dtype="float64")
    assert sr == SR and back.shape == (12 * SR, 2)
    assert sf.info(str(path)).subtype == "PCM_24"
    assert np.max(np.abs(back)) <= 10 ** (spec.ceiling_dbfs / 20)
    assert np.max(np.abs(back)) > 10 ** ((spec.ceiling_dbfs - 0.1) / 20)  # and it really reaches it


def test_a_pre_master_stem_beyond_full_scale_is_never_clipped(mix, tmp_path):
    tracks, spec, _ = mix
    hot = render_mix([t.model_copy(update={"gain_db": t.gain_db + 30}) for t in tracks], spec)
    assert np.max(np.abs(hot.stems[0])) > 1.0
    with pytest.raises(RenderError, match="exceed full scale"):
        write_audio(tmp_path / "stem.wav", hot.stems[0], SR, subtype="PCM_24")
    path = write_audio(tmp_path / "stem.wav", hot.stems[0], SR)  # default: float when needed
    assert sf.info(str(path)).subtype == "FLOAT"
    back, _ = sf.read(str(path), dtype="float32")
    assert np.array_equal(back, hot.stems[0])  # every sample kept


# ----------------------------------------------------------------- timeline


def test_timeline_has_one_lane_per_track_plus_the_mix(mix):
    tracks, spec, rendered = mix
    fig = build_timeline(tracks, rendered, spec)
    try:
        assert len(fig.axes) == len(tracks) + 1
        captions = [" ".join(t.get_text() for t in ax.texts) for ax in fig.axes]
        assert "dog" in captions[1] and "L 0.7" in captions[1]  # bbox centre x = 0.15
        assert "C" in captions[0] and "-30.0 dB" in captions[0]
        assert "R 0.6" in captions[2]
        assert captions[-1].startswith("mix")
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_timeline_png_grows_with_the_number_of_tracks(mix, out_dir, tmp_path):
    from PIL import Image

    tracks, spec, rendered = mix
    two = render_mix(tracks[:2], spec)
    small = write_timeline(tracks[:2], two, spec, tmp_path / "two.png")
    with Image.open(out_dir / "timeline.png") as big_im, Image.open(small) as small_im:
        assert big_im.format == "PNG"
        assert big_im.size[1] > small_im.size[1] + 100  # two more lanes
        assert big_im.size[0] >= 800


# ----------------------------------------------------------------- credits


def test_credits_name_every_sound_s_author_licence_and_use(out_dir):
    text = (out_dir / "CREDITS.md").read_text(encoding="utf-8")
    sections = text.split("\n## ")[1:]
    assert len(sections) == len(CHOICES)
    for choice in CHOICES:
        (section,) = [s for s in sections if s.startswith(choice.sound.name)]
        assert f"Author: {choice.sound.author}" in section
        assert f"Licence: {choice.sound.licence}" in section
        assert f"“{choice.target}”" in section
    assert "<https://freesound.org/s/150993/>" in text


def test_a_sound_used_twice_is_credited_once_with_both_uses():
    twice = CHOICES + [SoundChoice(role="object", target="puppy", target_index=0, query="puppy", sound=sound("dog"))]
    text = credits_markdown(twice)
    assert text.count("## dogbark.wav") == 1
    assert "object “dog”, object “puppy”" in text


# ----------------------------------------------------------------- bundle


def test_bundle_holds_every_output_file_in_a_fixed_order(out_dir, tmp_path):
    zip_path = write_bundle(out_dir, tmp_path / "soundscape.zip")
    on_disk = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        assert names == on_disk
        assert zf.testzip() is None
        assert zf.read("CREDITS.md") == (out_dir / "CREDITS.md").read_bytes()
    for required in ("mix.wav", "manifest.json", "timeline.png", "CREDITS.md"):
        assert required in names
    assert sum(n.startswith("stems/") for n in names) == len(CHOICES)
    assert sum(n.startswith("sounds/") for n in names) == len(CHOICES)
    again = write_bundle(out_dir, tmp_path / "again.zip")
    assert again.read_bytes() == zip_path.read_bytes()  # deterministic bytes


def test_the_bundled_manifest_re_renders_the_bundled_mix(out_dir):
    manifest = Manifest.load(out_dir / "manifest.json")
    mix, _ = sf.read(str(out_dir / "mix.wav"), dtype="float64")
    again = render_mix(manifest.tracks, manifest.mix).mix
    assert np.max(np.abs(mix - again)) < 2 ** -22  # same samples, up to 24-bit quantisation
