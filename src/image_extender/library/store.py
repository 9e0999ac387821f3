"""The local sound library on disk: ``library.sqlite`` + ``library.faiss`` in one folder.

SQLite holds one row per recording (where it is, the file signature that tells ingest
whether it changed, what it is, who made it under which licence, what it measured) and
the row's text embedding. The faiss file is a search cache over those embeddings, keyed
by row id; ``meta.generation`` in SQLite and the ``library.faiss.json`` sidecar say
whether the cache matches the database, and ``open`` rebuilds it from SQLite when not.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections import Counter
from pathlib import Path

import numpy as np

from ..errors import LibraryError
from ..manifest import Sound
from .core import load_core_vectors, refresh_core_vectors
from .embed import TextEmbedder, get_embedder
from .index import VectorIndex
from .lexical import Doc, Expander, LexicalIndex

DB_NAME = "library.sqlite"
INDEX_NAME = "library.faiss"
INDEX_META_NAME = "library.faiss.json"
SCHEMA_VERSION = 1
# How much the word match (``lexical.LexicalIndex.score``, 0..1) adds to the embedding
# cosine (the mean of the full-text and the core-text cosines, ``core``). Measured on
# tests/data/retrieval_queries.jsonl (84 paraphrased queries against the 590-recording
# starter library, each with its right recordings and near misses), top-1:
#   full-text cosine alone (the search before)                  0.56
#   mean(full, core) cosine, no word match                       0.61
#   mean(full, core) + 0.7 x word match without WordNet          0.60
#   full-text cosine + 0.7 x WordNet-expanded word match         0.69
#   mean(full, core) + 0.7 x WordNet-expanded word match         0.77  (weights 0.5-1.0: 0.74-0.77)
#   ... + imitative words (sounds/sound_words.toml), as the finder  0.79
LEXICAL_WEIGHT = 0.7
BUILD_HINT = "run 'image-extender setup-data' (starter library) or 'image-extender library build <folders…>' to create it"
PATHS_META = "paths"  # meta key: 'data-relative' once every stored path is relative to the data folder

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sounds (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,          -- stable id: <folder name>/<path inside folder>
    path TEXT NOT NULL UNIQUE,         -- audio file, relative to the data folder (absolute if outside it)
    size INTEGER NOT NULL,             -- file signature: size + mtime (ns)
    mtime_ns INTEGER NOT NULL,
    record_sig TEXT NOT NULL,          -- hash of the metadata record it was built from
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    tags TEXT NOT NULL,                -- JSON list
    licence TEXT NOT NULL,
    author TEXT NOT NULL,
    url TEXT NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('bed', 'one-shot')),
    loopable INTEGER,
    quality TEXT NOT NULL,
    duration REAL NOT NULL,
    sample_rate INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    loudness_lufs REAL,
    embedder TEXT NOT NULL,
    vector BLOB NOT NULL               -- float32 unit vector of embed_text()
);
CREATE INDEX IF NOT EXISTS sounds_kind ON sounds(kind);
"""

SOUND_COLUMNS = (
    "id, uid, data_path(path), name, description, tags, licence, author, url, source, kind, "
    "duration, sample_rate, channels, loudness_lufs, loopable, quality"
)


def embed_text(name: str, description: str, tags: list[str]) -> str:
    """The sentence a sound is embedded as: "name. description. tag, tag"."""
    parts = [name.strip(), description.strip(), ", ".join(t.strip() for t in tags if t.strip())]
    seen: list[str] = []
    for p in parts:
        if p and p.lower() not in (s.lower() for s in seen):
            seen.append(p)
    return ". ".join(s.rstrip(".") for s in seen)


def fuse(cosine: dict[int, float], core: dict[int, float], words: dict[int, float]) -> dict[int, float]:
    """One score per sound: mean of its full-text and core-text cosines (the full one alone
    when it has no core vector) plus :data:`LEXICAL_WEIGHT` x its word match."""
    return {
        i: (0.5 * (c + core[i]) if i in core else c) + LEXICAL_WEIGHT * words.get(i, 0.0)
        for i, c in cosine.items()
    }


def stored_embedder_name(library_dir: Path) -> str | None:
    """The embedder a library was built with (None when there is no readable library yet)."""
    db_path = Path(library_dir) / DB_NAME
    if not db_path.is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return get_meta(con, "embedder")
        finally:
            con.close()
    except sqlite3.Error:
        return None
def data_root(library_dir: Path) -> Path:
    """The data folder a library's paths are relative to: the folder holding ``library/``."""
    return Path(library_dir).resolve().parent


