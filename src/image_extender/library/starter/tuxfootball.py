"""Tux Football (Debian ``tuxfootball``): a football match — the ball kicked and bouncing,
the referee's whistle (short, long, twice, full time) and the stadium crowd cheering,
booing and going "ooh".

Only those recordings are kept (``SOUNDS`` says what each is); the menu beeps and the two
music tracks are the game's own. The DEP-5 copyright file's ``Files: *`` stanza gives the
licence (GPL-2+, Jason Wood and Christoph Brill).
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "tuxfootball"
PACKAGE = "tuxfootball"
FOLDER = "usr/share/games/tuxfootball/sound"
SOUNDS = {
    "kick": ("football kicked, ball kick", ["football", "ball", "kick", "sport"], "one-shot"),
    "bounce": ("ball bouncing on the ground", ["ball", "bounce", "sport"], "one-shot"),
    "crowdcheer": ("stadium crowd cheering a goal, football fans", ["crowd", "cheering", "stadium", "audience"], None),
    "crowdboo": ("stadium crowd booing, football fans", ["crowd", "booing", "stadium", "audience"], None),
    "crowdooh": ("stadium crowd going 'ooh', a near miss", ["crowd", "stadium", "audience"], "one-shot"),
    "refwhistleshort": ("referee's whistle, one short blast", ["whistle", "referee", "sport"], "one-shot"),
    "refwhistlelong": ("referee's whistle, one long blast", ["whistle", "referee", "sport"], "one-shot"),
    "refwhistletwice": ("referee's whistle blown twice", ["whistle", "referee", "sport"], "one-shot"),
    "refwhistleend": ("referee's whistle blowing full time, three blasts", ["whistle", "referee", "sport"],
                      "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "data/sound/", SOUNDS, "Tux Football match sound", "Tux Football")
