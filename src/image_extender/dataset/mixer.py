"""The method's light mixer: each chunk at its own random loudness, summed linearly.

Each retrieved chunk gets a target loudness drawn uniformly from a range (default
:data:`DEFAULT_LUFS_RANGE`) and the gain ``target − L`` where ``L`` is the chunk's
integrated loudness (ITU-R BS.1770-4 via pyloudnorm, measured once when the pool was
built; short clips tiled, silence floored at −70 LUFS by ``library.audio_io``). The gated
BS.1770 measure is linear in gain, so the chunk then measures its target. The gained
chunks are summed sample by sample, as in the paper.

A sum can exceed full scale, and FLAC is integer PCM: written as is, it would clip. So a
sum whose sample peak is above :data:`CEILING_DBFS` is scaled down as a whole (every
chunk by the same dB, so their loudness *differences* survive) and the scaling is
returned as ``clip_gain_db`` for the metadata — prevented and reported, never wrapped or
hard-clipped silently.

Default range −35…−20 LUFS: a 15 LU spread gives the relative levels variety (the point of
drawing at random) while the loudest chunk sits 3 LU above EBU R128's −23 programme level
and a typical sum of 2–4 chunks stays under full scale without any scaling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_LUFS_RANGE = (-35.0, -20.0)
CEILING_DBFS = -1.0  # sample peak of the written mix


@dataclass(frozen=True)
class MixResult:
    samples: np.ndarray  # float32 mono
    gains_db: list[float]  # per chunk, before the clip guard
    peak_dbfs: float  # sample peak of the returned samples (−200 for silence)
    clip_gain_db: float  # ≤ 0: the whole-mix scaling that kept the peak under the ceiling


def draw_lufs(rng: np.random.Generator, lufs_range: tuple[float, float] = DEFAULT_LUFS_RANGE) -> float:
    lo, hi = lufs_range
    return float(rng.uniform(lo, hi))


def _db(x: float) -> float:
    return 20.0 * float(np.log10(x)) if x > 0 else -200.0


def mix_chunks(chunks: list[np.ndarray], chunk_lufs: list[float], targets: list[float], length: int,
               ceiling_dbfs: float = CEILING_DBFS) -> MixResult:
    """Sum ``chunks`` (equal length) each brought from ``chunk_lufs`` to ``targets`` (LUFS)."""
    out = np.zeros(length, dtype=np.float64)
    gains = []
    for chunk, measured, target in zip(chunks, chunk_lufs, targets, strict=True):
        gain_db = float(target - measured)
        gains.append(gain_db)
        out += np.asarray(chunk, dtype=np.float64) * 10.0 ** (gain_db / 20.0)
    peak = float(np.abs(out).max()) if out.size else 0.0
    clip_gain_db = 0.0
    ceiling = 10.0 ** (ceiling_dbfs / 20.0)
    if peak > ceiling:
        clip_gain_db = _db(ceiling / peak)
        out *= ceiling / peak
        peak = ceiling
    return MixResult(out.astype(np.float32), gains, _db(peak), clip_gain_db)
