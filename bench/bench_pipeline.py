"""Benchmark (run on demand with `make bench`, not a test): photo → soundscape, at every length.

Measures in one run, on the real darknet photos and the real starter library, and prints
every number next to its target and, for rendering, next to **scaper**
(``scaper.Scaper.generate`` rendering the *same* sound files, levels and event times;
scaper needs Debian ``sox`` + ``libsox-dev`` and ``pip install -e .[bench]``, which the
Makefile's ``bench`` target installs):

* **start-up**: seconds of imports before ``image-extender --help`` / ``render`` can work
  (``python -c "import image_extender.cli"`` minus a bare interpreter, median of 5);
* **model load**: scene models, library, text embedder *with its tokenizer* — once;
* **photo → folder**: wall time per photo for a 30 s mix, models loaded (median of 6);
* **scaling**: photo → folder for person.jpg at 10 … 600 s, with a PNG plot
  (``bench/scaling.png``) and the ratio 300 s / 30 s (linear means ≤ 10);
* **render vs scaper** on the person.jpg mix: plain render (place, pan, sum, ceiling) and
  the adaptive one (masking analysis + dynamic EQ planning + make-up gain + render, one
  pass over one ``StemCache``), each as scaper's time / ours (≥ 2 and ≥ 1 are the targets);
* **outputs**: timeline PNG and ZIP time for the 30 s folder; at 300 s the number of EQ
  cuts and of timeline labels, and that no two labels overlap;
* **dynamic EQ**: per photo the cuts and object masking before → after (``bench_cuts``).

The machine this runs on may be shared: every timing is a median over repeats, and the
scaper ratios compare runs made in the same minute. Peak memory of a long mix is printed
from ``tracemalloc`` (numpy buffers included): photo → folder at the longest length; and
``bench_memory.py`` renders the 600 s and a real 3600 s manifest (``image-extender render``:
stems, master stage, mix.wav, stems/, timeline, ZIP) in fresh processes, with the traced
peak and the maximum resident set size next to the one-hour target (not with ``--quick``).

Usage: ``.venv/bin/python bench/bench_pipeline.py [--quick]`` (``--quick``: 10–120 s only, no memory run)
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from image_extender import pipeline
from image_extender.errors import ImageExtenderError
from image_extender.manifest import Manifest, Track
from image_extender.settings import load_settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cuts import cut_table, print_cut_table  # noqa: E402
from bench_memory import memory_table  # noqa: E402
from bench_memory import rows as memory_rows  # noqa: E402

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))
PHOTOS = DATA / "debian" / "darknet" / "usr" / "share" / "darknet" / "data"
NAMES = ("dog", "person", "horses", "eagle", "giraffe", "kite")
DURATIONS = (10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
PLOT = Path(__file__).resolve().parent / "scaling.png"
REPEATS = 3


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0


def startup_seconds() -> tuple[float, float]:
    """(seconds of imports before ``render`` can start, wall seconds of ``image-extender --help``), medians of 5.

    Imports are read from ``python -X importtime`` (cumulative time of ``image_extender.cli``
    and ``image_extender.pipeline``), which a busy machine disturbs less than wall time;
    ``--help`` is wall time with a bare interpreter's start subtracted.
    """

    def wall(args: list[str]) -> float:
        return statistics.median(_timed(subprocess.run, args, capture_output=True, check=True)[1] for _ in range(5))

    def imports() -> float:
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import image_extender.cli, image_extender.pipeline"],
                              capture_output=True, text=True, check=True)  # fmt: skip
        total = 0
        for line in done.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[2].strip() in ("image_extender.cli", "image_extender.pipeline"):
                total += int(parts[1])
        return total / 1e6

    bare = wall([sys.executable, "-c", "pass"])
    helps = wall([sys.executable, "-m", "image_extender.cli", "--help"]) - bare
    return statistics.median(imports() for _ in range(5)), helps


def load_models(settings) -> float:
    """Everything a photo needs, loaded now: scene models, library + index, text embedder and its tokenizer."""
    from image_extender.analyze import get_analyzer
    from image_extender.library.embed import get_embedder
    from image_extender.sounds.factory import build_finder

    t0 = time.perf_counter()
    get_analyzer(settings.analyzer, settings).load()
    build_finder(settings)
    get_embedder().load()  # weights + sentencepiece tokenizer, shared by every later embedder instance
    import matplotlib.pyplot  # noqa: F401  (the timeline's drawing library: a one-off import, not per photo)

    return time.perf_counter() - t0


def _warm_up_photo() -> Path | None:
    """scikit-image's bundled coffee photo (not one of the six), when scikit-image is installed."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("skimage")
    except ImportError:
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "coffee.png"
    return path if path.is_file() else None


