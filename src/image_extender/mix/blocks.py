"""Block-wise running sums: window energies of a long signal without full-length temporaries.

Loudness (BS.1770 400 ms blocks, ``loudness.py``) and active RMS (50 ms windows,
``levels.py``) both read a running sum ``S[i] = Σ_{k<i} p[k]`` of a per-sample power ``p``
at a few window edges. Built with one ``np.cumsum`` that needs two float64 arrays as long
as the signal (1.3 GB each for an hour of audio at 44.1 kHz); here ``p`` arrives in chunks
and the sum is continued across them — the same additions in the same order, so the
values are bit-identical to one ``cumsum`` — and only the requested entries are kept.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

CHUNK_FRAMES = 1 << 17  # ~3 s at 44.1 kHz: what block-wise measuring holds at once


def running_sum_at(chunks: Iterable[np.ndarray], wanted: np.ndarray) -> np.ndarray:
    """``S[wanted]`` for ``S = [0, cumsum(concatenate(chunks))]``, chunks consumed one at a time.

    ``wanted`` must be sorted and unique (``np.unique``); indices beyond the total length
    read the total.
    """
    out = np.zeros(wanted.size)
    carry = 0.0
    done = 0
    for power in chunks:
        if power.size == 0:
            continue
        power = np.array(power, dtype=np.float64)  # own copy: the carry is added into it
        power[0] += carry  # S[done + 1] = S[done] + p[done]: the addition one cumsum would make
        running = np.cumsum(power)
        carry = float(running[-1])
        lo, hi = np.searchsorted(wanted, [done + 1, done + power.size + 1])
        out[lo:hi] = running[wanted[lo:hi] - done - 1]
        done += power.size
    out[wanted > done] = carry
    return out


def chunk_bounds(n: int, size: int = CHUNK_FRAMES) -> Iterable[tuple[int, int]]:
    """``[a, b)`` bounds covering ``range(n)`` in pieces of ``size``."""
    return ((a, min(n, a + size)) for a in range(0, n, size))
