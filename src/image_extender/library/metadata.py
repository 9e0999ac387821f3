"""Read a library folder's own description of its sounds (``metadata.jsonl`` / ``.csv``).

Real collections describe their files in a sidecar table; ours is ``library.records``.
Collections as they ship name the columns their own way (ESC-50's ``filename`` and
``category``, UrbanSound8K's ``slice_file_name`` and ``class``, FSD50K's ``fname`` and
``labels``, BBC's ``location``, Clotho's ``caption_1``) and keep the table beside the
audio rather than in it (``meta/esc50.csv`` next to ``audio/``): both are understood, and
a row finds its file by relative path, by file name, or by name without extension.
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

from .audio_io import AUDIO_SUFFIXES
from .records import METADATA_CSV, METADATA_JSONL, SoundRecord

# Our keys and the column names collections use for them, ours first.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "path": ("path", "filename", "file_name", "fname", "file", "slice_file_name", "location",
             "filepath", "file_path", "audio", "audio_path", "audio_file"),
    "name": ("name", "title"),
    "description": ("description", "caption", "caption_1", "text"),
    "tags": ("tags", "labels", "label", "category", "categories", "class", "keywords"),
    "licence": ("licence", "license"),
    "author": ("author", "artist", "creator", "username"),
}
TABLE_SUFFIXES = {".csv", ".tsv", ".jsonl"}
_BESIDE = ("meta", "metadata", "annotations")  # folders beside the audio that hold its table


@dataclass
class FolderMetadata:
    """The records of one folder keyed by normalised relative path, plus what went wrong."""

    folder: Path
    records: dict[str, SoundRecord] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (where, what)
    source_file: Path | None = None
    found_beside: bool = False  # discovered, not named: rows for other folders are expected
    _aliases: dict[str, str | None] | None = field(default=None, init=False, repr=False)

    def key_for(self, rel: str) -> str | None:
        """The row describing the file at ``rel``: the row naming its path (with or without
        the extension), else a row naming only a file name that is its name (with or without
        the extension). A name two rows share matches neither."""
        if rel in self.records:
            return rel
        if self._aliases is None:
            self._aliases = {}
            for key in self.records:
                p = PurePosixPath(key)
                aliases = {key, str(p.with_suffix(""))} if p.suffix.lower() in AUDIO_SUFFIXES else {key}
                if len(p.parts) == 1:
                    aliases = {"/" + a for a in aliases}  # a bare file name: matched by name
                for alias in aliases:
                    self._aliases[alias] = key if self._aliases.get(alias, key) == key else None
        p = PurePosixPath(rel)
        for alias in (str(p.with_suffix("")), "/" + p.name, "/" + p.stem):
            if key := self._aliases.get(alias):
                return key
        return None


def normalise_rel(path: str) -> str:
    """Relative path as stored: forward slashes, no leading ``./``."""
    return PurePosixPath(path.replace("\\", "/")).as_posix().removeprefix("./")


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "record"
    return f"{where}: {err['msg']}"


def _column(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _path_column(names) -> bool:
    return any(_column(n) in _COLUMNS["path"] for n in names if n)


def our_keys(raw: dict) -> dict:
    """A row with a collection's column names renamed to ours. Several label columns join
    into the tags; a label's underscores are spaces ("crackling_fire"); a numeric file id
    (FSD50K) is a name."""
    row = {}
    for key, value in raw.items():
        row.setdefault(_column(str(key)), value)
    out = {k: v for k, v in row.items() if not any(k in names for names in _COLUMNS.values())}
    for ours, names in _COLUMNS.items():
        present = [n for n in names if row.get(n) not in (None, "", [])]
        if not present:
            continue
        if ours == "tags":
            tags: list[str] = []
            for n in present:
                value = row[n]
                parts = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
                for t in parts:
                    t = str(t).strip() if n == "tags" else str(t).replace("_", " ").strip()
                    if t and t not in tags:
                        tags.append(t)
            out["tags"] = tags
        else:
            value = row[present[0]]
            out[ours] = str(value) if ours == "path" and isinstance(value, (int, float)) else value
    return out


def _add(meta: FolderMetadata, where: str, raw: object) -> None:
    if not isinstance(raw, dict):
        meta.problems.append((where, "not a JSON object"))
        return
    try:
        rec = SoundRecord.model_validate(our_keys(raw))
    except ValidationError as exc:
        meta.problems.append((where, _first_error(exc)))
        return
    meta.records.setdefault(normalise_rel(rec.path), rec)


def _read_jsonl(meta: FolderMetadata, path: Path) -> None:
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                meta.problems.append((f"{path}:{n}", f"invalid JSON ({exc.msg})"))
                continue
            _add(meta, f"{path}:{n}", raw)


def _delimiter(path: Path, header: str) -> str:
    """Tab for ``.tsv``; else whichever of , ; tab the header line uses most (Excel in many
    locales writes ``;``)."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    return max(",;\t", key=header.count) if any(c in header for c in ",;\t") else ","


