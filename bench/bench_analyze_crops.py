"""Benchmark (run on demand, not a test): what crop classification costs the offline analyzer.

The same real photos (darknet's samples and Tux Paint's photo templates) analysed twice in
one run, alternating: with fine-grained crops (``fusion.MAX_CROPS`` = 6, the default) and
without (0: whole-image classification only, the analyzer before issue 15). Prints the
median per photo of each and their ratio, so a shared, busy machine still gives a fair
comparison.

Usage: ``.venv/bin/python bench/bench_analyze_crops.py [DATA_DIR]``
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import image_extender.analyze.fusion as fusion
from image_extender.analyze.image import load_image
from image_extender.analyze.offline import OfflineAnalyzer
from image_extender.library.debian import fetch_package

ROUNDS = 3


def main() -> None:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("IMAGE_EXTENDER_DATA", "data"))
    folders = [
        fetch_package("darknet", data) / "usr" / "share" / "darknet" / "data",
        fetch_package("tuxpaint-data", data) / "usr" / "share" / "tuxpaint" / "templates",
    ]
    images = [load_image(p) for folder in folders for p in sorted(folder.glob("*.jpg"))]
    analyzer = OfflineAnalyzer()
    analyzer.load()
    times: dict[int, list[float]] = {0: [], fusion.MAX_CROPS: []}
    default = fusion.MAX_CROPS
    for _ in range(ROUNDS):
        for crops in (default, 0):
            fusion.MAX_CROPS = crops
            for image in images:
                start = time.perf_counter()
                analyzer.analyze(image)
                times[crops].append(time.perf_counter() - start)
    fusion.MAX_CROPS = default
    with_crops, without = statistics.median(times[default]), statistics.median(times[0])
    print(f"{len(images)} photos x {ROUNDS} rounds")
    print(f"whole image only : {without * 1000:7.1f} ms per photo (median)")
    print(f"with {default} crops     : {with_crops * 1000:7.1f} ms per photo (median)")
    print(f"ratio            : {with_crops / without:7.2f}x")


if __name__ == "__main__":
    main()
