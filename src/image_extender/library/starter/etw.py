"""Eat the Whistle (Debian ``etw-data``): a football stadium's crowd — fans cheering and
chanting through a match, in the background of its play, and booing.

These are the 17 crowd recordings the game plays over a match (``crowd/``) and three of its
event sounds (``snd/``: the crowd, the booing, and ``fondo``, the crowd's background). The
other event sounds are the game's own (replay jingles, a cannon, spoken "let's go") or too
short to be heard (a 0.1 s whistle: Tux Football's whistles are kept). All are 8-bit
22 kHz mono. The DEP-5 copyright file's ``Files: *`` stanza gives the licence (GPL-2+,
Gabriele Greco).
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "etw"
PACKAGE = "etw-data"
FOLDER = "usr/share/games/etw"
CROWD = ["crowd", "stadium", "football", "fans", "cheering", "chanting", "audience", "sports"]
SOUNDS = {
    "crowd": ("football stadium crowd, fans cheering and chanting during a match", CROWD, None),
    "fondo": ("football stadium crowd in the background of a match, fans in the stands", CROWD, "bed"),
    "boou": ("football stadium crowd booing", ["crowd", "booing", "stadium", "football", "fans", "audience"], "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "", SOUNDS, "Eat the Whistle stadium sound", "Eat the Whistle")
