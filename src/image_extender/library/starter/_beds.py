"""Shared helpers for the ambience-bed starter sources (0ad, LinCity-NG, MegaGlest).

Three jobs the bed sources have in common: read licence and author from the package's
machine-readable Debian copyright file (DEP-5, parsed with python-debian rather than by
hand), describe a file's technical quality so better beds win ties, and tell a designed
loop from a clip that fades in or out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from debian.copyright import Copyright, NotMachineReadableError

from ..debian import FetchError

# A sample rate below this is what telephone-era game audio used; such beds are marked
# "low" so a 44.1 kHz recording of the same scene outranks them.
LOW_RATE_HZ = 22050
# Seconds at each end compared with the body when deciding whether a clip is a loop.
EDGE_S = 0.25
# An edge this much quieter than the body's median means a fade: not a seamless loop.
FADE_DB = 9.0


@dataclass(frozen=True)
class Licence:
    licence: str  # the DEP-5 License short name of the stanza that covers the files
    author: str  # the stanza's Copyright holders, years stripped
    url: str  # the copyright file's Source field (upstream home)
    comment: str  # the stanza's Comment, if any (e.g. a dual-licence note)


def read_licence(copyright_file: Path, sample_path: str) -> Licence:
    """Licence of ``sample_path`` (a path as upstream lays it out) per the DEP-5 file."""
    try:
        with copyright_file.open(encoding="utf-8") as fh:
            parsed = Copyright(fh, strict=False)
    except (OSError, NotMachineReadableError) as exc:
        raise FetchError(f"{copyright_file}: cannot read a machine-readable copyright file ({exc})") from exc
    para = parsed.find_files_paragraph(sample_path)
    if para is None or para.license is None:
        raise FetchError(f"{copyright_file}: no Files stanza covers {sample_path}")
    return Licence(
        licence=para.license.synopsis.strip(),
        author="; ".join(_holders(para.copyright or "")),
        url=(parsed.header.source or "").strip(),
        comment=" ".join((para.comment or "").split()),
    )


def _holders(copyright_field: str) -> list[str]:
    """'2001-2008, The Glest Team (<http://glest.org>)' -> 'The Glest Team'."""
    out = []
    for line in copyright_field.splitlines():
        name = re.sub(r"^[\s\d,\-–]+", "", line)  # leading years
        name = re.sub(r"\s*[(<].*$", "", name).strip()  # trailing (<url>) / <email>
        if name and name not in out:
            out.append(name)
    return out


def quality(info: sf._SoundFileInfo) -> str:
    """'44.1 kHz stereo', or 'low: 11 kHz mono' when the rate is below LOW_RATE_HZ."""
    khz = f"{info.samplerate / 1000:.3g}".rstrip("0").rstrip(".")
    text = f"{khz} kHz {'mono' if info.channels == 1 else 'stereo'}"
    return f"low: {text}" if info.samplerate < LOW_RATE_HZ else text


def fades_at_edges(path: Path) -> bool:
    """True when the first or last EDGE_S seconds sit FADE_DB below the body's median level.

    Game ambience loops are cut to run on without a fade; one-off recordings fade in or
    out. The mixer crossfades every looped bed anyway, but a bed that fades would pulse.
    """
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    win = max(1, int(EDGE_S * rate))
    if mono.size < 4 * win:
        return True
    frames = mono[: mono.size // win * win].reshape(-1, win)
    rms_db = 20 * np.log10(np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1)) + 1e-9)
    body = float(np.median(rms_db))
    return bool(min(rms_db[0], rms_db[-1]) < body - FADE_DB)
