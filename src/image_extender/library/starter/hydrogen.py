"""Hydrogen drum kits (Debian ``hydrogen-drumkits``): recorded drums and hand percussion —
kick, snare, toms, hi-hats, cymbals, cowbell, djembe and dunun, cajon, bongos, maracas,
tambourine, hand claps, finger snaps.

Each kit folder carries ``drumkit.xml``: the kit's name, author and licence line, and for
every instrument its name ("Snare Rimshot (Pearl Free Floating Maple 14x3.5)") and the
sample files of its velocity layers. Those names are the descriptions. The Debian
copyright file (DEP-5) gives each kit's licence by its ``drumkits/<kit>.h2drumkit``
archive name; a kit it does not name is skipped rather than guessed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ..debian import FetchError, fetch_package
from ._common import Clip, dep5_licence, existing_count, words, write_clips

NAME = "hydrogen"
PACKAGE = "hydrogen-drumkits"
KITS = "usr/share/hydrogen/data/drumkits"
COPYRIGHT = "usr/share/doc/hydrogen-drumkits/copyright"
HOMEPAGE = "http://hydrogen-music.org/"
# Instrument names that are only a slot number ("15") or a MIDI note say nothing; the
# sample's file name is used instead. "Sample: beats_06-10.flac" is an unnamed slot whose
# file name says nothing either: skipped.
_EMPTY_NAME = re.compile(r"^\s*(\d+|[a-g]#?\d\s*-\s*)?\s*$", re.IGNORECASE)
_UNNAMED_SLOT = re.compile(r"^\s*sample:", re.IGNORECASE)
_MIDI_NOTE = re.compile(r"^\s*[a-g]#?\d\s*-\s*", re.IGNORECASE)  # "c3 - bass drum 1"
# Hand percussion a search would call by another word too.
EXTRA_TAGS = {
    "djembe": ["hand drum", "african percussion"], "sangban": ["dunun", "african percussion"],
    "dununba": ["dunun", "african percussion"], "kenkeni": ["dunun", "african percussion"],
    "cajon": ["hand drum"], "bongo": ["hand drum"], "conga": ["hand drum"],
    "clap": ["hand clap", "clapping"], "snap": ["finger snap"], "hat": ["hi-hat", "cymbal"],
    "hh": ["hi-hat", "cymbal"], "crash": ["cymbal"], "ride": ["cymbal"], "splash": ["cymbal"],
    "china": ["cymbal"], "kick": ["bass drum"], "tambourine": ["tambourine"], "maraca": ["shaker"],
}  # fmt: skip


def _local(el: ET.Element) -> str:
    """Tag without its namespace: newer kits declare Hydrogen's, older ones none."""
    return el.tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, tag: str) -> list[ET.Element]:
    return [c for c in el.iter() if _local(c) == tag]


def _text(el: ET.Element, tag: str) -> str:
    for child in el:
        if _local(child) == tag:
            return (child.text or "").strip()
    return ""


def kit_licence(copyright_file: Path, kit_folder: str) -> tuple[str, str, str] | None:
    """The DEP-5 stanza for ``drumkits/<kit>.h2drumkit``; the folder "circAfrique v4" is
    the archive "circAfrique", so its first word is tried too."""
    for stem in (kit_folder, kit_folder.split(" ")[0]):
        try:
            return dep5_licence(copyright_file, f"drumkits/{stem}.h2drumkit")
        except FetchError:
            continue
    return None


def kit_clips(kit_dir: Path, copyright_file: Path) -> list[Clip]:
    """A clip for every sample file ``drumkit.xml`` names, described by its instrument."""
    lic = kit_licence(copyright_file, kit_dir.name)
    if lic is None:
        return []
    licence, author, url = lic
    root = ET.parse(kit_dir / "drumkit.xml").getroot()
    kit = _text(root, "name") or kit_dir.name
    kit_author = _text(root, "author")
    clips: list[Clip] = []
    for inst in _children(root, "instrument"):
        name = _MIDI_NOTE.sub("", _text(inst, "name"))
        if _UNNAMED_SLOT.match(name):
            continue
        layers = [_text(layer, "filename") for layer in _children(inst, "layer")]
        if not layers and _text(inst, "filename"):
            layers = [_text(inst, "filename")]  # older kits: one sample per instrument
        for n, filename in enumerate(f for f in layers if f):
            sample = kit_dir / filename
            if not sample.is_file():
                continue
            what = words(Path(filename).stem) if _EMPTY_NAME.match(name) else name
            desc = f"{what}, a drum kit sample (percussion instrument hit) from the Hydrogen drum kit \"{kit}\""
            if len(layers) > 1:
                desc += f", velocity layer {n + 1} of {len(layers)}"
            low = what.lower()
            tags = ["drum", "percussion", "musical instrument", "drum kit", kit]
            tags += [t for key, extra in EXTRA_TAGS.items() if key in low for t in extra]
            clips.append(
                Clip(
                    rel=f"{kit_dir.name}/{filename}",
                    data=sample.read_bytes(),
                    name=what.lower(),
                    description=desc,
                    key=f"{kit}/{filename}",
                    tags=tags,
                    licence=licence,
                    author=author or kit_author,
                    url=url or HOMEPAGE,
                    kind="one-shot",
                )
            )
    return clips


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    copyright_file = root / COPYRIGHT
    clips = [c for kit in sorted((root / KITS).iterdir()) if (kit / "drumkit.xml").is_file()
             for c in kit_clips(kit, copyright_file)]  # fmt: skip
    return write_clips(out_dir, clips, rules=(), source=f"Debian {PACKAGE}")