CPU: dict[str, float] = {}  # photo name -> CPU seconds of its last photo → folder run (all threads)


def photo_to_folder(settings, photo: Path, out: Path) -> float:
    """Wall seconds; the CPU seconds (a shared machine inflates wall time, CPU time much less) go to ``CPU``."""
    cpu = time.process_time()
    wall = _timed(pipeline.sonify, photo, out, settings, overwrite=True)[1]
    CPU[photo.stem] = time.process_time() - cpu
    return wall


def _absolute(manifest: Manifest, folder: Path) -> list[Track]:
    return [t.model_copy(update={"sound": t.sound.model_copy(update={"path": str(folder / t.sound.path)})})
            for t in manifest.tracks]


def _scaper_render(manifest: Manifest, tracks: list[Track], tmp: Path) -> float:
    """Render the manifest's events with scaper; returns generate() seconds."""
    if not hasattr(np, "Inf"):  # scaper 1.6.5 still spells np.Inf, removed in NumPy 2
        np.Inf = np.inf
    import warnings

    import scaper

    warnings.filterwarnings("ignore", category=scaper.scaper_warnings.ScaperWarning)
    fg, bg = tmp / "fg", tmp / "bg"
    bed = next(t for t in tracks if t.role == "ambience")
    objects = [t for t in tracks if t.role == "object"]

    def place(root: Path, track: Track) -> tuple[str, Path]:
        label = re.sub(r"[^a-z0-9]+", "_", track.label.lower())
        (root / label).mkdir(parents=True, exist_ok=True)
        target = root / label / Path(track.sound.path).name
        if not target.exists():
            target.symlink_to(Path(track.sound.path))
        return label, target

    bed_label, bed_path = place(bg, bed)  # scaper reads its label folders when constructed: lay them out first
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


def adaptive_render(tracks: list[Track], manifest: Manifest) -> float:
    """Masking analysis + dynamic EQ + make-up gain + render, from the planned (EQ-free) tracks, one StemCache."""
    from image_extender.mix.adaptive import adapt_mix
    from image_extender.mix.plan import make_up_eq_gain
    from image_extender.mix.render import StemCache, render_mix

    spec = manifest.mix
    plain = [t.model_copy(update={"eq": []}) for t in tracks]
    objects = {o.label: o.importance for o in manifest.scene.objects}
    importance = [objects.get(t.label, 0.0) if t.role == "object" else 0.0 for t in plain]
    t0 = time.perf_counter()
    stems = StemCache(spec)
    adaptation = adapt_mix(plain, spec, importance, stems=stems)
    levelled = make_up_eq_gain([t.model_copy(update={"eq": adaptation.events_for(t.label)}) for t in plain], spec, stems)
    render_mix(levelled, spec, stems=stems)
    return time.perf_counter() - t0


def render_comparison(folder: Path) -> dict[str, float | None]:
    from image_extender.mix.render import render_mix

    manifest = Manifest.load(folder / "manifest.json")
    tracks = _absolute(manifest, folder)
    plain_tracks = [t.model_copy(update={"eq": []}) for t in tracks]
    plain, adaptive, theirs = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(REPEATS):  # interleaved, so both see the same machine load
            plain.append(_timed(render_mix, plain_tracks, manifest.mix)[1])
            adaptive.append(adaptive_render(tracks, manifest))
            try:
                theirs.append(_scaper_render(manifest, tracks, Path(tmp) / f"run{i}"))
            except ImportError as exc:
                print(f"scaper not installed ({exc}); run `make bench` to install it")
    return {"plain": statistics.median(plain), "adaptive": statistics.median(adaptive),
            "scaper": statistics.median(theirs) if theirs else None,
            "events": sum(len(t.events) for t in tracks)}


