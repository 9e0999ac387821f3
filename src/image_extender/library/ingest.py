"""``library build``: turn folders of recordings into a searchable library.

For every audio file: read its metadata record (or derive one from its name), probe and
decode it, measure integrated loudness (BS.1770-4), decide bed vs one-shot, embed its
description, store it. Work is proportional to what changed: a file whose size and
mtime match the stored signature and whose record is unchanged costs one ``stat``; a
record edit re-embeds that one row without decoding audio again. A corrupt file is
reported and skipped, never fatal.

Rows are committed in batches inside SQLite transactions, and the faiss cache is written
to a temp file and renamed, so an interrupted build leaves a usable library (the next
``open`` rebuilds a stale cache from SQLite).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..locking import exclusive
from .audio_io import AUDIO_SUFFIXES, AudioReadError, measure_file, probe
from .core import refresh_core_vectors
from .embed import TextEmbedder, get_embedder
from .metadata import FolderMetadata, normalise_rel, read_folder_metadata, record_for
from .records import SoundRecord
from .store import (
    DB_NAME,
    bump_generation,
    connect,
    data_root,
    embed_text,
    get_meta,
    init_schema,
    migrate_paths,
    resolve_stored,
    set_meta,
    stored_path,
    write_index,
)

BED_MIN_SECONDS = 10.0  # without a stated kind, a recording this long is an ambience bed
BATCH = 128  # files per SQLite transaction / embedding batch

Progress = Callable[[int, int, str], None]


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    metadata_problems: list[tuple[str, str]] = field(default_factory=list)  # (file:line, reason)
    embedded: int = 0  # texts sent to the embedder
    core_embedded: int = 0  # core texts (descriptions without boilerplate, ``core``) embedded
    total: int = 0  # sounds in the library afterwards
    sources: dict[str, int] = field(default_factory=dict)  # starter build: sounds per source
    tables: list[tuple[str, int, int]] = field(default_factory=list)  # (table, rows, files it described)

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {len(self.failed)} failed; {self.total} sounds in library"
        )


@dataclass
class _Job:
    path: Path
    uid: str
    record: SoundRecord
    record_sig: str
    size: int
    mtime_ns: int
    existing_id: int | None
    audio_changed: bool  # False: only the record changed, keep the measurements


def _record_sig(rec: SoundRecord) -> str:
    blob = json.dumps(rec.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def _scan(folder: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for fn in sorted(filenames):
            if not fn.startswith(".") and Path(fn).suffix.lower() in AUDIO_SUFFIXES:
                files.append(Path(dirpath) / fn)
    return files


def _measure(job: _Job) -> dict:
    info = probe(job.path)
    measured = measure_file(job.path)  # bounded memory, however long the recording
    duration = measured.duration
    if duration <= 0:
        raise AudioReadError(job.path, "zero-length audio")
    kind = job.record.kind or ("bed" if duration >= BED_MIN_SECONDS else "one-shot")
    return {
        "duration": duration,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
        "loudness_lufs": measured.loudness_lufs,
        "kind": kind,
    }


MISSING_SHOWN = 10  # rows naming absent files, listed one by one before a count


def _collect(
    folders: Iterable[Path], con, report: IngestReport, root: Path, table: Path | None = None
) -> tuple[list[_Job], set[int], list[Path]]:
    """Decide per file: unchanged, record-only update, or full (re)measure."""
    known = {
        row[0]: row[1:]
        for row in con.execute("SELECT path, id, uid, size, mtime_ns, record_sig, kind FROM sounds")
    }
    jobs: list[_Job] = []
    seen_ids: set[int] = set()
    all_files: list[Path] = []
    taken_uids = {row[1] for row in known.values()}
    for folder in folders:
        folder = Path(folder).resolve()
        if not folder.is_dir():
            raise InputError(f"{folder}: not a folder of sounds")
        meta: FolderMetadata = read_folder_metadata(folder, table)
        report.metadata_problems.extend(meta.problems)
        files = _scan(folder)
        rels = [normalise_rel(str(f.relative_to(folder))) for f in files]
        described = {meta.key_for(rel) for rel in rels} - {None}
        if meta.source_file is not None:
            report.tables.append((str(meta.source_file), len(meta.records), len(described)))
        if not meta.found_beside:  # a table found beside the folder may describe its siblings too
            missing = sorted(set(meta.records) - described)
            for rel in missing[:MISSING_SHOWN]:
                report.failed.append((str(folder / rel), f"listed in {meta.source_file.name} but not found"))
            if len(missing) > MISSING_SHOWN:
                report.failed.append((str(folder), f"{len(missing) - MISSING_SHOWN} more files listed in "
                                      f"{meta.source_file.name} not found"))
        for f, rel in zip(files, rels):
            all_files.append(f)
            rec = record_for(meta, rel)
            if not rec.source:
                rec = rec.model_copy(update={"source": folder.name})
            sig = _record_sig(rec)
            st = f.stat()
            prev = known.get(stored_path(f, root))
            if prev is not None:
                rid, uid, size, mtime_ns, old_sig, _kind = prev
                seen_ids.add(rid)
                same_audio = size == st.st_size and mtime_ns == st.st_mtime_ns
                if same_audio and old_sig == sig:
                    report.unchanged += 1
                    continue
                jobs.append(_Job(f, uid, rec, sig, st.st_size, st.st_mtime_ns, rid, not same_audio))
            else:
                uid = f"{folder.name}/{rel}"
                if uid in taken_uids:  # another folder of the same name: disambiguate, stably
                    uid = f"{folder.name}-{hashlib.sha1(str(folder).encode()).hexdigest()[:6]}/{rel}"
                taken_uids.add(uid)
                jobs.append(_Job(f, uid, rec, sig, st.st_size, st.st_mtime_ns, None, True))
    return jobs, seen_ids, all_files


def build_library(
    folders: list[Path],
    library_dir: Path,
    embedder: TextEmbedder | None = None,
    progress: Progress | None = None,
    on_wait: Callable[[str], None] | None = None,
    table: Path | None = None,
) -> IngestReport:
    """Ingest ``folders`` into the library at ``library_dir`` (created if needed).

    ``table`` (CSV, TSV or JSON lines) describes the folders' files where it is not their own
    ``metadata.jsonl``/``.csv`` (:func:`library.metadata.read_folder_metadata`).

    Returns what happened. Files that vanished from disk since the last build are removed;
    sounds from folders not named this time but still on disk are kept. Two builds of one
    library run one after the other (a ``flock`` on its folder; ``on_wait`` hears about
    the wait). Paths are stored relative to the data folder (``library_dir``'s parent).
    """
    library_dir = Path(library_dir)
    library_dir.mkdir(parents=True, exist_ok=True)
    with exclusive(library_dir, f"building the library in {library_dir}", on_wait):
        return _build(folders, library_dir, embedder, progress, table)


def _build(folders: list[Path], library_dir: Path, embedder: TextEmbedder | None,
           progress: Progress | None, table: Path | None = None) -> IngestReport:
    root = data_root(library_dir)
    con = connect(library_dir / DB_NAME)
    try:
        init_schema(con)
        if con.execute("SELECT COUNT(*) FROM sounds").fetchone()[0] == 0:
            set_meta(con, "paths", "data-relative")
        migrate_paths(con, root)
        report = IngestReport()
        stored_name = get_meta(con, "embedder")
        if embedder is None:
            embedder = get_embedder(stored_name) if stored_name else get_embedder()
        if stored_name and stored_name != embedder.name:
            # a different embedder: every vector must be recomputed, measurements are kept
            con.execute("UPDATE sounds SET record_sig = ''")
            con.execute("DROP TABLE IF EXISTS core_vectors")
        jobs, seen_ids, all_files = _collect(folders, con, report, root, table)
        total = len(all_files)
        done = report.unchanged
        if progress and done:
            progress(done, total, "")

        for start in range(0, len(jobs), BATCH):
            batch = jobs[start : start + BATCH]
            measured: list[tuple[_Job, dict | None]] = []
            for job in batch:
                try:
                    m = _measure(job) if job.audio_changed else None
                    measured.append((job, m))
                except AudioReadError as exc:
                    report.failed.append((str(job.path), exc.reason))
                    if job.existing_id is not None:  # it was fine before, now it is broken
                        con.execute("DELETE FROM sounds WHERE id = ?", (job.existing_id,))
                        seen_ids.discard(job.existing_id)
                        report.removed += 1
                done += 1
                if progress:
                    progress(done, total, str(job.path))
            if not measured:
                con.commit()
                continue
            texts = [embed_text(j.record.name, j.record.description, j.record.tags) for j, _ in measured]
            vecs = np.asarray(embedder.embed(texts), dtype=np.float32)
            report.embedded += len(texts)
            for (job, m), vec in zip(measured, vecs, strict=True):
                _write_row(con, job, m, vec, embedder.name, report, root)
            set_meta(con, "embedder", embedder.name)
            bump_generation(con)
            con.commit()

        # files that vanished from disk
        on_disk = {stored_path(f, root) for f in all_files}
        gone = [
            (rid, path)
            for rid, path in con.execute("SELECT id, path FROM sounds").fetchall()
            if path not in on_disk and not resolve_stored(path, root).exists()
        ]
        if gone:
            con.executemany("DELETE FROM sounds WHERE id = ?", [(rid,) for rid, _ in gone])
            report.removed += len(gone)
            bump_generation(con)
        set_meta(con, "embedder", embedder.name)
        con.commit()
        report.core_embedded = refresh_core_vectors(con, embedder)  # only descriptions whose core text moved
        report.total = int(con.execute("SELECT COUNT(*) FROM sounds").fetchone()[0])
        _refresh_index(con, library_dir)
        return report
    finally:
        con.close()


def _refresh_index(con, library_dir: Path) -> None:
    """Write the faiss cache only when the database moved on since it was written."""
    from .store import INDEX_META_NAME, INDEX_NAME

    gen = int(get_meta(con, "generation", "0") or 0)
    try:
        sidecar = json.loads((library_dir / INDEX_META_NAME).read_text(encoding="utf-8"))
        if sidecar.get("generation") == gen and (library_dir / INDEX_NAME).is_file():
            return
    except (OSError, ValueError):
        pass
    write_index(con, library_dir)


def _write_row(con, job: _Job, m: dict | None, vec: np.ndarray, embedder_name: str, report: IngestReport,
               root: Path) -> None:
    rec = job.record
    text_cols = {
        "uid": job.uid,
        "path": stored_path(job.path, root),
        "size": job.size,
        "mtime_ns": job.mtime_ns,
        "record_sig": job.record_sig,
        "name": rec.name,
        "description": rec.description,
        "tags": json.dumps(rec.tags, ensure_ascii=False),
        "licence": rec.licence,
        "author": rec.author,
        "url": rec.url,
        "source": rec.source,
        "loopable": None if rec.loopable is None else int(rec.loopable),
        "quality": rec.quality,
        "embedder": embedder_name,
        "vector": np.ascontiguousarray(vec, dtype=np.float32).tobytes(),
    }
    if m is not None:
        text_cols.update(m)
    elif rec.kind:  # record-only update may still change a stated kind
        text_cols["kind"] = rec.kind
    if job.existing_id is None:
        cols = ", ".join(text_cols)
        marks = ", ".join("?" * len(text_cols))
        con.execute(f"INSERT INTO sounds ({cols}) VALUES ({marks})", list(text_cols.values()))
        report.added += 1
    else:
        sets = ", ".join(f"{k} = ?" for k in text_cols)
        con.execute(f"UPDATE sounds SET {sets} WHERE id = ?", [*text_cols.values(), job.existing_id])
        report.updated += 1
