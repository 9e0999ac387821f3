"""MegaGlest (Debian ``megaglest-data``), tilesets only: day, night and rain loops per landscape.

Each tileset's XML names its ambient sounds by role (``day-sound``, ``night-sound``,
``rain-sound`` loop while the map runs; ``day-start-sound``/``night-start-sound`` play
once at dawn and dusk). The role and the tileset's landscape give the description:
``birch_forest`` + ``night-sound`` -> "birch forest at night, ambience loop". Many
tilesets share one file through symlinks or ``../`` paths, so files are de-duplicated by
content and credited to the tileset that holds the real file, with the others as tags.
Licence from the DEP-5 copyright file; a sound the copyright's credits name ("Elimnator
(from http://www.soundbible.com) for the autumn day sound") gets that author.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import soundfile as sf

from ..debian import FetchError, fetch_package
from ..records import METADATA_JSONL, SoundRecord, write_jsonl
from ._beds import fades_at_edges, quality, read_licence

NAME = "megaglest"
PACKAGE = "megaglest-data"
TILESETS = "usr/share/games/megaglest/tilesets"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"

# Tileset folder -> the landscape it draws, in the words a search would use.
LANDSCAPES: dict[str, tuple[str, list[str]]] = {
    "autumn": ("autumn forest", ["forest", "autumn", "woods"]),
    "birch_forest": ("birch forest", ["forest", "birch", "woods"]),
    "dark_forest": ("dark forest", ["forest", "woods"]),
    "desert2": ("desert", ["desert", "dry"]),
    "desert4": ("desert", ["desert", "dry"]),
    "evergreen": ("evergreen forest", ["forest", "woods"]),
    "fernland": ("fernland forest", ["forest", "ferns"]),
    "forest": ("forest", ["forest", "woods"]),
    "hell": ("hell landscape", ["hell", "fantasy"]),
    "jungle": ("jungle", ["jungle", "tropical", "forest"]),
    "karningul": ("elven forest of Karningul", ["forest", "fantasy"]),
    "meadow": ("meadow", ["meadow", "grassland", "countryside"]),
    "mediterran": ("dry mediterranean land", ["mediterranean", "dry"]),
    "pine_peat": ("pine forest and peat bog", ["forest", "pine", "bog"]),
    "pine_rock": ("rocky pine forest", ["forest", "pine", "rocks"]),
    "scrub_land": ("scrubland", ["scrubland", "dry"]),
    "spring": ("spring forest", ["forest", "spring", "countryside"]),
    "winter": ("winter landscape", ["winter", "snow", "cold"]),
    "winter_forest": ("winter forest", ["winter", "snow", "forest"]),
}
# Role in the tileset XML -> (phrase, kind).
ROLES = {
    "day-sound": ("by day, ambience loop", "bed"),
    "night-sound": ("at night, ambience loop", "bed"),
    "rain-sound": ("in the rain, ambience loop", "bed"),
    "day-start-sound": ("at dawn", "one-shot"),
    "night-start-sound": ("at dusk", "one-shot"),
}
# File stems of the one-shots -> what they are (the "mudchute" cow is from Mudchute farm).
CALLS = {
    "chicken": ("chicken clucking", ["chicken", "farm", "animal"]),
    "rooster": ("rooster crowing", ["rooster", "farm", "animal", "morning"]),
    "owl": ("owl hooting", ["owl", "bird", "night"]),
    "hawk": ("hawk cry", ["hawk", "bird"]),
    "wolf": ("wolf howling", ["wolf", "animal", "night"]),
    "mudchute_cow": ("cow mooing", ["cow", "cattle", "farm", "animal"]),
    "good_morning": ("good morning call", ["morning"]),
}
# Words in the file name that say more than its tileset and role.
STEM_WORDS = {"wind": ("wind", ["wind"]), "desertday": ("", ["desert"]), "sunny_day": ("", ["sunny"])}
ROLE_TAGS = {"day-sound": "day", "night-sound": "night", "rain-sound": "rain"}


@dataclass
class _Clip:
    real: Path
    tileset: str  # tileset holding the real file
    stem: str
    roles: set[str] = field(default_factory=set)
    tilesets: set[str] = field(default_factory=set)


def _collect(root: Path) -> list[_Clip]:
    """Every distinct file a tileset XML names, with its roles and the tilesets using it."""
    clips: dict[str, _Clip] = {}
    for xml_path in sorted(root.glob("*/*.xml")):
        tileset = xml_path.parent.name
        ambient = ET.parse(xml_path).getroot().find("ambient-sounds")
        if ambient is None:
            continue
        for el in ambient:
            rel = el.get("path")
            if el.get("enabled") != "true" or not rel or el.tag not in ROLES:
                continue
            real = (xml_path.parent / rel).resolve()
            if not real.is_file():
                continue
            digest = hashlib.md5(real.read_bytes()).hexdigest()
            owner = real.parent.parent.name  # tilesets/<owner>/sounds/<file>
            clip = clips.setdefault(digest, _Clip(real=real, tileset=owner, stem=real.stem))
            clip.roles.add(el.tag)
            clip.tilesets.add(tileset)
    return list(clips.values())


def _credits(comment: str) -> list[tuple[str, str, str]]:
    """(author, url, what) from lines like 'X (from http://...) for the autumn day sound'."""
    pattern = re.compile(r"^\s*(.+?) \(from (\S+?)\) for (?:the )?\s*(.+?)\s*$")
    return [m.groups() for line in comment.splitlines() if (m := pattern.match(line))]  # type: ignore[misc]


def _credited(clip: _Clip, role: str, credits: list[tuple[str, str, str]]) -> tuple[str, str] | None:
    """Author and url when a credit line names this loop: its tileset (or file name) and day/night.

    Only day and night loops are credited this way ("the autumn day sound"); the file
    name counts too because ``mediterran/desertday.ogg`` is "the desert day sound".
    """
    if role not in ("day-sound", "night-sound"):
        return None
    when = "night" if role == "night-sound" else "day"
    place = clip.stem.lower().removesuffix(when)
    for author, url, what in credits:
        words = what.lower()
        if when in words and (clip.tileset.lower() in words or (place and place in words)):
            return author, url
    return None


def materialize(data_dir: Path, out_dir: Path) -> int:
    """Copy MegaGlest's tileset ambiences and dawn/dusk calls with metadata.jsonl."""
    meta = out_dir / METADATA_JSONL
    if meta.exists():
        return sum(1 for _ in meta.open(encoding="utf-8"))
    root = fetch_package(PACKAGE, data_dir)
    tilesets = root / TILESETS
    if not tilesets.is_dir():
        raise FetchError(f"{PACKAGE}: no tilesets folder at {tilesets}")
    copyright_file = root / COPYRIGHT
    lic = read_licence(copyright_file, "tilesets/forest/sounds/day.ogg")
    raw = copyright_file.read_text(encoding="utf-8")
    header_comment = raw.split("\n\n", 1)[0]
    credits = _credits("\n".join(line.removeprefix(" ") for line in header_comment.splitlines()))
    out_dir.mkdir(parents=True, exist_ok=True)
    records: list[SoundRecord] = []
    for clip in sorted(_collect(tilesets), key=lambda c: (c.tileset, c.stem)):
        # A file used both as day and night loop (winter wind) is described by its name.
        role = sorted(clip.roles, key=list(ROLES).index)[0]
        phrase, kind = ROLES[role]
        landscape, land_tags = LANDSCAPES.get(clip.tileset, (clip.tileset.replace("_", " "), []))
        base = re.sub(r"_?\d+$", "", clip.stem)
        if kind == "one-shot":
            what, call_tags = CALLS.get(base, (base.replace("_", " "), []))
            desc = f"{what} {phrase}"
            tags = [*call_tags]
        else:
            extra, extra_tags = STEM_WORDS.get(base, ("", []))
            day_and_night = {"day-sound", "night-sound"} <= clip.roles
            if role == "rain-sound":
                desc = f"rain in the {landscape}, ambience loop"
            elif day_and_night:
                desc = f"{extra} in the {landscape}" if extra else landscape
                desc += ", day and night ambience loop"
            else:
                desc = f"{landscape} {phrase}"
            tags = [*land_tags, *extra_tags, "ambience", *(ROLE_TAGS[r] for r in clip.roles if r in ("day-sound", "night-sound"))]
            if role == "rain-sound":
                tags += ["rain", "weather"]
        tags += [t.replace("_", " ") for t in sorted(clip.tilesets)]
        rel = f"{clip.tileset}/{clip.real.name}"
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(clip.real, target)
        info = sf.info(target)
        loopable = kind == "bed" and info.duration >= 10.0 and not fades_at_edges(target)
        author, url = _credited(clip, role, credits) or (lic.author, lic.url)
        records.append(
            SoundRecord(
                path=rel,
                name=f"{clip.tileset} {clip.stem}",
                description=desc,
                tags=sorted({t for t in tags if t}),
                licence=lic.licence,
                author=author,
                url=url,
                source=PACKAGE,
                kind=kind,  # type: ignore[arg-type]
                loopable=loopable,
                quality=quality(info),
            )
        )
    write_jsonl(records, out_dir)
    return len(records)
