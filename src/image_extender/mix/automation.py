"""Automation: a track's pan and level as curves over time (a sound that follows the picture).

A curve is a handful of breakpoints (one per sampled video frame, plus the fades where the
object enters and leaves), stored in the manifest (``Track.automation``) and turned into
one pan value and one gain per *sample* at render time. Evaluating per sample — never
stepping a gain once per block — is what keeps a moving source free of "zipper noise", the
staircase buzz of block-wise gain changes (Zölzer, *DAFX*, 2nd ed., §2.2 on parameter
smoothing). Between breakpoints the curves follow the monotone cubic (PCHIP, Fritsch &
Carlson 1980): smooth, and it never overshoots, so a pan never swings past the object and a
fade never bulges above its end level. Before and after the first/last breakpoint the end
values are held.

Where the curves come from (``object_automation``), generic over positions, not images:

* **pan** from the horizontal centre x ∈ [0, 1] of what makes the sound: pan = 2x − 1
  (the same map as a still photo, ``BBox.pan``), smoothed over neighbouring samples with
  [1, 2, 1]/4 so a detector's jitter does not wobble the image;
* **level** from the apparent size: a source twice as close looks twice as big (linear
  size ∝ 1/distance) and sounds 6 dB louder (inverse-distance law), so the offset is
  20·log10(√(area / median area)) = 10·log10(area / median area), clamped to
  ±``LEVEL_RANGE_DB``;
* **enter / leave**: silent (``MUTE_DB``) until ``FADE`` seconds before it appears, and
  from ``FADE`` seconds after it leaves.

Pure functions, numpy in and out, sample rate explicit; deterministic (no randomness).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.interpolate import PchipInterpolator

from ..manifest import Automation, Event

MUTE_DB = -90.0  # a gain at or below this is silence
FADE = 0.3  # seconds of fade as an object enters or leaves the picture
LEVEL_RANGE_DB = 6.0  # size-driven level moves at most this far from the track's target
SMOOTHING = (0.25, 0.5, 0.25)  # weights over neighbouring samples for the pan


def curves(automation: Automation, frames: int, sample_rate: int, first_frame: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(pan, linear gain) per sample for ``frames`` samples at ``sample_rate``, from ``first_frame`` on."""
    return evaluate(automation, np.arange(first_frame, first_frame + frames) / sample_rate)


def evaluate(automation: Automation, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pan, linear gain) at the times ``t`` (seconds)."""
    times = np.asarray(automation.times, dtype=np.float64)
    pan = np.clip(_interpolate(times, np.asarray(automation.pan, dtype=np.float64), t), -1.0, 1.0)
    gain_db = _interpolate(times, np.asarray(automation.gain_db, dtype=np.float64), t)
    gain = np.where(gain_db <= MUTE_DB, 0.0, 10.0 ** (gain_db / 20.0))
    return pan, gain


def apply_automation(lane: np.ndarray, automation: Automation, sample_rate: int, *, first_frame: int = 0) -> np.ndarray:
    """A (frames, 1) mono lane → (frames, 2) stereo under the curves (constant-power pan law,
    ``pan.py``); a (frames, 2) lane is balanced instead, unity at centre like ``balance_stereo``.
    ``first_frame``: where ``lane`` starts in the mix (block-wise rendering)."""
    pan, gain = curves(automation, lane.shape[0], sample_rate, first_frame)
    theta = (pan + 1.0) * np.pi / 4.0
    left, right = np.cos(theta), np.sin(theta)
    if lane.shape[1] == 1:
        return np.stack([lane[:, 0] * left * gain, lane[:, 0] * right * gain], axis=1)
    return lane * (np.sqrt(2.0) * np.stack([left, right], axis=1) * gain[:, None])


def _interpolate(times: np.ndarray, values: np.ndarray, t: np.ndarray) -> np.ndarray:
    if times.size == 1:
        return np.full(t.shape, values[0])
    return PchipInterpolator(times, values, extrapolate=False)(np.clip(t, times[0], times[-1]))


def object_automation(
    times: Sequence[float],
    centre_x: Sequence[float],
    area: Sequence[float],
    *,
    enter: float,
    leave: float,
    duration: float,
    source: str = "",
) -> Automation:
    """Curves for a source seen at ``times`` at horizontal centre ``centre_x`` (0–1) with
    apparent ``area`` (0–1), present from ``enter`` to ``leave`` within a mix of ``duration``."""
    t = np.asarray(times, dtype=np.float64)
    if t.size == 0 or t.size != len(centre_x) or t.size != len(area):
        raise ValueError("object_automation needs one centre and one area per time")
    pan = smooth(2.0 * np.clip(np.asarray(centre_x, dtype=np.float64), 0.0, 1.0) - 1.0)
    a = np.maximum(np.asarray(area, dtype=np.float64), 1e-6)
    level = np.clip(10.0 * np.log10(a / float(np.median(a))), -LEVEL_RANGE_DB, LEVEL_RANGE_DB)
    points: dict[float, tuple[float, float]] = {}
    for ti, p, g in zip(t, pan, level, strict=True):
        points[round(float(np.clip(ti, enter, leave)), 6)] = (float(p), float(g))
    ordered = sorted(points)
    first, last = points[ordered[0]], points[ordered[-1]]
    if enter > 0.0:
        points[round(enter, 6)] = points.get(round(enter, 6), first)
        if enter - FADE > 0.0:
            points[round(enter - FADE, 6)] = (first[0], MUTE_DB)
    if leave < duration:
        points[round(leave, 6)] = points.get(round(leave, 6), last)
        if leave + FADE < duration:
            points[round(leave + FADE, 6)] = (last[0], MUTE_DB)
    keys = sorted(points)
    return Automation(times=keys, pan=[round(points[k][0], 6) for k in keys],
                      gain_db=[round(points[k][1], 6) for k in keys], source=source)


def smooth(values: np.ndarray) -> np.ndarray:
    """[1, 2, 1]/4 over neighbours (ends reflected): removes one-sample jitter, keeps a ramp a ramp."""
    v = np.asarray(values, dtype=np.float64)
    if v.size < 3:
        return v.copy()
    padded = np.concatenate([[v[0]], v, [v[-1]]])
    w = SMOOTHING
    return w[0] * padded[:-2] + w[1] * padded[1:-1] + w[2] * padded[2:]


def shifted(events: list[Event], start: float) -> list[Event]:
    """``events`` planned on the object's own timeline (0 = when it enters), moved to begin at
    ``start``: one-shots happen while the object is on screen."""
    return [e.model_copy(update={"start": round(e.start + start, 6)}) for e in events]
