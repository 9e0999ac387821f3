"""MegaGlest unit sounds (Debian ``megaglest-data``): what the game's units and buildings
do — horses' hooves, a worker chopping wood or mining, a blacksmith's anvil, cows, pigs,
sheep, chickens and bulls, a catapult rolling, buildings collapsing — and, tagged
game-only, their battle cries, deaths, spells and voice acknowledgements.

Every unit is described by ``factions/<faction>/units/<unit>/<unit>.xml``: its
``<selection-sounds>`` and ``<command-sounds>`` (what it says when clicked or ordered)
and, per ``<skill>``, the ``<type>`` (move, harvest, build, attack, die…) and the
``<sound-file>`` s played while it runs. That is what each file is *for*, so the
description says "horseman, move skill" rather than guessing from "horseman_walk2.wav".
Files no XML names are described by their own name. (The ambience loops of the same
package are the ``megaglest`` source.)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from ..debian import fetch_package
from ._common import Clip, Rule, dep5_licence, existing_count, words, write_clips

NAME = "megaglest-units"
PACKAGE = "megaglest-data"
TECH = "usr/share/games/megaglest/techs/megapack"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"

ANIMALS = ("cow", "pig", "sheep", "chicken", "bull", "horse", "ibis", "snake", "scarab", "beehive")
# The key matched is "<role> <faction> <unit> <file words>", role being a skill type,
# "selection", "command" or "unlisted".
_NOT_ANIMAL = r"^(?!.*\b(" + "|".join(ANIMALS) + r")\b)"
RULES = (
    # a building's "selection" sound is the building at work (the blacksmith's anvil); the
    # voice replies are the files named *_ack / *_select
    Rule(_NOT_ANIMAL + r".*\b(ack|select)\b", "voice line of a game character"),
    Rule(r"attack|arrow|knife|sword|spear|\bthrow\b", "game weapon"),
    Rule(r"^(attack|die|be_hit)\b", "combat: attack, hit or death"),
    Rule(r"^\S+ magic\b", "magic faction: spells and summoned creatures"),
    Rule(r"\b(summon|heal|spell|teleport|energy|golem|daemon|dragon|genie|ghost|mummy|anubis|behemoth|valkyrie)\b",
         "fantasy creature or spell"),
    Rule(r"\b(attack|die|hit)\b", "combat: attack, hit or death"),
    Rule(r"\b(click|tower)\b", "game interface or defence tower"),
)  # fmt: skip
# Skill types as a listener would say what the unit is doing.
DOING = {
    "move": "moving", "harvest": "working, gathering resources", "build": "building, construction work",
    "repair": "repairing", "attack": "attacking", "die": "dying", "be_built": "being built",
    "produce": "producing", "upgrade": "upgrading", "morph": "changing form", "stop": "standing",
    "fog_of_war": "", "selection": "answering when selected", "command": "acknowledging an order",
}  # fmt: skip


def unit_roles(tech: Path) -> dict[Path, list[tuple[str, str, str, str]]]:
    """Real sound file -> [(role, faction, unit, skill name)] from every unit XML."""
    roles: dict[Path, list[tuple[str, str, str, str]]] = defaultdict(list)
    common = tech / "commondata"
    for xml_path in sorted(tech.glob("factions/*/units/*/*.xml")):
        unit, faction = xml_path.parent.name, xml_path.parents[2].name
        try:
            root = ET.parse(xml_path).getroot()
        except ET.ParseError:
            continue

        def add(el: ET.Element, role: str, skill: str) -> None:
            for f in el.iter():
                rel = f.get("path")
                if f.tag not in ("sound", "sound-file") or not rel:
                    continue
                real = Path(rel.replace("$COMMONDATAPATH", str(common)))
                real = (real if real.is_absolute() else xml_path.parent / real).resolve()
                if real.is_file():
                    roles[real].append((role, faction, unit, skill))

        for tag, role in (("selection-sounds", "selection"), ("command-sounds", "command")):
            for el in root.iter(tag):
                add(el, role, "")
        for skill in root.iter("skill"):
            kind = skill.find("type")
            sound = skill.find("sound")
            name = skill.find("name")
            if kind is None or sound is None or sound.get("enabled") != "true":
                continue
            add(sound, kind.get("value", ""), name.get("value", "") if name is not None else "")
    return roles


def describe(real: Path, roles: list[tuple[str, str, str, str]]) -> tuple[str, str, str]:
    """(name, description, key) — the first role the XMLs give the file, or its own name."""
    stem = words(real.stem)
    if not roles:
        parts = real.parts
        owner = f"{parts[-5]} {parts[-3]}" if len(parts) > 5 and parts[-4] == "units" else "- -"
        return stem, f"{stem} (MegaGlest game sound)", f"unlisted {owner} {stem}"
    # the unit the file is named after first: horseman_walk is the horseman's, not the ibis's
    role, faction, unit, skill = sorted(roles, key=lambda r: words(r[2]).split()[0] not in stem)[0]
    users = sorted({u for _, _, u, _ in roles})
    doing = DOING.get(role, words(role))
    who = words(unit)
    desc = f"{who} {doing}".strip() + f": {stem} (MegaGlest {faction} faction unit"
    desc += f"s {', '.join(words(u) for u in users)}" if len(users) > 1 else f" '{who}'"
    desc += f", {words(skill) or role} sound)"
    return stem, desc, f"{role} {faction} {unit} {stem}"


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    tech = root / TECH
    licence, author, url = dep5_licence(root / COPYRIGHT, "techs/megapack/commondata/sounds/anvil1.wav")
    roles = unit_roles(tech)
    files = sorted(p for p in tech.rglob("*") if p.suffix.lower() in (".wav", ".ogg") and "/sounds/" in str(p))
    clips = []
    for real in files:
        real = real.resolve()
        name, desc, key = describe(real, roles.get(real, []))
        rel = str(real.relative_to(tech.resolve())) if real.is_relative_to(tech.resolve()) else real.name
        parts = rel.split("/")
        tags = ["megaglest", *(words(p) for p in parts[1:4:2] if parts[0] == "factions")]
        if any(re.search(rf"\b{a}\b", key) for a in ANIMALS):
            tags.append("animal")
        clips.append(Clip(rel=rel, data=real.read_bytes(), name=name, description=desc, key=key, tags=tags,
                          licence=licence, author=author, url=url, kind="one-shot"))  # fmt: skip
    return write_clips(out_dir, clips, RULES, source=f"Debian {PACKAGE} (MegaGlest units)")
