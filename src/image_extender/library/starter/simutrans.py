"""Simutrans pak64 (Debian ``simutrans-pak64``): the transport game's vehicles and
places — a bus, a lorry, a diesel and a steam locomotive, a ship's horn, a jet and a
low-flying propeller plane, a level crossing's bell, a horse, a jackhammer, a buzz saw,
a tree being felled, seagulls at a harbour, and the ambiences it plays over each kind of
land (sea water, forest, arctic, desert, tropical forest).

``sound.tab`` says what the game plays each numbered sound for (vehicles 0–6,
construction, "factory sounds"); the climate ambiences are named by their climate. Only
those recordings are kept (``SOUNDS``); the interface's click, failure "boing", cash
register and demolition blast are the game's own. The DEP-5 copyright file's
``Files: *`` stanza gives the licence (Artistic-1.0, Hansjoerg Malthaner and the
Simutrans Team).
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "simutrans"
PACKAGE = "simutrans-pak64"
FOLDER = "usr/share/games/simutrans/pak/sound"
SOUNDS = {
    "bus": ("bus driving past", ["bus", "traffic", "road"], "one-shot"),
    "truck": ("lorry driving past, truck engine", ["truck", "lorry", "traffic", "road"], "one-shot"),
    "diesel": ("diesel locomotive, train engine", ["train", "locomotive", "railway"], "one-shot"),
    "steam": ("steam locomotive puffing", ["steam train", "locomotive", "railway"], "one-shot"),
    "boat-horn": ("ship's horn, boat horn in a harbour", ["ship", "boat", "horn", "harbour"], "one-shot"),
    "comet-jet": ("jet airliner flying over", ["aeroplane", "jet", "airport"], "one-shot"),
    "planelow": ("propeller plane flying low overhead", ["aeroplane", "airport"], "one-shot"),
    "crossing": ("railway level crossing bell ringing", ["level crossing", "railway", "bell"], "one-shot"),
    "horse": ("horse and carriage, hooves", ["horse", "carriage"], "one-shot"),
    "jackhammer": ("jackhammer, concrete construction work", ["jackhammer", "construction"], "one-shot"),
    "buzzsaw": ("buzz saw cutting wood, sawmill", ["saw", "sawmill", "wood"], None),
    "tree-cutting": ("trees being felled, lumber camp with chainsaw and axe", ["tree", "forest", "logging"], None),
    "seagulls": ("seagulls crying over a harbour", ["seagull", "gull", "bird", "harbour", "sea"], None),
    "Water": ("sea water ambience, waves", ["sea", "water", "waves"], None),
    "forest": ("forest ambience", ["forest", "birds"], None),
    "arctic": ("arctic ambience, cold wind", ["arctic", "wind", "snow"], None),
    "desert": ("desert ambience, wind", ["desert", "wind"], None),
    "tropic": ("tropical forest ambience", ["tropical", "jungle", "forest"], None),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "sound/", SOUNDS, "Simutrans pak64 sound", "Simutrans")
