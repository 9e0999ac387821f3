"""UFO: Alien Invasion's sounds (Debian ``ufoai-sound``): a television's news broadcast and
its static, a fountain, crickets, an arctic wind, a wind turbine, a mine's water pump,
steam, an electric hum, fire, thunder, doors, and footsteps on a dozen kinds of ground.

The game plays them in its battle maps of towns, farms and bases on Earth. They sit in one
archive, ``base/0snd.pk3`` (a ZIP file), which is unpacked under the package's cache folder
before the listed files are taken from it. The names the game gives them are the
descriptions: ``tv_newswav``, ``waterfontain``, ``footsteps/carpet3``. Only files whose
name says plainly what they are are kept; the weapons, soldiers, aliens, civilians' death
cries, interface blips, breaking props, the alien machinery and the atmospheres whose
names say nothing ("city_abnd_ufoai_atm", "droning_long", "jingle") are left out. Each
footstep file is one step. The DEP-5 copyright file names every sound's stanza by its path
in the game tree (``base/sound/…``): CC-BY-SA-3.0 for most, GPL-2 or GPL-2+ for a few
(sounds taken from OpenArena and Nexuiz), CC-BY-3.0 for the mine pump.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from ..debian import FetchError, fetch_package
from ._common import Entry, existing_count, folder_clips, write_clips

NAME = "ufoai"
PACKAGE = "ufoai-sound"
ARCHIVE = "usr/share/games/ufoai/base/0snd.pk3"
FOLDERS = ("sound/ambience/", "sound/doors/", "sound/footsteps/")  # inside the archive
UNPACKED = "0snd"  # the archive's listed folders, unpacked next to it in the package's cache


def _steps(ground: str, *tags: str) -> Entry:
    return (f"a footstep on {ground}, one step", ["footstep", "footsteps", "walking", *tags], "one-shot")


SOUNDS: dict[str, Entry] = {
    "tv_newswav": ("a television playing a news broadcast, a presenter's voice from the TV set in a room",
                   ["television", "tv", "news", "broadcast", "voice", "indoor"], "bed"),
    "tv_static": ("a television's static hiss between channels", ["television", "tv", "static", "hiss"], "one-shot"),
    "waterfontain": ("a fountain splashing, water falling into its basin", ["fountain", "water", "splashing"], "bed"),
    "cricket_loop": ("crickets chirping at night", ["crickets", "insects", "night", "chirping"], "bed"),
    "arcticwind": ("an icy arctic wind blowing over snow", ["wind", "arctic", "snow", "cold", "blowing"], "bed"),
    "wind_turbine": ("a wind turbine turning, the whoosh of its blades", ["wind turbine", "turbine", "blades", "wind"],
                     "bed"),
    "minepump03": ("a mine's water pump working, machinery thumping and water flowing",
                   ["pump", "machinery", "mine", "water", "industrial"], "bed"),
    "steam": ("steam hissing from a pipe", ["steam", "hiss", "pipe"], "one-shot"),
    "hum": ("a low electrical hum of machinery", ["hum", "electrical", "machinery", "drone"], "bed"),
    "creak": ("a wooden creak", ["creak", "wood", "creaking"], "one-shot"),
    "thunder": ("thunder rumbling in a storm", ["thunder", "storm", "rumble", "weather"], "bed"),
    "fire": ("a fire burning and crackling", ["fire", "crackling", "burning", "flames"], "bed"),
    "firesoft": ("a small fire burning softly", ["fire", "crackling", "burning", "flames"], "bed"),
    "smallfire": ("a small fire crackling", ["fire", "crackling", "burning", "campfire"], "bed"),
    **{f"door{n}-open": ("a door opening", ["door", "open"], "one-shot") for n in (1, 2, 3)},
    **{f"door{n}-close": ("a door closing", ["door", "close", "shut"], "one-shot") for n in (1, 2, 3)},
    "creak_low_short": ("a door creaking, a low short creak of its hinges", ["door", "creak", "hinge"], "one-shot"),
    "carpet": _steps("carpet", "carpet", "indoor"),
    "dirt": _steps("dirt", "dirt", "earth"),
    "grass": _steps("grass", "grass"),
    "gravel": _steps("gravel", "gravel"),
    "sand": _steps("sand", "sand", "beach"),
    "snow": _steps("snow", "snow"),
    "stone": _steps("stone", "stone"),
    "tile": _steps("a tiled floor", "tile", "indoor"),
    "linoleum": _steps("a linoleum floor", "linoleum", "indoor"),
    "metal": _steps("metal", "metal"),
    "wood": _steps("a wooden floor", "wood", "indoor"),
    "splash": ("a footstep splashing in shallow water", ["footstep", "footsteps", "splash", "water", "wading"], "one-shot"),
}


def unpack_listed(package_root: Path) -> Path:
    """The archive's listed folders, unpacked once next to it: the folder that holds ``sound/``."""
    target = package_root / UNPACKED
    if (target / ".done").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    archive = package_root / ARCHIVE
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.namelist() if m.startswith(FOLDERS) and not m.endswith("/")]
            if not members:
                raise FetchError(f"{archive}: holds none of {', '.join(FOLDERS)}")
            zf.extractall(target, members)
    except (OSError, zipfile.BadZipFile) as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise FetchError(f"{archive}: cannot read the sound archive ({exc})") from exc
    (target / ".done").write_text("\n".join(members), encoding="utf-8")
    return target


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    doc = f"usr/share/doc/{PACKAGE}"
    root = fetch_package(PACKAGE, data_dir)
    unpacked = unpack_listed(root)
    clips = folder_clips(unpacked, "sound", root / doc / "copyright", lambda rel: f"base/sound/{rel}", SOUNDS,
                         "UFO: Alien Invasion sound", only_table=True)
    return write_clips(out_dir, clips, rules=(), source=f"Debian {PACKAGE} (UFO: Alien Invasion)")