def _read_csv(meta: FolderMetadata, path: Path) -> None:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        header = fh.readline()
        fh.seek(0)
        reader = csv.DictReader(fh, delimiter=_delimiter(path, header))
        for n, row in enumerate(reader, start=2):
            clean = {k.strip(): (v or "").strip() for k, v in row.items() if isinstance(k, str) and k.strip()}
            clean = {k: v for k, v in clean.items() if v != ""}
            if "loopable" in clean:
                clean["loopable"] = clean["loopable"].lower() in {"1", "true", "yes", "y"}
            _add(meta, f"{path}:{n}", clean)


def read_table(meta: FolderMetadata, path: Path) -> None:
    """Add the rows of one table (JSON lines, or CSV/TSV with any of the usual delimiters)."""
    meta.source_file = path
    if path.suffix.lower() == ".jsonl":
        _read_jsonl(meta, path)
    else:
        _read_csv(meta, path)


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline(65536)
    except OSError:
        return []
    if path.suffix.lower() == ".jsonl":
        try:
            row = json.loads(first)
        except json.JSONDecodeError:
            return []
        return list(row) if isinstance(row, dict) else []
    return next(csv.reader([first], delimiter=_delimiter(path, first)), [])


def _tables_near(folder: Path) -> list[Path]:
    """Tables a collection keeps with its audio: in the folder or one level down, or in a
    ``meta``/``metadata`` folder beside it (``ESC-50/meta/esc50.csv`` for ``ESC-50/audio``)."""
    inside = sorted(p for pattern in ("*", "*/*") for p in folder.glob(pattern)
                    if p.suffix.lower() in TABLE_SUFFIXES and p.is_file())
    beside = sorted(p for d in _BESIDE for p in (folder.parent / d).glob("*")
                    if p.suffix.lower() in TABLE_SUFFIXES and p.is_file())
    return [p for p in inside + beside if _path_column(_header(p))]


def read_folder_metadata(folder: Path, table: Path | None = None) -> FolderMetadata:
    """The folder's records: from ``table`` when given, else ``metadata.jsonl`` (preferred)
    or ``metadata.csv`` in the folder, else the first table near it (:func:`_tables_near`)
    that names one of the folder's files."""
    meta = FolderMetadata(folder=folder)
    jsonl, csv_path = folder / METADATA_JSONL, folder / METADATA_CSV
    if table is not None:
        read_table(meta, table)
    elif jsonl.is_file():
        read_table(meta, jsonl)
    elif csv_path.is_file():
        read_table(meta, csv_path)
    else:
        for candidate in _tables_near(folder):
            found = FolderMetadata(folder=folder, found_beside=True)
            read_table(found, candidate)
            if any(found.key_for(rel) for rel in _audio_files(folder)):
                return found
    return meta


def _audio_files(folder: Path):
    for p in folder.rglob("*"):
        if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file():
            yield normalise_rel(str(p.relative_to(folder)))


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


def _says_something(name: str) -> bool:
    """A file name that reads as words, not an id ("1-100032-A-0" → "a" says nothing)."""
    return any(sum(c.isalpha() for c in w) >= 3 for w in name.split())


def record_for(meta: FolderMetadata, rel: str) -> SoundRecord:
    """The folder's record for ``rel``, filled in from the file name where it is silent
    (from its labels when the file name is an id, as in ESC-50 or FSD50K)."""
    rel = normalise_rel(rel)
    derived = derived_record(rel)
    key = meta.key_for(rel)
    if key is None:
        return derived
    rec = meta.records[key]
    updates: dict = {"path": rel} if key != rel else {}
    if not rec.name:
        labels = ", ".join(rec.tags[:3])
        updates["name"] = derived.name if _says_something(derived.name) or not labels else labels
    if not rec.description:
        updates["description"] = rec.name or updates["name"]
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
