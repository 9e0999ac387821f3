"""What people stand on: the ground at their feet, from its colour.

Footsteps sound like the ground: snow creaks, grass swishes, a dirt path crunches. The kind
of place says what the ground usually is, but the place can be wrong or mixed (a snowy
mountain meadow read as a forest, a lawn in a "countryside" that is a dry savanna), and
people's feet are where the evidence is. :func:`ground_under` looks at a band around the
bottom of a person's box — widened sideways, so that more ground than legs is in it — and
calls it snow or grass when most of its pixels say so, with the same colour tests as the
scene's colour cues (``ambience.colour_cues``: excess-green vegetation after Woebbecke et
al. 1995, very bright colourless snow). Anything else (pavement, wood, mud, rock, dry
grass, a band that is mostly trousers) is ``None``: the kind of place decides then.

Sand is not told by colour: the warm, light, moderately saturated test of the colour cues
calls the dry winter grass at the feet of darknet's ``person.jpg`` and ``horses.jpg`` sand
as surely as a beach, and a texture measure (mean luminance gradient) did not separate them
either; a beach's sand comes from the kind of place ("people by the water").
``[[person]]`` rules in ``sounding.toml`` name the grounds they hold on (``when_ground``).
"""

from __future__ import annotations

import numpy as np

from ..manifest import BBox

GROUNDS = ("snow", "grass")
BAND_ABOVE = 0.12  # of the box's height: the feet and the ground they stand in
BAND_BELOW = 0.06  # of the photo's height below the box
WIDEN = 0.5  # of the box's width on each side
MIN_SHARE = 0.45  # of the band's pixels for a ground to be named
MIN_PIXELS = 64


def pixel_grounds(rgb: np.ndarray) -> dict[str, np.ndarray]:
    """Boolean masks of snow- and grass-coloured pixels of an RGB (uint8) array."""
    px = rgb.astype(np.float64) / 255.0
    total = px.sum(axis=-1) + 1e-9
    r, g, b = (px[..., i] / total for i in range(3))
    brightest = px.max(axis=-1)
    saturation = (brightest - px.min(axis=-1)) / (brightest + 1e-9)
    grass = (2 * g - r - b > 0.05) & (g > r) & (g > b) & (brightest > 0.06)
    snow = (saturation < 0.08) & (brightest > 0.8)
    return {"snow": snow, "grass": grass}


def ground_under(rgb: np.ndarray, box: BBox) -> str | None:
    """"snow" or "grass" when at least ``MIN_SHARE`` of the band at the feet of
    ``box`` has that colour; else None (see module doc)."""
    h, w = rgb.shape[:2]
    bw, bh = box.x1 - box.x0, box.y1 - box.y0
    x0, x1 = max(0.0, box.x0 - WIDEN * bw), min(1.0, box.x1 + WIDEN * bw)
    y0, y1 = max(0.0, box.y1 - BAND_ABOVE * bh), min(1.0, box.y1 + BAND_BELOW)
    band = rgb[int(y0 * h) : max(int(y0 * h) + 1, int(y1 * h)), int(x0 * w) : max(int(x0 * w) + 1, int(x1 * w))]
    if band.shape[0] * band.shape[1] < MIN_PIXELS:
        return None
    shares = {name: float(mask.mean()) for name, mask in pixel_grounds(band).items()}
    best = max(GROUNDS, key=lambda name: shares[name])
    return best if shares[best] >= MIN_SHARE else None
