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
from image_extender.sounds.base import Candidate

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
    # counted: the finder's source leaves them out before any verification
    assert by_label["computer mouse"].count == 0
    assert by_label["gun"].count == 0
    # the finder's source never offers them; the library itself still holds them
    assert not [c for c in finder.source.search("gunshot", "object", 20) if "gun shoot" in c.sound.name]
    shots = [Candidate(s, sc) for s, sc in finder.source.lib.search("gunshot", limit=20) if "gun shoot" in s.name]
    assert shots and all("game-only" in c.sound.tags for c in shots)
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


def test_coverage_counts_only_what_the_finder_would_take():
    """The verifier judges a query's words; the finder also knows the thing: an elephant's
    trumpeting is no trumpet, a one-second clip is no bed. Coverage counts what the finder
    takes, so a library of them backs the elephant, not the brass, and no bed."""
    from image_extender.manifest import Sound
    from image_extender.sounds.base import Verdict
    from image_extender.sounds.sound_words import SoundWords
    from image_extender.sounds.wordnet import WordNet

    def sound(name, description, duration, kind):
        return Sound(provider="library", id=name, path=f"{name}.wav", name=name, description=description, tags=[],
                     licence="CC0-1.0", duration=duration, sample_rate=44100, channels=1, kind=kind)

    elephant = sound("Elephant trumpet", "African elephant trumpeting, herd rumbles", 3.0, "one-shot")
    gust = sound("gust", "a gust of wind in the trees", 1.0, "bed")

    class Everything:  # a source that offers both for any query
        name = "test"

        def search(self, query, role, limit):
            return [Candidate(elephant, 0.9), Candidate(gust, 0.8)]

    class YesToAll:  # a verifier that accepts whatever it is shown, with the project's lexicon
        lexicon = SoundWords(WordNet.from_data_dir(data_dir()))

        def verify(self, query, candidates):
            return [Verdict(True, 0.9, "yes") for _ in candidates]

    entries = [SoundingEntry("brass", "object", ("trumpet playing",)),
               SoundingEntry("elephant", "object", ("elephant trumpeting",)),
               SoundingEntry("forest", "ambience", ("wind in the trees",))]
    by_label = {e.label: e for e in library_coverage(entries, Everything(), YesToAll(), minimum=1).entries}
    assert "Elephant trumpet" in by_label["elephant"].verified
    assert "Elephant trumpet" not in by_label["brass"].verified, by_label["brass"]
    assert "gust" not in by_label["forest"].verified
