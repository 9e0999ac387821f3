"""The output folder and its ZIP: everything a user needs to hear, credit and re-render.

Layout written by the pipeline (helpers here)::

    out/
      mix.wav            the master (24-bit PCM, under the ceiling)
      stems/NN-role-label.wav   one per track, before the master stage (see audio.py)
      sounds/            copies of the source recordings the manifest names
      manifest.json      the full manifest (re-renders the same mix)
      timeline.png       report/timeline.py
      CREDITS.md         report/credits.py

``write_bundle`` zips the folder with a fixed entry order (sorted relative paths) and
fixed timestamps, so the same folder always gives the same ZIP bytes. Audio is *stored*
(``ZIP_STORED``), and so are images, a clip's video and archives: deflate gains ~1–5 % on
PCM, the others are compressed already, and it costs ~50 ms per MB; text (manifest,
credits) is deflated. Each file is streamed
into the archive once (read in chunks, CRC computed on the way), never held whole in memory.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from ..errors import InputError, RenderError
from ..manifest import Manifest, Track
from ..mix.render import Rendered
from .audio import write_audio

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # earliest date a ZIP can hold: no wall-clock in the bytes
STORED_SUFFIXES = frozenset({
    ".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aif", ".aiff",  # audio
    ".png", ".jpg", ".jpeg", ".gif", ".webp",  # images
    ".mp4", ".m4v", ".mov", ".mkv", ".webm",  # a clip's muxed video
    ".zip", ".gz", ".xz", ".bz2", ".zst",  # archives
})  # fmt: skip
CHUNK = 1 << 20


def compression_for(path: Path) -> int:
    """``ZIP_STORED`` for audio and images (incompressible or already compressed), else ``ZIP_DEFLATED``."""
    return zipfile.ZIP_STORED if path.suffix.lower() in STORED_SUFFIXES else zipfile.ZIP_DEFLATED


def slug(text: str) -> str:
    """File-name-safe lowercase form of a label or id."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60] or "sound"


def stem_name(index: int, track: Track) -> str:
    return f"{index:02d}-{track.role}-{slug(track.label)}.wav"


def write_stems(stems_dir: Path, tracks: list[Track], rendered: Rendered, sample_rate: int) -> list[Path]:
    """One WAV per track (24-bit, or 32-bit float when a pre-master stem exceeds full scale)."""
    if len(tracks) != len(rendered.stems):
        raise ValueError(f"{len(tracks)} tracks but {len(rendered.stems)} rendered stems")
    # one stem alive at a time: each is made when indexed (render.Stems) and freed once written
    return [write_audio(Path(stems_dir) / stem_name(i, t), rendered.stems[i], sample_rate) for i, t in enumerate(tracks)]


def collect_sounds(manifest: Manifest, out_dir: Path, base_dir: Path | None = None) -> Manifest:
    """Copy every recording a track uses into ``out_dir/sounds`` and point a copy of the
    manifest at the copies (paths relative to ``out_dir``), so the folder re-renders anywhere.

    ``base_dir`` resolves relative sound paths (a manifest read from disk); ``None``: they
    are absolute (a fresh run).
    """
    sounds_dir = Path(out_dir) / "sounds"
    sounds_dir.mkdir(parents=True, exist_ok=True)
    manifest = manifest.model_copy(deep=True)
    copied: dict[Path, str] = {}
    for track in manifest.tracks:
        src = Path(track.sound.path)
        if not src.is_absolute() and base_dir is not None:
            src = base_dir / src
        src = src.resolve()
        if src not in copied:
            if not src.is_file():
                raise InputError(f"{src}: sound file of track '{track.label}' is missing")
            name = f"{len(copied):02d}-{slug(track.sound.name)[:40]}{src.suffix.lower()}"
            try:
                shutil.copyfile(src, sounds_dir / name)
            except OSError as exc:
                raise RenderError(f"{src}: cannot copy sound of track '{track.label}' ({exc.strerror or exc})") from exc
            copied[src] = f"sounds/{name}"
        track.sound.path = copied[src]
        choice = manifest.choices[track.choice_index] if track.choice_index < len(manifest.choices) else None
        if choice is not None and choice.sound is not None and choice.sound.id == track.sound.id:
            choice.sound.path = copied[src]
    return manifest


def write_bundle(out_dir: Path, zip_path: Path) -> Path:
    """ZIP every file under ``out_dir`` (except the ZIP itself), sorted, with fixed timestamps."""
    out_dir = Path(out_dir)
    zip_path = Path(zip_path)
    if not out_dir.is_dir():
        raise RenderError(f"{out_dir}: output folder does not exist, nothing to bundle")
    files = sorted(
        (p for p in out_dir.rglob("*") if p.is_file() and p.resolve() != zip_path.resolve()),
        key=lambda p: p.relative_to(out_dir).as_posix(),
    )
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = zip_path.with_name(zip_path.name + ".partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(out_dir).as_posix(), date_time=ZIP_DATE)
            info.compress_type = compression_for(path)
            info.external_attr = 0o644 << 16
            info.file_size = path.stat().st_size
            with path.open("rb") as src, zf.open(info, "w", force_zip64=info.file_size > zipfile.ZIP64_LIMIT) as dst:
                shutil.copyfileobj(src, dst, CHUNK)
    tmp.replace(zip_path)
    return zip_path
