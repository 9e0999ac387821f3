"""What a description says about *this* recording, without its source's boilerplate.

A source writes the same clauses into every description it makes ("Tux Paint stamp
sound", "OpenTTD transport game sound effect, from the recording", "short ambience",
"(animals, mammals)"). In the sentence a sound is embedded as, those clauses outweigh
the two words that matter ("A black cat"): "feline meowing" then lands nearer "A lion.
Tux Paint stamp sound (animals, mammals, cats)" than the cat. So every sound gets a
second, *core* vector: its description with every clause that recurs across the library
(:func:`boilerplate`) cut out, and search averages the two cosines (``store.search``).

Which clauses are boilerplate is measured on the library itself (a clause, digits
ignored, found in at least :data:`BOILERPLATE_SHARE` of the descriptions, and at least
:data:`BOILERPLATE_MIN` times), not listed per source: a new source's boilerplate is found
the same way. The core vectors live in their own table beside ``sounds``;
:func:`refresh_core_vectors` embeds only texts that changed, so ``library build`` stays
incremental (adding a source that shifts what counts as boilerplate re-embeds just the
descriptions whose core text moved).
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterable

import numpy as np

from .embed import TextEmbedder

BOILERPLATE_SHARE = 0.03
BOILERPLATE_MIN = 10

CORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS core_vectors (
    id INTEGER PRIMARY KEY,            -- sounds.id
    text TEXT NOT NULL,                -- core_text() it was embedded from
    vector BLOB NOT NULL               -- float32 unit vector
);
"""

_CLAUSE = re.compile(r"[.,;:()\"“”]+")


def clauses(description: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(description) if c.strip()]


def _key(clause: str) -> str:
    return " ".join(re.sub(r"\d+", " ", clause.lower()).split())


def boilerplate(descriptions: Iterable[str]) -> set[str]:
    """Clauses (lower-case, digits dropped) that recur across the library's descriptions."""
    descriptions = list(descriptions)
    counts: Counter[str] = Counter()
    for d in descriptions:
        counts.update({_key(c) for c in clauses(d)})
    threshold = max(BOILERPLATE_MIN, BOILERPLATE_SHARE * len(descriptions))
    return {c for c, n in counts.items() if n >= threshold}


def core_text(name: str, description: str, boiler: set[str]) -> str:
    """The description's own clauses, joined and lower-cased (a capital starting a sentence
    says nothing about the sound, and the embedder reads "Good Year" apart from "good
    year"); the name when nothing is left."""
    own = [c for c in clauses(description) if _key(c) not in boiler]
    return (", ".join(own) or name.strip() or description.strip()).lower()


def refresh_core_vectors(con: sqlite3.Connection, embedder: TextEmbedder) -> int:
    """Bring ``core_vectors`` in line with ``sounds``; returns how many texts were embedded."""
    con.executescript(CORE_SCHEMA)
    rows = con.execute("SELECT id, name, description FROM sounds").fetchall()
    boiler = boilerplate(d for _, _, d in rows)
    stored = dict(con.execute("SELECT id, text FROM core_vectors").fetchall())
    wanted = {rid: core_text(name, description, boiler) for rid, name, description in rows}
    stale = [(rid, text) for rid, text in wanted.items() if stored.get(rid) != text]
    gone = [rid for rid in stored if rid not in wanted]
    if gone:
        con.executemany("DELETE FROM core_vectors WHERE id = ?", [(rid,) for rid in gone])
    for start in range(0, len(stale), 256):
        batch = stale[start:start + 256]
        vecs = np.asarray(embedder.embed([t for _, t in batch]), dtype=np.float32)
        con.executemany(
            "INSERT OR REPLACE INTO core_vectors (id, text, vector) VALUES (?, ?, ?)",
            [(rid, text, np.ascontiguousarray(v).tobytes()) for (rid, text), v in zip(batch, vecs, strict=True)],
        )
    con.commit()
    return len(stale)


def load_core_vectors(con: sqlite3.Connection) -> dict[int, np.ndarray]:
    """sounds.id -> core vector (empty for a library built before core vectors existed)."""
    try:
        rows = con.execute("SELECT id, vector FROM core_vectors").fetchall()
    except sqlite3.OperationalError:  # no table yet
        return {}
    return {rid: np.frombuffer(blob, dtype=np.float32) for rid, blob in rows}
