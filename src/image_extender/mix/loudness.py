"""Loudness targets in LUFS and a true-peak-safe master ceiling.

**Integrated loudness** is ITU-R BS.1770-4 via pyloudnorm, through the one helper the
library already has (``library.audio_io.integrated_lufs``: clips shorter than a 400 ms
gating block are tiled to ≥ 0.5 s, silence is floored at −70 LUFS — scaper's
``get_integrated_lufs`` recipe). Here it is measured on a stem *after trimming* its
leading and trailing silence, so a bark placed at 20 s of a 30 s stem measures as the
bark, not as the bark diluted by silence (the −70 LUFS absolute gate already ignores
silence *between* events).

**LUFS targets** are an alternative to the planner's dBFS targets: ``gain_for_lufs``
returns the gain that brings a stem to a target. Integrated loudness is linear in gain
only while the absolute gate keeps out the same blocks, so the gain is refined with one or
two re-measurements until the stem is within ``tolerance_lu`` (0.05 LU) of its target.

**True peak** per BS.1770-4 Annex 2: 4× oversampling (polyphase FIR,
``scipy.signal.upfirdn``), absolute maximum, in dBTP. The inter-sample peaks of a
reconstructed signal can exceed its sample peak by up to ~3 dB, so a −1 dBFS sample
ceiling does not guarantee −1 dBTP. ``apply_true_peak_ceiling`` extends ``ceiling.py``
(static gain + lookahead limiter) rather than duplicating it: it runs that stage with a
sample ceiling lowered by however much the true peak still overshoots, until the 4×
oversampled peak is at or below the dBTP ceiling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.signal import firwin, upfirdn

from ..library.audio_io import SILENCE_LUFS, integrated_lufs
from .ceiling import CeilingResult, apply_ceiling

TRIM_DB = -80.0  # samples below this (dBFS) at the ends of a stem count as silence
TRUE_PEAK_OVERSAMPLE = 4


def trim(samples: np.ndarray, threshold_db: float = TRIM_DB) -> np.ndarray:
    """``samples`` without leading/trailing samples quieter than ``threshold_db`` on every channel."""
    x = np.asarray(samples)
    mag = np.abs(x).max(axis=1) if x.ndim == 2 else np.abs(x)
    loud = np.nonzero(mag > 10.0 ** (threshold_db / 20.0))[0]
    if loud.size == 0:
        return x[:0]
    return x[loud[0] : loud[-1] + 1]


def stem_lufs(samples: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness (LUFS, BS.1770-4) of a stem after trimming; −70 for silence."""
    trimmed = trim(samples)
    if trimmed.shape[0] == 0:
        return SILENCE_LUFS
    return integrated_lufs(trimmed, sample_rate)


def gain_for_lufs(
    samples: np.ndarray, sample_rate: int, target_lufs: float, *, tolerance_lu: float = 0.05, max_rounds: int = 4
) -> float:
    """Gain (dB) that brings ``stem_lufs(samples)`` to ``target_lufs``.

    Raises ``ValueError`` for a silent stem (no gain can give it a loudness).
    """
    trimmed = np.asarray(trim(samples), dtype=np.float64)
    measured = integrated_lufs(trimmed, sample_rate) if trimmed.shape[0] else SILENCE_LUFS
    if measured <= SILENCE_LUFS:
        raise ValueError("stem is silent (below −70 LUFS); cannot bring it to a loudness target")
    gain = target_lufs - measured
    for _ in range(max_rounds):
        now = integrated_lufs(trimmed * 10.0 ** (gain / 20.0), sample_rate)
        if abs(now - target_lufs) <= tolerance_lu:
            break
        gain += target_lufs - now
    return float(gain)


def _interpolator(oversample: int) -> np.ndarray:
    """Low-pass FIR for ``oversample``× interpolation: 12 taps per phase, Kaiser β=8, gain = oversample.

    Annex 2 of BS.1770-4 specifies a 48-tap, 4-phase interpolator (12 taps per phase) with
    ≥ 40 dB stop-band; a Kaiser-windowed sinc of the same length meets that.
    """
    return firwin(12 * oversample, 1.0 / oversample, window=("kaiser", 8.0)) * oversample


def true_peak_dbtp(samples: np.ndarray, sample_rate: int | None = None, oversample: int = TRUE_PEAK_OVERSAMPLE) -> float:
    """True peak in dBTP per BS.1770-4 Annex 2 (oversampled absolute maximum); floor −200 for silence.

    Only blocks that *could* hold the peak are oversampled: a block whose sample peak times
    the largest L1 norm of one interpolator phase is below the best peak found so far
    cannot contain a higher interpolated value, so skipping it changes nothing. On music
    that leaves a few percent of the signal to filter. ``sample_rate`` is accepted for
    symmetry; 4× is used at any rate (the Annex's choice for 48 kHz).
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.size == 0:
        return -200.0
    h = _interpolator(oversample)
    bound = float(max(np.abs(h[k::oversample]).sum() for k in range(oversample)))
    halo = h.size // oversample + 1
    block = 4096
    mag = np.abs(x).max(axis=1)
    n = mag.size
    n_blocks = -(-n // block)
    padded = np.zeros(n_blocks * block)
    padded[:n] = mag
    block_peak = padded.reshape(n_blocks, block).max(axis=1)
    # a block's interpolated values also depend on `halo` samples either side
    reach = np.maximum(block_peak, np.maximum(np.r_[block_peak[1:], 0.0], np.r_[0.0, block_peak[:-1]]))
    best = float(mag.max())
    delay = (h.size - 1) // 2
    for k in np.argsort(-reach, kind="stable"):
        if reach[k] * bound <= best:
            break
        s0, s1 = max(0, k * block - halo), min(n, (k + 1) * block + halo)
        up = upfirdn(h, x[s0:s1], oversample, 1, axis=0)
        # keep the outputs of this block's own samples; the halo only feeds the filter
        lo = (k * block - s0) * oversample + delay
        hi = (min(n, (k + 1) * block) - s0) * oversample + delay
        up = up[lo:hi]
        best = max(best, float(np.abs(up).max()))
    return 20.0 * math.log10(best) if best > 0 else -200.0


@dataclass(frozen=True)
class TruePeakResult:
    samples: np.ndarray
    ceiling: CeilingResult  # the last pass of ceiling.apply_ceiling
    sample_ceiling_dbfs: float  # the sample ceiling that pass used
    true_peak_before_dbtp: float
    true_peak_after_dbtp: float

    @property
    def reduction_db(self) -> float:
        """Deepest gain change of the master stage (≤ 0): what MixReport.master_gain_db shows."""
        return self.ceiling.total_reduction_db


def apply_true_peak_ceiling(
    mix: np.ndarray, sample_rate: int, ceiling_dbtp: float = -1.0, *, max_rounds: int = 6
) -> TruePeakResult:
    """Keep the 4×-oversampled true peak of ``mix`` at or below ``ceiling_dbtp`` (see module docstring)."""
    before = true_peak_dbtp(mix, sample_rate)
    sample_ceiling = ceiling_dbtp
    result = apply_ceiling(mix, sample_rate, sample_ceiling)
    after = true_peak_dbtp(result.samples, sample_rate)
    for _ in range(max_rounds):
        if after <= ceiling_dbtp:
            break
        sample_ceiling -= after - ceiling_dbtp + 0.01
        result = apply_ceiling(mix, sample_rate, sample_ceiling)
        after = true_peak_dbtp(result.samples, sample_rate)
    return TruePeakResult(result.samples, result, sample_ceiling, before, after)
