"""Hedgewars (Debian ``hedgewars-data``): fifteen voice packs of the game's hedgehogs
(Pirate, Surfer, Robot, Singer, British, Russian…, ~870 lines like "Hello", "Oops",
"Victory") — game-only, being voice lines of game characters — and the game's effects,
of which footsteps, a bee, water droplets and splashes, a whip crack, a hammer, a camera
shutter, a whistle, a pneumatic drill, a blowtorch and an aeroplane are sounds of the
world; the rest (weapons, power-ups, countdowns, portals) is game-only.

Voice lines are described by their file name ("Leavemealone" reads "leavemealone";
:func:`voice_line` splits the few CamelCase ones) and their pack; the DEP-5 copyright
file gives the sounds' licence (GFDL-1.3; the droplets CC-BY-SA-3.0 from Freesound).
"""

from __future__ import annotations

from pathlib import Path

from ..debian import fetch_package
from ._common import Rule, existing_count, folder_clips, write_clips

NAME = "hedgewars"
PACKAGE = "hedgewars-data"
FOLDER = "usr/share/games/hedgewars/Data/Sounds"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
SOUNDS = {
    "steps": ("footsteps", ["footsteps", "walking"], None),
    "bee": ("bee buzzing", ["bee", "insect"], None),
    "Droplet": ("water droplet", ["water", "drop"], None),
    "splash": ("water splash", ["water", "splash"], None),
    "whipcrack": ("whip crack", ["whip"], None),
    "hammer": ("hammer blow", ["hammer", "tool"], None),
    "shutterclick": ("camera shutter click", ["camera", "shutter"], None),
    "Whistle": ("whistle", ["whistle"], None),
    "pickhammer": ("pneumatic drill, jackhammer", ["jackhammer", "drill", "construction"], None),
    "blowtorch": ("blowtorch", ["blowtorch", "tool"], None),
    "plane": ("aeroplane flying", ["aeroplane", "engine"], None),
}
_WORLD = "|".join(("steps", "bee", "droplet", "splash", "whipcrack", "hammer",
                    "shutterclick", "whistle", "pickhammer", "blowtorch", "plane"))
RULES = (
    Rule(r"^voices ", "voice line of a game character"),
    Rule(rf"^(?!({_WORLD})$)", "game weapon, power-up or interface sound"),
)


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    clips = folder_clips(root, FOLDER, root / COPYRIGHT, lambda rel: f"share/hedgewars/Data/Sounds/{rel}", SOUNDS,
                         "Hedgewars sound")  # fmt: skip
    for clip in clips:
        parts = Path(clip.rel).parts
        if parts[0] == "voices":
            clip.description = f"\"{clip.name}\", voice line of the Hedgewars hedgehog voice pack '{parts[1]}'"
            clip.tags = ["voice", "speech", parts[1]]
    return write_clips(out_dir, clips, RULES, source=f"Debian {PACKAGE} (Hedgewars)")