def stored_path(path: Path, root: Path) -> str:
    """How a file is written in the catalogue: relative to the data folder ``root`` when
    inside it (moving the data folder keeps every sound), else absolute."""
    path = Path(path).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def resolve_stored(text: str, root: Path) -> Path:
    """The file a catalogue path names today.

    Relative: under ``root``. Absolute (a catalogue written before paths were relative):
    itself if it still exists, else the longest tail of it that exists under ``root`` —
    what the same file is called once its data folder was moved.
    """
    path = Path(text)
    if not path.is_absolute():
        return root / path
    if path.exists():
        return path
    parts = path.parts
    for i in range(1, len(parts) - 1):  # keep at least "<folder>/<file>" to match
        candidate = root.joinpath(*parts[i:])
        if candidate.exists():
            return candidate
    return path


def migrate_paths(con: sqlite3.Connection, root: Path) -> int:
    """Rewrite an old catalogue's absolute paths relative to ``root`` (once); returns rows changed.

    Done by the next ``library build``; until then (and on a read-only catalogue)
    ``data_path()`` resolves the old paths on every read, so searching never writes.
    """
    if get_meta(con, PATHS_META) == "data-relative":
        return 0
    changed = 0
    for rid, text in con.execute("SELECT id, path FROM sounds").fetchall():
        new = stored_path(resolve_stored(text, root), root) if Path(text).is_absolute() else text
        if new != text:
            con.execute("UPDATE sounds SET path = ? WHERE id = ?", (new, rid))
            changed += 1
    set_meta(con, PATHS_META, "data-relative")
    con.commit()
    return changed


def connect(db_path: Path) -> sqlite3.Connection:
    # check_same_thread=False: a web server may search from worker threads (reads only)
    con = sqlite3.connect(str(db_path), timeout=30.0, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    root = data_root(Path(db_path).parent)
    con.create_function("data_path", 1, lambda text: str(resolve_stored(text, root)))
    return con


def init_schema(con: sqlite3.Connection) -> None:
    con.executescript(SCHEMA)
    con.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
    con.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('generation', '0')")
    con.commit()


def get_meta(con: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(con: sqlite3.Connection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))


def bump_generation(con: sqlite3.Connection) -> int:
    gen = int(get_meta(con, "generation", "0") or 0) + 1
    set_meta(con, "generation", str(gen))
    return gen


def load_vectors(con: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray, int]:
    rows = con.execute("SELECT id, vector FROM sounds ORDER BY id").fetchall()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32), 0
    dim = len(rows[0][1]) // 4
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim)
    return ids, vecs, dim


def write_index(con: sqlite3.Connection, library_dir: Path) -> VectorIndex:
    """Rebuild the faiss cache from the vectors in SQLite and save it atomically."""
    ids, vecs, dim = load_vectors(con)
    index = VectorIndex.from_vectors(dim or 1, ids, vecs)
    index.save(library_dir / INDEX_NAME)
    sidecar = {"generation": int(get_meta(con, "generation", "0") or 0), "count": index.count, "dim": dim}
    tmp = library_dir / (INDEX_META_NAME + ".partial")
    tmp.write_text(json.dumps(sidecar) + "\n", encoding="utf-8")
    os.replace(tmp, library_dir / INDEX_META_NAME)
    return index


def _row_to_sound(row: tuple) -> Sound:
    (rid, uid, path, name, description, tags, licence, author, url, source, kind, duration, sr, ch, lufs,
     loopable, quality) = row
    return Sound(
        provider="library",
        id=uid,
        path=path,
        name=name,
        description=description,
        tags=json.loads(tags),
        licence=licence,
        author=author,
        url=url,
        source=source,
        duration=duration,
        sample_rate=sr,
        channels=ch,
        loudness_lufs=lufs,
        kind=kind,
        loopable=None if loopable is None else bool(loopable),
        quality=quality or "",
    )


# What opening a library recomputes from its rows, memoised per process (a photo → folder run
# opens the library afresh; rebuilding these cost ~1.5 s of every run): keyed by a digest of
# the rows themselves, so a library edited since is never served stale.
_LEXICAL_MEMO: dict[tuple, tuple[LexicalIndex, object]] = {}  # key -> (index, the expander it was built with)
_CORE_MEMO: set[tuple] = set()  # (database, rows digest, core rows, embedder) already brought in line
_MEMO_SIZE = 4