def output_costs(folder: Path) -> dict[str, float]:
    """Timeline PNG and ZIP of a finished folder, re-made (medians of 3)."""
    from image_extender.mix.render import StemCache, render_mix
    from image_extender.report.bundle import write_bundle
    from image_extender.report.timeline import write_timeline

    manifest = Manifest.load(folder / "manifest.json")
    tracks = _absolute(manifest, folder)
    stems = StemCache(manifest.mix)
    rendered = render_mix(tracks, manifest.mix, stems=stems)
    for t in tracks:
        stems.bands(t)  # what the pipeline's planning left in the cache
    with tempfile.TemporaryDirectory() as tmp:
        pngs, cpus = [], []
        for _ in range(REPEATS):
            cpu = time.process_time()
            pngs.append(_timed(write_timeline, tracks, rendered, manifest.mix, Path(tmp) / "t.png",
                               analysis=manifest.analysis, image=manifest.scene.image.path, stems=stems)[1])
            cpus.append(time.process_time() - cpu)
        png, png_cpu = statistics.median(pngs), statistics.median(cpus)
        # as the pipeline does it: the folder's own ZIP rewritten (and left out of itself)
        zipped = statistics.median(_timed(write_bundle, folder, folder / pipeline.BUNDLE_NAME)[1] for _ in range(REPEATS))
    return {"timeline": png, "timeline_cpu": png_cpu, "zip": zipped}


def timeline_labels(folder: Path) -> tuple[int, int, int]:
    """(EQ cuts, EQ labels drawn, overlapping label pairs) on the timeline of a finished folder."""
    import matplotlib.pyplot as plt

    from image_extender.mix.render import render_mix
    from image_extender.report.timeline import build_timeline

    manifest = Manifest.load(folder / "manifest.json")
    tracks = _absolute(manifest, folder)
    fig = build_timeline(tracks, render_mix(tracks, manifest.mix), manifest.mix, analysis=manifest.analysis)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = overlaps = 0
    for ax in fig.axes:
        boxes = [t.get_window_extent(renderer) for t in ax.texts if (t.get_gid() or "").startswith("eqlabel:")]
        labels += len(boxes)
        overlaps += sum(1 for a in range(len(boxes)) for b in range(a + 1, len(boxes)) if boxes[a].overlaps(boxes[b]))
    plt.close(fig)
    return sum(len(t.eq) for t in manifest.tracks), labels, overlaps


SCALING_CPU: dict[float, float] = {}  # duration -> CPU seconds of that run


def scaling(out: Path, durations: tuple[float, ...]) -> dict[float, float]:
    times = {}
    for duration in durations:
        settings = load_settings(duration=duration, seed=1)
        times[duration] = photo_to_folder(settings, PHOTOS / "person.jpg", out / f"person-{duration:g}")
        SCALING_CPU[duration] = CPU["person"]
        print(f"  person.jpg {duration:5.0f} s mix: {times[duration]:6.2f} s  ({duration / times[duration]:5.1f}x real time; "
              f"CPU {CPU['person']:6.2f} s)", flush=True)
    return times


