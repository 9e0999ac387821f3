"""Micropolis (Debian ``micropolis-data``), the open-source SimCity: city sounds — heavy
traffic, a police siren, a siren, car horns, the railway, an airport and a seaport, a
stadium crowd, a bulldozer, fire, explosions, ducks quacking and a cuckoo — plus the game's tool clicks and voice blips.

The file names are the game's (``heavytraffic.wav``, ``honkhonk-low.wav``);
:data:`SOUNDS` spells them out, no further than the name goes. The zone sounds (``res``, ``com``, ``ind``) and the
one-letter voice clips are the game's tool feedback: game-only.
"""

from __future__ import annotations

from pathlib import Path

from ..debian import fetch_package
from ._common import Rule, existing_count, folder_clips, write_clips

NAME = "micropolis"
PACKAGE = "micropolis-data"
FOLDER = "usr/share/games/micropolis/res/sounds"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
SOUNDS = {
    "heavytraffic": ("heavy traffic", ["traffic", "city", "street", "cars"], None),
    "siren": ("emergency vehicle siren", ["siren", "emergency", "city"], None),
    "police": ("police car siren", ["police", "siren", "city"], None),
    "honkhonk-low": ("car horn honking, low", ["car", "horn", "traffic"], None),
    "honkhonk-med": ("car horn honking", ["car", "horn", "traffic"], None),
    "honkhonk-high": ("car horn honking, high", ["car", "horn", "traffic"], None),
    "honkhonk-hi": ("car horn honking, high", ["car", "horn", "traffic"], None),
    "rail": ("railway, train", ["train", "railway"], None),
    "airport": ("airport", ["airport"], None),
    "seaport": ("seaport, harbour", ["harbour", "port"], None),
    "stadium": ("stadium crowd", ["stadium", "crowd", "sports"], None),
    "park": ("city park", ["park"], None),
    "bulldozer": ("bulldozer", ["bulldozer", "construction", "machine"], None),
    "fire": ("fire burning", ["fire"], None),
    "rumble": ("rumble", ["rumble"], None),
    "explosion-low": ("explosion, low", ["explosion"], None),
    "explosion-high": ("explosion, high", ["explosion"], None),
    "explosion-hi": ("explosion, high", ["explosion"], None),
    "nuclear": ("nuclear power plant", ["power plant"], None),
    "coal": ("coal power plant", ["power plant", "industry"], None),
    "quack": ("duck quacking", ["duck", "bird"], None),
    "quackquack": ("duck quacking twice", ["duck", "bird"], None),
    "cuckoo": ("cuckoo call", ["cuckoo", "bird"], None),
    "monster": ("monster", ["monster"], None),
    "road": ("road building tool", [], None),
    "wire": ("power line building tool", [], None),
    "build": ("building tool", [], None),
    "zone": ("zoning tool", [], None),
    "chalk": ("chalk", ["chalk"], None),
    "eraser": ("eraser", ["eraser"], None),
    "skid": ("tyres skidding", ["car", "skid"], None),
}  # fmt: skip
RULES = (
    Rule(r"^(res|com|ind|road|wire|build|zone|query|beep|bop|boing|oop|uhuh|sorry|aaah|whip|woosh|ignition|computer|[a-z])$",
         "game tool feedback or voice blip"),
    Rule(r"^monster$", "invented game monster"),
)  # fmt: skip


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    clips = folder_clips(root, FOLDER, root / COPYRIGHT, lambda rel: f"res/sounds/{rel}", SOUNDS,
                         "Micropolis city-building game sound")  # fmt: skip
    for clip in clips:  # rules match the bare file stem ("res", "e")
        clip.key = Path(clip.rel).stem.lower()
    return write_clips(out_dir, clips, RULES, source=f"Debian {PACKAGE} (Micropolis)")
