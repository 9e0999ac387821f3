"""What the starter sources share: game-only rules, licence lookup, writing a source folder.

Every source turns its package's own structure into :class:`Clip` s — the audio bytes,
where they came from, and a description made of the package's words (folder and file
names, the game's data files, credits) — and :func:`write_clips` writes them with
``metadata.jsonl`` in one go.

**Game-only.** Game packages also carry sounds that belong to the game, not to the world
a photo shows: weapons, spells, interface blips, death cries, voice lines of game
characters. Each source lists :class:`Rule` s over its own paths and data (a hedgewars
voice pack folder, a MegaGlest ``attack`` skill, an OpenClonk ``UI.ocg`` group); a clip
matching any rule gets the tag :data:`GAME_ONLY`, which the sound finder keeps out of
object and bed picks. The rule's reason is kept in the description so a person reading the
library can see why.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..debian import FetchError
from ..records import METADATA_JSONL, SoundRecord, write_jsonl
from ._beds import read_licence

GAME_ONLY = "game-only"


@dataclass(frozen=True)
class Rule:
    """A clip whose match text (``Clip.key``) matches ``pattern`` is game-only, because ``why``."""

    pattern: str
    why: str

    def matches(self, text: str) -> bool:
        return re.search(self.pattern, text, re.IGNORECASE) is not None


def game_only_reason(key: str, rules: Iterable[Rule]) -> str | None:
    """The ``why`` of the first rule ``key`` matches, or None for a sound of the world."""
    for rule in rules:
        if rule.matches(key):
            return rule.why
    return None


@dataclass
class Clip:
    """One recording a source keeps.

    ``key`` is what the game-only rules are matched against: the path inside the package,
    plus any role the game's data gives the file (``"skill:attack"``).
    """

    rel: str  # path under the source folder, with its real suffix
    data: bytes
    name: str
    description: str
    key: str
    tags: list[str] = field(default_factory=list)
    licence: str = ""
    author: str = ""
    url: str = ""
    kind: str | None = None
    loopable: bool | None = None


def existing_count(out_dir: Path) -> int | None:
    """How many records a finished source folder holds; None when it is not written yet."""
    meta = out_dir / METADATA_JSONL
    if not meta.exists():
        return None
    with meta.open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())


def write_clips(out_dir: Path, clips: Iterable[Clip], rules: Iterable[Rule], source: str) -> int:
    """Write every distinct clip (byte-identical copies are kept once) and ``metadata.jsonl``.

    The metadata file is written last and atomically, so a folder without it is an
    unfinished one and the next run starts it again.
    """
    rules = list(rules)
    out_dir.mkdir(parents=True, exist_ok=True)
    records: list[SoundRecord] = []
    seen: set[str] = set()
    for clip in clips:
        if not clip.data:
            continue
        digest = hashlib.md5(clip.data).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        target = out_dir / clip.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(clip.data)
        tags = list(dict.fromkeys(t for t in clip.tags if t))
        description = clip.description
        why = game_only_reason(clip.key, rules)
        if why:
            tags.append(GAME_ONLY)
            description += f" [game-only: {why}]"
        records.append(
            SoundRecord(
                path=clip.rel,
                name=clip.name,
                description=description,
                tags=tags,
                licence=clip.licence or "unknown",
                author=clip.author,
                url=clip.url,
                source=source,
                kind=clip.kind,  # type: ignore[arg-type]
                loopable=clip.loopable,
            )
        )
    if not records:
        raise FetchError(f"{source}: no recordings found in the package (has its layout changed?)")
    write_jsonl(records, out_dir)
    return len(records)


def licence_of(copyright_file: Path, sample_path: str) -> tuple[str, str, str]:
    """(licence, author, upstream url) from a DEP-5 copyright file for one upstream path."""
    lic = read_licence(copyright_file, sample_path)
    return lic.licence, lic.author, lic.url


def words(text: str) -> str:
    """'StepHard1' / 'worker_chop-2' -> 'step hard' / 'worker chop' (numbers dropped)."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    parts = [p for p in re.split(r"[\s_\-.+]+", text.lower()) if p and not p.isdigit()]
    return " ".join(re.sub(r"\d+$", "", p) or p for p in parts).strip()


Describe = Callable[[str], tuple[str, str, list[str]] | None]