def peak_memory_mb(out: Path, duration: float) -> float:
    settings = load_settings(duration=duration, seed=1)
    tracemalloc.start()
    pipeline.sonify(PHOTOS / "person.jpg", out / f"mem-{duration:g}", settings, overwrite=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def plot(times: dict[float, float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = np.array(sorted(times))
    y = np.array([times[d] for d in x])
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=100)
    ax.plot(x, y, "o-", label="photo → folder (person.jpg), wall")
    if all(d in SCALING_CPU for d in x):
        ax.plot(x, [SCALING_CPU[d] for d in x], "s-", color="#4c8c6a", label="the same runs, CPU seconds")
    per_second = y[x >= 30].min() / 30 if (x >= 30).any() else y[0] / x[0]
    ax.plot(x, per_second * x, "--", color="#999999", label="linear through the 30 s run")
    ax.set_xlabel("mix duration (s)")
    ax.set_ylabel("seconds")
    load = " ".join(f"{v:.0f}" for v in os.getloadavg())
    ax.set_title(f"Image Extender: time vs mix length (2-core machine shared, load {load}; models loaded)", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> int:
    if not PHOTOS.is_dir():
        print(f"{PHOTOS}: photos missing; run `make install` first", file=sys.stderr)
        return 1
    quick = "--quick" in sys.argv
    print("load average at start (1/5/15 min): " + " ".join(f"{v:.1f}" for v in os.getloadavg()) +
          f" on {os.cpu_count()} cores")
    imports, helps = startup_seconds()
    settings = load_settings(duration=30.0, seed=1)
    load = load_models(settings)
    print(f"start-up: imports {imports:.2f} s (-X importtime), `image-extender --help` {helps:.2f} s wall "
          "(bare interpreter subtracted)")
    print(f"model load (scene models + library + text embedder with tokenizer): {load:.2f} s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        warm = _warm_up_photo()
        if warm is not None:  # first-call costs (font cache, first draw) once, on a photo outside the measured six
            try:
                photo_to_folder(settings, warm, out / "warm-up")
            except ImageExtenderError as exc:
                print(f"warm-up photo {warm.name}: {exc}")
        times: dict[str, float] = {}
        cpus = {}
        for name in NAMES:
            times[name] = photo_to_folder(settings, PHOTOS / f"{name}.jpg", out / name)
            cpus[name] = CPU[name]
        for name, seconds in times.items():
            print(f"photo → folder  {name:8s} {seconds:6.2f} s  (30 s mix: {30 / seconds:5.1f}x real time; "
                  f"CPU {cpus[name]:5.2f} s)")
        median = statistics.median(times.values())
        cpu_median = statistics.median(cpus.values())
        print(f"photo → folder  median   {median:6.2f} s  (CPU {cpu_median:.2f} s)", flush=True)
        costs = output_costs(out / "person")
        render = render_comparison(out / "person")
        print("scaling (photo → folder):", flush=True)
        times_by_length = scaling(out, DURATIONS[:4] if quick else DURATIONS)
        plot(times_by_length, PLOT)
        long = max(times_by_length)
        cuts, labels, overlaps = timeline_labels(out / f"person-{min(300.0, long):g}")
        memory = peak_memory_mb(out, long)
        print(f"peak traced memory, photo → folder, {long:g} s mix: {memory:.0f} MB", flush=True)
    long_mix = {} if quick else memory_table()
    cut_result = cut_table()
    print_cut_table(cut_result)

    ratio_300 = times_by_length.get(300.0, float("nan")) / times_by_length[30.0]
    scaper = render["scaper"]
    rows = [
        ("photo → folder, 30 s mix (median of 6)", f"{median:.2f} s (CPU {cpu_median:.2f} s)", "≤ 3.0 s"),
        ("300 s mix / 30 s mix time", f"{ratio_300:.1f}×", "≤ 10×"),
        (f"peak traced memory, {long:g} s mix", f"{memory:.0f} MB", "1 h mix ≤ ~2 GB"),
        *memory_rows(long_mix),
        ("plain render, 30 s (scaper time / ours)",
         f"{render['plain']:.3f} s" + (f" = {scaper / render['plain']:.2f}× scaper" if scaper else ""), "≥ 2×"),
        ("render + masking + dynamic EQ (scaper time / ours)",
         f"{render['adaptive']:.3f} s" + (f" = {scaper / render['adaptive']:.2f}× scaper" if scaper else ""), "≥ 1×"),
        ("scaper generate, same events", f"{scaper:.3f} s" if scaper else "n/a", ""),
        ("imports before --help / render", f"{imports:.2f} s (--help {helps:.2f} s)", "≤ 0.3 s"),
        ("timeline PNG, 30 s mix", f"{costs['timeline']:.2f} s (CPU {costs['timeline_cpu']:.2f} s)", "≤ 0.3 s"),
        ("ZIP of the 30 s folder", f"{costs['zip']:.2f} s", "audio stored"),
        (f"timeline at {min(300.0, long):g} s: EQ cuts / labels / overlapping labels", f"{cuts} / {labels} / {overlaps}",
         "0 overlaps"),
        ("object masking before → after EQ (6 photos)",
         f"{cut_result['before']:.2f} → {cut_result['after']:.2f} dB ({100 * cut_result['drop']:.0f}% lower)", "≥ 25 % lower"),
        ("dynamic EQ cuts (6 photos)", f"{cut_result['cuts']}", "fewer than 138"),
    ]
    print("\n| measure | this run | target |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nscaling plot: {PLOT}")
    print("load average at end (1/5/15 min): " + " ".join(f"{v:.1f}" for v in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
