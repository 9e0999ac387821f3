"""Other libraries' descriptions: does the verifier back the right vocabulary entries?

``python -m eval.descriptions [--keep DIR]`` puts the descriptions of
:mod:`eval.descriptions_data` (written the way BBC Sound Effects, Freesound uploaders and
commercial packs describe their recordings) on two real recordings of the starter library
(a short one for one-shots, a long one for beds), builds a library of them with ``library
build``, runs ``library coverage`` on it and lists, per description, the vocabulary entries
it should back and does not (MISS) and the others it backs (extra: many are fine, a
farmyard bed backing the cow; some are not, a woman laughing backing the hyena). The audio
only carries the text: what is judged is the text, as the verifier judges it.

A development aid, not a held-out measure: the descriptions were written by a developer of
the verifier, who fixed the patterns they showed. ~4 minutes on 2 cores (coverage asks
every query of every entry).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from image_extender.settings import default_data_dir

from .descriptions_data import DESCRIPTIONS

CARRIERS = {"one-shot": "starter/hedgewars/Droplet1.ogg", "bed": "starter/redeclipse/ambience/wind.ogg"}


def build(root: Path, data_dir: Path) -> None:
    """A library of the descriptions under ``root`` (its own data folder, sharing WordNet)."""
    from image_extender.library.ingest import build_library

    carriers = {kind: data_dir / rel for kind, rel in CARRIERS.items()}
    missing = [str(p) for p in carriers.values() if not p.is_file()]
    if missing:
        raise SystemExit(f"carrier recordings missing ({', '.join(missing)}): run 'make install' first")
    folder = root / "folder"
    folder.mkdir(parents=True)
    (root / "nltk_data").symlink_to(data_dir / "nltk_data")
    records = []
    for i, (_, name, description, tags, kind) in enumerate(DESCRIPTIONS):
        path = f"d{i:03d}.ogg"
        shutil.copy(carriers[kind], folder / path)
        records.append({"path": path, "name": name, "description": description, "tags": tags, "kind": kind,
                        "licence": "see the starter library"})
    (folder / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    build_library([folder], root / "library")


def backed(root: Path) -> dict[str, list[str]]:
    """Recording name -> the vocabulary entries whose queries verify it (``library coverage``)."""
    from image_extender.analyze.vocabulary import sounding_entries
    from image_extender.library.coverage import library_coverage
    from image_extender.settings import Settings
    from image_extender.sounds.factory import build_finder

    finder = build_finder(Settings(data_dir=root, source="library", verifier="embedding"))
    report = library_coverage(sounding_entries(), finder.source, finder.verifier, limit=30, hierarchy=finder.hierarchy)
    out: dict[str, list[str]] = {}
    for entry in report.entries:
        for name in entry.verified:
            out.setdefault(name, []).append(entry.label)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.descriptions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="build the library in this new folder and keep it")
    args = parser.parse_args(argv)
    data_dir = default_data_dir()
    if args.keep is not None and args.keep.exists():
        raise SystemExit(f"{args.keep}: already exists; --keep wants a new folder")
    root = args.keep or Path(tempfile.mkdtemp(prefix="descriptions-"))
    os.environ["IMAGE_EXTENDER_DATA"] = str(root)  # its caches are its own; WordNet is linked in
    try:
        build(root, data_dir)
        by_name = backed(root)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    misses = extras = 0
    for labels, name, _, _, _ in DESCRIPTIONS:
        wanted, got = set(labels.split("|")), by_name.get(name, [])
        others = [g for g in got if g not in wanted]
        if not wanted & set(got):
            misses += 1
            print(f"MISS  {name!r}: wants {labels}, backs {got}")
        if others:
            extras += len(others)
            print(f"extra {name!r} ({labels}) also backs {others}")
    print(f"{misses} of {len(DESCRIPTIONS)} descriptions back none of their entries; {extras} extra entries backed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
