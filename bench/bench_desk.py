"""Benchmark (run on demand, not a test): how long a mixing-desk change takes to be heard.

One real 30 s soundscape (darknet's dog photo, the starter library) is made once; then, in
the same run, the same desk edits (a fader, a pan, a mute) are rendered two ways:

* the desk's live path (``ui.desk.LiveMixer``: stems cached by content, sum + master stage,
  mix.wav written) — what the player gets;
* a full re-render of the edited manifest (``pipeline.write_outputs``: stems, timeline,
  credits, ZIP) — what the bundle gets a moment later.

Prints the median seconds of each and their ratio (the target: the live mix ≤ 1 s), and
checks the live mix equals the bundle's mix.wav sample for sample.

Usage: ``.venv/bin/python bench/bench_desk.py [DATA_DIR]``
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

from image_extender.library.debian import fetch_package
from image_extender.manifest import Manifest
from image_extender.pipeline import sonify, write_outputs
from image_extender.settings import load_settings
from image_extender.ui.desk import LiveMixer, Strip, edited_manifest, live_mix

EDITS = [("gain_db", -6.0), ("gain_db", 3.0), ("pan", 0.5), ("mute", True), ("mute", False), ("gain_db", -12.0)]


def main() -> None:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("IMAGE_EXTENDER_DATA", "data"))
    photo = fetch_package("darknet", data) / "usr" / "share" / "darknet" / "data" / "dog.jpg"
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "out"
        sonify(photo, run, load_settings(data_dir=data, duration=30.0))
        base = Manifest.load(run / "manifest.json")
        mixer = LiveMixer()
        strips = [Strip() for _ in base.tracks]
        _, cold = live_mix(mixer, edited_manifest(base, strips), run, Path(tmp) / "cold.wav")
        live, full = [], []
        for n, (key, value) in enumerate(EDITS):
            setattr(strips[-1], key, value)
            edited = edited_manifest(base, strips)
            wav, seconds = live_mix(mixer, edited, run, Path(tmp) / f"live-{n}.wav")
            live.append(seconds)
            if not edited.tracks:
                continue
            started = time.perf_counter()
            write_outputs(edited, Path(tmp) / f"take-{n}", base_dir=run, overwrite=True)
            full.append(time.perf_counter() - started)
            a = soundfile.read(wav)[0]
            b = soundfile.read(Path(tmp) / f"take-{n}" / "mix.wav")[0]
            assert np.array_equal(a, b), "live mix differs from the bundle's"
        lm, fm = statistics.median(live), statistics.median(full)
        print(f"30 s mix, {len(base.tracks)} tracks: first live render (cold cache) {cold:.2f} s")
        print(f"desk change, live mix in the player: median {lm:.3f} s (max {max(live):.3f} s)")
        print(f"full re-render of the folder (write_outputs): median {fm:.2f} s")
        print(f"ratio full / live: {fm / lm:.1f}x; live == bundle mix.wav: yes")


if __name__ == "__main__":
    main()
