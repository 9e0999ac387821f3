"""Benchmark (run on demand, not a test): how long a mixing-desk change takes to be heard.

One real 30 s soundscape (darknet's dog photo, the starter library) is made once; then, in
the same run, the same desk edits (a fader, a pan, a mute) are rendered two ways:

* the desk's live path (``ui.desk.LiveMixer``: stems cached by content, sum + master stage,
  mix.wav written) — what the player gets;
* a full re-render of the edited manifest (``pipeline.write_outputs``: stems, timeline,
  credits, ZIP) — what the bundle gets a moment later.

Prints the median seconds of each and their ratio (the target: the live mix ≤ 1 s), and
checks the live mix equals the bundle's mix.wav sample for sample.

With ``--browser`` (needs Debian's chromium and the playwright package) it then measures
what the issue asks, as a user meets it: ``image-extender ui`` is started, the same photo
made into a 30 s soundscape in headless Chromium, and a fader moved several times; each
time, the seconds from the key press until the mix player holds the new mix, loaded and
playable (a new ``currentSrc`` with its duration known), are printed.

Usage: ``.venv/bin/python bench/bench_desk.py [DATA_DIR] [--browser]``
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


FADER_MOVES = [-6.0, -3.0, 0.0, -9.0, -1.5, -12.0]
# the mix player's <audio> (inside a shadow root): its source and whether it is loaded
MIX_AUDIO_JS = """() => { const found = [];
  const walk = (root) => root.querySelectorAll('*').forEach((el) => {
    if (el.tagName === 'AUDIO') found.push(el); if (el.shadowRoot) walk(el.shadowRoot); });
  walk(document.getElementById('mix'));
  const a = found.find((x) => x.currentSrc);
  return a ? [a.currentSrc, a.duration > 0 && a.readyState >= 2] : [null, false]; }"""


def browser_latency(data: Path) -> list[float]:
    """Seconds from a fader move to the new mix loaded in the page's player (see the docstring)."""
    import socket
    import subprocess

    import httpx
    from playwright.sync_api import sync_playwright

    photo = fetch_package("darknet", data) / "usr" / "share" / "darknet" / "data" / "dog.jpg"
    with tempfile.TemporaryDirectory() as tmp, socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        (Path(tmp) / "empty.toml").write_text("")
        env = {**os.environ, "IMAGE_EXTENDER_DATA": str(data), "IMAGE_EXTENDER_DURATION": "30",
               "IMAGE_EXTENDER_CONFIG": str(Path(tmp) / "empty.toml")}
        server = subprocess.Popen([sys.executable, "-m", "image_extender", "ui", "--port", str(port), "--root",
                                   str(Path(tmp) / "ui")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/"
        try:
            for _ in range(300):
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                            args=["--headless", "--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.goto(url)
                page.locator("#photo input[type=file]").set_input_files(str(photo))
                page.wait_for_selector("#photo img")
                page.click("#generate")
                page.wait_for_selector("#gain-0", timeout=300_000)
                page.wait_for_function(f"() => ({MIX_AUDIO_JS})()[1]", timeout=60_000)
                page.wait_for_timeout(3000)  # the desk's warm-up renders the stems into the cache
                fader = page.locator("#gain-0 input[type=number]")
                seconds, notes = [], []
                for value in FADER_MOVES:
                    before = page.evaluate(MIX_AUDIO_JS)[0]
                    fader.fill(f"{value:g}")
                    started = time.perf_counter()
                    fader.press("Enter")
                    page.wait_for_function(f"(b) => {{ const [src, ok] = ({MIX_AUDIO_JS})(); return src !== b && ok; }}",
                                           arg=before, timeout=60_000, polling="raf")
                    seconds.append(time.perf_counter() - started)
                    notes.append(page.locator("#run-status").inner_text().split(";")[0])
                    page.wait_for_timeout(6000)  # let the take (ZIP, credits, timeline) land before the next move
                browser.close()
                print("server side:", " | ".join(notes))
        finally:
            server.terminate()
            server.wait(10)
    return seconds


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    data = Path(args[0] if args else os.environ.get("IMAGE_EXTENDER_DATA", "data"))
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
    if "--browser" in sys.argv:
        seconds = browser_latency(data)
        print(f"in the browser, fader moved → new 30 s mix loaded in the player: median {statistics.median(seconds):.2f} s "
              f"(max {max(seconds):.2f} s, {len(seconds)} moves; live render share {lm / statistics.median(seconds):.0%}): "
              + ", ".join(f"{s:.2f}" for s in seconds))


if __name__ == "__main__":
    main()
