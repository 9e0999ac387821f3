"""Lomiri sounds (Debian ``lomiri-sounds``): what a mobile phone plays — 27 ringtones
(marimba, koto, mbira, tongue drum, piano…), two alarm-clock tones, 13 message
notifications, a low-battery warning and the camera's shutter click and focus beep.

A photo of someone holding a cell phone is heard as a phone ringing, not as the closest
beep a game happens to have. Each file's description is made of its folder
(``ringtones``, ``notifications``, ``camera``) and its name ("Koto chords" → a koto
chords ringtone). The DEP-5 copyright file names licence and author per file
(CC-BY-SA-3.0 Canonical for the Ubuntu Touch set, CC-BY-4.0 / CC0-1.0 for later
additions, two Freesound recordings for the camera).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ..debian import fetch_package
from ._common import Entry, existing_count, folder_clips, write_clips

NAME = "lomiri"
PACKAGE = "lomiri-sounds"
FOLDER = "usr/share/sounds/lomiri"
PHONE = ["phone", "cell phone", "mobile phone", "smartphone"]
FIXED: dict[str, Entry] = {
    "Alarm clock": ("alarm clock ringing, a phone's wake-up alarm tone", ["alarm", "alarm clock", "clock", *PHONE], "one-shot"),
    "Alarm synth": ("alarm ringing, a phone's synthesised wake-up alarm tone", ["alarm", "alarm clock", *PHONE], "one-shot"),
    "LowBattery": ("low battery warning of a mobile phone", ["battery", *PHONE], "one-shot"),
    "camera_click": ("camera shutter click, taking a photo with a phone camera", ["camera", "shutter", "photo", *PHONE], "one-shot"),
    "camera_focus": ("camera autofocus beep before a photo", ["camera", "focus", *PHONE], "one-shot"),
}


def entry(folder: str, stem: str) -> Entry:
    """What one file is: the fixed table's word, else a ringtone or a notification by folder."""
    if stem in FIXED:
        return FIXED[stem]
    name = stem.replace("_", " ")  # proper names ("Koto chords", "A440"): kept as written
    if folder == "ringtones":
        return (f"{name} ringtone, a mobile phone ringing with an incoming call", ["ringtone", "ringing", *PHONE], "one-shot")
    return (f"{name} notification chime of a mobile phone, a message alert", ["notification", "message", *PHONE], "one-shot")


def _ascii(rel: str) -> str:
    """'ringtones/Koto chords.ogg' -> 'ringtones/Koto_chords.ogg' (no spaces or accents in the library)."""
    plain = unicodedata.normalize("NFKD", rel).encode("ascii", "ignore").decode()
    return plain.replace(" ", "_").replace("'", "")


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    base = root / FOLDER
    table = {p.stem: entry(p.relative_to(base).parts[0], p.stem) for p in base.rglob("*.ogg")}
    clips = folder_clips(root, FOLDER, root / f"usr/share/doc/{PACKAGE}/copyright",
                         lambda rel: "share/sounds/lomiri/" + rel, table, "Lomiri phone sound", only_table=True)  # fmt: skip
    for clip in clips:
        clip.rel = _ascii(clip.rel)
    return write_clips(out_dir, clips, rules=(), source=f"Debian {PACKAGE} (Lomiri phone sounds)")
