"""Benchmark (run on demand with `make bench`, not a test): photo → soundscape.

Measures in one run, on the real darknet photos and the real starter library:

* model load (scene models, library, text embedder) — once per process, reported apart;
* photo → finished output folder wall time per photo (analysis, retrieval, planning with
  dynamic EQ, render, files), models already loaded;
* render alone for a 30 s, 44.1 kHz stereo mix as a real-time factor, side by side with
  **scaper** (``scaper.Scaper.generate``) rendering a soundscape from the *same* sound
  files, levels and event times (scaper needs Debian ``sox`` + ``libsox-dev`` and
  ``pip install -e .[bench]``; the Makefile's ``bench`` target installs them).

Prints ratios against scaper measured in the same run. Timings vary with machine load;
run it on an idle machine.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from image_extender import pipeline
from image_extender.manifest import Manifest, Track
from image_extender.mix.render import render_mix
from image_extender.settings import load_settings

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))
PHOTOS = DATA / "debian" / "darknet" / "usr" / "share" / "darknet" / "data"
NAMES = ("dog", "person", "horses", "eagle", "giraffe", "kite")
REPEATS = 3


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0


def load_models(settings) -> float:
    from image_extender.analyze import get_analyzer
    from image_extender.sounds.factory import build_finder

    t0 = time.perf_counter()
    get_analyzer(settings.analyzer, settings).load()
    finder = build_finder(settings)
    # the first query loads the text embedder: part of model loading
    from image_extender.manifest import ImageInfo, Scene

    finder(Scene(image=ImageInfo(path="-", md5="-", width=1, height=1), analyzer="warm-up"))
    return time.perf_counter() - t0


def photo_to_mix(settings, out_root: Path) -> dict[str, float]:
    times = {}
    for name in NAMES:
        photo = PHOTOS / f"{name}.jpg"
        _, seconds = _timed(pipeline.sonify, photo, out_root / name, settings, overwrite=True)
        times[name] = seconds
    return times


def _scaper_render(manifest: Manifest, tmp: Path) -> float:
    """Render the manifest's events with scaper; returns generate() seconds."""
    if not hasattr(np, "Inf"):  # scaper 1.6.5 still spells np.Inf, removed in NumPy 2
        np.Inf = np.inf
    import warnings

    import scaper

    warnings.filterwarnings("ignore", category=scaper.scaper_warnings.ScaperWarning)

    fg, bg = tmp / "fg", tmp / "bg"
    bed = next(t for t in manifest.tracks if t.role == "ambience")
    objects = [t for t in manifest.tracks if t.role == "object"]

    def place(root: Path, track: Track) -> tuple[str, Path]:
        label = re.sub(r"[^a-z0-9]+", "_", track.label.lower())
        (root / label).mkdir(parents=True, exist_ok=True)
        target = root / label / Path(track.sound.path).name
        if not target.exists():
            target.symlink_to(Path(track.sound.path))
        return label, target

    # scaper reads its label folders when constructed: lay them out first
    bed_label, bed_path = place(bg, bed)
    placed = [place(fg, t) for t in objects]
    sc = scaper.Scaper(manifest.mix.duration, str(fg), str(bg), random_state=manifest.mix.seed)
    sc.sr, sc.n_channels, sc.ref_db = manifest.mix.sample_rate, 2, bed.target_db
    sc.add_background(("const", bed_label), ("const", str(bed_path)), ("const", bed.events[0].offset))
    for track, (label, path) in zip(objects, placed):
        for ev in track.events:
            sc.add_event(("const", label), ("const", str(path)), ("const", ev.offset), ("const", ev.start),
                         ("const", ev.length), ("const", track.target_db - bed.target_db), ("const", 1), ("const", 1))
    t0 = time.perf_counter()
    sc.generate(str(tmp / "scaper.wav"), str(tmp / "scaper.jams"), allow_repeated_label=True,
                allow_repeated_source=True, disable_sox_warnings=True, no_audio=False, fix_clipping=True)
    return time.perf_counter() - t0


def render_comparison(manifest_path: Path) -> tuple[float, float | None]:
    manifest = Manifest.load(manifest_path)
    tracks = [t.model_copy(update={"sound": t.sound.model_copy(update={"path": str(manifest_path.parent / t.sound.path)})})
              for t in manifest.tracks]
    ours = statistics.median(_timed(render_mix, tracks, manifest.mix)[1] for _ in range(REPEATS))
    absolute = manifest.model_copy(update={"tracks": tracks})
    try:
        with tempfile.TemporaryDirectory() as tmp:
            theirs = statistics.median(_scaper_render(absolute, Path(tmp) / f"run{i}") for i in range(REPEATS))
    except ImportError as exc:
        print(f"scaper not installed ({exc}); run `make bench` to install it")
        theirs = None
    return ours, theirs


def main() -> int:
    if not PHOTOS.is_dir():
        print(f"{PHOTOS}: photos missing; run `make install` first", file=sys.stderr)
        return 1
    settings = load_settings(duration=30.0, seed=1)
    load = load_models(settings)
    print(f"model load (scene models + library + text embedder): {load:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        times = photo_to_mix(settings, out)
        for name, seconds in times.items():
            print(f"photo → mix  {name:8s} {seconds:6.2f} s  (30 s mix: {30 / seconds:5.1f}x real time)")
        print(f"photo → mix  median   {statistics.median(times.values()):6.2f} s")
        manifest_path = out / "person" / "manifest.json"
        n_events = sum(len(t.events) for t in Manifest.load(manifest_path).tracks)
        ours, theirs = render_comparison(manifest_path)
    print(f"render 30 s mix ({n_events} events, person.jpg): image-extender {ours:.3f} s = {30 / ours:.1f}x real time")
    if theirs is not None:
        print(f"                                        scaper {theirs:.3f} s = {30 / theirs:.1f}x real time")
        print(f"ratio scaper / image-extender render time: {theirs / ours:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
