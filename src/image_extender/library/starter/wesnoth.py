"""Battle for Wesnoth (Debian ``wesnoth-1.16-data``): birds by day, a night, a morning, a
campfire and a ship as ambience, horses cantering, a wolf's growl, bats' wings, fire, a
torch, a fuse, a rumble and a cave-in, a chest opening, coins — and, tagged game-only,
the game's battle: weapons, spells, the hit and death cries of its creatures, horn
signals and the interface.

The sounds are named by what the game plays them for (``human-female-die-2.ogg``,
``magic-holy-miss-1.ogg``); the interface ones sit apart in ``sounds/``, which its README
calls "sound resources used by the C++ UI". :data:`WORLD` lists the sounds of things a
photo could show; everything else is game-only, with :data:`RULES` naming why. The
package's copyright file is not machine-readable: it grants the whole game under "the
GNU General Public License version 2 or at your option any later version" (GPL-2+),
which :func:`read_licence` checks rather than assumes.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..debian import FetchError, fetch_package
from ._common import Clip, Rule, existing_count, words, write_clips

NAME = "wesnoth"
PACKAGE = "wesnoth-1.16-data"
ROOT = "usr/share/games/wesnoth/1.16"
# folder in the package -> folder in the source (and the first word the rules see)
FOLDERS = {"data/core/sounds": "core", "sounds": "interface"}
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
HOMEPAGE = "https://www.wesnoth.org/"
AUTHOR = "The Battle for Wesnoth project (David White et al.)"
# file stem without its number -> (description, tags, kind)
WORLD = {
    "birds": ("birds singing, ambience", ["birds", "nature", "day"], "bed"),
    "morning": ("morning ambience", ["morning", "birds", "nature"], "bed"),
    "night": ("night ambience", ["night", "nature"], "bed"),
    "campfire": ("campfire burning", ["fire", "campfire"], None),
    "ship": ("ship at sea", ["ship", "sea", "boat"], None),
    "horse-canter": ("horse cantering, hooves", ["horse", "hooves", "animal"], None),
    "horse-elf-canter": ("horse cantering, hooves", ["horse", "hooves", "animal"], None),
    "wolf-growl": ("wolf growling", ["wolf", "animal"], None),
    "bat-flapping": ("bat wings flapping", ["bat", "wings", "animal"], None),
    "fire": ("fire", ["fire"], None),
    "torch": ("torch flame", ["fire", "torch"], None),
    "fuse": ("burning fuse", ["fuse", "fire"], None),
    "rumble": ("rumble", ["rumble"], None),
    "cave-in": ("cave-in, rocks collapsing", ["rocks", "collapse"], None),
    "open-chest": ("chest opening", ["chest", "wood"], None),
    "gold": ("gold coins", ["coins", "money"], None),
}
RULES = (
    Rule(r"^battle interface ", "game interface sound"),
    Rule(r"^battle .*\bhorn signals\b", "game event signal"),
    Rule(r"^battle .*\b(die|hit|laugh|groan|wail|ugg|shriek|attack)\b", "hit or death cry of a game creature"),
    Rule(r"^battle .*\b(magic|heal|poison|slowed|petrified|entangle|lightning|ink|mud|water blast|flame|melee fire|"
         r"magicmissile)\b", "game spell"),
    Rule(r"^battle ", "game weapon or battle effect"),
)  # fmt: skip
_GPL2_PLUS = re.compile(r"General Public License\s+version 2\s+or at your option any later version", re.IGNORECASE)


def read_licence(copyright_file: Path) -> str:
    """GPL-2+ when the copyright file grants it in its License paragraph, else an error."""
    text = copyright_file.read_text(encoding="utf-8", errors="replace")
    if not _GPL2_PLUS.search(" ".join(text.split())):
        raise FetchError(f"{copyright_file}: the GPL-2+ grant for the game data is not where it was")
    return "GPL-2+"


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    licence = read_licence(root / COPYRIGHT)
    clips = []
    for folder, top in FOLDERS.items():
        base = root / ROOT / folder
        for path in sorted(base.rglob("*")):
            if path.suffix not in (".ogg", ".wav"):
                continue
            rel = f"{top}/{path.relative_to(base).as_posix()}"
            stem = re.sub(r"-?\d+$", "", path.stem)
            sub = " ".join(words(p) for p in Path(rel).parts[1:-1])  # "ambient", "horn signals"
            name = words(path.stem)
            if stem in WORLD and top == "core":
                desc, tags, kind = WORLD[stem]
                key = f"world {name}"
            else:
                desc, tags, kind = name, [], None
                key = f"battle {top} {sub} {name}"
            where = ", ".join(w for w in (top, sub) if w)
            clips.append(Clip(rel=rel, data=path.read_bytes(), name=name,
                              description=f"{desc} (Battle for Wesnoth sound, {where})", key=key,
                              tags=[*tags, *(w for w in (sub,) if w)], licence=licence, author=AUTHOR,
                              url=HOMEPAGE, kind=kind))  # fmt: skip
    return write_clips(out_dir, clips, RULES, source=f"Debian {PACKAGE} (Battle for Wesnoth)")
