"""Peak memory of a long mix, measured for real (run on demand; ``bench_pipeline.py`` calls it).

Issue #13's target: a one-hour mix must not need more than ~2 GB. Measured on the person.jpg
mix of the real starter library:

1. **photo → folder** (``image-extender sonify person.jpg --duration 600``) in a child
   process: wall time and peak resident set size (``VmHWM``).
2. **the one-hour manifest**: that 600 s plan repeated six times end to end (the bed plays
   throughout, every object event and every dynamic-EQ cut comes back every 600 s:
   ``tile_tracks``) — a real 3600 s manifest of the same recordings in a second.
3. **render + master + write** (``image-extender render manifest.json``: every stem, the
   master stage, mix.wav, stems/, timeline, ZIP) of the 600 s and the 3600 s manifest, each
   in a fresh child process under ``tracemalloc`` (every numpy buffer is traced): the
   traced peak and the process's peak resident set size (``VmHWM`` of /proc/self/status,
   interpreter and libraries included; ``ru_maxrss`` survives execve and would report the parent's), next to the target.

The 3600 s render needs ~15 GB of free disk for a moment (the output folder holds the mix,
the stems and their ZIP; the render's own working files are ~7 GB) and a few minutes.

4. with ``--plan``: **photo → folder** at 1200 s and 3600 s too (``BENCH_PLAN_SECONDS``, comma
   separated, to choose): planning streams like the render (a long mix's stems are float32
   files, ``StemCache.spooled``), so wall time and memory should grow linearly with the
   duration — the per-minute column says whether they do. It used to take ~18 min and
   ~5.5 GB for an hour (the planner held whole stems).

Usage: ``.venv/bin/python bench/bench_memory.py [--plan]``
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from image_extender.manifest import Manifest, Track

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))
PHOTO = DATA / "debian" / "darknet" / "usr" / "share" / "darknet" / "data" / "person.jpg"
TARGET_MB = 2048.0
PLAN_SECONDS = tuple(float(s) for s in os.environ.get("BENCH_PLAN_SECONDS", "1200,3600").split(","))

# the child that renders: tracemalloc from the first line, then `image-extender render` through the pipeline
_RENDER_CHILD = """
import json, sys, time, tracemalloc

def peak_rss_mb():
    # VmHWM: this process image's own high-water mark. getrusage's ru_maxrss is kept across
    # execve on Linux, so a child started by a parent holding 1.7 GB of models reports 1.7 GB.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
tracemalloc.start()
from pathlib import Path
from image_extender.pipeline import render_manifest
t0 = time.perf_counter()
render_manifest(Path(sys.argv[1]), Path(sys.argv[2]))
seconds = time.perf_counter() - t0
print(json.dumps({"traced_mb": tracemalloc.get_traced_memory()[1] / 2**20,
                  "rss_mb": peak_rss_mb(), "seconds": seconds}))
"""


# the child that runs `image-extender sonify` and reports its own maximum RSS (RUSAGE_CHILDREN would give the
# largest child so far, e.g. an earlier render)
_SONIFY_CHILD = """
import json, runpy, sys, time

def peak_rss_mb():
    # VmHWM: this process image's own high-water mark. getrusage's ru_maxrss is kept across
    # execve on Linux, so a child started by a parent holding 1.7 GB of models reports 1.7 GB.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
sys.argv = ["image-extender", *sys.argv[1:]]
t0 = time.perf_counter()
try:
    runpy.run_module("image_extender.cli", run_name="__main__")
except SystemExit as done:
    if done.code:
        raise
print(json.dumps({"seconds": time.perf_counter() - t0,
                  "rss_mb": peak_rss_mb()}))
