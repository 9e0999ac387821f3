"""TripleA (Debian ``triplea``): the few recordings of the world among its game sounds — a
hawk's scream and call, horses galloping, dice shaken and rolled, a typewriter, a doorbell,
wood being sawn, a splash and waves, people cheering, paper torn, coins, an engine.

The game names each file by what it is after the game event it plays at
(``battle_air_01_hawk_scream``, ``placed_infrastructure_01_sawing_wood``); the record's name
is the part after the event ("hawk scream"), and only files whose name says so are kept:
its battles (swords, cannons, muskets, machine guns, bombs), sirens and alarms, anthems,
overtures and film music, lasers, robots and interface clicks are left out. Several themes share a file; the copies are kept once. The DEP-5 copyright
file's ``Files: *`` stanza gives the package to its authors under GPL-2+.
"""

from __future__ import annotations

import re
from pathlib import Path

from ._common import Entry, materialize_listed, words

NAME = "triplea"
PACKAGE = "triplea"
FOLDER = "usr/share/games/triplea/assets/sounds"

SOUNDS: dict[str, Entry] = {
    "battle_air_01_hawk_scream": ("a hawk screaming, a raptor's piercing cry", ["hawk", "bird of prey", "raptor", "scream"],
                                  "one-shot"),
    "battle_air_02_hawk_call": ("a hawk calling, a raptor's cry", ["hawk", "bird of prey", "raptor", "call"], "one-shot"),
    "territory_capture_blitz_01_horses_galloping": ("horses galloping past, hooves pounding the ground",
                                                    ["horses", "gallop", "hooves", "horse"], "one-shot"),
    "battle_dice_rolled_01_dice_shaken_then_rolled": ("dice shaken, then rolled onto a table",
                                                      ["dice", "shaking", "rolling", "board game"], "one-shot"),
    "chat_message_02_type_writer_short": ("a typewriter typing a few keys", ["typewriter", "typing", "keys"], "one-shot"),
    "political_action_successful_01_typewriter": ("a typewriter typing", ["typewriter", "typing", "keys", "office"],
                                                  "one-shot"),
    "chat_join_game_01_door_bell": ("a doorbell ringing", ["doorbell", "door bell", "ring", "house"], "one-shot"),
    "placed_infrastructure_01_sawing_wood": ("wood being sawn with a hand saw", ["saw", "sawing", "wood", "carpentry"],
                                             "one-shot"),
    "placed_sea_01_splash_and_waves": ("a splash into the sea, then waves", ["splash", "waves", "sea", "water"],
                                       "one-shot"),
    "game_won_01_people_cheering_with_bells": ("people cheering, with bells ringing", ["crowd", "cheering", "people",
                                                                                      "bells", "celebration"], "one-shot"),
    "political_action_failure_01_paper_being_ripped": ("a sheet of paper being ripped", ["paper", "ripping", "tearing"],
                                                       "one-shot"),
    "phase_end_turn_01_coins": ("coins clinking", ["coins", "money", "clinking"], "one-shot"),
    "territory_capture_blitz_01_motor_engine_noise": ("a motor engine running", ["engine", "motor", "vehicle"],
                                                      "one-shot"),
}


def plain_name(stem: str) -> str:
    """'battle_air_01_hawk_scream' -> 'hawk scream': what the file is, without the game event it plays at."""
    return words(re.sub(r"^.*?_\d\d_", "", stem))


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "", SOUNDS, "TripleA sound", "TripleA",
                              unpack_only=True, name=lambda rel: plain_name(Path(rel).stem))
