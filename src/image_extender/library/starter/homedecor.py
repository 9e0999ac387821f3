"""Home Decor for Minetest (Debian ``minetest-mod-homedecor``): the recordings a house
makes — a small fire crackling in a fireplace, a shower running, a tap running into a
sink, a toilet flushing, a toaster, a doorbell, doors opening and closing, a rubbish bin
emptied.

They are the indoor sounds the game packages lack: a fireplace's fire, a bathroom's
shower and a kitchen's tap are beds and objects heard inside a home (the fire is a
fireplace's, not every living room's: a room with no fire in sight gets the quiet of a room). The fire and the
shower are loops the mod plays for as long as the object is on, so they are kept as beds.
The DEP-5 copyright file's ``*/sounds/*`` stanza gives the licence (CC-BY-SA-4.0, Vanessa
Ezekowitz); only the files listed here are kept (the coin slot of the mod's vending
machine is left out).
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "homedecor"
PACKAGE = "minetest-mod-homedecor"
FOLDER = "usr/share/games/minetest/mods/homedecor"
SOUNDS = {
    "fire_small": ("small fire crackling in a fireplace, a cosy hearth, indoor fire loop",
                   ["fireplace", "fire", "hearth", "indoor"], "bed"),
    "fire_extinguish": ("fire put out, hissing embers in a fireplace", ["fireplace", "fire"], "one-shot"),
    "homedecor_shower": ("shower running in a bathroom, water spraying into a shower tray, indoor loop",
                         ["shower", "water", "bathroom", "indoor"], "bed"),
    "homedecor_faucet": ("tap running into a sink, water from a faucet filling a basin in a kitchen or bathroom",
                         ["sink", "tap", "faucet", "water", "kitchen", "bathroom"], "one-shot"),
    "homedecor_toilet_flush": ("toilet flushing, cistern refilling", ["toilet", "flush", "bathroom"], "one-shot"),
    "toaster": ("toaster lever pushed down, the click of a kitchen toaster", ["toaster", "kitchen", "appliance"], "one-shot"),
    "homedecor_doorbell": ("doorbell ringing, ding-dong of a house door chime", ["doorbell", "door", "house"], "one-shot"),
    "homedecor_door_open": ("door opening indoors, handle and hinge", ["door", "house"], "one-shot"),
    "homedecor_door_close": ("door closing indoors, a door shut", ["door", "house"], "one-shot"),
    "homedecor_gate_open_close": ("garden gate opening and closing, latch click", ["gate", "garden"], "one-shot"),
    "homedecor_book_close": ("book closed, a hardback snapped shut", ["book"], "one-shot"),
    "homedecor_trash_all": ("rubbish bin emptied, trash tipped out of a bin", ["trash", "bin", "rubbish"], "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "", SOUNDS, "Minetest Home Decor sound", "Home Decor")
