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

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d

MAX_LIMIT_DB = 6.0
LOOKAHEAD_SECONDS = 0.005
SAFETY_DB = 0.001


@dataclass(frozen=True)
class CeilingResult:
    samples: np.ndarray  # (frames, channels), same dtype as the input
    static_gain_db: float  # constant gain of step 1 (≤ 0)
    limiter_max_reduction_db: float  # deepest extra reduction of step 2 (≤ 0)
    gain: np.ndarray  # (frames,) total linear gain applied per sample

    @property
    def total_reduction_db(self) -> float:
        """The deepest total gain change the stage made (≤ 0): what ``MixReport`` shows."""
        return self.static_gain_db + self.limiter_max_reduction_db


def apply_ceiling(mix: np.ndarray, sample_rate: int, ceiling_dbfs: float) -> CeilingResult:
    """Bring ``mix`` (frames, channels) under ``ceiling_dbfs`` (see the module docstring)."""
    x = np.asarray(mix, dtype=np.float64)
    n = x.shape[0]
    ceiling = 10.0 ** ((ceiling_dbfs - SAFETY_DB) / 20.0)
    peak_per_sample = np.max(np.abs(x), axis=1) if n else np.zeros(0)
    peak = float(peak_per_sample.max()) if n else 0.0
    if peak <= ceiling:
        return CeilingResult(np.asarray(mix), 0.0, 0.0, np.broadcast_to(np.float64(1.0), (n,)))  # no n stored ones

    static = min(1.0, ceiling * 10.0 ** (MAX_LIMIT_DB / 20.0) / peak)
    static_db = 20.0 * np.log10(static)
    peak_per_sample = peak_per_sample * static

    required = np.minimum(1.0, ceiling / np.maximum(peak_per_sample, 1e-30))
    a = max(1, int(round(LOOKAHEAD_SECONDS * sample_rate)))
    held = minimum_filter1d(required, size=2 * a + 1, mode="nearest")
    smooth = uniform_filter1d(held, size=2 * a + 1, mode="nearest")
    # the moving average is exact in real arithmetic; guard float rounding at the boundary
    limiter = np.minimum(smooth, required)
    out = x * (static * limiter)[:, None]
    over = float(np.max(np.abs(out)))
    if over > ceiling:  # cannot happen beyond rounding; keep the promise anyway
        out *= ceiling / over
        limiter = limiter * (ceiling / over)
    return CeilingResult(
        samples=out.astype(np.asarray(mix).dtype, copy=False),
        static_gain_db=float(static_db),
        limiter_max_reduction_db=float(20.0 * np.log10(limiter.min())),
        gain=static * limiter,
    )
