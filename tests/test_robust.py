"""Bad inputs and abrupt stops, as a careful tester meets them (issue 12).

Every case ends as one line on stderr with the documented exit code (docs/bad-inputs.md)
or a correct result, and leaves nothing behind: no half-written output, no hidden
``.NAME.partial-*`` folder, no download into a folder nobody set up.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from image_extender.cli import app
from image_extender.errors import OutputError
from image_extender.locking import exclusive
from image_extender.manifest import BBox, ImageInfo, Manifest, Scene, SceneObject

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", "/work/main/data"))
PHOTO = DATA / "debian" / "darknet" / "usr" / "share" / "darknet" / "data" / "dog.jpg"
runner = CliRunner()

pytestmark = pytest.mark.skipif(not (DATA / "library").is_dir(), reason="starter library not built: run `make install`")


def cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300,
        **popen) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "image_extender.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **(env or {})}, timeout=timeout, **popen)


def one_line(stderr: str) -> str:
    """The error line; asserts it is the only one (progress lines start with '·')."""
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("·")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name or p.name.endswith(".old"))


# --------------------------------------------------------------------------- output folders, before any work


@pytest.mark.parametrize(("target", "words"), [
    ("afile.txt/sub", "is a file, not a folder"),
    (".", "current folder"),
    ("a/..", "current folder"),
])  # fmt: skip
def test_an_unusable_destination_fails_before_the_photo_is_read(tmp_path, target, words):
    (tmp_path / "afile.txt").write_text("keep me\n")
    (tmp_path / "a").mkdir()
    proc = cli("sonify", str(PHOTO), "-o", target, "--overwrite", cwd=tmp_path)
    assert proc.returncode == OutputError.exit_code == 9
    assert words in one_line(proc.stderr)
    assert "reading image" not in proc.stderr  # no work was done
    assert (tmp_path / "afile.txt").read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "afile.txt"]


def test_a_read_only_destination_is_one_line(tmp_path, monkeypatch):
    real = os.statvfs

    class ReadOnly:
        def __init__(self, path):
            self._st = real(path)
            self.f_flag = self._st.f_flag | os.ST_RDONLY

    monkeypatch.setattr(os, "statvfs", ReadOnly)  # a read-only mount cannot be made without privileges
    result = runner.invoke(app, ["sonify", str(PHOTO), "-o", str(tmp_path / "out")])
    assert result.exit_code == 9
    assert "read-only file system" in result.output and "EROFS" in result.output


def test_disk_full_while_zipping_keeps_the_old_output_and_leaves_no_partial(soundscape, tmp_path, monkeypatch):
    import image_extender.report.bundle as bundle

    out = tmp_path / "out"
    shutil.copytree(soundscape, out)
    before = (out / "mix.wav").read_bytes()

    def full(folder, zip_path):
        raise OSError(errno.ENOSPC, "No space left on device", str(zip_path))

    monkeypatch.setattr(bundle, "write_bundle", full)
    result = runner.invoke(app, ["render", str(soundscape / "manifest.json"), "-o", str(out), "--overwrite"])
    assert result.exit_code == 9
    assert "no space left on the device" in result.output and "ENOSPC" in result.output
    assert (out / "mix.wav").read_bytes() == before  # the previous soundscape is untouched
    assert leftovers(tmp_path) == []


def test_output_folders_follow_the_umask(soundscape, tmp_path):
    proc = cli("render", str(soundscape / "manifest.json"), "-o", str(tmp_path / "out"),
               preexec_fn=lambda: os.umask(0o027))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "out" / "stems").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "out" / "mix.wav").stat().st_mode & 0o777 == 0o640


# --------------------------------------------------------------------------- signals, stale staging, locks


def _slow_manifest(soundscape: Path, tmp_path: Path) -> Path:
    """A copy of the soundscape whose mix lasts 10 minutes: render takes long enough to be stopped."""
    folder = tmp_path / "src"
    shutil.copytree(soundscape, folder)
    data = json.loads((folder / "manifest.json").read_text())
    data["mix"]["duration"] = 600.0
    for track in data["tracks"]:
        track["eq"] = []
    (folder / "manifest.json").write_text(json.dumps(data))
    return folder / "manifest.json"


def _start_and_wait_for_staging(manifest: Path, out: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "image_extender.cli", "render", str(manifest), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out.parent.glob(f".{out.name}.partial-*")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "render never started writing"
        time.sleep(0.02)
    return proc


def test_sigterm_stops_like_ctrl_c_and_leaves_nothing(soundscape, tmp_path):
    out = tmp_path / "out"
    proc = _start_and_wait_for_staging(_slow_manifest(soundscape, tmp_path), out)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert "terminated" in stderr and "Traceback" not in stderr
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_kill_9_leftovers_are_swept_by_the_next_run(soundscape, tmp_path):
    out = tmp_path / "out"
    proc = _start_and_wait_for_staging(_slow_manifest(soundscape, tmp_path), out)
    proc.kill()
    proc.communicate(timeout=60)
    assert len(leftovers(tmp_path)) == 1  # what kill -9 leaves: nobody can catch it
    done = cli("render", str(soundscape / "manifest.json"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert leftovers(tmp_path) == []
    assert Manifest.load(out / "manifest.json").report is not None


def test_concurrent_renders_into_one_folder_are_serialised(soundscape, tmp_path):
    out = tmp_path / "same"
    args = [sys.executable, "-m", "image_extender.cli", "render", str(soundscape / "manifest.json"), "-o", str(out),
            "--overwrite"]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for code, stderr in results:
        assert code == 0, stderr
    assert leftovers(tmp_path) == []
    a, _ = sf.read(out / "mix.wav")
    b, _ = sf.read(soundscape / "mix.wav")
    assert np.array_equal(a, b)


def test_a_second_library_build_waits_for_the_first_and_says_so(tmp_path):
    src = tmp_path / "recordings"
    src.mkdir()
    for wav in sorted((DATA / "starter" / "scaper-audio").rglob("*.wav"))[:3]:
        shutil.copy(wav, src / wav.name)
    lib = tmp_path / "data" / "library"
    lib.mkdir(parents=True)
    with exclusive(lib, "test"):
        proc = subprocess.Popen([sys.executable, "-m", "image_extender.cli", "library", "build", str(src),
                                 "--data-dir", str(tmp_path / "data")], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(8)
        assert proc.poll() is None  # blocked on the lock, not failing and not racing
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert "waiting for another image-extender process building the library" in stderr
    assert "added 3" in stdout


# --------------------------------------------------------------------------- inputs


@pytest.mark.parametrize(("flag", "value", "words"), [
    ("--seed", "-1", "setting 'seed': Input should be greater than or equal to 0 (got -1) (from --seed)"),
    ("--duration", "nan", "setting 'duration': Input should be a finite number (got nan) (from --duration)"),
    ("--duration", "-5", "greater than 0"),
])  # fmt: skip
def test_bad_numbers_are_settings_errors(tmp_path, flag, value, words):
    result = runner.invoke(app, ["sonify", str(PHOTO), "-o", str(tmp_path / "o"), flag, value])
    assert result.exit_code == 2
    assert words in result.output


def test_only_regular_files_are_photos(tmp_path):
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    for photo in ("/dev/zero", str(fifo)):
        started = time.monotonic()
        proc = cli("sonify", photo, "-o", str(tmp_path / "out"), timeout=60)
        assert proc.returncode == 2
        assert "not a regular file" in one_line(proc.stderr)
        assert time.monotonic() - started < 30
    assert not (tmp_path / "out").exists()


def test_settings_sources_are_checked_and_blamed(tmp_path):
    proc = cli("sonify", str(PHOTO), env={"IMAGE_EXTENDER_CONFIG": str(tmp_path / "nonexistent.toml")})
    assert proc.returncode == 2
    assert "IMAGE_EXTENDER_CONFIG=" in one_line(proc.stderr) and "not found" in proc.stderr
    proc = cli("sonify", str(PHOTO), "--config", str(tmp_path / "missing.toml"))
    assert proc.returncode == 2 and "settings file not found" in one_line(proc.stderr)
    proc = cli("analyze", str(PHOTO), env={"IMAGE_EXTENDER_LLM": "gpt-4.1"})
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert line.startswith("error: IMAGE_EXTENDER_LLM:") and "image-extender.toml" not in line


def test_a_wrong_data_folder_downloads_nothing_and_names_a_real_command(tmp_path):
    wrong = tmp_path / "typo"
    proc = cli("sonify", str(PHOTO), "-o", str(tmp_path / "out"), env={"IMAGE_EXTENDER_DATA": str(wrong)})
    assert proc.returncode == 4
    line = one_line(proc.stderr)
    assert "image-extender setup-data" in line and "library starter" not in line
    assert "reading image" not in proc.stderr  # checked before any work
    assert not wrong.exists()  # nothing was downloaded or created there
    assert not (tmp_path / "out").exists()


def test_after_make_demo_the_command_finds_the_checkout_s_data_from_any_folder(tmp_path):
    """``make demo`` builds the library in the checkout's ``data/``; a user who then runs the
    command from their photo folder, with no IMAGE_EXTENDER_DATA, is served from it (the
    package is installed editable from that checkout), not told to run setup-data again."""
    env = {k: v for k, v in os.environ.items() if k != "IMAGE_EXTENDER_DATA"}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")  # no library there either
    shutil.copy(PHOTO, tmp_path / "dog.jpg")
    proc = subprocess.run([sys.executable, "-m", "image_extender.cli", "sonify", "dog.jpg", "-o", "out"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert any(c["sound"]["provider"] == "library" for c in manifest["choices"])
    assert not (tmp_path / "xdg").exists()


def test_with_no_checkout_data_the_default_is_the_xdg_data_home(tmp_path, monkeypatch):
    from image_extender import settings

    monkeypatch.delenv("IMAGE_EXTENDER_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "CHECKOUT_DATA", tmp_path / "nowhere")
    assert settings.default_data_dir() == tmp_path / "xdg" / "image-extender"
    (tmp_path / "data" / "library").mkdir(parents=True)  # a checkout's data in the working folder comes first
    assert settings.default_data_dir() == tmp_path / "data"


# --------------------------------------------------------------------------- manifests (render)


class Text:
    """An edit of the manifest's text (for what JSON cannot express: truncation, NaN, 1e400)."""

    def __init__(self, change) -> None:
        self.change = change


