"""``dataset run`` end to end on real photos: outputs, resumption after kill -9, engines.

Photos: Debian darknet's dog, horses, person, eagle, and a file that is not an image.
Pool: part of the starter library (tests/dataset_pool_fixture.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf
from dataset_pool_fixture import small_pool
from dataset_rows import assert_same_rows, stable
from fake_openai import json_reply, server_fixtures

from image_extender.dataset import LocalEngine, run_dataset
from image_extender.dataset.metadata import read_rows
from image_extender.dataset.report import summarize
from image_extender.errors import SettingsError
from image_extender.settings import load_settings

PHOTOS = ("dog.jpg", "horses.jpg", "person.jpg", "eagle.jpg")


@pytest.fixture(scope="module")
def pool_dir(tmp_path_factory):
    return small_pool(tmp_path_factory.getbasetemp()).pool_dir


@pytest.fixture(scope="module")
def photos(darknet_photos, tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    for name in PHOTOS:
        (folder / name).write_bytes((darknet_photos / name).read_bytes())
    (folder / "sub").mkdir()
    (folder / "sub" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return folder


def audio_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "audio").glob("*.flac"))}


@pytest.fixture(scope="module")
def local_run(photos, pool_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    summary = run_dataset(photos, out, load_settings(), LocalEngine(1), pool_dir=pool_dir, seed=7)
    return out, summary


def test_every_photo_gets_a_16k_mono_5s_flac_and_a_metadata_row(local_run):
    out, summary = local_run
    assert summary.counts == {"ok": 4, "skipped": 0, "failed": 1}
    assert summary.pool_build is None  # the small pool (part of the library) is current: not rebuilt
    rows = read_rows(out)
    assert [r["image"] for r in rows] == sorted(PHOTOS) + ["sub/broken.jpg"]
    for r in rows[:4]:
        info = sf.info(str(out / r["file_name"]))
        assert (info.samplerate, info.channels, info.frames, info.format) == (16000, 1, 80000, "FLAC")
        assert r["file_name"] == f"audio/{r['md5']}.flac" and r["width"] > 0 and r["height"] > 0
        assert r["concepts"] and r["peak_dbfs"] <= -1.0 + 1e-6
        for c in r["concepts"]:
            assert c["ssr_score"] >= c["tau"] - 1e-6 and c["candidates"] >= 1
            assert -35.0 <= c["lufs"] <= -20.0 and c["licence"] and c["sound_id"]
    dog = rows[PHOTOS.index("dog.jpg") if False else sorted(PHOTOS).index("dog.jpg")]
    assert any(c["label"] == "dog" and "dog" in c["sound_name"].lower() for c in dog["concepts"])
    broken = rows[-1]
    assert broken["status"] == "failed" and "broken.jpg" in broken["reason"] and broken["file_name"] is None


def test_jsonl_holds_the_rows_with_audio_and_parquet_every_row(local_run):
    out, _ = local_run
    lines = [json.loads(line) for line in (out / "metadata.jsonl").read_text().splitlines()]
    assert lines == [r for r in read_rows(out) if r["status"] == "ok"] and len(lines) == 4


def test_hugging_face_datasets_loads_the_folder_as_an_audiofolder(local_run):
    import datasets  # test extra pins datasets 3.x: 4.x needs torch + torchcodec even to list audio files

    out, _ = local_run
    ds = datasets.load_dataset("audiofolder", data_dir=str(out), split="train")
    assert len(ds) == 4 and "audio" in ds.column_names and "concepts" in ds.column_names
    ds = ds.cast_column("audio", datasets.Audio(decode=False))  # decoding would pull librosa; read with soundfile
    for r in ds:
        samples, sr = sf.read(r["audio"]["path"])
        assert sr == 16000 and samples.shape == (80000,)
        assert Path(r["audio"]["path"]).stem == r["md5"] and r["status"] == "ok"
        assert r["concepts"][0]["query"] and r["concepts"][0]["licence"]


def test_report_counts_failures_and_measures_sound_diversity(local_run):
    out, _ = local_run
    rep = summarize(out)
    rows = [r for r in read_rows(out) if r["status"] == "ok"]
    picks = [(c["sound_id"], c["chunk_index"]) for r in rows for c in r["concepts"]]
    assert rep.counts["failed"] == 1 and rep.reasons[0][1] == "sub/broken.jpg"
    assert rep.picks == len(picks) and rep.distinct_chunks == len(set(picks))
    assert rep.diversity == pytest.approx(len(set(picks)) / len(picks))
    assert rep.top_chunks[0][2] == max(picks.count(p) for p in set(picks))
    assert rep.elapsed_s is not None and rep.elapsed_s > 0


def test_a_rerun_skips_finished_images_and_other_settings_are_refused(local_run, photos, pool_dir):
    out, _ = local_run
    before = read_rows(out)
    again = run_dataset(photos, out, load_settings(), LocalEngine(1), pool_dir=pool_dir, seed=7)
    assert again.processed == 0 and again.already_done == 5
    assert read_rows(out) == before
    with pytest.raises(SettingsError, match="seed 7 → 8"):
        run_dataset(photos, out, load_settings(), LocalEngine(1), pool_dir=pool_dir, seed=8)


def test_two_worker_processes_give_the_same_dataset(local_run, photos, pool_dir, tmp_path):
    out, _ = local_run
    summary = run_dataset(photos, tmp_path / "two", load_settings(), LocalEngine(2), pool_dir=pool_dir, seed=7)
    assert summary.processed == 5
    assert_same_rows(stable(read_rows(tmp_path / "two")), stable(read_rows(out)))
    assert audio_bytes(tmp_path / "two") == audio_bytes(out)


def test_killed_with_sigkill_a_rerun_finishes_without_losing_or_duplicating_rows(local_run, photos, pool_dir, tmp_path):
    out_ref, _ = local_run
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [sys.executable, "-m", "image_extender.cli", "dataset", "run", str(photos), "-o", str(out),
           "--pool", str(pool_dir), "--seed", "7"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = out / ".state" / "journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_bytes().count(b"\n") >= 2:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "dataset.parquet").exists()  # really killed mid-run: the tables are written last
    with journal.open("ab") as fh:  # as if killed in the middle of writing a row
        fh.write(b'{"image": "person.jpg", "status": "o')
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = read_rows(out)
    assert [r["image"] for r in rows] == [r["image"] for r in read_rows(out_ref)]
    assert_same_rows(stable(rows), stable(read_rows(out_ref)))
    assert audio_bytes(out) == audio_bytes(out_ref)
    assert not list(out.rglob("*.partial"))


# --------------------------------------------------------------------------- non-sonic filter

SECRET = "sk-test-dataset-0123456789"
fake, env = server_fixtures(SECRET)


def test_logos_are_skipped_and_listed_with_the_evidence(env, darknet_photos, pool_dir, tmp_path):
    from PIL import Image
    from skimage import data as skdata

    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(skdata.logo()).save(folder / "a_logo.png")
    (folder / "b_dog.jpg").write_bytes((darknet_photos / "dog.jpg").read_bytes())
    env.push(json_reply({"caption": "The scikit-image logo: a stylised snake in a circle.",
                         "image_tags": ["logo", "graphic design"], "mood": "neutral", "objects": [],
                         "scene_and_location": []}),
             json_reply({"caption": "A dog next to a bicycle.", "image_tags": ["photo", "dog"], "mood": "calm",
                         "objects": [{"label": "dog", "sound_query": "dog barking", "count": 1,
                                      "bbox": {"x0": 0.16, "y0": 0.38, "x1": 0.42, "y1": 0.94},
                                      "importance": 0.9, "confidence": 0.95}],
                         "scene_and_location": []}))
    summary = run_dataset(folder, tmp_path / "out", load_settings(analyzer="openai"), LocalEngine(1),
                          pool_dir=pool_dir)
    logo, dog = read_rows(tmp_path / "out")
    assert summary.counts == {"ok": 1, "skipped": 1, "failed": 0}
    assert logo["status"] == "skipped" and "non-sonic" in logo["reason"] and "logo" in logo["reason"]
    assert logo["file_name"] is None and not (tmp_path / "out" / "audio" / f"{logo['md5']}.flac").exists()
    assert dog["status"] == "ok" and [c["query"] for c in dog["concepts"]] == ["dog barking"]


def test_mix_format_writes_sonify_folders_and_their_stereo_mix(darknet_photos, tmp_path):
    import json as _json

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "dog.jpg").write_bytes((darknet_photos / "dog.jpg").read_bytes())
    settings = load_settings(duration=8.0, dynamic_eq=False)
    summary = run_dataset(folder, tmp_path / "out", settings, LocalEngine(1), fmt="mix")
    (r,) = read_rows(tmp_path / "out")
    assert summary.counts["ok"] == 1 and r["format"] == "mix" and r["ssr"] is None
    info = sf.info(str(tmp_path / "out" / r["file_name"]))
    assert (info.samplerate, info.channels, round(info.duration, 1)) == (44100, 2, 8.0)
    manifest = _json.loads((tmp_path / "out" / "mix" / r["md5"] / "manifest.json").read_text())
    assert [c["sound_id"] for c in r["concepts"]] == [t["sound"]["id"] for t in manifest["tracks"]]
    assert all(c["licence"] for c in r["concepts"])


# --------------------------------------------------------------------------- inputs and errors


def test_sources_are_a_sorted_recursive_folder_or_a_text_file_of_paths(photos, tmp_path):
    from image_extender.dataset.sources import list_images

    (photos / ".hidden").mkdir(exist_ok=True)
    (photos / ".hidden" / "x.jpg").write_bytes(b"")
    names = [i.name for i in list_images(photos)]
    assert names == sorted(PHOTOS) + ["sub/broken.jpg"]
    assert [i.name for i in list_images(photos, limit=2)] == sorted(PHOTOS)[:2]
    listing = tmp_path / "list.txt"
    listing.write_text(f"# my photos\n{photos / 'horses.jpg'}\n\n{photos / 'dog.jpg'}\n{photos / 'horses.jpg'}\n")
    items = list_images(listing)
    assert [i.path for i in items] == [photos / "horses.jpg", photos / "dog.jpg"]


def test_bad_input_is_one_line_and_a_non_zero_exit(tmp_path, photos):
    from typer.testing import CliRunner

    from image_extender.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["dataset", "run", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 2 and "nowhere: no such folder or file list" in res.output
    res = runner.invoke(app, ["dataset", "run", str(photos), "-o", str(tmp_path / "o"), "--lufs-range", "-20"])
    assert res.exit_code != 0 and "--lufs-range '-20': want two numbers LOW,HIGH" in res.output
    res = runner.invoke(app, ["dataset", "run", str(photos), "-o", str(tmp_path / "o"), "--lufs-range", "-20,-30"])
    assert res.exit_code == 2 and "LOW ≤ HIGH" in res.output
    res = runner.invoke(app, ["dataset", "report", str(tmp_path)])
    assert res.exit_code == 2 and "dataset.parquet here" in res.output
    assert not (tmp_path / "o").exists()
