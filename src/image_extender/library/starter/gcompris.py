"""GCompris (Debian ``gcompris-qt-data``): the recordings of the children's activities —
farm animals (a duck, an owl, chickens, a cow…), 26 instruments played solo (accordion,
banjo, harp, saxophone, timpani…), nine pieces of music of the world (didgeridoo from
Australia, taiko drums from Japan, celtic music…), the memory game's recordings by Lionel
Allorge (a Buddhist gong, applause, rain in a garden, frogs in a pond during a storm, a
train slowing down, factory noise), a canal lock's gates and water, a harbour, a
helicopter, a car, a train.

Everything sits inside Qt resource bundles (``rcc/<activity>.rcc``), read with
:mod:`image_extender.library.qrc`. The explore activities' boards (``board1.qml``) give,
per recording, the title and the text a child reads ("The duck goes 'quack'…"); the other
files are described by their name and activity, with a word of explanation where GCompris's
names are terse (``apert`` plays when Tux turns on his shower in the water-cycle activity). The DEP-5 copyright
file gives each file's licence (GPL-3+, Free Art for the memory recordings, CC-BY/CC0
Freesound pages for the rest). Interface sounds (``core/resource/sounds``: bonus, win,
bleep…), Tux's voice lines and the Morse beeps are game-only.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..debian import FetchError, fetch_package
from ..qrc import members
from ._common import Clip, Rule, dep5_licence, existing_count, words, write_clips

NAME = "gcompris"
PACKAGE = "gcompris-qt-data"
RCC = "usr/share/gcompris-qt/rcc"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
AUDIO = (".ogg", ".wav", ".flac", ".oga")

# Files whose name alone does not say what they are: stem -> (description, tags).
SOUNDS: dict[str, tuple[str, list[str]]] = {
    "door_open": ("canal lock gate opening, heavy wooden door creaking", ["canal", "lock", "door"]),
    "door_close": ("canal lock gate closing, heavy wooden door", ["canal", "lock", "door"]),
    "water_fill": ("water rushing in, filling a canal lock, flowing water", ["water", "canal", "river"]),
    "lock": ("canal lock mechanism, metal clank", ["canal", "lock", "metal"]),
    "drip": ("water drop dripping", ["water", "drop"]),
    "bubble": ("underwater air bubbles", ["water", "bubbles"]),
    "helicopter": ("helicopter flying", ["helicopter", "aircraft"]),
    "train": ("train passing on railroad tracks", ["train", "railway"]),
    "car": ("car passing by on a road, traffic", ["car", "traffic", "road"]),
    "harbor": ("boat leaving a harbour", ["harbour", "boat", "sea"]),
    "apert": ("shower turned on, water running", ["shower", "water", "bathroom"]),
    "pickaxe": ("pickaxe striking rock, mining", ["pickaxe", "mining", "rock"]),
    "icy_walk": ("footsteps walking on icy snow", ["footsteps", "snow", "ice"]),
    "xylofon_son": ("xylophone note", ["xylophone", "instrument"]),
    "knock": ("knock on wood", ["knock", "wood"]),
    "metal_hit": ("metal object hit", ["metal"]),
    "arrow": ("arrow hitting a target", ["arrow", "archery"]),
    "eraser": ("eraser rubbing on paper", ["eraser", "paper"]),
    "brush": ("paint brush stroke on paper", ["brush", "painting"]),
    "money": ("coins jingling, money", ["coins", "money"]),
    "guitar_son": ("acoustic guitar note", ["guitar", "instrument"]),
    "guitar_melody": ("acoustic guitar playing a short phrase", ["guitar", "instrument"]),
    "Bark": ("dog barking", ["dog", "bark"]),
    "Applauses": ("audience applause, clapping crowd", ["applause", "audience", "crowd"]),
    "Buddhist_gong": ("Buddhist gong struck, temple gong", ["gong", "temple"]),
    "Factory_noise": ("factory noise, industrial machines", ["factory", "machine", "industry"]),
    "Train_slowing_down": ("train slowing down, brakes, railway station", ["train", "railway"]),
    "Rain_in_garden": ("rain falling in a garden", ["rain", "garden", "weather"]),
    "FrogsInPondDuringStorm": ("frogs croaking in a pond during a storm, rain", ["frog", "pond", "rain", "storm"]),
    "StartAndStopCarEngine": ("car engine starting and stopping", ["car", "engine"]),
    "Heart_beat": ("heart beat", ["heart"]),
    "Door_Open": ("door opening", ["door"]),
    "Object_falling": ("object falling on the floor", ["object", "fall"]),
    "Ring": ("short electric ring, a buzzer or electric bell", ["buzzer"]),
    "Hits": ("hits, knocks", ["knock"]),
}
INSTRUMENTS = {"flute_traversiere": "transverse flute", "drum_kit": "drum kit", "horn": "French horn",
               "bongo": "bongo drums", "snare_drum": "snare drum", "electric_guitar": "electric guitar"}  # fmt: skip
RULES = (
    Rule(r"^core/resource/sounds/", "interface sound of GCompris"),
    Rule(r"^core/resource/intro", "GCompris's theme tune"),
    Rule(r"^activities/(ballcatch|gnumch-equality|morse_code|chronos)/", "voice line or signal of the game"),
    Rule(r"/(click|slide|slideIn|slideOut|drop|card_flip|realrainbow)$", "interface sound of the game"),
    Rule(r"/LR(Weird|LaPause|Fireballs)", "synthetic effect of the memory game"),
)

# "title": qsTr("Duck"), "text": qsTr("The duck goes 'quack'…"), "audio": …("qrc:/…/duck.$CA")
_BOARD_ENTRY = re.compile(
    r'"title"\s*:\s*qsTr\("(?P<title>[^"]*)"\)\s*,\s*"text"\s*:\s*qsTr\("(?P<text>(?:[^"\\]|\\.)*)"\)\s*,'
    r'\s*"audio"\s*:[^"]*"qrc:/(?P<audio>[^"]+)\.\$CA"',
)


def board_texts(files: dict[str, bytes]) -> dict[str, tuple[str, str]]:
    """Audio path without suffix (``gcompris/src/…/duck``) -> (title, text) from the boards."""
    out = {}
    for name, blob in files.items():
        if name.endswith(".qml") and "/board/" in name:
            for m in _BOARD_ENTRY.finditer(blob.decode("utf-8", errors="replace")):
                out[m["audio"]] = (m["title"], m["text"].replace("\\'", "'").replace('\\"', '"'))
    return out


def _name_of(stem: str) -> str:
    """'LRTrain_slowing_down_01_LA_cut' -> 'Train_slowing_down'; 'xylofon_son2' -> 'xylofon_son'."""
    if stem.startswith("LR"):  # the memory game's recordings: LR<what>[_nn]_LA[_cut] (Lionel Allorge)
        stem = re.sub(r"_?LA(_?cut)?$", "", stem[2:], flags=re.IGNORECASE)
    return re.sub(r"[_-]?\d+$", "", stem)


def describe(member: str, boards: dict[str, tuple[str, str]]) -> tuple[str, str, list[str], str | None]:
    """(name, description, tags, kind) of one recording, from the boards or the file name."""
    path = Path(member)
    activity = path.parts[3] if len(path.parts) > 3 and path.parts[2] == "activities" else "core"
    context = f"GCompris activity '{activity.replace('_', ' ')}'"
    board = boards.get(str(path.with_suffix("")))
    if board:
        title, text = board
        if activity == "explore_world_music":
            return (f"music of {title}", f"{title}: {text} (recording of traditional music, {context})",
                    ["music", "musician", title.lower()], None)  # fmt: skip
        return title.lower(), f"{title}: {text} ({context})", ["animal", title.lower()], "one-shot"
    if activity == "instruments":
        instrument = INSTRUMENTS.get(path.stem, path.stem.replace("_", " "))
        return (instrument, f"{instrument} playing, solo instrument recording ({context})",
                ["instrument", instrument], "one-shot")  # fmt: skip
    key = _name_of(path.stem)
    what, tags = SOUNDS.get(key, (words(key) or path.stem, []))
    return words(key) or what, f"{what} ({context})", tags, "one-shot"


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    bundles = sorted((root / RCC).glob("*.rcc"))
    if not bundles:
        raise FetchError(f"{PACKAGE}: no Qt resource bundles under {RCC} (has its layout changed?)")
    clips = []
    for bundle in bundles:
        files = dict(members(bundle))
        boards = board_texts(files)
        for member, blob in sorted(files.items()):
            if not member.lower().endswith(AUDIO) or not member.startswith("gcompris/src/"):
                continue
            upstream = member.removeprefix("gcompris/")
            try:
                licence, author, url = dep5_licence(root / COPYRIGHT, upstream)
            except FetchError:
                continue  # no stanza states this file's licence: not ours to redistribute
            name, description, tags, kind = describe(member, boards)
            clips.append(Clip(rel=upstream.removeprefix("src/"), data=blob, name=name, description=description,
                              key=str(Path(upstream.removeprefix("src/")).with_suffix("")), tags=tags, licence=licence, author=author,
                              url=url, kind=kind))  # fmt: skip
    return write_clips(out_dir, clips, RULES, source=f"Debian {PACKAGE} (GCompris)")