def _edit(soundscape: Path, tmp_path: Path, change) -> Path:
    folder = tmp_path / "edited"
    shutil.copytree(soundscape, folder)
    path = folder / "manifest.json"
    text = path.read_text()
    path.write_text(change.change(text) if isinstance(change, Text) else json.dumps(change(json.loads(text))))
    return path


def _set(path: str, value):
    def change(data):
        *keys, last = path.split(".")
        node = data
        for k in keys:
            node = node[int(k)] if k.isdigit() else node[k]
        node[int(last) if last.isdigit() else last] = value
        return data

    return change


MANIFEST_CASES = {
    "mix.duration 1e7": (_set("mix.duration", 1e7), "mix.duration: Input should be less than or equal to 3600"),
    "mix.duration -5": (_set("mix.duration", -5), "mix.duration: Input should be greater than 0"),
    "sample_rate 0": (_set("mix.sample_rate", 0), "mix.sample_rate: Input should be greater than or equal to 8000"),
    "ceiling +6 dBFS": (_set("mix.ceiling_dbfs", 6.0), "mix.ceiling_dbfs: Input should be less than or equal to 0"),
    "version 2": (_set("version", 2), "version: Value error, manifest version 2 is not one this tool reads"),
    "version 0": (_set("version", 0), "version: Value error, manifest version 0"),
    "pan 50": (_set("tracks.0.pan", 50), "tracks[0].pan: Input should be less than or equal to 1 (got 50)"),
    "extra key": (_set("tracks.0.colour", "red"), "tracks[0].colour: Extra inputs are not permitted"),
    "truncated JSON": (Text(lambda text: text[: len(text) // 2]), "(truncated or malformed JSON)"),
    "NaN": (Text(lambda text: text.replace('"pan": ', '"pan": NaN, "x": ', 1)), "NaN is not a number JSON allows"),
    "1e400": (Text(lambda text: text.replace('"gain_db": ', '"gain_db": 1e400, "_": ', 1)),
              "tracks[0].gain_db: number too large to be finite"),
    "../ escape": (_set("tracks.0.sound.path", "../../../../../../etc/passwd"), "outside the manifest's folder"),
    "absolute path": (_set("tracks.0.sound.path", "/etc/passwd"), "is absolute"),
}


@pytest.mark.parametrize("case", sorted(MANIFEST_CASES))
def test_a_bad_manifest_names_the_json_path_and_the_rule(soundscape, tmp_path, case):
    change, words = MANIFEST_CASES[case]
    manifest = _edit(soundscape, tmp_path, change)
    result = runner.invoke(app, ["render", str(manifest), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert words in " ".join(result.output.split())  # rich may wrap a long line in the test terminal
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []


def test_a_symlink_out_of_the_folder_is_refused(soundscape, tmp_path):
    manifest = _edit(soundscape, tmp_path, lambda d: d)
    victim = sorted((manifest.parent / "sounds").iterdir())[0]
    victim.unlink()
    victim.symlink_to("/etc/passwd")
    result = runner.invoke(app, ["render", str(manifest), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "outside the manifest's folder" in result.output


# --------------------------------------------------------------------------- the library


def test_a_library_file_gone_after_the_build_gives_the_next_candidate(tmp_path):
    from image_extender.library.embed import get_embedder
    from image_extender.library.store import SoundLibrary
    from image_extender.sounds.find import find_sounds
    from image_extender.sounds.hierarchy import ConceptHierarchy
    from image_extender.sounds.library_source import LibrarySource
    from image_extender.sounds.verify import EmbeddingVerifier, default_vocabulary

    lib = SoundLibrary.open(DATA / "library")
    hierarchy = ConceptHierarchy.load(use_wordnet=False)
    verifier = EmbeddingVerifier(get_embedder(), default_vocabulary(hierarchy.terms()))
    scene = Scene(image=ImageInfo(path="dog.jpg", md5="0", width=768, height=576), analyzer="test", objects=[
        SceneObject(label="dog", query="dog barking", bbox=BBox(x0=0.1, y0=0.4, x1=0.4, y1=0.9), importance=0.9,
                    confidence=0.9)])  # fmt: skip
    first = find_sounds(scene, LibrarySource(lib), verifier, hierarchy)[0]
    assert first.sound is not None
    gone = first.sound.id

    class Damaged:
        """The same library after the chosen recording was deleted from disk."""

        def search(self, query, limit=10, kind=None):
            hits = lib.search(query, limit=limit, kind=kind)
            return [(s.model_copy(update={"path": str(tmp_path / "deleted.ogg")}) if s.id == gone else s, sc)
                    for s, sc in hits]

    again = find_sounds(scene, LibrarySource(Damaged()), verifier, hierarchy)[0]
    assert again.sound is not None and again.sound.id != gone
    assert Path(again.sound.path).is_file()
    notes = [s.detail for s in again.trail if s.action == "reject" and s.sound_id == gone]
    assert notes and "file missing since the library was built" in notes[0]


def _small_library(data: Path) -> Path:
    """A data folder with three real recordings in data/mine/ (metadata with one bad line) and its library."""
    from image_extender.library.ingest import build_library

    src = data / "mine"
    src.mkdir(parents=True)
    wavs = sorted((DATA / "starter" / "scaper-audio").rglob("*.wav"))[:3]
    for wav in wavs:
        shutil.copy(wav, src / wav.name)
    lines = [json.dumps({"path": wavs[0].name, "name": "first", "licence": "cc0"}), '{"path": "broken', "[1, 2]"]
    (src / "metadata.jsonl").write_text("\n".join(lines) + "\n")
    build_library([src], data / "library")
    return src


def test_moving_the_data_folder_keeps_every_sound(tmp_path):
    from image_extender.library.store import SoundLibrary

    _small_library(tmp_path / "before")
    with sqlite3.connect(tmp_path / "before" / "library" / "library.sqlite") as con:
        assert [p for (p,) in con.execute("SELECT path FROM sounds") if p.startswith("/")] == []
    shutil.move(tmp_path / "before", tmp_path / "after")
    sounds = SoundLibrary.open(tmp_path / "after" / "library").sounds()
    assert len(sounds) == 3
    assert all(Path(s.path).is_file() and str(tmp_path / "after") in s.path for s in sounds)


def test_an_old_absolute_catalogue_is_found_after_a_move_and_migrated_by_the_next_build(tmp_path):
    from image_extender.library.ingest import build_library
    from image_extender.library.store import SoundLibrary

    _small_library(tmp_path / "old")
    with sqlite3.connect(tmp_path / "old" / "library" / "library.sqlite") as con:  # as older versions wrote it
        con.execute("UPDATE sounds SET path = ? || '/' || path", (str(tmp_path / "old"),))
        con.execute("DELETE FROM meta WHERE key = 'paths'")
    shutil.move(tmp_path / "old", tmp_path / "new")
    assert all(Path(s.path).is_file() for s in SoundLibrary.open(tmp_path / "new" / "library").sounds())
    report = build_library([tmp_path / "new" / "mine"], tmp_path / "new" / "library")
    assert (report.unchanged, report.added, report.removed) == (3, 0, 0)
    with sqlite3.connect(tmp_path / "new" / "library" / "library.sqlite") as con:
        assert sorted(p for (p,) in con.execute("SELECT path FROM sounds"))[0].startswith("mine/")


def test_metadata_problems_are_printed_with_file_and_line(tmp_path):
    src = _small_library(tmp_path / "data")
    proc = cli("library", "build", str(src), "--data-dir", str(tmp_path / "data"))
    assert proc.returncode == 0, proc.stderr
    assert f"warning {src / 'metadata.jsonl'}:2: invalid JSON" in proc.stderr
    assert f"warning {src / 'metadata.jsonl'}:3: not a JSON object" in proc.stderr


def test_library_build_names_its_table_and_refuses_a_missing_or_foreign_one(tmp_path):
    src = _small_library(tmp_path / "data")
    table = tmp_path / "labels.csv"
    table.write_text("fname,labels\n" + "\n".join(f"{p.stem},Rain" for p in sorted(src.glob("*.wav"))) + "\n")
    proc = cli("library", "build", str(src), "--metadata", str(table), "--data-dir", str(tmp_path / "data"))
    assert proc.returncode == 0, proc.stderr
    assert f"described by {table}: 3 rows, 3 files matched" in proc.stderr
    assert "updated 3" in proc.stdout  # the table's labels replaced the file names
    for bad, why in ((tmp_path / "nope.csv", "no such metadata table"), (src / next(src.glob("*.wav")).name,
                                                                          "a metadata table must be .csv, .tsv or .jsonl")):
        proc = cli("library", "build", str(src), "--metadata", str(bad), "--data-dir", str(tmp_path / "data"))
        assert proc.returncode == 2 and f"{bad}: {why}" in proc.stderr


def test_a_ten_hour_recording_is_measured_in_bounded_memory(tmp_path):
    """10 h of a real recording (8 kHz mono, 576 MB on disk): decoded whole it would need > 2 GB."""
    clip, sr = sf.read(sorted((DATA / "starter" / "scaper-audio").rglob("*.wav"))[0], dtype="int16", always_2d=True)
    import soxr

    clip = soxr.resample(clip[:, 0].astype(np.float32) / 32768, sr, 8000)
    long = tmp_path / "ten-hours.wav"
    with sf.SoundFile(long, "w", samplerate=8000, channels=1, subtype="PCM_16") as f:
        block = np.tile(clip, int(np.ceil(600 * 8000 / len(clip))))[: 600 * 8000]
        for _ in range(60):
            f.write(block)
    # VmHWM is this process's own peak (getrusage's ru_maxrss would include the forking pytest's)
    code = ("import sys; from image_extender.library.audio_io import measure_file;"
            "m = measure_file(sys.argv[1]);"
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1];"
            "print(m.duration, m.loudness_lufs, int(hwm) / 1024)")
    proc = subprocess.run([sys.executable, "-c", code, str(long)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    duration, streamed, peak_mb = map(float, proc.stdout.split())
    from image_extender.library.audio_io import integrated_lufs

    reference = integrated_lufs(block.astype(np.float64), 8000)  # ten minutes of it, measured whole
    assert duration == pytest.approx(36_000.0)
    assert streamed == pytest.approx(reference, abs=0.05)  # 60 repeats sound as loud as one
    assert peak_mb < 600, f"peak memory {peak_mb:.0f} MB for a 10-hour file"
