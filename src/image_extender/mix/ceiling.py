"""The master stage: keep every sample of the mix at or below the ceiling (dBFS).

Two steps, both transparent when nothing is too loud (then the mix passes bit-exact):

1. **Static master gain.** If the summed mix peaks more than ``MAX_LIMIT_DB`` (6 dB)
   above the ceiling, the whole mix is turned down until it peaks exactly 6 dB above it.
   A constant gain keeps every balance and every transient shape; it is what a mixing
   engineer would do before reaching for a limiter.
2. **Lookahead peak limiter** for the remaining ≤ 6 dB of isolated peaks. Offline we can
   look both ways, so the gain curve is zero-phase: the required gain
   r[n] = min(1, c / max_ch |x[n]|) is min-filtered over ±a samples and then smoothed with
   a (2a+1)-tap moving average. Every average over that window only contains values that
   are ≤ r[n] (each was a minimum over a window holding n), so g[n] ≤ r[n] for all n and no
   sample can exceed the ceiling, while the gain moves in ramps of 2a (10 ms) instead of
   jumping (the "lookahead brickwall" construction, cf. Giannoulis, Massberg & Reiss,
   "Digital dynamic range compressor design — a tutorial and analysis", JAES 60(6), 2012).

The ceiling here is a *sample*-peak ceiling (no oversampling). The master stage of
``render.py`` is ``loudness.apply_true_peak_ceiling``, which runs this stage with the
sample ceiling lowered until the BS.1770-4 true peak (4× oversampled) holds the dBTP
ceiling. A tiny safety margin (0.001 dB) keeps it intact through float32 and 24-bit PCM
writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from .blocks import as_frames, chunk_bounds

Allocate = Callable[[tuple, np.dtype], object]  # (shape, dtype) -> a writable array or ``blocks.FrameFile``


def _in_memory(shape: tuple, dtype) -> np.ndarray:
    return np.empty(shape, dtype=dtype)


def converted(x, dtype, allocate: Allocate | None = None, *, copy: bool = False):
    """``x.astype(dtype, copy=copy)`` for an array or a ``FrameFile`` (block by block into ``allocate``'s output)."""
    dtype = np.dtype(dtype)
    if isinstance(x, np.ndarray):
        return x.astype(dtype, copy=copy)
    if x.dtype == dtype and not copy:
        return x
    out = (allocate or _in_memory)(x.shape, dtype)
    for a, b in chunk_bounds(x.shape[0]):
        out[a:b] = x[a:b].astype(dtype)
    return out

MAX_LIMIT_DB = 6.0
LOOKAHEAD_SECONDS = 0.005
SAFETY_DB = 0.001


@dataclass(frozen=True)
class CeilingResult:
    samples: np.ndarray  # (frames, channels), the input's dtype or ``out_dtype``
    static_gain_db: float  # constant gain of step 1 (≤ 0)
    limiter_max_reduction_db: float  # deepest extra reduction of step 2 (≤ 0)

    @property
    def total_reduction_db(self) -> float:
        """The deepest total gain change the stage made (≤ 0): what ``MixReport`` shows."""
        return self.static_gain_db + self.limiter_max_reduction_db


def _frame_peaks(x: np.ndarray, a: int, b: int) -> np.ndarray:
    """max over channels of |x[a:b]| as float64 (|float32| widened exactly).

    Column by column (``loudness.channel_peak``'s way): the same maxima, ~10× faster than
    reducing ``axis=1`` of a (frames, 2) array — it was most of a long mix's master stage.
    """
    block = x[a:b]
    mag = np.abs(block[:, 0])
    for c in range(1, block.shape[1]):
        np.maximum(mag, np.abs(block[:, c]), out=mag)
    return mag.astype(np.float64, copy=False)


def apply_ceiling(mix: np.ndarray, sample_rate: int, ceiling_dbfs: float, *, out_dtype=None,
                  allocate: Allocate | None = None) -> CeilingResult:
    """Bring ``mix`` (frames, channels) under ``ceiling_dbfs`` (see the module docstring).

    Two streaming passes over ``blocks.CHUNK_FRAMES`` pieces, so the working memory is a
    few MB at any length (only the output is as long as the mix): the first finds the
    peak (the static gain), the second computes the limiter's gain for each piece from the
    piece plus ``2a`` frames either side — the reach of the ±a minimum and the (2a+1)-tap
    average — so the lookahead crosses piece edges. The minimum is exact; the moving
    average starts its running sum at each piece's halo, so its last bits depend on the
    (fixed) piece grid: the same samples on every run. ``out_dtype``: dtype of the result
    (float32 for the mix that is written), computed in float64 and rounded once.
    ``mix`` may be a ``blocks.FrameFile`` (a long mix on disk); ``allocate(shape, dtype)``
    makes the output (default: an array in memory; a long mix's render gives a file).
    """
    x = as_frames(mix)
    n = x.shape[0]
    dtype = np.dtype(out_dtype) if out_dtype is not None else x.dtype
    ceiling = 10.0 ** ((ceiling_dbfs - SAFETY_DB) / 20.0)
    peak = max((float(_frame_peaks(x, a, b).max()) for a, b in chunk_bounds(n)), default=0.0)
    if peak <= ceiling:
        return CeilingResult(converted(x, dtype, allocate), 0.0, 0.0)

    static = min(1.0, ceiling * 10.0 ** (MAX_LIMIT_DB / 20.0) / peak)
    static_db = 20.0 * np.log10(static)
    a = max(1, int(round(LOOKAHEAD_SECONDS * sample_rate)))
    halo = 2 * a
    out = (allocate or _in_memory)(x.shape, dtype)
    deepest = 1.0
    for lo, hi in chunk_bounds(n):
        s0, s1 = max(0, lo - halo), min(n, hi + halo)
        required = np.minimum(1.0, ceiling / np.maximum(_frame_peaks(x, s0, s1) * static, 1e-30))
        held = minimum_filter1d(required, size=2 * a + 1, mode="nearest")
        smooth = uniform_filter1d(held, size=2 * a + 1, mode="nearest")
        # the moving average is exact in real arithmetic; guard float rounding at the boundary
        limiter = np.minimum(smooth, required)[lo - s0 : hi - s0]
        piece = x[lo:hi].astype(np.float64) * (static * limiter)[:, None]
        over = float(np.max(np.abs(piece)))
        if over > ceiling:  # cannot happen beyond rounding; keep the promise anyway
            piece *= ceiling / over
            limiter = limiter * (ceiling / over)
        deepest = min(deepest, float(limiter.min()))
        out[lo:hi] = piece
    return CeilingResult(samples=out, static_gain_db=float(static_db),
                         limiter_max_reduction_db=float(20.0 * np.log10(deepest)))
