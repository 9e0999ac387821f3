"""Write audio files the way every output of the tool is written.

24-bit PCM by default: 144 dB of dynamic range and readable everywhere. The mix arrives
under the ceiling (``mix/ceiling.py`` keeps a 0.001 dB margin), and libsndfile's
float → 24-bit conversion only rounds, so the ceiling survives the write.

Pre-master stems can exceed full scale (a bed with a loud transient, a gain pushed up in
the manifest); PCM would clip them. So with ``subtype=None`` (the default) a file whose
samples all lie within ±1.0 is written as 24-bit PCM and any other as 32-bit float — never
silently clipped. Asking for a PCM subtype explicitly with samples beyond ±1.0 is an error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from ..errors import RenderError


def write_audio(path: Path, samples: np.ndarray, sample_rate: int, *, subtype: str | None = None) -> Path:
    """Write (frames, channels) or (frames,) float audio as WAV; returns the path.

    ``subtype=None``: 24-bit PCM, or 32-bit float when a sample lies beyond ±1.0.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    x = np.asarray(samples)
    over = bool(x.size) and max(float(x.max()), -float(x.min())) > 1.0  # no |x| copy of the whole file
    if subtype is None:
        subtype = "FLOAT" if over else "PCM_24"
    elif subtype.startswith("PCM") and over:
        raise RenderError(f"{path}: samples exceed full scale; a {subtype} file would clip (use subtype='FLOAT')")
    try:
        sf.write(str(path), x, sample_rate, subtype=subtype, format="WAV")
    except (OSError, RuntimeError, sf.LibsndfileError) as exc:
        raise RenderError(f"{path}: cannot write audio ({exc})") from exc
    return path