def _rows_digest(rows: list[tuple]) -> str:
    return hashlib.blake2b(repr(rows).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _expander_key(expander: Expander | None) -> tuple:
    """Equal for expanders that expand alike: the same method over the same lexicon object."""
    owner = getattr(expander, "__self__", None)
    if owner is None:
        return ("function", id(expander))
    return (type(owner).__qualname__, expander.__func__.__qualname__, id(getattr(owner, "lexicon", owner)))


def _refresh_core_once(con: sqlite3.Connection, db_path: Path, embedder: TextEmbedder) -> None:
    """``refresh_core_vectors`` unless this process already did it for these very rows."""
    rows = con.execute("SELECT id, name, description FROM sounds ORDER BY id").fetchall()
    try:
        stored = con.execute("SELECT COUNT(*) FROM core_vectors").fetchone()[0]
    except sqlite3.OperationalError:
        stored = -1
    key = (str(Path(db_path).resolve()), _rows_digest(rows), stored, embedder.name)
    if key in _CORE_MEMO:
        return
    refresh_core_vectors(con, embedder)
    if len(_CORE_MEMO) >= _MEMO_SIZE:
        _CORE_MEMO.clear()
    _CORE_MEMO.add((key[0], key[1], con.execute("SELECT COUNT(*) FROM core_vectors").fetchone()[0], key[3]))


class SoundLibrary:
    """Search and browse an ingested library. Build one with ``ingest.build_library``."""

    def __init__(self, library_dir: Path, con: sqlite3.Connection, index: VectorIndex, embedder: TextEmbedder,
                 expander: Expander | None = None):
        self.library_dir = library_dir
        self._con = con
        self._index = index
        self._embedder = embedder
        self._expander = expander
        self._lexical: LexicalIndex | None = None
        self._query_vectors: dict[str, np.ndarray] = {}
        core = load_core_vectors(con)
        self._core_ids = np.fromiter(core, dtype=np.int64, count=len(core))
        self._core = np.stack(list(core.values())) if core else np.zeros((0, index.dim), np.float32)

    @classmethod
    def open(cls, library_dir: Path, embedder: TextEmbedder | None = None,
             expander: Expander | None = None) -> SoundLibrary:
        """Open the library at ``library_dir``; ``expander`` (WordNet's ``expansions``)
        lets search match related words ("feline" finds the cat), see ``lexical``."""
        library_dir = Path(library_dir)
        db_path = library_dir / DB_NAME
        if not db_path.is_file():
            raise LibraryError(f"{library_dir}: no sound library here ({DB_NAME} missing); {BUILD_HINT}")
        try:
            con = connect(db_path)
            schema = get_meta(con, "schema")
            count = con.execute("SELECT COUNT(*) FROM sounds").fetchone()[0]
            name = get_meta(con, "embedder")
        except sqlite3.DatabaseError as exc:
            raise LibraryError(f"{db_path}: library database is damaged ({exc}); delete it and {BUILD_HINT}") from exc
        if schema != str(SCHEMA_VERSION):
            raise LibraryError(f"{db_path}: library schema {schema!r}, expected {SCHEMA_VERSION}; {BUILD_HINT}")
        if count == 0:
            raise LibraryError(f"{library_dir}: the sound library is empty; {BUILD_HINT}")
        if embedder is None:
            embedder = get_embedder(name) if name else get_embedder()
        elif name and embedder.name != name:
            raise LibraryError(
                f"{library_dir}: library was embedded with '{name}', not '{embedder.name}'; "
                f"rebuild it with the new embedder"
            )
        index = cls._load_index(con, library_dir, count)
        if index.dim != embedder.dim:
            raise LibraryError(f"{library_dir}: index has {index.dim}-d vectors, embedder '{embedder.name}' makes {embedder.dim}-d")
        try:  # a library built before core vectors existed gets them once, here
            _refresh_core_once(con, db_path, embedder)
        except sqlite3.OperationalError:
            pass  # read-only library folder: search uses the full-text vectors alone
        return cls(library_dir, con, index, embedder, expander)

    @staticmethod
    def _load_index(con: sqlite3.Connection, library_dir: Path, count: int) -> VectorIndex:
        gen = int(get_meta(con, "generation", "0") or 0)
        try:
            sidecar = json.loads((library_dir / INDEX_META_NAME).read_text(encoding="utf-8"))
            if sidecar.get("generation") == gen and sidecar.get("count") == count:
                index = VectorIndex.load(library_dir / INDEX_NAME)
                if index.count == count:
                    return index
        except (OSError, ValueError, RuntimeError):
            pass  # missing / stale / damaged cache: rebuilt below from SQLite
        try:
            return write_index(con, library_dir)
        except OSError:  # read-only library folder: keep the rebuilt index in memory
            ids, vecs, dim = load_vectors(con)
            return VectorIndex.from_vectors(dim, ids, vecs)

    # ------------------------------------------------------------------ queries

    @property
    def embedder(self) -> TextEmbedder:
        return self._embedder

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._embedder.embed(list(texts))

    def count(self) -> int:
        return int(self._con.execute("SELECT COUNT(*) FROM sounds").fetchone()[0])

    def sounds(self) -> list[Sound]:
        rows = self._con.execute(f"SELECT {SOUND_COLUMNS} FROM sounds ORDER BY uid").fetchall()
        return [_row_to_sound(r) for r in rows]

    def get(self, sound_id: str) -> Sound | None:
        row = self._con.execute(f"SELECT {SOUND_COLUMNS} FROM sounds WHERE uid = ?", (sound_id,)).fetchone()
        return _row_to_sound(row) if row else None

    def search(self, query: str, limit: int = 10, kind: str | None = None) -> list[tuple[Sound, float]]:
        """Sounds that best fit ``query``, best first: embedding cosine plus
        :data:`LEXICAL_WEIGHT` x the expanded word match (``lexical``), so "feline meowing"
        finds "A black cat" and a word in the description outweighs the same word in a tag.

        ``kind`` ("bed" / "one-shot") keeps only that kind of recording.
        """
        vector = self._query_vectors.get(query)
        if vector is None:  # the finder asks for the same query per kind and per wider net
            vector = self._query_vectors[query] = self.embed([query])[0]
        return self.search_vector(vector, limit, kind, text=query)

    def search_vector(self, vector: np.ndarray, limit: int = 10, kind: str | None = None,
                      text: str | None = None) -> list[tuple[Sound, float]]:
        """Nearest sounds to an embedding (mean cosine to a sound's full text and its core
        text, ``core``); with ``text`` its word match is added (see :meth:`search`).

        Every sound is scored (an exact flat index: a few ms for 10^4 sounds), so a sound
        the words find but the embedding ranks low still gets its chance.
        """
        if kind not in (None, "bed", "one-shot"):
            raise ValueError(f"kind must be 'bed', 'one-shot' or None, not {kind!r}")
        if limit <= 0:
            return []
        cosine = dict(self._index.search(vector, self._index.count))
        core = dict(zip(self._core_ids.tolist(), (self._core @ vector).tolist(), strict=True))
        scores = fuse(cosine, core, self.lexical().score(text) if text else {})
        ranked = sorted(scores, key=lambda i: -scores[i])
        if kind is not None:
            kinds = dict(self._con.execute("SELECT id, kind FROM sounds").fetchall())
            ranked = [i for i in ranked if kinds.get(i) == kind]
        top = ranked[:limit]
        rows = self._rows(top)
        return [(_row_to_sound(rows[i]), scores[i]) for i in top if i in rows]

    def lexical(self) -> LexicalIndex:
        """The word index over every sound's name, description and tags, built on first use."""
        if self._lexical is None:
            rows = self._con.execute("SELECT id, name, description, tags FROM sounds").fetchall()
            key = (_rows_digest(rows), _expander_key(self._expander))
            hit = _LEXICAL_MEMO.get(key)
            if hit is None:
                docs = [Doc(rid, name, description, tuple(json.loads(tags))) for rid, name, description, tags in rows]
                if len(_LEXICAL_MEMO) >= _MEMO_SIZE:
                    _LEXICAL_MEMO.clear()
                hit = _LEXICAL_MEMO[key] = (LexicalIndex(docs, self._expander), self._expander)  # keeps the lexicon alive
            self._lexical = hit[0]
        return self._lexical

    def _rows(self, ids: list[int]) -> dict[int, tuple]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._con.execute(f"SELECT {SOUND_COLUMNS} FROM sounds WHERE id IN ({marks})", ids).fetchall()
        return {r[0]: r for r in rows}

    def info(self) -> dict:
        """Counts per licence / source / kind and total duration: what ``library info`` prints."""
        rows = self._con.execute("SELECT licence, source, kind, duration FROM sounds").fetchall()
        return {
            "path": str(self.library_dir),
            "sounds": len(rows),
            "total_duration": float(sum(r[3] for r in rows)),
            "by_licence": dict(Counter(r[0] for r in rows).most_common()),
            "by_source": dict(Counter(r[1] for r in rows).most_common()),
            "by_kind": dict(Counter(r[2] for r in rows).most_common()),
            "embedder": get_meta(self._con, "embedder"),
        }

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> SoundLibrary:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
