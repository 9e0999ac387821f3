"""The freedesktop.org sound theme (Debian ``sound-theme-freedesktop``): a phone ringing
and calling, a camera shutter, an alarm clock, a bin being emptied — and
the desktop's own alert and notification sounds.

The file names follow the freedesktop.org Sound Naming Specification, which says what
each event is (``phone-incoming-call``: a call is coming in). Every file has its own
DEP-5 stanza; a file without one is left out. Desktop alerts (dialogs, login, devices,
network, volume) are interface sounds: game-only, i.e. never an object or a bed. So is
``bell``, the spec's terminal bell: a 0.14 s ding, no church or door bell.
"""

from __future__ import annotations

from pathlib import Path

from ..debian import fetch_package
from ._common import Rule, existing_count, folder_clips, write_clips

NAME = "freedesktop"
PACKAGE = "sound-theme-freedesktop"
FOLDER = "usr/share/sounds/freedesktop/stereo"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
# Sound Naming Specification event -> what it sounds like, where the name is an event
SOUNDS = {
    "phone-incoming-call": ("telephone ringing, incoming phone call", ["phone", "telephone", "ringing"], None),
    "phone-outgoing-calling": ("telephone calling tone, outgoing phone call", ["phone", "telephone"], None),
    "phone-outgoing-busy": ("telephone busy signal", ["phone", "telephone"], None),
    "camera-shutter": ("camera shutter click", ["camera", "photo", "shutter"], None),
    "screen-capture": ("camera shutter click, screen capture", ["camera", "shutter"], None),
    "alarm-clock-elapsed": ("alarm clock ringing", ["alarm clock", "clock", "alarm"], None),
    "trash-empty": ("emptying the trash bin", ["trash", "bin"], None),
}
RULES = (Rule(r"^(?!phone|camera|screen capture|alarm clock|trash)", "desktop interface alert"),)


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    clips = folder_clips(root, FOLDER, root / COPYRIGHT, lambda rel: f"stereo/{rel}", SOUNDS,
                         "freedesktop.org sound theme")  # fmt: skip
    return write_clips(out_dir, clips, RULES, source=f"Debian {PACKAGE}")
