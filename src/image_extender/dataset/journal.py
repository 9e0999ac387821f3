"""The run's journal: one JSON line per finished image, appended as results arrive.

This is what makes a run resumable after ``kill -9``. For each image the driver first
writes ``audio/<md5>.flac`` (temporary name, then an atomic rename) and only then appends
the row here and flushes it to the OS; a process killed at any point leaves at worst a
finished audio file without its row (the image is redone and writes the same bytes) or a
half line at the end of the journal (dropped on the next open, that image redone). A row
is read back once per image name, so a rerun never duplicates one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

STATE_DIR = ".state"  # hidden: the audiofolder loader ignores it
JOURNAL = "journal.jsonl"


class Journal:
    def __init__(self, out_dir: Path) -> None:
        self.path = Path(out_dir) / STATE_DIR / JOURNAL
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rows: dict[str, dict] = {}
        self._repair_and_load()
        self._fh = self.path.open("a", encoding="utf-8")

    def _repair_and_load(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        good = 0
        for line in data.splitlines(keepends=True):
            if not line.endswith(b"\n"):
                break  # a half-written last line: the process died mid-write
            try:
                row = json.loads(line)
            except ValueError:
                break
            self.rows.setdefault(row["image"], row)
            good += len(line)
        if good < len(data):
            with self.path.open("r+b") as fh:
                fh.truncate(good)

    def __contains__(self, image: str) -> bool:
        return image in self.rows

    def append(self, row: dict) -> None:
        if row["image"] in self.rows:
            return
        self._fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._fh.flush()
        self.rows[row["image"]] = row

    def sync(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if not self._fh.closed:
            self.sync()
            self._fh.close()
