"""End to end, as a user runs it: real photos, the real starter library, the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from image_extender.cli import app
from image_extender.manifest import Manifest
from image_extender.mix.levels import active_rms_db

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))
PHOTOS = DATA / "debian" / "darknet" / "usr" / "share" / "darknet" / "data"

pytestmark = pytest.mark.skipif(not (DATA / "library").is_dir(),
                                reason="starter library not built: run `make install`")

runner = CliRunner()


def _sonify(photo: Path, out: Path, *args: str) -> Manifest:
    result = runner.invoke(app, ["sonify", str(photo), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return Manifest.load(out / "manifest.json")


@pytest.fixture(scope="module")
def dog_run(tmp_path_factory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp("dog") / "out"
    return out, _sonify(PHOTOS / "dog.jpg", out, "--seed", "3", "--duration", "20")


def test_sonify_writes_every_promised_output(dog_run):
    out, manifest = dog_run
    for name in ("mix.wav", "manifest.json", "timeline.png", "CREDITS.md", "soundscape.zip"):
        assert (out / name).is_file(), name
    stems = sorted((out / "stems").iterdir())
    assert len(stems) == len(manifest.tracks)
    assert len(list((out / "sounds").iterdir())) == len({t.sound.path for t in manifest.tracks})
    with zipfile.ZipFile(out / "soundscape.zip") as zf:
        names = set(zf.namelist())
    assert {"mix.wav", "manifest.json", "timeline.png", "CREDITS.md"} <= names
    assert any(n.startswith("stems/") for n in names) and any(n.startswith("sounds/") for n in names)
    info = sf.info(out / "mix.wav")
    assert (info.samplerate, info.channels) == (44100, 2)
    assert info.duration == pytest.approx(20.0, abs=0.01)


def test_manifest_exposes_the_documented_fields(dog_run):
    out, _ = dog_run
    raw = json.loads((out / "manifest.json").read_text())
    obj = raw["scene"]["objects"][0]
    assert {"label", "query", "bbox", "importance", "confidence"} <= obj.keys()
    assert {"label", "query"} <= raw["scene"]["ambience"][0].keys()
    track = raw["tracks"][0]
    assert {"role", "label", "pan", "gain_db", "sound"} <= track.keys()
    assert {"name", "description", "licence", "author", "provider", "path"} <= track["sound"].keys()


def test_dog_photo_barks_from_the_dogs_side(dog_run):
    out, manifest = dog_run
    dogs = [t for t in manifest.tracks if t.role == "object" and t.label == "dog"]
    assert dogs, [t.label for t in manifest.tracks]
    dog = dogs[0]
    assert "dog" in (dog.sound.name + " " + dog.sound.description).lower()
    assert dog.pan < -0.2  # the dog sits in the left half of darknet's dog.jpg
    stem = next(p for p in (out / "stems").iterdir() if "-object-dog" in p.name)
    audio, _ = sf.read(stem)
    left, right = (audio ** 2).sum(axis=0)
    assert left > 2 * right


def test_ambience_bed_covers_the_whole_mix(dog_run):
    out, manifest = dog_run
    beds = [i for i, t in enumerate(manifest.tracks) if t.role == "ambience"]
    assert beds
    stem_path = sorted((out / "stems").iterdir())[beds[0]]
    audio, sr = sf.read(stem_path)
    frame = sr // 2
    energy = [np.sum(audio[i:i + frame] ** 2) for i in range(0, len(audio) - frame, frame)]
    assert min(energy) > 0  # no silent half-second anywhere in the bed


@pytest.fixture(scope="module")
def person_run(tmp_path_factory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp("person") / "out"
    return out, _sonify(PHOTOS / "person.jpg", out, "--duration", "15")


def test_most_important_object_is_the_loudest_object_track(person_run):
    out, manifest = person_run
    objects = [(i, t) for i, t in enumerate(manifest.tracks) if t.role == "object"]
    assert len(objects) >= 2, [t.label for t in manifest.tracks]
    stems = sorted((out / "stems").iterdir())
    importance = {i: manifest.scene.objects[manifest.choices[t.choice_index].target_index].importance for i, t in objects}
    level = {i: active_rms_db(*sf.read(stems[i])) for i, _ in objects}
    top = max(importance, key=importance.get)
    assert level[top] == max(level.values())


def test_mix_never_exceeds_the_ceiling(dog_run):
    out, _ = dog_run
    audio, _ = sf.read(out / "mix.wav")
    assert 20 * np.log10(np.max(np.abs(audio))) <= -1.0 + 1e-3


def test_credits_name_every_sound_author_and_licence(dog_run):
    out, manifest = dog_run
    credits = (out / "CREDITS.md").read_text()
    for track in manifest.tracks:
        assert track.sound.name in credits
        assert track.sound.licence in credits


def test_rerendering_a_manifest_gives_identical_samples(dog_run, tmp_path):
    out, _ = dog_run
    again = tmp_path / "again"
    result = runner.invoke(app, ["render", str(out / "manifest.json"), "-o", str(again)])
    assert result.exit_code == 0, result.output
    a, _ = sf.read(out / "mix.wav", dtype="int32")
    b, _ = sf.read(again / "mix.wav", dtype="int32")
    assert np.array_equal(a, b)


def test_rerender_from_a_moved_bundle(dog_run, tmp_path):
    out, _ = dog_run
    with zipfile.ZipFile(out / "soundscape.zip") as zf:
        zf.extractall(tmp_path / "unzipped")
    result = runner.invoke(app, ["render", str(tmp_path / "unzipped" / "manifest.json"), "-o", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    a, _ = sf.read(out / "mix.wav", dtype="int32")
    b, _ = sf.read(tmp_path / "r" / "mix.wav", dtype="int32")
    assert np.array_equal(a, b)


def test_edited_gain_changes_only_that_track(dog_run, tmp_path):
    out, manifest = dog_run
    shutil.copytree(out, tmp_path / "edit")
    edited = Manifest.load(tmp_path / "edit" / "manifest.json")
    edited.tracks[0].gain_db -= 6.0
    edited.save(tmp_path / "edit" / "manifest.json")
    result = runner.invoke(app, ["render", str(tmp_path / "edit" / "manifest.json"), "-o", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    before = sf.read(sorted((out / "stems").iterdir())[0])
    after = sf.read(sorted((tmp_path / "r" / "stems").iterdir())[0])
    ratio_db = active_rms_db(*after) - active_rms_db(*before)
    assert ratio_db == pytest.approx(-6.0, abs=0.1)


def test_same_seed_same_mix_other_seed_other_mix(tmp_path):
    a = _sonify(PHOTOS / "horses.jpg", tmp_path / "a", "--seed", "1", "--duration", "10")
    b = _sonify(PHOTOS / "horses.jpg", tmp_path / "b", "--seed", "1", "--duration", "10")
    c = _sonify(PHOTOS / "horses.jpg", tmp_path / "c", "--seed", "2", "--duration", "10")
    assert a.tracks == b.tracks
    assert [t.events for t in a.tracks] != [t.events for t in c.tracks]


def test_existing_output_is_not_overwritten_without_flag(dog_run):
    out, _ = dog_run
    result = runner.invoke(app, ["sonify", str(PHOTOS / "dog.jpg"), "-o", str(out)])
    assert result.exit_code != 0
    assert "--overwrite" in result.output


# --------------------------------------------------------------------------- bad input, as a user meets it


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "image_extender.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    real = (PHOTOS / "dog.jpg").read_bytes()
    (tmp / "truncated.jpg").write_bytes(real[: len(real) // 3])
    (tmp / "notes.jpg").write_text("this is not an image\n")
    (tmp / "empty.png").write_bytes(b"")
    return {
        "missing": (tmp / "nope.jpg", "no such file"),
        "not an image": (tmp / "notes.jpg", "not an image"),
        "truncated": (tmp / "truncated.jpg", "truncated"),
        "zero-size": (tmp / "empty.png", "empty"),
    }


@pytest.mark.parametrize("case", ["missing", "not an image", "truncated", "zero-size"])
def test_bad_image_gives_one_line_error_and_no_output(case, tmp_path):
    path, words = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out"
    proc = _cli("sonify", str(path), "-o", str(out))
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip() and not line.startswith("·")]
    assert len(lines) == 1, proc.stderr
    assert path.name in lines[0] and words in lines[0].lower(), lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_empty_library_is_a_clear_error(tmp_path):
    proc = _cli("sonify", str(PHOTOS / "dog.jpg"), "-o", str(tmp_path / "out"),
                env={"IMAGE_EXTENDER_DATA": str(tmp_path / "nodata")})
    assert proc.returncode != 0
    assert "library" in proc.stderr.lower() and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_missing_sound_file_at_render_names_it(dog_run, tmp_path):
    out, _ = dog_run
    shutil.copytree(out, tmp_path / "broken")
    victim = sorted((tmp_path / "broken" / "sounds").iterdir())[0]
    victim.unlink()
    proc = _cli("render", str(tmp_path / "broken" / "manifest.json"), "-o", str(tmp_path / "r"))
    assert proc.returncode != 0
    assert victim.name in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "r").exists()
