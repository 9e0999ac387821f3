"""The recordings in ``assets/scaper-audio`` (from scaper's test data, kept in this repo).

Their README describes each file in a table ("| file | what it is | sr / ch / s |") and
states the credits: Freesound recordings carry their sound id and author in the file
name (``150993__saphe__street-scene-1.wav``). We take descriptions from that table and
id/author from the names. No per-file licence is stated, so the licence is recorded as
"unknown" rather than guessed.

The folder is found via ``IMAGE_EXTENDER_ASSETS`` (a folder holding ``scaper-audio/``),
else by walking up from this file to the checkout's ``assets/`` (works from a fresh clone
with an editable install), else ``./assets``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from ...errors import InputError
from ..metadata import words_of
from ..records import METADATA_JSONL, SoundRecord, write_jsonl

NAME = "scaper-audio"
ASSETS_ENV = "IMAGE_EXTENDER_ASSETS"
FOLDER = "scaper-audio"
UNKNOWN_LICENCE = "unknown"
_FREESOUND_NAME = re.compile(r"^(\d+)__([^_]+(?:_[^_]+)*?)__(.+)$")


def assets_dir() -> Path:
    """Where ``scaper-audio/`` lives (see the module docstring for the search order)."""
    env = os.environ.get(ASSETS_ENV)
    candidates = [Path(env).expanduser()] if env else []
    candidates += [parent / "assets" for parent in Path(__file__).resolve().parents]
    candidates.append(Path.cwd() / "assets")
    for cand in candidates:
        if (cand / FOLDER).is_dir():
            return cand / FOLDER
    raise InputError(f"{FOLDER}: test recordings not found (set {ASSETS_ENV} to the folder holding {FOLDER}/)")


def read_table(readme: Path) -> dict[str, str]:
    """File name (or name with a ``-2`` / ``*`` variant) -> "what it is" from the README."""
    table: dict[str, str] = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0] or cells[0] in {"file"} or set(cells[0]) <= {"-", " "}:
            continue
        for name in re.split(r",\s*", cells[0]):
            table[name] = cells[1]
    return table


def _lookup(table: dict[str, str], filename: str) -> str:
    """Match "17-CAR-Rolls-Royce-Horn-2.wav" to the row "…Horn.wav, -2.wav" and
    "42-Human-Vocal-Voice-taxi-1_edit.wav" to "42-Human-Vocal-Voice-*.wav"."""
    if filename in table:
        return table[filename]
    for key, what in table.items():
        pattern = re.escape(key).replace(r"\*", ".*")
        if re.fullmatch(pattern, filename):
            return what
        if key.startswith("-"):  # a suffix variant of the row's first file
            base = next((k for k, v in table.items() if v == what and not k.startswith("-")), "")
            if base and filename == base.removesuffix(".wav") + key:
                return what
    return ""


def materialize(data_dir: Path, out_dir: Path) -> int:
    meta = out_dir / METADATA_JSONL
    if meta.exists():
        return sum(1 for line in meta.read_text(encoding="utf-8").splitlines() if line.strip())
    src_dir = assets_dir()
    table = read_table(src_dir / "README.md")
    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for src in sorted(src_dir.glob("*.wav")):
        what = re.sub(r"\s*\([^)]*\d[^)]*\)", "", _lookup(table, src.name))  # drop "(160 ms: …)" notes
        m = _FREESOUND_NAME.match(src.stem)
        author, url = "", ""
        if m:
            author, url = m.group(2), f"https://freesound.org/s/{m.group(1)}/"
            words = words_of(m.group(3))
        else:
            words = [w for w in words_of(src.stem) if w not in {"edit"}]
        name = " ".join(words)
        shutil.copy2(src, out_dir / src.name)
        records.append(
            SoundRecord(
                path=src.name,
                name=name,
                description=f"{what} ({name})" if what else name,
                licence=UNKNOWN_LICENCE,
                author=author,
                url=url,
                source="scaper test data (justinsalamon/scaper)",
            )
        )
    write_jsonl(records, out_dir)
    return len(records)
