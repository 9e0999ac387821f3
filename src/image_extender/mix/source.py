"""Decode a sound file once and bring it to the mix sample rate.

Resampling uses libsoxr (``soxr``, "HQ" quality), which is deterministic: the same file
and rates give the same samples on every run, a precondition for bit-identical re-renders.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from ..errors import RenderError


def load_source(path: str | Path, sample_rate: int, *, track: str = "") -> np.ndarray:
    """Read ``path`` as float64 (frames, channels) at ``sample_rate``.

    Raises ``RenderError`` naming the file (and the track that wanted it) when the file is
    missing, unreadable or empty.
    """
    where = f" (track '{track}')" if track else ""
    try:
        data, sr = sf.read(str(path), dtype="float64", always_2d=True)
    except (OSError, RuntimeError, sf.LibsndfileError) as exc:
        raise RenderError(f"{path}: cannot read sound file{where}: {exc}") from exc
    if data.shape[0] == 0:
        raise RenderError(f"{path}: sound file has no samples{where}")
    if sr != sample_rate:
        data = soxr.resample(data, sr, sample_rate, quality="HQ")
    return np.ascontiguousarray(data, dtype=np.float64)


class SourceCache:
    """Decoded + resampled sources, keyed by (path, rate), for the life of one render."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._data: dict[str, np.ndarray] = {}

    def get(self, path: str | Path, *, track: str = "") -> np.ndarray:
        key = str(path)
        if key not in self._data:
            self._data[key] = load_source(key, self.sample_rate, track=track)
        return self._data[key]
