"""What the starter-source tests share: materialise sources once, read their metadata back."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from conftest import data_dir
from image_extender.library.records import SoundRecord


def materialized(sources: Iterable[ModuleType]) -> dict[str, Path]:
    """NAME -> materialised folder (cached under <data>/starter, as ``make install`` leaves it)."""
    out = {}
    for module in sources:
        folder = data_dir() / "starter" / module.NAME
        module.materialize(data_dir(), folder)
        out[module.NAME] = folder
    return out


def records(folder: Path) -> dict[str, SoundRecord]:
    lines = (folder / "metadata.jsonl").read_text(encoding="utf-8").splitlines()
    return {r.path: r for r in (SoundRecord.model_validate(json.loads(x)) for x in lines if x.strip())}


def library_of(folders: dict[str, Path], root: Path):
    """A data folder at ``root`` whose library holds only ``folders`` (copied to root/sounds); the build report."""
    import shutil

    from image_extender.library.ingest import build_library

    copies = []
    for name, folder in folders.items():
        copies.append(root / "sounds" / name)
        shutil.copytree(folder, copies[-1])
    return build_library(copies, root / "library")


def assert_real_credited_files(folder: Path, recs: dict[str, SoundRecord], *, min_rate: int, min_frames_per: int) -> None:
    """Every record is a file with licence, author, URL, name, description and its Debian source;
    three of them decode at ``min_rate`` Hz or more, longer than 1/``min_frames_per`` s and not silent."""
    from image_extender.library.audio_io import read_audio

    for rec in recs.values():
        assert (folder / rec.path).is_file(), rec.path
        assert rec.licence not in ("", "unknown") and rec.author and rec.url, rec.path
        assert rec.description and rec.name and rec.source.startswith("Debian "), rec.path
    for rec in list(recs.values())[:: max(1, len(recs) // 3)][:3]:
        samples, rate = read_audio(folder / rec.path)
        assert rate >= min_rate and samples.shape[0] > rate // min_frames_per and abs(samples).max() > 0.01, rec.path


def finder_of(name: str, folder: Path, root: Path, total: int):
    """The sound finder (library source, calibrated embedding verifier) of a library at
    ``root`` that holds only ``folder``, after checking that all ``total`` recordings went in."""
    from image_extender.settings import load_settings
    from image_extender.sounds.factory import build_finder

    report = library_of({name: folder}, root)
    assert not report.failed and report.total == total
    return build_finder(load_settings(data_dir=root, source="library", verifier="embedding"))


def assert_newly_backed(backed: list[tuple[str, str]], source, verifier) -> None:
    """Each (vocabulary label, word) of ``backed`` has a verified recording, found with the
    label's real vocabulary queries, and the first one's name or description holds the word."""
    from image_extender.analyze.vocabulary import sounding_entries
    from image_extender.library.coverage import library_coverage

    wanted = {label for label, _ in backed}
    entries = [e for e in sounding_entries() if e.label in wanted]
    assert {e.label for e in entries} == wanted
    report = library_coverage(entries, source, verifier, minimum=1)
    by_label = {e.label: e for e in report.entries}
    for label, word in backed:
        entry = by_label[label]
        assert entry.count >= 1, (label, entry.nearest_rejected)
        assert word in entry.verified[0].lower(), (label, entry.verified)


def verified_for(finder, label: str) -> tuple[str, ...]:
    """Names of the recordings ``finder`` verifies for the vocabulary entry ``label``, asked
    with that entry's own queries (``image-extender library coverage`` for one entry)."""
    from image_extender.analyze.vocabulary import sounding_entries
    from image_extender.library.coverage import entry_coverage

    entry = next(e for e in sounding_entries() if e.label == label)
    return entry_coverage(entry, finder.source, finder.verifier, hierarchy=finder.hierarchy).verified


def bed_text(finder, place: str) -> str:
    """The bed the finder picks for a scene whose one kind of place is ``place``, with that
    place's own queries and fallback chain: its recording's name and description, lower case."""
    from image_extender.analyze.ambience import load_rules
    from image_extender.manifest import AmbienceTag, ImageInfo, Scene

    rules = load_rules()
    rule = rules.rule(place)
    scene = Scene(image=ImageInfo(path="-", md5="-", width=1, height=1), analyzer="test",
                  ambience=[AmbienceTag(label=place, query=rule.query, queries=rules.tag_queries(place))])
    (choice,) = finder(scene)
    assert choice.sound is not None, choice.verdict
    return f"{choice.sound.name} {choice.sound.description}".lower()