"""


def photo_to_folder(seconds: float, out: Path) -> dict[str, float]:
    """``image-extender sonify`` in a fresh child: wall seconds and that child's max RSS."""
    done = subprocess.run([sys.executable, "-c", _SONIFY_CHILD, "sonify", str(PHOTO), "-o", str(out),
                           "--duration", f"{seconds:g}", "--seed", "1"], check=True, capture_output=True, text=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def render_folder(manifest: Path, out: Path) -> dict[str, float]:
    """``image-extender render MANIFEST`` in a fresh child under tracemalloc."""
    done = subprocess.run([sys.executable, "-c", _RENDER_CHILD, str(manifest), str(out)],
                          check=True, capture_output=True, text=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def tile_tracks(tracks: list[Track], period: float, times: int) -> list[Track]:
    """``tracks`` of a ``period``-second mix repeated ``times`` times end to end: the bed's one
    event plays throughout, every object event and EQ cut comes back each period."""
    out = []
    for t in tracks:
        if t.role == "ambience" and len(t.events) == 1:
            events = [t.events[0].model_copy(update={"length": period * times})]
        else:
            events = [e.model_copy(update={"start": e.start + k * period}) for k in range(times) for e in t.events]
        eq = [c.model_copy(update={"start": c.start + k * period, "end": c.end + k * period})
              for k in range(times) for c in t.eq]  # fmt: skip
        out.append(t.model_copy(update={"events": events, "eq": eq}))
    return out


def hour_manifest(folder: Path) -> Path:
    """``folder``'s manifest (a 600 s plan) tiled to 3600 s, saved beside it (its sounds are there)."""
    manifest = Manifest.load(folder / "manifest.json")
    times = int(round(3600.0 / manifest.mix.duration))
    tiled = manifest.model_copy(update={"tracks": tile_tracks(manifest.tracks, manifest.mix.duration, times),
                                        "mix": manifest.mix.model_copy(update={"duration": 3600.0})})  # fmt: skip
    path = folder / "manifest-3600.json"
    tiled.save(path)
    return path


def _report(label: str, render: dict[str, float], same: bool | None) -> None:
    check = "" if same is None else f"; re-rendered mix.wav {'identical' if same else 'DIFFERS'}"
    print(f"  {label}: render + master + write {render['seconds']:6.1f} s, traced peak {render['traced_mb']:6.0f} MB, "
          f"max RSS {render['rss_mb']:6.0f} MB (target ≤ ~{TARGET_MB:.0f} MB for 1 h){check}", flush=True)


def memory_table(plan_hour: bool = False) -> dict[float, dict[str, dict[str, float]]]:
    print(f"memory of a long mix (person.jpg, target: a 1 h mix within ~{TARGET_MB:.0f} MB):", flush=True)
    results: dict[float, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        root = Path(tmp)
        sonify = photo_to_folder(600.0, root / "person-600")
        print(f"  600 s mix: photo → folder {sonify['seconds']:6.1f} s, max RSS {sonify['rss_mb']:6.0f} MB", flush=True)
        render = render_folder(root / "person-600" / "manifest.json", root / "render-600")
        same = (root / "person-600" / "mix.wav").read_bytes() == (root / "render-600" / "mix.wav").read_bytes()
        _report("600 s mix", render, same)
        results[600.0] = {"sonify": sonify, "render": render}
        subprocess.run(["rm", "-rf", str(root / "render-600")], check=True)
        render = render_folder(hour_manifest(root / "person-600"), root / "render-3600")
        _report("3600 s mix (the 600 s plan ×6)", render, None)
        results[3600.0] = {"render": render}
        subprocess.run(["rm", "-rf", str(root / "render-3600")], check=True)  # ~10 GB with its ZIP
        if plan_hour:  # photo → folder against duration: planning streams too, so time and memory grow linearly
            for seconds in PLAN_SECONDS:
                sonify = photo_to_folder(seconds, root / f"person-{seconds:g}")
                subprocess.run(["rm", "-rf", str(root / f"person-{seconds:g}")], check=True)
                print(f"  {seconds:g} s mix: photo → folder {sonify['seconds']:6.1f} s "
                      f"({60 * sonify['seconds'] / seconds:4.1f} s per minute of mix), max RSS {sonify['rss_mb']:6.0f} MB",
                      flush=True)  # fmt: skip
                results.setdefault(seconds, {})["sonify"] = sonify
    return results


def rows(results: dict[float, dict[str, dict[str, float]]]) -> list[tuple[str, str, str]]:
    """Table rows for ``bench_pipeline``'s summary."""
    out = []
    for seconds, r in sorted(results.items()):
        target = f"≤ ~{TARGET_MB:.0f} MB" if seconds >= 3600 else "1 h mix ≤ ~2 GB"
        if "render" in r:
            out.append((f"render + master + write, {seconds:g} s mix (traced peak / max RSS)",
                        f"{r['render']['traced_mb']:.0f} MB / {r['render']['rss_mb']:.0f} MB", target))
        if "sonify" in r:
            out.append((f"photo → folder, {seconds:g} s mix (wall / max RSS)",
                        f"{r['sonify']['seconds']:.0f} s / {r['sonify']['rss_mb']:.0f} MB", target))
    return out


def main() -> int:
    if not PHOTO.is_file():
        print(f"{PHOTO}: photo missing; run `make install` first", file=sys.stderr)
        return 1
    results = memory_table(plan_hour="--plan" in sys.argv)
    print("\n| measure | this run | target |\n|---|---|---|")
    for row in rows(results):
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
