"""Benchmark (run on demand with `make bench`, not a test): does every dynamic EQ cut earn its place?

On the six darknet photos and the real starter library, plans each 30 s mix as ``sonify``
does (scene analysis, retrieval, levels, masking analysis, dynamic EQ, make-up gain) and
prints per photo: the number of cuts, and per *object* track its masking before and after
EQ (``manifest.analysis``: mean dB by which the rest of the mix is louder than the object
in its active Bark-band cells, Zhao & Pérez-Cota 2024), marked "↑" where it *rises*. The
totals line gives the mean object masking before → after, its relative drop and the number
of objects more masked after EQ than before: what the issue's target (≥ 25 % lower, fewer
than 138 cuts, no object more masked) is judged on.

Usage: ``.venv/bin/python bench/bench_cuts.py``
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))
PHOTOS = DATA / "debian" / "darknet" / "usr" / "share" / "darknet" / "data"
NAMES = ("dog", "person", "horses", "eagle", "giraffe", "kite")


def plan_photo(photo: Path, settings) -> tuple[int, dict[str, tuple[float, float]]]:
    """(cuts, {object label: (masking before, after)}) for one photo's planned mix."""
    from image_extender import pipeline

    scene = pipeline.analyze_image(photo, settings)
    choices = pipeline.find_scene_sounds(scene, settings)
    _, tracks, analysis = pipeline.plan(scene, choices, settings)
    if analysis is None:
        return 0, {}
    objects = {t.label for t in tracks if t.role == "object"}
    before = {t.label: t.masking_db for t in analysis.masking_before.tracks}
    after = {t.label: t.masking_db for t in analysis.masking_after.tracks}
    return analysis.eq_events, {k: (before[k], after[k]) for k in before if k in objects}


def cut_table(duration: float = 30.0) -> dict:
    """Per photo cuts and object masking; returns the totals as well (for bench_pipeline's table)."""
    from image_extender.settings import load_settings

    settings = load_settings(duration=duration, seed=1)
    rows = {}
    for name in NAMES:
        cuts, per_object = plan_photo(PHOTOS / f"{name}.jpg", settings)
        rows[name] = (cuts, per_object)
    before = [b for _, objs in rows.values() for b, _ in objs.values()]
    after = [a for _, objs in rows.values() for _, a in objs.values()]
    mean_before, mean_after = statistics.fmean(before), statistics.fmean(after)
    return {"rows": rows, "cuts": sum(c for c, _ in rows.values()), "before": mean_before, "after": mean_after,
            "drop": 1.0 - mean_after / mean_before if mean_before else 0.0,
            "risen": sum(a > b for b, a in zip(before, after, strict=True))}


def print_cut_table(result: dict) -> None:
    print("dynamic EQ per photo (30 s mix): cuts, object masking before -> after EQ (dB)")
    for name, (cuts, objs) in result["rows"].items():
        detail = ", ".join(f"{label} {b:.2f}->{a:.2f}{' ↑' if a > b else ''}" for label, (b, a) in objs.items())
        detail = detail or "no objects"
        print(f"  {name:8s} {cuts:3d} cuts  {detail}")
    print(f"  all      {result['cuts']:3d} cuts  mean object masking {result['before']:.2f} -> "
          f"{result['after']:.2f} dB ({100 * result['drop']:.0f}% lower; "
          f"{result['risen']} objects more masked after EQ)")


def main() -> int:
    if not PHOTOS.is_dir():
        print(f"{PHOTOS}: photos missing; run `make install` first", file=sys.stderr)
        return 1
    print_cut_table(cut_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
