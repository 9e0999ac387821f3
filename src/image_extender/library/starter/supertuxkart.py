"""SuperTuxKart (Debian ``supertuxkart-data``): the kart racer's effects and track
sounds — a jet engine, a bouncing ball, bowling, a clock, car engines, horns, skids and
crashes, a goal cheer, fireworks, exotic birds, rain, thunder, a river and a waterfall, a
restaurant, an airport announcement, a steam locomotive, cows and sheep on the tracks.

``data/sfx/sfx.xml`` lists every effect and says whether it is *positional* (played at
a place in the 3-D world: an engine, a waterfall) or not (played to the player: the race
start beeps, the lap fanfare, a collected bonus). Non-positional effects are the game
talking to the player, so they are game-only; so are the weapons (bowling ball, cake,
plunger, swatter…). Track and library sounds are all positional. Music (named by the
``*.music`` files) is left out.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ..debian import fetch_package
from ._common import Rule, existing_count, folder_clips, write_clips

NAME = "supertuxkart"
PACKAGE = "supertuxkart-data"
DATA = "usr/share/games/supertuxkart/data"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
SOUNDS = {
    "airplane_jetEngine": ("aeroplane jet engine", ["aeroplane", "jet", "engine", "airport"], None),
    "ball_bounce": ("ball bouncing", ["ball", "bounce"], None),
    "bowling_roll": ("bowling ball rolling", ["bowling", "ball"], None),
    "clock": ("clock ticking", ["clock", "tick"], None),
    "engine_small": ("small engine running", ["engine", "car", "kart"], None),
    "engine_large": ("large engine running", ["engine", "car", "truck"], None),
    "car_revup": ("car engine revving up", ["car", "engine"], None),
    "car_accel": ("car accelerating", ["car", "engine"], None),
    "exotic-birds": ("exotic birds calling, jungle birds", ["birds", "jungle", "tropical"], None),
    "fireworks_show": ("fireworks show", ["fireworks"], None),
    "goal_scored": ("goal scored, crowd cheering", ["goal", "crowd", "cheering", "sports", "stadium"], None),
    "lenautile_restaurant": ("restaurant ambience", ["restaurant", "people", "indoor"], None),
    "sara_airport_pa": ("airport public address announcement", ["airport", "announcement"], None),
    "river_loop": ("river flowing, loop", ["river", "water"], None),
    "waterfall_loop_2": ("waterfall, loop", ["waterfall", "water"], None),
    "steamLocomotive": ("steam locomotive", ["train", "steam locomotive", "railway"], None),
    "wooden_bridge": ("driving over a wooden bridge", ["bridge", "wood"], None),
    "static-radio": ("radio static", ["radio", "static"], None),
    "machine_sound": ("machine running", ["machine"], None),
    "metal_clang": ("metal clang", ["metal"], None),
    "hammer": ("hammer hit", ["hammer"], None),
    "horn": ("car horn", ["car", "horn"], None),
    "rain": ("rain", ["rain", "weather"], None),
    "thunder": ("thunder", ["thunder", "storm", "weather"], None),
    "splash": ("water splash", ["water", "splash"], None),
    "cow": ("cow mooing", ["cow", "farm", "animal"], None),
    "sheep": ("sheep bleating", ["sheep", "farm", "animal"], None),
    "skid": ("tyres skidding", ["skid", "tyres", "car"], None),
    "crash": ("crash, collision", ["crash"], None),
}  # fmt: skip
# Names that are the game's own proper nouns ("Lenautile", the restaurant on a track): the
# name a finder compares with its query is the thing heard instead.
NAMES = {"lenautile_restaurant": "restaurant ambience"}
RULES = (
    # rain, thunder and the goal cheer are ambience played to the player, still real sounds
    Rule(r"^(?!.*\b(rain|thunder|goal scored)\b).*\bnot positional\b",
         "played to the player, not in the game world (sfx.xml positional=false)"),
    Rule(r"\b(bowling shoot|bubblegum|cake|plunger|swatter|shoot|nitro|parachute|forcefield|tractor beam|portal|swap|goo|zipper)\b",
         "game weapon or power-up"),
    Rule(r"\b(wilhelm scream|ugh|wee|nolok speech|button|appear|jump|boing|bzzt|plopp|energy bar|grab collectable|locked)\b",
         "game character or interface sound"),
    Rule(r"\b(spaceship|dark|strike|break|explosion)\b", "game effect"),
)  # fmt: skip


def _positional(sfx_xml: Path) -> dict[str, bool]:
    root = ET.parse(sfx_xml).getroot()
    return {el.get("filename", ""): el.get("positional") == "true" for el in root.iter("sfx")}


def _music(data: Path) -> set[str]:
    files = set()
    for path in data.rglob("*.music"):
        m = re.search(r'file\s*=\s*"([^"]+)"', path.read_text(encoding="utf-8", errors="replace"))
        if m:
            files.add(m.group(1))
    return files


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    data = root / DATA
    positional = _positional(data / "sfx" / "sfx.xml")
    music = _music(data)

    def skip(rel: str) -> bool:
        return rel.startswith("music/") or Path(rel).name in music or not rel.endswith(".ogg")

    clips = folder_clips(root, DATA, root / COPYRIGHT, lambda rel: f"data/{rel}", SOUNDS,
                         "SuperTuxKart sound", skip=skip)  # fmt: skip
    for clip in clips:
        name = Path(clip.rel).name
        clip.name = NAMES.get(Path(name).stem, clip.name)
        if clip.rel.startswith("sfx/") and not positional.get(name, True):
            clip.key += " not positional"
    return write_clips(out_dir, clips, RULES, source=f"Debian {PACKAGE} (SuperTuxKart)")
