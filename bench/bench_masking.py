"""Benchmark (run on demand, not a test): psychoacoustic mixing vs plain scaper rendering.

A 30 s, 44.1 kHz stereo mix of 8 real sources (scaper's test recordings): the street bed,
two horns, three voice calls, a dog bark and a noise clip, at fixed times and levels.
Timed side by side in one run:

* **plain**: place + pan + sum + ceiling (what the basic mixer does);
* **adaptive**: analysis (Bark band energies, masking) + dynamic-EQ plan + EQ render +
  ceiling, with the masking re-measured after ("analysis + EQ + render" real-time factor);
* **optimiser**: the opt-in differential-evolution pass at its default 10 s budget;
* **scaper**: ``scaper.Scaper.generate`` rendering the same events (no masking control).

Usage: ``.venv/bin/python bench/bench_masking.py``
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from mix_scene import AUDIO, build_scene  # noqa: E402

from image_extender.mix.bark import band_energies  # noqa: E402
from image_extender.mix.ceiling import apply_ceiling  # noqa: E402
from image_extender.mix.dyneq import activity_spans, apply_eq, plan_eq  # noqa: E402
from image_extender.mix.earn import earn_their_place  # noqa: E402
from image_extender.mix.masking import analyse_masking  # noqa: E402
from image_extender.mix.optimize import OptimiserConfig, optimise_mix  # noqa: E402

SECONDS = 30.0
LAYOUT = [  # label, file, start, active RMS dBFS, pan, importance
    ("street", "150993__saphe__street-scene-1.wav", 0.0, -30.0, 0.0, 0.0),
    ("horn", "17-CAR-Rolls-Royce-Horn.wav", 4.0, -24.0, 0.6, 0.7),
    ("horn2", "17-CAR-Rolls-Royce-Horn-2.wav", 17.5, -26.0, -0.6, 0.5),
    ("aboard", "42-Human-Vocal-Voice-all-aboard_edit.wav", 4.2, -28.0, -0.3, 0.9),
    ("taxi1", "42-Human-Vocal-Voice-taxi-1_edit.wav", 11.0, -28.0, 0.2, 0.6),
    ("taxi2", "42-Human-Vocal-Voice-taxi-2_edit.wav", 17.8, -29.0, 0.4, 0.6),
    ("dog", "dogbark.wav", 24.0, -27.0, 0.8, 0.4),
    ("noise", "noise-free-sound-0145.wav", 23.5, -32.0, -0.8, 0.2),
]
SR = 44100
REPEATS = 3


def plain(stems):
    return apply_ceiling(sum(stems), SR, -1.0).samples


def adaptive(scene):
    """One pass: analyse once, plan, keep the cuts that earn their place, filter only cut tracks, re-analyse only cut spans."""
    energies = [band_energies(s, SR) for s in scene.stems]
    before = analyse_masking(energies, scene.labels)
    planned = plan_eq(before, importance=scene.importance, activity=[activity_spans(s, SR) for s in scene.stems],
                      sample_rate=SR, background={0})  # fmt: skip
    events = [v.event for v in earn_their_place(energies, scene.labels, planned) if v.kept]
    eqd, after_energies = [], []
    for s, e, label in zip(scene.stems, energies, scene.labels):
        cuts = [ev for ev in events if ev.track == label]
        y = apply_eq(s, SR, cuts) if cuts else s
        eqd.append(y)
        after_energies.append(band_energies(y, SR, update=(e, [(c.start - c.ramp, c.end + c.ramp) for c in cuts])) if cuts else e)
    mix = apply_ceiling(sum(eqd), SR, -1.0).samples
    after = analyse_masking(after_energies, scene.labels)
    return energies, before, events, after, mix


def scaper_render(tmp: Path) -> float:
    if not hasattr(np, "Inf"):  # scaper 1.6.5 still spells np.Inf, removed in NumPy 2
        np.Inf = np.inf
    import scaper

    fg, bg = tmp / "fg", tmp / "bg"
    tmp.mkdir(parents=True, exist_ok=True)
    for label, name, *_ in LAYOUT:
        root = bg if label == "street" else fg
        (root / label).mkdir(parents=True, exist_ok=True)
        data, sr = sf.read(str(AUDIO / name), always_2d=True)
        sf.write(str(root / label / name), data, sr)
    sc = scaper.Scaper(SECONDS, str(fg), str(bg), random_state=0)
    sc.sr, sc.n_channels, sc.ref_db = SR, 2, -30
    sc.add_background(("const", "street"), ("const", str(bg / "street" / LAYOUT[0][1])), ("const", 0))
    for label, name, start, level, _pan, _imp in LAYOUT[1:]:
        dur = sf.info(str(AUDIO / name)).duration
        sc.add_event(("const", label), ("const", str(fg / label / name)), ("const", 0), ("const", start),
                     ("const", dur), ("const", level + 30), ("const", 1), ("const", 1))  # fmt: skip
    t0 = time.perf_counter()
    sc.generate(str(tmp / "out.wav"), str(tmp / "out.jams"), disable_sox_warnings=True, no_audio=False)
    return time.perf_counter() - t0


def main() -> None:
    scene = build_scene(LAYOUT, SECONDS, SR)
    plains, adapts, scapers = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(REPEATS):  # interleaved, medians: the machine may be shared
            t0 = time.perf_counter()
            plain(scene.stems)
            plains.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            energies, before, events, after, _ = adaptive(scene)
            adapts.append(time.perf_counter() - t0)
            try:
                scapers.append(scaper_render(Path(tmp) / f"run{run}"))
            except Exception as exc:  # scaper needs sox; report rather than crash
                scapers.append(float("nan"))
                print(f"scaper failed: {exc}")
    t_plain, t_adapt, t_scaper = (statistics.median(v) for v in (plains, adapts, scapers))
    t0 = time.perf_counter()
    opt = optimise_mix(energies, scene.labels, events, OptimiserConfig())
    t_opt = time.perf_counter() - t0
    print(f"mix: {SECONDS:.0f} s, {SR} Hz stereo, {len(scene.labels)} real sources, {len(events)} EQ events")
    for e in events:
        print("  ", e.reason)
    print(f"plain place+sum+ceiling : {t_plain:6.3f} s  ({SECONDS / t_plain:7.1f}x real time)")
    print(f"analysis + EQ + render  : {t_adapt:6.3f} s  ({SECONDS / t_adapt:7.1f}x real time, incl. after-analysis)")
    print(f"scaper generate         : {t_scaper:6.3f} s  ({SECONDS / t_scaper:7.1f}x real time)")
    print(f"ratios (scaper time / ours): plain {t_scaper / t_plain:.2f}x, analysis + EQ + render {t_scaper / t_adapt:.2f}x")
    print(f"optimiser               : {t_opt:6.3f} s  (budget 10 s, {opt.report.evaluations} evaluations, "
          f"{len(opt.report.history)} generations)")  # fmt: skip
    print(f"mix masking  before {before.mix_db:.2f} dB -> after EQ {after.mix_db:.2f} dB "
          f"({100 * (1 - after.mix_db / before.mix_db):.0f}% lower); imbalance {before.imbalance_db:.2f} -> {after.imbalance_db:.2f} dB")  # fmt: skip
    r = opt.report
    print(f"optimiser objective {r.objective_before:.2f} -> {r.objective_after:.2f}; band-domain masking "
          f"{r.masking_before_db:.2f} -> {r.masking_after_db:.2f} dB, imbalance {r.imbalance_before_db:.2f} -> {r.imbalance_after_db:.2f} dB")  # fmt: skip
    per = {t.label: t.masking_db for t in before.summary().tracks}
    aft = {t.label: t.masking_db for t in after.summary().tracks}
    print("per track masking (dB):", {k: (round(per[k], 2), round(aft[k], 2)) for k in per})


if __name__ == "__main__":
    main()
