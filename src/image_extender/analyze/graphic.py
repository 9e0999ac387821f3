"""Is this picture a flat-colour graphic (a logo, an icon, a diagram) rather than a photo?

A photo of anything, even of a white wall or a clear sky, is noisy: sensor noise and JPEG
blocks leave few neighbouring pixels exactly equal, and its colours spread over hundreds of
shades. A drawn graphic is the opposite: large areas of one exact colour and a handful of
colours covering nearly everything. Two statistics on the picture reduced to at most 256 px
(nearest neighbour, so no new colours are made):

- ``flat``: the share of pixels exactly equal to both their right and lower neighbours;
- ``palette``: the share of pixels in the 8 most common colours, each channel cut to 5 bits.

A picture is a graphic when ``flat ≥ FLAT_MIN`` and ``palette ≥ PALETTE_MIN``, unless its
main colour is near black: a night sky clipped to black is flat too, and a night scene is
not a logo. Measured on this project's 234 labelled dev photos (none above flat 0.61 or
palette 0.81: clear skies, a statue against the sky, a white swan) and on 34 graphics from
packages (Debian and Python logos, Rust book diagrams, scikit-image's logo, horse silhouette
and checkerboard): 25 of the graphics pass both bars; the ones that do not are a scanned
page, a photo of text and two anti-aliased logos. Thresholds leave a wide margin over the
photos because calling a photo silent loses a whole soundscape, while a missed graphic only
gets a generic bed.

The offline analyzer calls a graphic non-sonic only when the detector finds nothing in it
(:mod:`.offline`): a drawing in which it sees a car or a cow still sounds. ImageNet's guesses
alone do not save a graphic: it calls every diagram a web site, a screen or a computer.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

SIDE = 256  # the picture is reduced to at most this many pixels a side
FLAT_MIN = 0.7
PALETTE_MIN = 0.93
PALETTE_SIZE = 8
DARK_MAX = 40  # a main colour with no channel above this is a night sky, not a background


def graphic_evidence(rgb: np.ndarray) -> str | None:
    """Why ``rgb`` (H×W×3 uint8) is a flat-colour graphic, or None when it looks like a photo."""
    small = Image.fromarray(np.ascontiguousarray(rgb[..., :3]))
    small.thumbnail((SIDE, SIDE), Image.NEAREST)
    pixels = np.asarray(small.convert("RGB")).astype(np.int16)
    if min(pixels.shape[:2]) < 2:
        return None
    core = pixels[1:, 1:]
    flat = float(((core == pixels[:-1, 1:]).all(-1) & (core == pixels[1:, :-1]).all(-1)).mean())
    coarse = (pixels.reshape(-1, 3) >> 3).astype(np.int32)
    keys = coarse[:, 0] * 1024 + coarse[:, 1] * 32 + coarse[:, 2]
    values, counts = np.unique(keys, return_counts=True)
    order = np.argsort(-counts)
    palette = float(counts[order[:PALETTE_SIZE]].sum() / keys.size)
    main = values[order[0]]
    main_rgb = np.array([main // 1024, (main // 32) % 32, main % 32]) * 8
    if flat < FLAT_MIN or palette < PALETTE_MIN or main_rgb.max() <= DARK_MAX:
        return None
    return (f"flat-colour graphic: {palette:.0%} of the picture in {PALETTE_SIZE} colours, "
            f"{flat:.0%} of its pixels exactly equal to their neighbours")
