"""Widelands (Debian ``widelands-data``): the sounds of a settlers' world — wild animals
(a moose, a stag, a wolf, a coyote, a wild boar, a frog, ducks, six kinds of songbird,
crickets), farm animals (ox, sheep, horse, donkey), and crafts at work (a woodcutter's axe
and a falling tree, a blacksmith's anvil, a sawmill, a windmill turning, a loom weaving, a
stonemason, a fisher's net, a scythe, a furnace, beer bubbling in a brewery).

Who makes each sound comes from the game's own data: every building's program says
``playsound=sound/smiths/smith`` and every tree, plant or animal ``path = "sound/animals/
moose"`` in its ``init.lua``, so an animal's recording is described by what it is plus where the
game plays it ("heard at: old oak, old birch…"; the coyote's is the fox's call). Crafts
are not given the list of workers that use them: names like "liana cutter" would read as
other things ("cutter" is also cutlery in WordNet). The DEP-5 copyright file gives GPL-2+ to the
Widelands Development Team. The soundtrack (``music/``) is left out; interface and
military messages (``click``, ``message``, ``lobby_*``, ``military/``) are game-only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from ..debian import fetch_package
from ._common import Rule, existing_count, folder_clips, words, write_clips

NAME = "widelands"
PACKAGE = "widelands-data"
DATA = "usr/share/games/widelands/data"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
SOUNDS = {
    "hammering": ("hammering, hammer blows on wood, building work", ["hammer", "construction"], None),
    "geologist_hammer": ("geologist's hammer striking rock", ["hammer", "rock"], None),
    "sharpening": ("sharpening a blade on a grindstone", ["grindstone", "blade", "workshop"], None),
    "smith": ("blacksmith hammering metal on an anvil", ["blacksmith", "anvil", "hammer", "forge"], None),
    "toolsmith": ("toolsmith hammering and filing metal tools", ["blacksmith", "tools", "workshop"], None),
    "mill_turning": ("mill turning, wooden mill machinery and millstones grinding grain", ["mill", "windmill"], None),
    "weaving": ("weaving loom clattering", ["loom", "weaving"], None),
    "weaver": ("weaving loom clattering", ["loom", "weaving"], None),
    "woodcutting": ("woodcutter chopping a tree with an axe", ["axe", "wood", "forest"], None),
    "fast_woodcutting": ("woodcutter chopping wood quickly with an axe", ["axe", "wood", "forest"], None),
    "tree_falling": ("tree falling, timber crashing down", ["tree", "forest", "logging"], None),
    "goldping": ("ping of a gold ingot struck", ["metal", "gold"], None),
    "ironping": ("ping of an iron bar struck", ["metal", "iron"], None),
    "furnace": ("furnace roaring, smelting works", ["furnace", "fire", "smelting"], None),
    "fizzle": ("hot metal fizzling in water, quenching", ["metal", "water", "forge"], None),
    "sawmill": ("sawmill, saw cutting logs", ["saw", "wood", "sawmill"], None),
    "stonemason": ("stonemason chiselling stone", ["stone", "chisel"], None),
    "stonecutter": ("stonecutter cutting stone", ["stone", "quarry"], None),
    "falling_tools": ("tools falling and clattering", ["tools", "metal"], None),
    "blackwood": ("wood hardener hardening wood over a fire", ["wood", "fire"], None),
    "stonegrind": ("grinding stone, millstone", ["stone", "grinding"], None),
    "mortar": ("lime kiln, mixing mortar", ["mortar", "construction"], None),
    "benchsaw": ("bench saw cutting wood", ["saw", "wood", "workshop"], None),
    "sawing": ("hand saw sawing wood", ["saw", "wood", "workshop"], None),
    "goldspin": ("spinning wheel spinning gold thread", ["spinning wheel"], None),
    "beerbubble": ("beer bubbling in a brewery vat", ["beer", "brewery", "bubbles"], None),
    "winebubble": ("wine fermenting, bubbling in a winery", ["wine", "bubbles"], None),
    "tavern": ("tavern at work, preparing rations of food", ["tavern", "inn", "food"], None),
    "inn": ("inn at work, preparing snacks and rations", ["inn", "tavern", "food"], None),
    "biginn": ("big inn at work, preparing meals", ["inn", "tavern", "food"], None),
    "ration": ("tavern at work, preparing rations of food", ["tavern", "inn", "food"], None),
    "meal": ("inn at work, preparing a meal", ["inn", "tavern", "food"], None),
    "crickets": ("crickets chirping", ["cricket", "insect", "night"], None),
    "bird": ("songbird singing, bird song in the trees", ["bird", "songbird", "birdsong"], None),
    "boar": ("wild boar grunting", ["boar", "pig", "animal"], None),
    "moose": ("moose calling", ["moose", "elk", "deer", "animal"], None),
    "stag": ("stag belling, red deer call", ["stag", "deer", "animal"], None),
    "frog": ("frog croaking", ["frog", "pond"], None),
    "wolf": ("wolf howling", ["wolf", "animal"], None),
    "coyote": ("coyote howling", ["coyote", "animal"], None),
    "scythe": ("scythe mowing grain, harvest", ["scythe", "farm", "field"], None),
    "ox": ("ox lowing", ["ox", "cattle", "farm"], None),
    "sheep": ("sheep bleating", ["sheep", "farm"], None),
    "horse": ("horse neighing", ["horse", "farm"], None),
    "donkey": ("donkey braying", ["donkey", "farm"], None),
    "farm_animal": ("farm animal, pig grunting on a piggery", ["pig", "farm"], None),
    "fisher_throw_net": ("fisher throwing a net into the water, splash", ["fishing", "net", "water"], None),
    "fisher_pull_net": ("fisher pulling a net out of the water", ["fishing", "net", "water"], None),
    "duck": ("duck quacking", ["duck", "bird", "water"], None),
}
RULES = (
    Rule(r"^sound (click|message|lobby|create construction site)", "interface sound of the game"),
    Rule(r"^sound military ", "military message of the game"),
)
_PLAYS = re.compile(r"""(?:playsound=|path\s*=\s*")sound/([\w/]+?)(?:[\s"]|$)""")


def users(data: Path) -> dict[str, list[str]]:
    """``smiths/smith`` -> ["axfactory", "toolsmithy", …]: the buildings, trees, plants and
    animals whose ``init.lua`` plays that sound."""
    found: dict[str, set[str]] = defaultdict(set)
    for lua in data.glob("*/**/init.lua"):
        text = lua.read_text(encoding="utf-8", errors="replace")
        for m in _PLAYS.finditer(text):
            folder = lua.parent
            who = f"{folder.name} {folder.parent.name}" if folder.name == "old" else folder.name  # trees/oak/old
            found[m.group(1)].add(words(who.replace("_", " ")))
    return {k: sorted(v) for k, v in found.items()}


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    data = root / DATA
    heard = users(data)
    table = {**SOUNDS, **{f"bird{i}": SOUNDS["bird"] for i in range(1, 7)},
             **{f"crickets{i}": SOUNDS["crickets"] for i in range(1, 3)}}  # fmt: skip
    clips = folder_clips(root, DATA, root / COPYRIGHT, lambda rel: f"data/{rel}", table, "Widelands",
                         skip=lambda rel: not rel.startswith(("sound/", "world/critters/")))  # fmt: skip
    for clip in clips:
        sound = re.sub(r"_\d+$", "", str(Path(clip.rel).with_suffix(""))).removeprefix("sound/")
        where = heard.get(sound) if sound.startswith(("animals/", "farm/")) else None
        if where:
            clip.description += f"; heard at: {', '.join(where[:8])}"
    return write_clips(out_dir, clips, RULES, source=f"Debian {PACKAGE} (Widelands)")
