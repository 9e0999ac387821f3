"""LinCity-NG (Debian ``lincity-ng-data``): short city ambiences, one per kind of tile.

The game plays a ~4 s clip when the player looks at a tile; ``sounds.xml`` groups the
clips by tile type (Road -> TraficHigh/TraficLow, Harbor, School, SportsCroud, ...). They
are the only city-street recordings in the starter sources, so they are beds, but most
are 11 kHz mono and not cut as seamless loops: ``quality`` says "low: 11 kHz mono" and
``loopable`` is False, so a longer, better bed wins when both match and the mixer
crossfades these when it loops them. Interface clicks and build/demolish effects are left
out. The copyright file says the sound effects are dual-licensed GPL-2+ and CC-BY-SA 2.0;
the credits list in the package names the sound authors.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import soundfile as sf

from ..debian import FetchError, fetch_package
from ..records import METADATA_JSONL, SoundRecord, write_jsonl
from ._beds import quality, read_licence

NAME = "lincity"
PACKAGE = "lincity-ng-data"
SOUNDS = "usr/share/games/lincity-ng/sounds"
CREDITS = "usr/share/games/lincity-ng/gui/creditslist.xml"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
# A family's clip shorter than this is a blip, not a bed (Commune1.wav is 0.4 s).
MIN_BED_S = 2.0
DUAL_LICENCE = "Creative Commons Attribution Sharealike v2"  # quoted from the copyright Comment

# Clip family (file stem without its number) -> (description, kind, tags). The family
# names are LinCity's; "Trafic" and "Croud" are its spellings of traffic and crowd.
FAMILIES: dict[str, tuple[str, str, list[str]]] = {
    "TraficHigh": ("heavy road traffic on a busy city street, short ambience", "bed", ["traffic", "road", "street", "city", "urban", "cars"]),
    "TraficLow": ("light road traffic on a city street, short ambience", "bed", ["traffic", "road", "street", "city", "urban", "cars"]),
    "ResidentialHigh": ("dense city residential block, urban neighbourhood, short ambience", "bed", ["residential", "city", "urban", "neighbourhood"]),
    "ResidentialMed": ("city residential street, urban neighbourhood, short ambience", "bed", ["residential", "city", "urban", "neighbourhood"]),
    "ResidentialLow": ("quiet residential suburb, short ambience", "bed", ["residential", "suburb", "town"]),
    "ResidentialLowLow": ("quiet residential suburb, short ambience", "bed", ["residential", "suburb", "town"]),
    "MarketEmpty": ("empty market place in town, short ambience", "bed", ["market", "town", "city"]),
    "MarketLow": ("market place with a few shoppers, short ambience", "bed", ["market", "crowd", "town", "city"]),
    "MarketMed": ("busy market place, crowd, short ambience", "bed", ["market", "crowd", "town", "city"]),
    "MarketFull": ("crowded market place, crowd, short ambience", "bed", ["market", "crowd", "town", "city"]),
    "School": ("school, children playing, short ambience", "bed", ["school", "children", "city"]),
    "University": ("university campus, short ambience", "bed", ["university", "campus", "city"]),
    "SportsCroud": ("sports crowd cheering in a stadium, short ambience", "bed", ["crowd", "sports", "stadium", "cheering"]),
    "Harbor": ("harbour, port by the sea, short ambience", "bed", ["harbour", "port", "sea", "boats"]),
    "RailTrain": ("railway with a passing train, short ambience", "bed", ["rail", "train", "railway"]),
    "IndustryHigh": ("heavy industry, factory machinery, short ambience", "bed", ["industry", "factory", "machinery"]),
    "IndustryLight": ("light industry, workshop machinery, short ambience", "bed", ["industry", "workshop", "machinery"]),
    "ParklandLake": ("park with a lake, water and birds, short ambience", "bed", ["park", "lake", "water", "nature"]),
    "ParklandPlane": ("park, open parkland, short ambience", "bed", ["park", "nature", "grass"]),
    "Green": ("green land with trees, countryside, short ambience", "bed", ["trees", "countryside", "nature"]),
    "Water": ("open water, short ambience", "bed", ["water", "lake", "river"]),
    "Farm": ("farm, short ambience", "bed", ["farm", "countryside", "rural"]),
    "OrganicFarm": ("organic farm, short ambience", "bed", ["farm", "countryside", "rural"]),
    "Commune": ("commune, rural settlement, short ambience", "bed", ["commune", "rural", "village"]),
    "Shanty": ("shanty town, short ambience", "bed", ["shanty", "slum", "town"]),
    "Health": ("health centre, short ambience", "bed", ["health", "hospital", "city"]),
    "FireStation": ("fire station, short ambience", "bed", ["fire station", "city"]),
    "Fire": ("fire burning, short ambience", "bed", ["fire", "burning"]),
    "Blacksmith": ("blacksmith at work, short ambience", "bed", ["blacksmith", "forge", "workshop"]),
    "Mill": ("mill at work, short ambience", "bed", ["mill", "machinery"]),
    "WindMill": ("windmill turning, short ambience", "bed", ["windmill", "wind"]),
    "WindMillHTech": ("wind turbine turning, short ambience", "bed", ["wind turbine", "wind", "power"]),
    "CoalMine": ("coal mine at work, short ambience", "bed", ["mine", "coal", "industry"]),
    "OreMine": ("ore mine at work, short ambience", "bed", ["mine", "ore", "industry"]),
    "DirtTrack": ("dirt track, short ambience", "bed", ["track", "road", "countryside"]),
    "Tip": ("rubbish tip, landfill, short ambience", "bed", ["landfill", "rubbish", "tip"]),
    "Recycle": ("recycling centre, short ambience", "bed", ["recycling", "industry"]),
    "MonumentConstruction": ("construction site, building a monument, short ambience", "bed", ["construction", "building site"]),
    "Monument": ("monument, short ambience", "bed", ["monument", "city"]),
    "PowerCoalEmpty": ("coal power station, short ambience", "bed", ["power station", "industry", "coal"]),
    "PowerCoalLow": ("coal power station, short ambience", "bed", ["power station", "industry", "coal"]),
    "PowerCoalMed": ("coal power station, short ambience", "bed", ["power station", "industry", "coal"]),
    "PowerCoalFull": ("coal power station, short ambience", "bed", ["power station", "industry", "coal"]),
    "Rocket": ("rocket launch pad, short ambience", "bed", ["rocket", "launch pad"]),
    "RocketTakeoff": ("rocket taking off", "one-shot", ["rocket", "launch"]),
    "RocketExplosion": ("rocket explosion", "one-shot", ["rocket", "explosion"]),
    "Pottery": ("pottery workshop", "one-shot", ["pottery", "workshop"]),
}


def _sound_authors(root: Path) -> str:
    """The people the package's credits list under 'Sound and Music'."""
    path = root / CREDITS
    if not path.exists():
        return ""
    tree = ET.parse(path).getroot()
    names: list[str] = []
    in_section = False
    for p in tree.iter("p"):
        if p.get("style") == "section":
            in_section = (p.text or "").strip() == "Sound and Music"
        elif in_section and p.get("style") == "person":
            names.append((p.text or "").strip())
    return "; ".join(n for n in names if n)


