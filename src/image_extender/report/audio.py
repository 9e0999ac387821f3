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
from ..mix.blocks import as_frames, chunk_bounds


def write_audio(path: Path, samples: np.ndarray, sample_rate: int, *, subtype: str | None = None) -> Path:
    """Write (frames, channels) or (frames,) float audio as WAV; returns the path.

    ``subtype=None``: 24-bit PCM, or 32-bit float when a sample lies beyond ±1.0.
    ``samples`` may also be a long mix's ``mix.blocks.FrameFile`` (or a ``Scaled`` one):
    then it is read and written ``CHUNK_FRAMES`` at a time — libsndfile converts each
    sample on its own, so the file has the same bytes as one ``soundfile.write``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    x = as_frames(samples)
    if isinstance(x, np.ndarray):
        over = bool(x.size) and max(float(x.max()), -float(x.min())) > 1.0  # no |x| copy of the whole file
    else:
        over = any(max(float(block.max()), -float(block.min())) > 1.0
                   for block in (x[a:b] for a, b in chunk_bounds(x.shape[0])))  # fmt: skip
    if subtype is None:
        subtype = "FLOAT" if over else "PCM_24"
    elif subtype.startswith("PCM") and over:
        raise RenderError(f"{path}: samples exceed full scale; a {subtype} file would clip (use subtype='FLOAT')")
    try:
        if isinstance(x, np.ndarray):
            sf.write(str(path), x, sample_rate, subtype=subtype, format="WAV")
        else:
            with sf.SoundFile(str(path), "w", sample_rate, x.shape[1], subtype=subtype, format="WAV") as out:
                for a, b in chunk_bounds(x.shape[0]):
                    out.write(x[a:b])
    except (OSError, RuntimeError, sf.LibsndfileError) as exc:
        raise RenderError(f"{path}: cannot write audio ({exc})") from exc
    return path
