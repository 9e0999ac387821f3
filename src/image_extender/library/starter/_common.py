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

import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import soundfile as sf
from debian.copyright import Copyright, NotMachineReadableError

from ..debian import FetchError, fetch_package
from ..records import METADATA_JSONL, SoundRecord, write_jsonl

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


def marked_game_only(key: str, rules: Iterable[Rule], tags: list[str], description: str) -> tuple[list[str], str]:
    """``tags`` and ``description``, marked game-only (the tag, and the reason after the
    description) when ``key`` matches one of ``rules``."""
    why = game_only_reason(key, rules)
    return ([*tags, GAME_ONLY], f"{description} [game-only: {why}]") if why else (tags, description)


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


# Short names some copyright files use for a licence that has exactly one version.
SPDX = {"CC0": "CC0-1.0"}


def _decodes(path: Path) -> bool:
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError):
        return False
    return info.frames > 0


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
        if not _decodes(target):  # a few game files carry a malformed header: leave them out
            target.unlink()
            continue
        tags, description = marked_game_only(clip.key, rules, list(dict.fromkeys(t for t in clip.tags if t)),
                                             clip.description)
        records.append(
            SoundRecord(
                path=clip.rel,
                name=clip.name,
                description=description,
                tags=tags,
                licence=SPDX.get(clip.licence, clip.licence) or "unknown",
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


def words(text: str) -> str:
    """'StepHard1' / 'worker_chop-2' -> 'step hard' / 'worker chop' (numbers dropped)."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    parts = [p for p in re.split(r"[\s_\-.+]+", text.lower()) if p and not p.isdigit()]
    return " ".join(re.sub(r"\d+$", "", p) or p for p in parts).strip()


@functools.lru_cache(maxsize=8)
def _dep5(copyright_file: Path) -> Copyright:
    try:
        with copyright_file.open(encoding="utf-8") as fh:
            return Copyright(fh, strict=False)
    except (OSError, NotMachineReadableError) as exc:
        raise FetchError(f"{copyright_file}: cannot read a machine-readable copyright file ({exc})") from exc


URL = re.compile(r"https?://[^\s<>()\"']+")  # a URL in a DEP-5 Source or Comment field


def dep5_licence(copyright_file: Path, upstream_path: str) -> tuple[str, str, str]:
    """(licence, author, url) of the DEP-5 stanza covering ``upstream_path`` (parsed once).

    A stanza's own ``Source`` line or a URL in its ``Comment`` (a Freesound page, say)
    wins over the header's; a holder written as "(Public Domain)" is kept as written.
    """
    parsed = _dep5(copyright_file)
    para = parsed.find_files_paragraph(upstream_path)
    if para is None or para.license is None:
        raise FetchError(f"{copyright_file}: no Files stanza covers {upstream_path}")
    holders = [_holder(line) for line in (para.copyright or "").splitlines()]
    # python-debian exposes only the standard fields; "Source" in a Files stanza is an
    # extension some packagers use for the Freesound page
    own = getattr(para, "_underlying_paragraph", {})
    urls = [u.rstrip(".,;") for u in URL.findall(f"{own.get('Source', '')} {para.comment or ''}")]
    url = urls[0] if urls else _first_url(parsed.header.source or "")
    author = "; ".join(h for h in dict.fromkeys(holders) if h) or (para.copyright or "").strip(" ()")
    return para.license.synopsis.strip(), author, url


def _holder(line: str) -> str:
    """'Copyright (c) 2011 Massachusetts Institute of Technology' / '2004-2008, Jane <j@x>' ->
    the holder's name alone."""
    line = re.sub(r"^\s*(copyright\b)?\s*(\(c\)|©)?", "", line, flags=re.IGNORECASE)
    return re.sub(r"\s*[(<].*$", "", re.sub(r"^[\s\d,\-–]+", "", line)).strip()


@dataclass(frozen=True)
class StatedLicence:
    """The licence of a package whose copyright file states it in prose, with no DEP-5
    stanzas (``This package is free software; … GNU General Public License …``): ``quote``
    must be in that file (whitespace aside), or the package changed and nothing is kept."""

    licence: str
    author: str
    url: str
    quote: str

    def check(self, copyright_file: Path) -> tuple[str, str, str]:
        try:
            text = " ".join(copyright_file.read_text(encoding="utf-8").split())
        except OSError as exc:
            raise FetchError(f"{copyright_file}: cannot read the copyright file ({exc})") from exc
        if " ".join(self.quote.split()) not in text:
            raise FetchError(f"{copyright_file}: does not state {self.licence} as expected ({self.quote[:60]!r}…)")
        return self.licence, self.author, self.url


def _first_url(source: str) -> str:
    """The header's ``Source``: its first URL, else its first line (some packagers go on to
    list the files they removed from the upstream tarball)."""
    found = URL.search(source)
    return found.group(0).rstrip(".,;") if found else (source.strip().splitlines() or [""])[0].strip()


# What a table entry says about one file: (description, tags, kind or None).
Entry = tuple[str, list[str], "str | None"]


def folder_clips(
    root: Path,
    folder: str,
    copyright_file: Path,
    upstream: Callable[[str], str],
    table: dict[str, Entry],
    context: str,
    *,
    only_table: bool = False,
    skip: Callable[[str], bool] = lambda rel: False,
    stated: StatedLicence | None = None,
) -> list[Clip]:
    """Clips for the audio files under ``root/folder``, described by ``table`` (file stem →
    entry) where the package's own names need a word of explanation, else by the words of
    the file name, always followed by ``context`` (which game, which folder).

    ``upstream`` maps a path under ``folder`` to the path the DEP-5 file uses; a file no
    stanza covers is left out. ``stated``: the copyright file is prose, and states this
    licence for every file.
    """
    base = root / folder
    every = stated.check(copyright_file) if stated else None
    clips = []
    for path in sorted(base.rglob("*")):
        if path.suffix.lower() not in (".wav", ".ogg", ".flac", ".oga", ".mp3") or not path.is_file():
            continue
        rel = path.relative_to(base).as_posix()
        if skip(rel):
            continue
        stem = path.stem
        entry = table.get(stem) or table.get(re.sub(r"[-_]?\d+$", "", stem))
        if entry is None and only_table:
            continue
        name = words(stem) or stem.lower()
        what, tags, kind = entry if entry else (name, [], None)
        folders = [words(p) for p in Path(rel).parts[:-1]]
        try:
            licence, author, url = every or dep5_licence(copyright_file, upstream(rel))
        except FetchError:
            continue  # no stanza states this file's licence: not ours to redistribute
        clips.append(
            Clip(
                rel=rel,
                data=path.read_bytes(),
                name=name,
                description=f"{what} ({context}{', ' + ', '.join(folders) if folders else ''})",
                key=f"{' '.join(folders)} {name}".strip(),
                tags=[*tags, *folders],
                licence=licence,
                author=author,
                url=url,
                kind=kind,
            )
        )
    return clips


def materialize_listed(data_dir: Path, out_dir: Path, package: str, folder: str, upstream_prefix: str,
                       table: dict[str, Entry], context: str, game: str, *, unpack_only: bool = False,
                       transform: Callable[[bytes], bytes] | None = None, stated: StatedLicence | None = None,
                       name: Callable[[str], str] | None = None) -> int:
    """A source made of the files ``table`` names under ``folder`` of one Debian package, each
    licensed by the package's DEP-5 copyright file (whose paths are ``upstream_prefix`` + the
    path under ``folder``); game-only rules are not needed, since only listed files are kept.
    ``unpack_only``: unpack only ``folder`` and the package's doc folder (a large package);
    ``transform``: applied to each file's bytes before it is kept (silence cut, say);
    ``stated``: the licence a prose copyright file states (:class:`StatedLicence`);
    ``name``: each record's name from its path under ``folder``, where the file name's own
    words say little (Czech words, a game event before what the sound is)."""
    count = existing_count(out_dir)
    if count is not None:
        return count
    doc = f"usr/share/doc/{package}"
    root = fetch_package(package, data_dir, only=(folder, doc) if unpack_only else ())
    clips = folder_clips(root, folder, root / f"{doc}/copyright", lambda rel: upstream_prefix + rel,
                         table, context, only_table=True, stated=stated)  # fmt: skip
    if transform is not None:
        clips = [replace(c, data=transform(c.data)) for c in clips]
    if name is not None:
        clips = [replace(c, name=name(c.rel)) for c in clips]
    return write_clips(out_dir, clips, rules=(), source=f"Debian {package} ({game})")
