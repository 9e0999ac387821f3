"""The dataset's metadata: one row per image, the same columns in JSONL and Parquet.

Written at the end of a run (and of every interrupted run) from the journal, in input
order, each file to a temporary name and renamed:

- ``metadata.jsonl`` — the training set, what Hugging Face ``datasets`` reads:
  ``load_dataset("audiofolder", data_dir=OUT)`` pairs each row with ``audio/<md5>.flac``
  through the ``file_name`` column. Only images that got audio are in it (the loader of
  ``datasets`` 3.x fails on a row without a file).
- ``dataset.parquet`` — *every* image, typed, for pandas / polars / DuckDB: the rows above
  plus the skipped and failed ones with their reason (``status``, ``reason``). It is not
  called ``metadata.parquet`` because the audiofolder loader refuses a folder holding
  metadata files of two formats ("Found metadata files with different extensions").

Per concept: role, label, query, the chosen sound (id, name, chunk index), cosine, SSR
score, τ, number of candidates above τ, the LUFS drawn, the gain applied, licence,
author, source and URL of the recording.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

METADATA_JSONL = "metadata.jsonl"
PARQUET = "dataset.parquet"
AUDIO_DIR = "audio"
VOLATILE = ("seconds",)  # differs between runs of the same input; everything else is reproducible

CONCEPT_TYPE = pa.struct([
    ("role", pa.string()), ("label", pa.string()), ("query", pa.string()),
    ("sound_id", pa.string()), ("sound_name", pa.string()), ("chunk_index", pa.int32()), ("pool_row", pa.int64()),
    ("cosine", pa.float64()), ("ssr_score", pa.float64()), ("tau", pa.float64()), ("candidates", pa.int64()),
    ("lufs", pa.float64()), ("gain_db", pa.float64()),
    ("licence", pa.string()), ("author", pa.string()), ("source", pa.string()), ("url", pa.string()),
])

SCHEMA = pa.schema([
    ("file_name", pa.string()), ("image", pa.string()), ("md5", pa.string()),
    ("width", pa.int32()), ("height", pa.int32()),
    ("status", pa.string()), ("reason", pa.string()),
    ("analyzer", pa.string()), ("caption", pa.string()), ("format", pa.string()),
    ("seed", pa.int64()), ("ssr", pa.bool_()), ("top_k", pa.int32()), ("verified", pa.bool_()),
    ("sample_rate", pa.int32()), ("duration_s", pa.float64()),
    ("peak_dbfs", pa.float64()), ("clip_gain_db", pa.float64()),
    ("concepts", pa.list_(CONCEPT_TYPE)), ("seconds", pa.float64()),
])
COLUMNS = tuple(SCHEMA.names)
CONCEPT_COLUMNS = tuple(f.name for f in CONCEPT_TYPE)


def audio_name(md5: str) -> str:
    return f"{AUDIO_DIR}/{md5}.flac"


def row(image: str, status: str, **fields) -> dict:
    """A full row with every column (missing ones null), so both formats share one schema."""
    out = {c: None for c in COLUMNS}
    out.update(image=image, status=status, reason="", concepts=[])
    unknown = set(fields) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown metadata columns {sorted(unknown)}")
    out.update(fields)
    out["concepts"] = [{c: concept.get(c) for c in CONCEPT_COLUMNS} for concept in out["concepts"] or []]
    return out


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    write(tmp)
    os.replace(tmp, path)


def write_tables(rows: Iterable[dict], out_dir: Path) -> int:
    """Write ``metadata.jsonl`` (rows with audio) and ``dataset.parquet`` (all rows) atomically; returns the row count."""
    rows = list(rows)
    out_dir = Path(out_dir)

    def jsonl(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8") as fh:
            for r in rows:
                if r["file_name"] is not None:
                    fh.write(json.dumps(r, ensure_ascii=False) + "\n")

    _atomic_write(out_dir / METADATA_JSONL, jsonl)
    _atomic_write(out_dir / PARQUET, lambda tmp: pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), tmp))
    return len(rows)


def read_rows(out_dir: Path) -> list[dict]:
    """Every row (ok, skipped, failed) of a dataset folder, from ``dataset.parquet``."""
    return pq.read_table(Path(out_dir) / PARQUET).to_pylist()
