"""``library coverage``: which vocabulary entries the library backs with verified recordings.

Runs on a small library ingested from real OpenClonk recordings (thunder, doors, birds,
and interface clicks that the source tags game-only), with the project's own search and
embedding verifier."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import data_dir
from image_extender.analyze.vocabulary import SoundingEntry
from image_extender.library.coverage import library_coverage
from image_extender.library.starter import openclonk

KEEP = ("Environment/Lightning/Thunder", "Structures/DoorOpen", "Structures/DoorClose",
        "Environment/BirdsLoop", "UI/Click", "UI/Tick", "Objects/Weapons/Blunderbuss/GunShoot")  # fmt: skip

ENTRIES = [
    SoundingEntry("thunderstorm", "ambience", ("thunder", "thunderstorm")),
    SoundingEntry("door", "object", ("door opening", "door closing")),
    SoundingEntry("bagpipes", "object", ("bagpipes playing",)),
    SoundingEntry("computer mouse", "object", ("computer mouse click",)),
    SoundingEntry("gun", "object", ("gunshot",)),
]


@pytest.fixture(scope="module")
def small_library(tmp_path_factory) -> Path:
    """A data folder whose library holds ~18 OpenClonk recordings, 7 of them game-only."""
    src = data_dir() / "starter" / openclonk.NAME
    openclonk.materialize(data_dir(), src)
    root = tmp_path_factory.mktemp("coverage-data")
    folder = root / "sounds"
    lines = []
    for line in (src / "metadata.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["path"].startswith(KEEP):
            (folder / rec["path"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src / rec["path"], folder / rec["path"])
            lines.append(line)
    (folder / "metadata.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    from image_extender.library.ingest import build_library

    report = build_library([folder], root / "library")
    assert report.total == len(lines) >= 10 and not report.failed
    return root


def _finder(data: Path):
    from image_extender.settings import load_settings
    from image_extender.sounds.factory import build_finder

    return build_finder(load_settings(data_dir=data, source="library", verifier="embedding"))


def test_coverage_counts_verified_recordings_and_lists_gaps(small_library):
    finder = _finder(small_library)
    report = library_coverage(ENTRIES, finder.source, finder.verifier, minimum=3)
    by_label = {e.label: e for e in report.entries}
    assert by_label["thunderstorm"].count >= 3  # five OpenClonk thunder claps
    assert all("thunder" in name for name in by_label["thunderstorm"].verified)
    assert by_label["door"].count >= 2
    assert by_label["bagpipes"].count == 0 and by_label["bagpipes"].searched > 0
    # the UI clicks and the blunderbuss shots are in the library but game-only: never
    # counted, although the verifier alone takes the shots for "gunshot"
    assert by_label["computer mouse"].count == 0
    assert by_label["gun"].count == 0
    shots = [c for c in finder.source.search("gunshot", "object", 20) if "gun shoot" in c.sound.name]
    assert shots and any(v.accepted for v in finder.verifier.verify("gunshot", shots))
    gaps = {e.label for e in report.gaps}
    assert {"bagpipes", "computer mouse", "gun"} <= gaps and "thunderstorm" not in gaps
    assert report.summary().startswith(f"{len(ENTRIES) - len(gaps)} of {len(ENTRIES)} vocabulary entries")


def test_coverage_command_lists_gaps_and_exits_1(small_library, monkeypatch):
    import image_extender.analyze.vocabulary as vocabulary
    from image_extender.cli import app

    monkeypatch.setattr(vocabulary, "sounding_entries", lambda: ENTRIES)
    result = CliRunner().invoke(app, ["library", "coverage", "--data-dir", str(small_library)])
    assert result.exit_code == 1, result.output
    assert "bagpipes" in result.output and "computer mouse" in result.output
    assert "thunderstorm" not in result.output.split("vocabulary entries backed")[0].split("fewer than 3")[1]
    assert "below" in result.output and "library build" in result.output

    everything = CliRunner().invoke(app, ["library", "coverage", "--all", "--min", "1", "--data-dir", str(small_library)])
    assert "thunderstorm" in everything.output
