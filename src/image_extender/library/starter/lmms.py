"""LMMS samples (Debian ``lmms-common``): instrument recordings (piano, church organ,
harpsichord, cello, violin bowed, fingered and pizzicato, flute, trumpet, steel and slap
bass guitar, Latin guitar and brass), acoustic and electronic drums and drum loops,
applause, a raving crowd, breath, a metronome, wind chimes — and synthesiser basses and
pads.

The sample browser's folders are the categories (``instruments/``, ``drums/``,
``misc/``…) and the file names say what each is (``violin_pizzicato01.ogg``). The
single-cycle oscillator shapes (``shapes/``, ``waveforms/``) are not recordings and are
left out; synthesiser basses, pads and effects are kept but tagged game-only (for this
library: not a sound of a thing a photo shows).
"""

from __future__ import annotations

from pathlib import Path

from ..debian import fetch_package
from ._common import Rule, existing_count, folder_clips, write_clips

NAME = "lmms"
PACKAGE = "lmms-common"
FOLDER = "usr/share/lmms/samples"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
SKIP = ("shapes/", "waveforms/", "drumsynth/")
FOLDER_WORDS = {
    "instruments": ("musical instrument", ["music", "instrument"]),
    "drums": ("drum sample", ["drum", "percussion", "music"]),
    "beats": ("drum beat loop", ["drum", "beat", "music"]),
    "latin": ("Latin music sample", ["music", "latin"]),
    "misc": ("", []),
    "effects": ("sound effect", []),
    "basses": ("synthesiser bass", ["synthesiser", "music"]),
    "bassloops": ("synthesiser bass loop", ["synthesiser", "music"]),
    "stringsnpads": ("synthesiser strings and pads", ["synthesiser", "music"]),
}
# misc/ and effects/ files a search would name differently from their file name
SOUNDS = {
    "applause01": ("applause, audience clapping", ["applause", "crowd", "clapping", "audience"], None),
    "raving_crowd01": ("raving crowd cheering", ["crowd", "cheering", "audience", "concert"], None),
    "breath01": ("breath, person breathing", ["breath", "breathing"], None),
    "metronome01": ("metronome ticking", ["metronome", "tick", "music"], None),
    "metronome02": ("metronome ticking", ["metronome", "tick", "music"], None),
    "wind_chimes01": ("wind chimes", ["wind chimes", "chimes"], None),
    "church_organ01": ("church organ", ["organ", "church", "music", "instrument"], None),
    "violin_pizzicato01": ("violin pizzicato, plucked strings", ["violin", "strings", "music", "instrument"], None),
    "violin_fingered01": ("violin bowed, fingered notes", ["violin", "strings", "music", "instrument"], None),
    "violin_double_stop01": ("violin double stop, bowed strings", ["violin", "strings", "music", "instrument"], None),
}
RULES = (
    Rule(r"^(basses|bassloops|stringsnpads)\b", "synthesised music sound"),
    Rule(r"^effects (?!wind chimes)", "synthesised effect"),
    Rule(r"^drums .*\b(zap|nasty)", "synthesised effect"),
    Rule(r"^misc (bass|buzz|electric ping|undefined|hit)\b", "synthesised effect"),
)


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    clips = folder_clips(root, FOLDER, root / COPYRIGHT, lambda rel: f"data/samples/{rel}", SOUNDS,
                         "LMMS sample", skip=lambda rel: rel.startswith(SKIP))  # fmt: skip
    for clip in clips:
        folder = clip.rel.split("/")[0]
        what, tags = FOLDER_WORDS.get(folder, ("", []))
        if what and Path(clip.rel).stem not in SOUNDS:
            clip.description = f"{clip.name}, {what} " + clip.description[len(clip.name) + 1 :]
        clip.tags = list(dict.fromkeys([*clip.tags, *tags]))
    return write_clips(out_dir, clips, RULES, source=f"Debian {PACKAGE} (LMMS)")
