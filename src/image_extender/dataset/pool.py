"""The audio pool: every library sound as standard 16 kHz mono 5 s chunks, with an index.

On disk, one folder (default ``<data>/pool``), written to a temporary sibling and renamed
into place, so a half-built pool never exists:

- ``chunks.f16`` — all chunks back to back as float16 (``rows × 80 000`` samples, 160 kB
  per chunk; float16 keeps ~66 dB of relative precision and, unlike int16, cannot clip an
  inter-sample overshoot of the resampler), read through a memory map so every worker
  process shares the page cache instead of holding a copy;
- ``chunks.parquet`` — one row per chunk: sound id, chunk index, padding, integrated
  loudness (BS.1770-4, measured here once so mixing is a gain, not a measurement),
  sample peak, usable flag, and the sound's name, licence, author, source, URL, and its
  description, tags, kind and length — what the finder judges a recording by, so a worker
  can check a draw (``verified``) with the pool alone;
- ``vectors.npy`` + ``index.faiss`` — one embedding row per chunk and the index chosen by
  size (:mod:`.index`); only *usable* chunks are indexed;
- ``pool.json`` — rate, chunk length, embedder, index choice, counts, the sound ids when
  built from part of the library, and the fingerprint of its sounds that tells
  ``ensure_pool`` whether the pool is still current (a changed sound: rebuilt, same subset).

A chunk quieter than :data:`SILENT_LUFS` (a fade tail, the padding-only remainder of a
file) is stored but never indexed: normalising it to −20 LUFS would mean +40 dB of gain on
a noise floor.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import faiss
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import LibraryError
from ..library.audio_io import AudioReadError, integrated_lufs, read_audio
from ..library.store import SoundLibrary
from ..manifest import Sound
from .chunks import CHUNK_SECONDS, POOL_SAMPLE_RATE, cut_chunks, to_pool_audio
from .embedders import PoolEmbedder, TextPoolEmbedder, load_pool_embedder
from .index import IndexChoice, build_index, choose_index

POOL_VERSION = 2  # 2: each chunk row also keeps its sound's tags, kind and duration (what the finder judges)
SILENT_LUFS = -60.0
META = "pool.json"
CHUNKS = "chunks.f16"
TABLE = "chunks.parquet"
VECTORS = "vectors.npy"
INDEX = "index.faiss"
BUILD_HINT = "run 'image-extender pool build' to (re)build it"

Progress = Callable[[int, int, str], None]


@dataclass
class PoolBuildReport:
    sounds: int = 0
    rows: int = 0
    usable: int = 0
    silent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    index: str = ""
    index_reason: str = ""
    seconds: float = 0.0
    bytes_on_disk: int = 0

    def summary(self) -> str:
        return (f"{self.sounds} sounds → {self.rows} chunks ({self.usable} indexed, {self.silent} near-silent skipped, "
                f"{len(self.failed)} sounds unreadable); index {self.index}: {self.index_reason}; "
                f"{self.bytes_on_disk / 1e6:.0f} MB, {self.seconds:.1f} s")


def fingerprint(sounds: list[Sound], embedder_spec: dict, index_kind: str) -> str:
    """Changes when a sound, the embedder or the index kind changes: the pool is stale."""
    h = hashlib.sha1(usedforsecurity=False)
    h.update(json.dumps([POOL_VERSION, POOL_SAMPLE_RATE, CHUNK_SECONDS, embedder_spec, index_kind]).encode())
    for s in sorted(sounds, key=lambda s: s.id):
        h.update(f"\n{s.id}\t{s.path}\t{s.duration:.6f}".encode())
    return h.hexdigest()


def _schema() -> pa.Schema:
    return pa.schema([("row", pa.int64()), ("sound_id", pa.string()), ("sound_name", pa.string()),
                      ("chunk_index", pa.int32()), ("chunks_in_sound", pa.int32()), ("padding_s", pa.float32()),
                      ("lufs", pa.float32()), ("peak", pa.float32()), ("usable", pa.bool_()),
                      ("licence", pa.string()), ("author", pa.string()), ("source", pa.string()),
                      ("url", pa.string()), ("description", pa.string()), ("tags", pa.list_(pa.string())),
                      ("kind", pa.string()), ("duration", pa.float64())])


def build_pool(library: SoundLibrary, pool_dir: Path, embedder: PoolEmbedder, *, sounds: list[Sound] | None = None,
               index_kind: str = "auto", progress: Progress | None = None) -> PoolBuildReport:
    """Chunk, measure and embed ``sounds`` (default: the whole library) into ``pool_dir``."""
    start = time.perf_counter()
    pool_dir = Path(pool_dir)
    subset = None if sounds is None else sorted(s.id for s in sounds)
    sounds = sorted(library.sounds() if sounds is None else sounds, key=lambda s: s.id)
    report = PoolBuildReport(sounds=len(sounds))
    pool_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{pool_dir.name}.partial-", dir=pool_dir.parent))
    try:
        rows: list[dict] = []
        vectors: list[np.ndarray] = []
        with open(tmp / CHUNKS, "wb") as raw:
            for i, sound in enumerate(sounds):
                if progress:
                    progress(i, len(sounds), sound.path)
                try:
                    samples, sr = read_audio(Path(sound.path))  # the catalogue resolves stored paths on read
                except AudioReadError as exc:
                    report.failed.append((sound.id, exc.reason))
                    continue
                chunks, padding = cut_chunks(to_pool_audio(samples, sr))
                vecs = embedder.embed_chunks(sound, chunks, POOL_SAMPLE_RATE)
                for c, chunk in enumerate(chunks):
                    lufs = integrated_lufs(chunk, POOL_SAMPLE_RATE)
                    rows.append({"row": len(rows), "sound_id": sound.id, "sound_name": sound.name, "chunk_index": c,
                                 "chunks_in_sound": len(chunks), "padding_s": padding if c == len(chunks) - 1 else 0.0,
                                 "lufs": lufs, "peak": float(np.abs(chunk).max()), "usable": lufs > SILENT_LUFS,
                                 "licence": sound.licence, "author": sound.author, "source": sound.source,
                                 "url": sound.url, "description": sound.description, "tags": list(sound.tags),
                                 "kind": sound.kind, "duration": sound.duration})
                raw.write(chunks.astype(np.float16).tobytes())
                vectors.append(np.asarray(vecs, dtype=np.float32))
        if progress:
            progress(len(sounds), len(sounds), "")
        if not rows:
            raise LibraryError(f"{library.library_dir}: no readable sound to build a pool from")
        matrix = np.concatenate(vectors)
        usable = np.array([r["usable"] for r in rows])
        choice = choose_index(int(usable.sum()), index_kind)
        index = build_index(matrix[usable], np.nonzero(usable)[0], choice)
        np.save(tmp / VECTORS, matrix)
        faiss.write_index(index, str(tmp / INDEX))
        pq.write_table(pa.Table.from_pylist(rows, schema=_schema()), tmp / TABLE)
        report.rows, report.usable = len(rows), int(usable.sum())
        report.silent = report.rows - report.usable
        report.index, report.index_reason = choice.kind, choice.reason
        meta = {"version": POOL_VERSION, "sample_rate": POOL_SAMPLE_RATE, "chunk_seconds": CHUNK_SECONDS,
                "rows": report.rows, "usable": report.usable, "dim": int(matrix.shape[1]),
                "embedder": embedder.spec(), "index": asdict(choice), "index_kind_requested": index_kind,
                "library": str(library.library_dir), "fingerprint": fingerprint(sounds, embedder.spec(), index_kind),
                "silent_lufs": SILENT_LUFS, "failed": report.failed,
                "subset": subset}  # sound ids when built from part of the library, else null
        (tmp / META).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        report.bytes_on_disk = sum(p.stat().st_size for p in tmp.iterdir())
        _move_into_place(tmp, pool_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report.seconds = time.perf_counter() - start
    return report


def _move_into_place(tmp: Path, pool_dir: Path) -> None:
    old = pool_dir.with_name(f".{pool_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if pool_dir.exists():
        pool_dir.rename(old)
    os.replace(tmp, pool_dir)
    shutil.rmtree(old, ignore_errors=True)


def _read_meta(pool_dir: Path) -> dict | None:
    try:
        return json.loads((Path(pool_dir) / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _selection(library: SoundLibrary, meta: dict | None) -> list[Sound] | None:
    """The sounds a pool covers: all of the library, or the subset it was built from."""
    subset = (meta or {}).get("subset")
    if subset is None:
        return None
    keep = set(subset)
    return [s for s in library.sounds() if s.id in keep]


def pool_is_current(pool_dir: Path, library: SoundLibrary, embedder_spec: dict, index_kind: str = "auto") -> bool:
    """True when the pool's sounds (the library, or its subset) and embedder are unchanged."""
    meta = _read_meta(pool_dir)
    if meta is None:
        return False
    sounds = _selection(library, meta)
    return meta.get("fingerprint") == fingerprint(library.sounds() if sounds is None else sounds, embedder_spec,
                                                  meta.get("index_kind_requested", index_kind))


