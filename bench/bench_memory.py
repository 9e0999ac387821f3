"""Peak memory of a long mix, measured for real (run on demand; ``bench_pipeline.py`` calls it).

Issue #13's target: a one-hour mix must not need more than ~2 GB. Measured on the person.jpg
mix of the real starter library, at 600 s and at 3600 s:

1. **photo → folder** (``image-extender sonify person.jpg --duration D``) in a child process:
   its wall time and maximum resident set size (``getrusage(RUSAGE_CHILDREN)``); this run
   also makes the manifest the next step renders.
2. **render + master + write** (``image-extender render manifest.json``: every stem, the
   master stage, mix.wav, stems/, timeline, ZIP) in a fresh child process, under
   ``tracemalloc`` (every numpy buffer is traced): the traced peak and the process's
   maximum resident set size (``getrusage(RUSAGE_SELF)``, interpreter and libraries included).

Each number is printed next to the target. A child process per step keeps one step's memory
out of the other's reading. The 3600 s run needs ~20 GB of free disk for a moment (the
output folder holds the mix, the stems and their ZIP) and a few minutes.

Usage: ``.venv/bin/python bench/bench_memory.py [SECONDS ...]`` (default: 600 3600)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))
PHOTO = DATA / "debian" / "darknet" / "usr" / "share" / "darknet" / "data" / "person.jpg"
TARGET_MB = 2048.0
LENGTHS = (600.0, 3600.0)

# the child that renders: tracemalloc from the first line, then `image-extender render` through the pipeline
_RENDER_CHILD = """
import json, resource, sys, time, tracemalloc
tracemalloc.start()
from pathlib import Path
from image_extender.pipeline import render_manifest
t0 = time.perf_counter()
render_manifest(Path(sys.argv[1]), Path(sys.argv[2]))
seconds = time.perf_counter() - t0
print(json.dumps({"traced_mb": tracemalloc.get_traced_memory()[1] / 2**20,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "seconds": seconds}))
"""


def _child_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux


def photo_to_folder(seconds: float, out: Path) -> dict[str, float]:
    """``image-extender sonify`` in a child: wall seconds and its max RSS (the largest child so far)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "image_extender.cli", "sonify", str(PHOTO), "-o", str(out),
                    "--duration", f"{seconds:g}", "--seed", "1"], check=True, capture_output=True)  # fmt: skip
    return {"seconds": time.perf_counter() - t0, "rss_mb": _child_rss_mb()}


def render_folder(folder: Path, out: Path) -> dict[str, float]:
    """``image-extender render folder/manifest.json`` in a fresh child under tracemalloc."""
    done = subprocess.run([sys.executable, "-c", _RENDER_CHILD, str(folder / "manifest.json"), str(out)],
                          check=True, capture_output=True, text=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(seconds: float, root: Path) -> dict[str, dict[str, float]]:
    planned, rendered = root / f"person-{seconds:g}", root / f"render-{seconds:g}"
    sonify = photo_to_folder(seconds, planned)
    render = render_folder(planned, rendered)
    same = (planned / "mix.wav").read_bytes() == (rendered / "mix.wav").read_bytes()
    print(f"  {seconds:5.0f} s mix: photo → folder {sonify['seconds']:6.1f} s, max RSS {sonify['rss_mb']:6.0f} MB; "
          f"render + master + write {render['seconds']:6.1f} s, traced peak {render['traced_mb']:6.0f} MB, "
          f"max RSS {render['rss_mb']:6.0f} MB; re-rendered mix.wav {'identical' if same else 'DIFFERS'}", flush=True)
    for folder in (planned, rendered):  # an hour's folder is ~10 GB with its ZIP: free the disk before the next
        subprocess.run(["rm", "-rf", str(folder)], check=True)
    return {"sonify": sonify, "render": render, "same": {"mix": float(same)}}


def memory_table(lengths: tuple[float, ...] = LENGTHS) -> dict[float, dict[str, dict[str, float]]]:
    print(f"memory of a long mix (person.jpg, target: a 1 h mix within ~{TARGET_MB:.0f} MB):", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        return {seconds: measure(seconds, Path(tmp)) for seconds in lengths}


def rows(results: dict[float, dict[str, dict[str, float]]]) -> list[tuple[str, str, str]]:
    """Table rows for ``bench_pipeline``'s summary: render + write and photo → folder at each length."""
    out = []
    for seconds, r in sorted(results.items()):
        target = f"≤ ~{TARGET_MB:.0f} MB" if seconds >= 3600 else "1 h mix ≤ ~2 GB"
        out.append((f"render + master + write, {seconds:g} s mix (traced peak / max RSS)",
                    f"{r['render']['traced_mb']:.0f} MB / {r['render']['rss_mb']:.0f} MB", target))
        out.append((f"photo → folder, {seconds:g} s mix (max RSS)", f"{r['sonify']['rss_mb']:.0f} MB", target))
    return out


def main() -> int:
    if not PHOTO.is_file():
        print(f"{PHOTO}: photo missing; run `make install` first", file=sys.stderr)
        return 1
    lengths = tuple(float(a) for a in sys.argv[1:]) or LENGTHS
    results = memory_table(lengths)
    print("\n| measure | this run | target |\n|---|---|---|")
    for row in rows(results):
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
