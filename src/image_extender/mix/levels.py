"""The level measures the mixer aims for and reports, by ``MixSpec.level_unit``.

``"dbfs"`` (default): *active RMS dBFS*, below. ``"lufs"``: integrated loudness per
ITU-R BS.1770-4 of the stem's sounding part (``loudness.stem_lufs``). ``measure_level`` and
``gain_to_target`` pick one; planner, make-up gain and report all go through them, so
target, gain and measured value are always in the same unit.

Why active RMS by default rather than integrated LUFS? BS.1770's 400 ms gating blocks
cannot measure a 160 ms dog bark without tiling (scaper's workaround), and its absolute
−70 LUFS gate lets the silence between recurring events pull an object's level down
(``stem_lufs`` cuts that silence out to avoid it). We want a number that says "how loud
is this sound *while it sounds*", the same for the clip alone, the clip padded with
silence, or the clip repeated on a 30 s stem:

1. slide a 50 ms window over the signal in 5 ms hops, the signal first padded with one
   window of silence on each side — so a clip measures the same alone or padded with
   silence on a timeline (up to the 5 ms grid phase), and its onset and decay count the
   same way in both cases;
2. window power = mean over samples of the power *summed over channels* — so a mono
   source panned with a constant-power law (sin/cos) keeps its level in stereo;
3. keep the windows within ``GATE_DB`` (40 dB) of the loudest one — a relative gate in
   the spirit of BS.1770's relative gate, which is what makes silence not count;
4. level = 10·log10(mean power of the kept windows), in dB relative to full scale
   (dBFS on the RMS scale of most meters, without the +3 dB sine convention).

Because the gate is relative, the measure is exactly linear in gain:
``active_rms_db(g * x) == active_rms_db(x) + 20*log10(g)``. The planner relies on that.
Digital silence has no level; we report ``SILENCE_DB`` so manifests stay valid JSON.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .blocks import as_frames, chunk_bounds, running_sum_at
from .loudness import LUFS_MEASURE, gain_for_lufs, stem_lufs

LevelUnit = Literal["dbfs", "lufs"]

FRAME_SECONDS = 0.05
HOP_SECONDS = 0.005
GATE_DB = 40.0
SILENCE_DB = -120.0
LEVEL_MEASURE = (
    "active RMS dBFS: mean power (summed over channels) of the 50 ms windows (5 ms hop) "
    "within 40 dB of the loudest window; silence does not count, constant-power panning keeps it"
)


def as_frames_channels(samples: np.ndarray) -> np.ndarray:
    """View 1-D audio as (frames, 1); leave (frames, channels) alone (a ``blocks.FrameFile`` too)."""
    x = as_frames(samples)
    if x.ndim == 1:
        return x[:, None]
    if x.ndim != 2:
        raise ValueError(f"audio must be (frames,) or (frames, channels), got shape {x.shape}")
    return x


def frame_powers(samples: np.ndarray, sample_rate: int, frame_seconds: float = FRAME_SECONDS) -> np.ndarray:
    """Power per non-overlapping frame, summed over channels (for envelopes and checks)."""
    x = as_frames_channels(samples).astype(np.float64, copy=False)
    hop = max(1, int(round(frame_seconds * sample_rate)))
    full = (x.shape[0] // hop) * hop
    if full == 0:
        return np.array([float(np.mean(np.sum(x * x, axis=1)))]) if x.shape[0] else np.zeros(0)
    power = np.sum(x[:full] * x[:full], axis=1)
    return power.reshape(-1, hop).mean(axis=1)


def window_powers(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Power of the 50 ms windows every 5 ms over the silence-padded signal (step 1–2 above).

    Block-wise (``blocks.running_sum_at``): a few MB of working memory at any length, the
    same values as one cumulative sum over the padded signal.
    """
    x = as_frames_channels(samples)
    n = x.shape[0]
    if n == 0:
        return np.zeros(0)
    win = max(1, int(round(FRAME_SECONDS * sample_rate)))
    hop = max(1, int(round(HOP_SECONDS * sample_rate)))
    total = n + 2 * win  # `win` samples of silence either side

    def powers():
        for a, b in chunk_bounds(total):
            power = np.zeros(b - a)
            lo, hi = max(a, win), min(b, win + n)
            if lo < hi:
                body = power[lo - a : hi - a]
                for c in range(x.shape[1]):  # per column: ~10x faster than sum(axis=1) over (frames, 2)
                    column = x[lo - win : hi - win, c].astype(np.float64)
                    body += column * column
            yield power

    starts = np.arange(0, total - win + 1, hop)
    wanted = np.unique(np.r_[starts, starts + win])
    at = running_sum_at(powers(), wanted)
    sums = at[np.searchsorted(wanted, starts + win)] - at[np.searchsorted(wanted, starts)]
    return np.maximum(sums, 0.0) / win


def active_rms_db(samples: np.ndarray, sample_rate: int) -> float:
    """Active RMS level in dBFS (see the module docstring); ``SILENCE_DB`` for silence."""
    p = window_powers(samples, sample_rate)
    if p.size == 0 or not np.any(p > 0):
        return SILENCE_DB
    loudest = float(p.max())
    kept = p[p >= loudest * 10 ** (-GATE_DB / 10)]
    return max(SILENCE_DB, 10.0 * np.log10(float(kept.mean())))


def peak_dbfs(samples: np.ndarray) -> float:
    """Sample peak in dBFS (not true peak: no oversampling), ``SILENCE_DB`` for silence."""
    x = np.asarray(samples)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    return max(SILENCE_DB, 20.0 * np.log10(peak)) if peak > 0 else SILENCE_DB


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def level_measure(unit: LevelUnit) -> str:
    """The definition a manifest carries in ``MixSpec.level_measure`` for ``unit``."""
    return LUFS_MEASURE if unit == "lufs" else LEVEL_MEASURE


def measure_level(samples: np.ndarray, sample_rate: int, unit: LevelUnit) -> float:
    """Level of a stem in ``unit``: active RMS dBFS, or LUFS of its sounding part."""
    return stem_lufs(samples, sample_rate) if unit == "lufs" else active_rms_db(samples, sample_rate)


def gain_to_target(samples: np.ndarray, sample_rate: int, target: float, unit: LevelUnit) -> float:
    """Gain (dB) that brings ``measure_level(samples)`` to ``target``; ``ValueError`` for silence.

    Active RMS is exactly linear in gain (one subtraction); LUFS is refined by re-measuring
    (``loudness.gain_for_lufs``) because BS.1770's absolute gate is not.
    """
    if unit == "lufs":
        return gain_for_lufs(samples, sample_rate, target)
    level = active_rms_db(samples, sample_rate)
    if level <= SILENCE_DB:
        raise ValueError("stem is silent; cannot bring it to a level target")
    return target - level
