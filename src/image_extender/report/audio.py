"""Write audio files the way every output of the tool is written.

24-bit PCM by default: enough headroom for any mix (144 dB) and readable everywhere. The
mix arrives under the ceiling (``mix/ceiling.py`` keeps a 0.001 dB margin), and libsndfile's
float → 24-bit conversion only rounds, so the ceiling survives the write. Values beyond
±1.0 would clip in PCM: pass ``subtype="FLOAT"`` for pre-master stems that may exceed it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from ..errors import RenderError


def write_audio(path: Path, samples: np.ndarray, sample_rate: int, *, subtype: str = "PCM_24") -> Path:
    """Write (frames, channels) or (frames,) float audio as WAV; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    x = np.asarray(samples)
    if subtype.startswith("PCM") and x.size and float(np.max(np.abs(x))) > 1.0:
        raise RenderError(f"{path}: samples exceed full scale; a {subtype} file would clip (use subtype='FLOAT')")
    try:
        sf.write(str(path), x, sample_rate, subtype=subtype, format="WAV")
    except (OSError, RuntimeError, sf.LibsndfileError) as exc:
        raise RenderError(f"{path}: cannot write audio ({exc})") from exc
    return path