@dataclass(frozen=True)
class ChunkInfo:
    row: int
    sound_id: str
    sound_name: str
    chunk_index: int
    lufs: float
    licence: str
    author: str
    source: str
    url: str


class AudioPool:
    """A built pool, opened read-only: chunks by row, their facts, the index, the embedder."""

    def __init__(self, pool_dir: Path) -> None:
        self.pool_dir = Path(pool_dir)
        try:
            self.meta = json.loads((self.pool_dir / META).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LibraryError(f"{self.pool_dir}: no audio pool here ({META} missing); {BUILD_HINT}") from None
        except (OSError, ValueError) as exc:
            raise LibraryError(f"{self.pool_dir / META}: unreadable ({exc}); {BUILD_HINT}") from exc
        if self.meta.get("version") != POOL_VERSION:
            raise LibraryError(f"{self.pool_dir}: pool version {self.meta.get('version')}, expected {POOL_VERSION}; {BUILD_HINT}")
        self.sample_rate = int(self.meta["sample_rate"])
        self.chunk_length = int(round(self.meta["chunk_seconds"] * self.sample_rate))
        rows = int(self.meta["rows"])
        try:
            self._chunks = np.memmap(self.pool_dir / CHUNKS, dtype=np.float16, mode="r", shape=(rows, self.chunk_length))
            self.table = pq.read_table(self.pool_dir / TABLE).to_pydict()
            self.index = faiss.read_index(str(self.pool_dir / INDEX))
        except (OSError, ValueError, RuntimeError) as exc:
            raise LibraryError(f"{self.pool_dir}: pool files damaged ({exc}); {BUILD_HINT}") from exc
        self._lufs = np.asarray(self.table["lufs"], dtype=np.float64)
        self._embedder: PoolEmbedder | None = None

    @property
    def rows(self) -> int:
        return int(self.meta["rows"])

    @property
    def embedder(self) -> PoolEmbedder:
        """The query side of the embedder the pool was built with (loaded on first use)."""
        if self._embedder is None:
            self._embedder = load_pool_embedder(self.meta["embedder"])
        return self._embedder

    def chunk(self, row: int) -> np.ndarray:
        return np.asarray(self._chunks[row], dtype=np.float32)

    def lufs(self, row: int) -> float:
        return float(self._lufs[row])

    def sounds(self) -> dict[str, Sound]:
        """The pool's recordings as the library described them (one record per sound, no path:
        the pool holds their audio), so a worker can judge them without the library."""
        t, out = self.table, {}
        for row, sound_id in enumerate(t["sound_id"]):
            if sound_id not in out:
                out[sound_id] = Sound(provider="library", id=sound_id, path="", name=t["sound_name"][row],
                                      description=t["description"][row] or "", tags=t["tags"][row] or [],
                                      licence=t["licence"][row] or "", author=t["author"][row] or "",
                                      url=t["url"][row] or "", source=t["source"][row] or "",
                                      duration=float(t["duration"][row] or 0.0), sample_rate=self.sample_rate,
                                      channels=1, kind=t["kind"][row])
        return out

    def info(self, row: int) -> ChunkInfo:
        t = self.table
        return ChunkInfo(row, t["sound_id"][row], t["sound_name"][row], int(t["chunk_index"][row]),
                         float(t["lufs"][row]), t["licence"][row], t["author"][row], t["source"][row], t["url"][row])


def ensure_pool(library_dir: Path, pool_dir: Path, embedder: PoolEmbedder | None = None, *, index_kind: str = "auto",
                progress: Progress | None = None) -> tuple[AudioPool, PoolBuildReport | None]:
    """Open ``pool_dir``, building it first when missing or stale for the library (returns the build report).

    ``embedder=None`` keeps the embedder an existing pool was built with (text for a new one),
    so a run without ``--embedder`` never rebuilds a CLAP pool with text embeddings.
    """
    library = SoundLibrary.open(library_dir)
    try:
        if embedder is None:
            meta = _read_meta(pool_dir)
            embedder = load_pool_embedder(meta["embedder"]) if meta else TextPoolEmbedder()
        if pool_is_current(pool_dir, library, embedder.spec(), index_kind):
            return AudioPool(pool_dir), None
        report = build_pool(library, pool_dir, embedder, sounds=_selection(library, _read_meta(pool_dir)),
                            index_kind=index_kind, progress=progress)
    finally:
        library.close()
    return AudioPool(pool_dir), report
