"""Sonic Pi samples (Debian ``sonic-pi-samples``): 160 short recordings made for live
coding — drums (kicks, snares, cymbals, toms), tabla strokes, guitar chords and slides, a
piano, a choir, bass notes, percussion (bell, cowbell, door, till, snaps), vinyl noises,
ambient textures and loops, and a few everyday recordings (a crow, a burp).

Sonic Pi names every sample ``<family>_<what>``; :data:`FAMILIES` says what each family
is, in Sonic Pi's own documentation words. The Debian copyright file credits each sample
separately (most are CC0 from Freesound, with the page as ``Source``).
"""

from __future__ import annotations

from pathlib import Path

from ..debian import fetch_package
from ._common import Rule, existing_count, folder_clips, words, write_clips

NAME = "sonic-pi"
PACKAGE = "sonic-pi-samples"
FOLDER = "usr/share/sonic-pi/samples"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
# Family prefix -> (what it is, tags). From Sonic Pi's sample groups.
FAMILIES = {
    "ambi": ("ambient sound", ["ambient"]),
    "bass": ("bass note, musical instrument", ["bass", "music"]),
    "bd": ("bass drum, kick drum hit", ["drum", "kick", "percussion", "music"]),
    "drum": ("drum kit hit", ["drum", "percussion", "music"]),
    "elec": ("electronic sound", ["electronic", "music"]),
    "glitch": ("electronic glitch sound", ["electronic", "music"]),
    "guit": ("electric guitar, musical instrument", ["guitar", "music"]),
    "loop": ("musical loop", ["loop", "music"]),
    "mehackit": ("sound effect", []),
    "misc": ("everyday sound", []),
    "perc": ("percussion", ["percussion"]),
    "sn": ("snare drum hit", ["drum", "snare", "percussion", "music"]),
    "tabla": ("tabla drum stroke, Indian hand drum", ["tabla", "drum", "hand drum", "percussion", "music"]),
    "vinyl": ("vinyl record noise", ["vinyl", "record"]),
}
RULES = (
    Rule(r"\b(elec|glitch)\b", "synthesised electronic music sound"),
    Rule(r"\bmehackit (robot|phone)", "synthesised effect"),
)


def table(folder: Path) -> dict:
    """File stem -> (description, tags, kind) from its family prefix and the rest of its name."""
    out = {}
    for path in folder.glob("*.flac"):
        family, _, rest = path.stem.partition("_")
        what, tags = FAMILIES.get(family, ("", []))
        kind = "bed" if family == "loop" else None
        out[path.stem] = (f"{words(rest)}, {what}".strip(", "), tags, kind)
    return out


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    clips = folder_clips(root, FOLDER, root / COPYRIGHT, lambda rel: f"etc/samples/{rel}", table(root / FOLDER),
                         "Sonic Pi sample")  # fmt: skip
    for clip in clips:  # the rules see the family word: "elec blip", "tabla na"
        clip.key = f"{clip.rel.split('_')[0]} {clip.key}"
    return write_clips(out_dir, clips, RULES, source=f"Debian {PACKAGE} (Sonic Pi)")