def materialize(data_dir: Path, out_dir: Path) -> int:
    """Copy LinCity-NG's tile ambiences with metadata.jsonl."""
    meta = out_dir / METADATA_JSONL
    if meta.exists():
        return sum(1 for _ in meta.open(encoding="utf-8"))
    root = fetch_package(PACKAGE, data_dir)
    copyright_file = root / COPYRIGHT
    lic = read_licence(copyright_file, "data/sounds/TraficHigh1.wav")
    licence = lic.licence
    if DUAL_LICENCE in lic.comment and "sound" in lic.comment:
        licence = f"{lic.licence} OR CC-BY-SA-2.0"
    authors = _sound_authors(root) or lic.author
    sounds = root / SOUNDS
    if not sounds.is_dir():
        raise FetchError(f"{PACKAGE}: no sounds folder at {sounds}")
    out_dir.mkdir(parents=True, exist_ok=True)
    records: list[SoundRecord] = []
    for wav in sorted(sounds.glob("*.wav")):
        family = re.sub(r"\d+$", "", wav.stem)
        if family not in FAMILIES:
            continue
        desc, kind, tags = FAMILIES[family]
        info = sf.info(wav)
        if kind == "bed" and info.duration < MIN_BED_S:
            kind = "one-shot"
            desc = desc.replace(", short ambience", "")
        shutil.copyfile(wav, out_dir / wav.name)
        records.append(
            SoundRecord(
                path=wav.name,
                name=wav.stem,
                description=desc,
                tags=sorted(set(tags)),
                licence=licence,
                author=authors,
                url=lic.url,
                source=PACKAGE,
                kind=kind,  # type: ignore[arg-type]
                loopable=False,
                quality=quality(info),
            )
        )
    write_jsonl(records, out_dir)
    return len(records)
