"""FluidR3 GM (Debian ``fluid-soundfont-gm``): single recorded notes of a banjo and a steel
drum, an old telephone's bell and an audience's applause, read out of the SoundFont.

A SoundFont 2 file is a RIFF file: the ``sdta`` list holds every sample's 16-bit PCM one
after another (``smpl``), and the ``pdta`` list's ``shdr`` table names each sample and
gives its start, end and rate. :func:`samples` reads that table and nothing more — the
presets and instruments that map keys to samples are for a synthesizer, and a note is
kept as it was recorded, never rendered. A stereo sample is two mono samples named
``… (L)`` and ``… (R)``; they are joined into one stereo file. A sustained note stops
where its sample stops (a synthesizer would loop it), so the last 40 ms fade out.

Kept: what backs a vocabulary entry the game packages leave bare — the banjo's six notes,
the steel drum's four, the telephone and the applause. Most other samples are notes of
instruments the library has whole phrases of, or synthetic (pads, leads, the gunshot).
The copyright file is prose, with no DEP-5 stanzas: it quotes Frank Wen's README
releasing Fluid under the MIT licence (:class:`~._common.StatedLicence` checks it does).
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from ..debian import FetchError, fetch_package
from ._common import Clip, StatedLicence, existing_count, words, write_clips

NAME = "fluid_soundfont"
PACKAGE = "fluid-soundfont-gm"
SF2 = "usr/share/sounds/sf2/FluidR3_GM.sf2"
LICENCE = StatedLicence(
    licence="MIT",
    author="Frank Wen",
    url="http://www.musescore.org/download/fluid-soundfont.tar.gz",
    quote="I hereby release Fluid under the MIT license",
)
FADE_S = 0.04
# sample name (without " (L)"/"(R)") -> (description, tags, kind)
SOUNDS: dict[str, tuple[str, list[str], str]] = {
    **{f"Banjo {n}": ("a banjo note plucked, the bright twang of a bluegrass banjo string",
                      ["banjo", "plucked", "string instrument", "bluegrass"], "one-shot") for n in range(1, 7)},
    **{f"Steel Drum {note}": ("a steel drum note struck, the ringing tone of a Caribbean steelpan",
                              ["steel drum", "steelpan", "caribbean", "percussion"], "one-shot")
       for note in ("C 7", "F# 6", "C 6", "F# 5")},
    "Telephone": ("an old telephone ringing, the bell of a desk phone", ["telephone", "phone", "ring", "bell"],
                  "one-shot"),
    "Applause": ("an audience applauding, a hall full of people clapping",
                 ["applause", "audience", "clapping", "crowd"], "one-shot"),
}


@dataclass(frozen=True)
class Sample:
    name: str
    rate: int
    pcm: np.ndarray  # int16, mono


def _chunks(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(id, offset of the body, size) of each RIFF chunk between ``start`` and ``end``."""
    while start + 8 <= end:
        cid, size = struct.unpack_from("<4sI", data, start)
        yield cid, start + 8, size
        start += 8 + size + (size & 1)


def samples(path: Path) -> list[Sample]:
    """Every sample of a SoundFont 2 file, by the names its ``shdr`` table gives them."""
    data = path.read_bytes()
    if data[:4] != b"RIFF" or data[8:12] != b"sfbk":
        raise FetchError(f"{path}: not a SoundFont 2 file")
    lists = {data[off:off + 4]: (off + 4, off + size) for cid, off, size in _chunks(data, 12, len(data)) if cid == b"LIST"}
    try:
        sdta = {cid: (off, size) for cid, off, size in _chunks(data, *lists[b"sdta"])}
        pdta = {cid: (off, size) for cid, off, size in _chunks(data, *lists[b"pdta"])}
        pcm = np.frombuffer(data, dtype="<i2", count=sdta[b"smpl"][1] // 2, offset=sdta[b"smpl"][0])
        table_off, table_size = pdta[b"shdr"]
    except KeyError as exc:
        raise FetchError(f"{path}: SoundFont without its {exc.args[0]!r} chunk") from exc
    if max(sum(sdta[b"smpl"]), table_off + table_size) > len(data):
        raise FetchError(f"{path}: truncated SoundFont (its sample data or sample table ends past the file)")
    out = []
    for i in range(table_size // 46 - 1):  # the last header is the terminal "EOS"
        name, start, end, _, _, rate = struct.unpack_from("<20sIIIII", data, table_off + 46 * i)
        if 0 <= start < end <= len(pcm) and rate > 0:
            out.append(Sample(name.split(b"\0")[0].decode("latin-1").strip(), rate, pcm[start:end]))
    return out


def _wav(channels: list[np.ndarray], rate: int) -> bytes:
    """16-bit WAV of one or two channels, the last ``FADE_S`` faded out."""
    n = min(len(c) for c in channels)
    audio = np.stack([c[:n] for c in channels], axis=1).astype(np.float32) / 32768.0
    fade = min(n, int(FADE_S * rate))
    audio[n - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[:, None]
    buf = io.BytesIO()
    sf.write(buf, audio, rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def clips(all_samples: list[Sample], licence: tuple[str, str, str],
          sounds: dict[str, tuple[str, list[str], str]] = SOUNDS, font: str = "FluidR3 GM") -> list[Clip]:
    """One clip per ``sounds`` entry: its mono sample, or its (L)/(R) pair joined in stereo.
    ``font`` names the SoundFont in each description (FluidR3 GS's module passes its own table)."""
    by_name = {s.name: s for s in all_samples}
    lic, author, url = licence
    out = []
    for name, (what, tags, kind) in sounds.items():
        pair = [by_name.get(f"{name}(L)"), by_name.get(f"{name}(R)")]
        parts = pair if all(pair) else [by_name.get(name)]
        if not all(parts):
            continue
        slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        out.append(Clip(rel=f"{slug}.wav", data=_wav([p.pcm for p in parts], parts[0].rate), name=words(name) or slug,
                        description=f"{what} ({font} SoundFont sample '{name}')", key=name, tags=tags,
                        licence=lic, author=author, url=url, kind=kind))
    return out


def materialize_font(data_dir: Path, out_dir: Path, package: str, sf2: str,
                     sounds: dict[str, tuple[str, list[str], str]], font: str) -> int:
    """The ``sounds`` of the SoundFont ``sf2`` in Debian ``package``, licensed as Frank Wen's
    README states (:data:`LICENCE`); ``font`` names it in the descriptions and the source."""
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(package, data_dir)
    licence = LICENCE.check(root / f"usr/share/doc/{package}/copyright")
    return write_clips(out_dir, clips(samples(root / sf2), licence, sounds, font), rules=(),
                       source=f"Debian {package} ({font})")


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_font(data_dir, out_dir, PACKAGE, SF2, SOUNDS, "FluidR3 GM")
