"""Cut a recording into the pool's standard chunks: 16 kHz, mono, non-overlapping 5 s.

The "Seeing Sound" method retrieves fixed-length chunks rather than whole recordings, so
every clip it sums has the same length and rate. A recording is resampled (soxr, "HQ"),
summed to mono (the mean of its channels, so a centred stereo source keeps its level),
cut into ``ceil(duration / 5 s)`` chunks, and the last chunk is zero-padded: a 34 s file
gives 7 chunks, the 7th holding 4 s of sound and 1 s of padding. A file shorter than one
chunk gives one padded chunk. Pure functions, numpy in and out.
"""

from __future__ import annotations

import math

import numpy as np
import soxr

POOL_SAMPLE_RATE = 16_000
CHUNK_SECONDS = 5.0


def to_pool_audio(samples: np.ndarray, sample_rate: int, target_rate: int = POOL_SAMPLE_RATE) -> np.ndarray:
    """``(frames,)`` or ``(frames, channels)`` audio → float32 mono at ``target_rate``."""
    x = np.asarray(samples, dtype=np.float32)
    mono = x if x.ndim == 1 else x.mean(axis=1, dtype=np.float32)
    if sample_rate != target_rate and mono.size:
        mono = soxr.resample(mono, sample_rate, target_rate, quality="HQ")
    return np.ascontiguousarray(mono, dtype=np.float32)


def cut_chunks(mono: np.ndarray, sample_rate: int = POOL_SAMPLE_RATE,
               seconds: float = CHUNK_SECONDS) -> tuple[np.ndarray, float]:
    """Non-overlapping chunks ``(n, seconds·rate)`` and the padding (s) of the last one.

    ``n = ceil(len / chunk)`` (at least 1); the last chunk is zero-padded to full length.
    """
    length = int(round(seconds * sample_rate))
    n = max(1, math.ceil(mono.size / length))
    out = np.zeros(n * length, dtype=np.float32)
    out[: mono.size] = mono
    return out.reshape(n, length), (n * length - mono.size) / sample_rate
