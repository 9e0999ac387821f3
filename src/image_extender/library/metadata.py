"""Read a library folder's own description of its sounds (``metadata.jsonl`` / ``.csv``).

Real collections describe their files in a sidecar table; ours is ``library.records``.
A bad line is reported and skipped, never fatal: one typo must not hide a thousand
good records. A file the table does not mention still enters the library, described by
the words of its file name and folders (``ambience/footsteps_gravel_2.ogg`` →
"footsteps gravel"), which is what a person browsing the folder would read too.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from .records import METADATA_CSV, METADATA_JSONL, SoundRecord


@dataclass
class FolderMetadata:
    """The records of one folder keyed by normalised relative path, plus what went wrong."""

    folder: Path
    records: dict[str, SoundRecord] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (where, what)
    source_file: Path | None = None


def normalise_rel(path: str) -> str:
    """Relative path as stored: forward slashes, no leading ``./``."""
    return PurePosixPath(path.replace("\\", "/")).as_posix().removeprefix("./")


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "record"
    return f"{where}: {err['msg']}"


def _add(meta: FolderMetadata, where: str, raw: object) -> None:
    if not isinstance(raw, dict):
        meta.problems.append((where, "not a JSON object"))
        return
    try:
        rec = SoundRecord.model_validate(raw)
    except ValidationError as exc:
        meta.problems.append((where, _first_error(exc)))
        return
    meta.records[normalise_rel(rec.path)] = rec


def read_folder_metadata(folder: Path) -> FolderMetadata:
    """Parse ``metadata.jsonl`` (preferred) or ``metadata.csv`` in ``folder`` if present."""
    meta = FolderMetadata(folder=folder)
    jsonl, csv_path = folder / METADATA_JSONL, folder / METADATA_CSV
    if jsonl.is_file():
        meta.source_file = jsonl
        with jsonl.open(encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                except json.JSONDecodeError as exc:
                    meta.problems.append((f"{jsonl}:{n}", f"invalid JSON ({exc.msg})"))
                    continue
                _add(meta, f"{jsonl}:{n}", raw)
    elif csv_path.is_file():
        meta.source_file = csv_path
        with csv_path.open(encoding="utf-8", errors="replace", newline="") as fh:
            reader = csv.DictReader(fh)
            for n, row in enumerate(reader, start=2):
                clean = {k.strip(): (v or "").strip() for k, v in row.items() if k}
                clean = {k: v for k, v in clean.items() if v != ""}
                if "loopable" in clean:
                    clean["loopable"] = clean["loopable"].lower() in {"1", "true", "yes", "y"}
                _add(meta, f"{csv_path}:{n}", clean)
    return meta


_SPLIT = re.compile(r"[\s_\-.+]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def words_of(text: str) -> list[str]:
    """Words of a file or folder name: split on separators and camelCase, drop numbers."""
    words = []
    for part in _SPLIT.split(_CAMEL.sub(" ", text)):
        part = part.strip().lower()
        if part and not part.isdigit():
            words.append(part)
    return words


def derived_record(rel: str) -> SoundRecord:
    """A record for a file nobody described: name from the file, context from its folders."""
    p = PurePosixPath(rel)
    name = " ".join(words_of(p.stem)) or p.stem
    folders = [" ".join(words_of(d)) for d in p.parts[:-1]]
    folders = [f for f in folders if f]
    description = name + (f" ({', '.join(folders)})" if folders else "")
    return SoundRecord(path=rel, name=name, description=description, tags=folders)


def record_for(meta: FolderMetadata, rel: str) -> SoundRecord:
    """The folder's record for ``rel``, filled in from the file name where it is silent."""
    rel = normalise_rel(rel)
    derived = derived_record(rel)
    rec = meta.records.get(rel)
    if rec is None:
        return derived
    updates = {}
    if not rec.name:
        updates["name"] = derived.name
    if not rec.description:
        updates["description"] = rec.name or derived.description
    return rec.model_copy(update=updates) if updates else rec


_CC_RE = re.compile(
    r"(?:creative\s+commons\s+(?P<long>zero|attribution(?:[\s-]+share[\s-]*alike)?)|"
    r"\bCC[\s-]*(?P<short>0|BY(?:[\s-]*SA)?))[\s-]*(?P<ver>\d\.\d)?",
    re.IGNORECASE,
)


def licence_ids(text: str) -> list[str]:
    """Creative Commons licences named in free text, as SPDX ids, in order of mention.

    "Creative Commons Attribution 3.0 Unported" → CC-BY-3.0, "CC BY-SA 3.0" →
    CC-BY-SA-3.0, "CC0 1.0" / "Creative Commons Zero 1.0" → CC0-1.0.
    """
    found = []
    for m in _CC_RE.finditer(text):
        kind = (m.group("long") or m.group("short") or "").lower().replace(" ", "").replace("-", "")
        if kind in {"zero", "0"}:
            spdx = f"CC0-{m.group('ver') or '1.0'}"
        else:
            sa = "sharealike" in kind or kind.endswith("sa")
            if not m.group("ver"):
                continue  # "CC BY" without a version is not a licence we can cite
            spdx = f"CC-BY{'-SA' if sa else ''}-{m.group('ver')}"
        if spdx not in found:
            found.append(spdx)
    return found


_RESTRICTIVENESS = {"CC0": 0, "CC-BY": 1, "CC-BY-SA": 2}


def strictest_licence(ids: list[str]) -> str | None:
    """Of several licences covering one mix, the one whose terms bind (CC0 < BY < BY-SA)."""
    if not ids:
        return None
    return max(ids, key=lambda s: _RESTRICTIVENESS.get(s.rsplit("-", 1)[0], 1))
