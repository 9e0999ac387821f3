"""The metadata record of one sound as a library folder describes it.

A folder of audio may carry ``metadata.jsonl`` (one JSON object per line) or
``metadata.csv`` with these keys (the column names real collections such as ESC-50, BBC SFX
or FSD50K use instead are mapped to them by ``library.metadata``). Only ``path`` is required; ``tags`` is a list in JSONL and a comma-separated string
in CSV. The starter sources write exactly this format, so the starter library is built by
the same ingest a user runs on their own folders.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

METADATA_JSONL = "metadata.jsonl"
METADATA_CSV = "metadata.csv"


class SoundRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    path: str  # relative to the folder holding the metadata file
    name: str = ""
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    licence: str = "unknown"
    author: str = ""
    url: str = ""
    source: str = ""  # collection / Debian package it came from
    kind: Literal["bed", "one-shot"] | None = None  # None: decided from duration at ingest
    loopable: bool | None = None
    quality: str = ""  # free text, e.g. "11 kHz mono" — lets better beds win ties

    @field_validator("tags", mode="before")
    @classmethod
    def _split_tags(cls, value):
        if isinstance(value, str):
            return [t.strip() for t in value.replace(";", ",").split(",") if t.strip()]
        return value or []


def write_jsonl(records: list[SoundRecord], folder: Path) -> Path:
    """Write ``metadata.jsonl`` atomically (a half-written file is never left behind)."""
    path = folder / METADATA_JSONL
    tmp = path.with_suffix(".jsonl.partial")
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec.model_dump(exclude_defaults=True), ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path
