"""Which images a dataset run covers: a folder (recursive) or a text file of paths.

The list is sorted and de-duplicated, so the same SOURCE always gives the same order,
``--limit N`` always the same first N, and a resumed run the same remaining ones. Each
image is named in the metadata by its path relative to the folder (or as written in the
text file), so a dataset does not carry the name of the machine it was made on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"})


@dataclass(frozen=True)
class ImageItem:
    name: str  # how the metadata names it
    path: Path  # where a worker reads it


def list_images(source: Path, *, exclude: Path | None = None, limit: int | None = None) -> list[ImageItem]:
    """Images under ``source`` (a folder, recursive; hidden entries skipped) or listed in it (a text file)."""
    source = Path(source)
    if not source.exists():
        raise InputError(f"{source}: no such folder or file list")
    if source.is_dir():
        skip = exclude.resolve() if exclude is not None else None
        found = []
        for p in source.rglob("*"):
            rel = p.relative_to(source)
            if any(part.startswith(".") for part in rel.parts) or p.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            if skip is not None and p.resolve().is_relative_to(skip):
                continue
            if p.is_file():
                found.append(ImageItem(rel.as_posix(), p))
        items = sorted(found, key=lambda i: i.name)
    else:
        items = _from_list(source)
    if not items:
        raise InputError(f"{source}: no images found (looked for {', '.join(sorted(IMAGE_SUFFIXES))})")
    return items[:limit] if limit is not None else items


def _from_list(listing: Path) -> list[ImageItem]:
    try:
        lines = listing.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{listing}: cannot read the list of images ({exc})") from exc
    seen: dict[str, ImageItem] = {}
    for line in lines:
        name = line.strip()
        if not name or name.startswith("#"):
            continue
        path = Path(name) if Path(name).is_absolute() else listing.parent / name
        seen.setdefault(name, ImageItem(name, path))
    return list(seen.values())
