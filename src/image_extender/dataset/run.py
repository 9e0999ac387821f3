"""``dataset run``: the driver. Lists the images, skips the finished ones, feeds an engine,
and is the only writer of the output folder.

```
OUT/audio/<md5>.flac     16 kHz mono 5 s (--format pool) or the stereo mix (--format mix)
OUT/metadata.jsonl       one row per image (audiofolder metadata), see metadata.py
OUT/dataset.parquet      the same table, typed
OUT/mix/<md5>/           --format mix only: sonify's full output folder per image
OUT/.state/journal.jsonl rows as they finished (resumption), run.json (settings, time)
```

A rerun of the same command continues where the last one stopped (see
:mod:`.journal`); a rerun with settings that would change the output (seed, format, LUFS
range, SSR, top-k, analyzer) is refused rather than mixing two datasets in one folder.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SettingsError
from ..settings import Settings
from .embedders import PoolEmbedder
from .engine import Engine
from .journal import STATE_DIR, Journal
from .metadata import AUDIO_DIR, METADATA_JSONL, PARQUET, write_tables
from .pool import PoolBuildReport, ensure_pool
from .sources import list_images
from .worker import WorkSpec

RUN_FILE = "run.json"
Progress = Callable[[int, int, str], None]


@dataclass
class RunSummary:
    out_dir: Path
    total: int  # images in the input (after --limit)
    already_done: int  # finished by earlier runs into the same folder
    processed: int = 0  # finished by this run
    counts: dict[str, int] = field(default_factory=dict)  # ok / skipped / failed over the whole folder
    seconds: float = 0.0  # this run, wall clock
    pool_build: PoolBuildReport | None = None

    @property
    def images_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds > 0 else 0.0


def default_pool_dir(settings: Settings) -> Path:
    return settings.data_dir / "pool"


def _check_identity(out_dir: Path, identity: dict, overwrite: bool) -> dict:
    run_file = out_dir / STATE_DIR / RUN_FILE
    if overwrite:
        for name in (STATE_DIR, AUDIO_DIR, "mix"):
            shutil.rmtree(out_dir / name, ignore_errors=True)
        for name in (METADATA_JSONL, PARQUET):
            (out_dir / name).unlink(missing_ok=True)
    if run_file.exists():
        state = json.loads(run_file.read_text(encoding="utf-8"))
        before = state.get("identity", {})
        changed = [f"{k} {before.get(k)!r} → {v!r}" for k, v in identity.items() if before.get(k) != v]
        if changed:
            raise SettingsError(f"{out_dir}: holds a dataset made with other settings ({'; '.join(changed)}); "
                                "use another folder, or --overwrite to start again")
        return state
    if out_dir.is_dir() and any(p.name != STATE_DIR for p in out_dir.iterdir()):
        raise SettingsError(f"{out_dir}: not empty and not a dataset folder; use another folder or --overwrite")
    return {"identity": identity, "runs": []}


def _save_state(out_dir: Path, state: dict) -> None:
    path = out_dir / STATE_DIR / RUN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _write_audio(out_dir: Path, name: str, audio: bytes) -> None:
    path = out_dir / name
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(audio)
    os.replace(tmp, path)


def run_dataset(source: Path, out_dir: Path, settings: Settings, engine: Engine, *, fmt: str = "pool",
                seed: int = 0, lufs_range: tuple[float, float] | None = None, ssr: bool = True, top_k: int | None = None,
                verify: bool = True,
                limit: int | None = None, pool_dir: Path | None = None, embedder: PoolEmbedder | None = None,
                overwrite: bool = False, progress: Progress | None = None,
                pool_progress: Progress | None = None) -> RunSummary:
    """Sonify every image of ``source`` into ``out_dir`` (see module doc); resumes an interrupted run."""
    from .mixer import DEFAULT_LUFS_RANGE
    from .retrieval import DEFAULT_TOP_K

    if fmt not in ("pool", "mix"):
        raise SettingsError(f"--format must be 'pool' or 'mix', not '{fmt}'")
    lufs_range = tuple(lufs_range or DEFAULT_LUFS_RANGE)
    if not lufs_range[0] <= lufs_range[1] <= 0:
        raise SettingsError(f"--lufs-range {lufs_range[0]},{lufs_range[1]}: want LOW,HIGH with LOW ≤ HIGH ≤ 0 LUFS")
    top_k = DEFAULT_TOP_K if top_k is None else top_k
    if top_k < 1:
        raise SettingsError(f"--top-k must be at least 1, not {top_k}")
    if limit is not None and limit < 1:
        raise SettingsError(f"--limit must be at least 1, not {limit}")
    out_dir = Path(out_dir)
    items = list_images(source, exclude=out_dir, limit=limit)

    pool_dir = Path(pool_dir) if pool_dir else default_pool_dir(settings)
    spec = WorkSpec(pool_dir=str(pool_dir), out_dir=str(out_dir), settings=settings.public_dict(), format=fmt,
                    seed=seed, lufs_range=lufs_range, ssr=ssr, top_k=top_k, verify=verify)
    state = _check_identity(out_dir, spec.identity(), overwrite)
    _save_state(out_dir, state)  # first: a run killed before its end is still recognised as this dataset
    build = None
    if fmt == "pool":
        _, build = ensure_pool(settings.library_dir, pool_dir, embedder, progress=pool_progress)
    (out_dir / AUDIO_DIR).mkdir(parents=True, exist_ok=True)
    journal = Journal(out_dir)
    pending = [(k, str(i.path)) for k, i in enumerate(items) if i.name not in journal]
    names = [i.name for i in items]
    summary = RunSummary(out_dir, total=len(items), already_done=len(items) - len(pending), pool_build=build)
    start = time.perf_counter()
    try:
        if progress:
            progress(summary.already_done, summary.total, "")
        for result in engine.map(pending, spec):
            name = names[result.key]
            result.row["image"] = name
            if result.audio is not None:
                _write_audio(out_dir, result.row["file_name"], result.audio)
            journal.append(result.row)
            summary.processed += 1
            if progress:
                progress(summary.already_done + summary.processed, summary.total, name)
    finally:
        summary.seconds = time.perf_counter() - start
        journal.close()
        order = {n: i for i, n in enumerate(names)}
        rows = sorted(journal.rows.values(), key=lambda r: (order.get(r["image"], len(order)), r["image"]))
        write_tables(rows, out_dir)
        summary.counts = {s: sum(r["status"] == s for r in rows) for s in ("ok", "skipped", "failed")}
        state["runs"].append({"engine": engine.name, "workers": engine.workers, "processed": summary.processed,
                              "seconds": round(summary.seconds, 3), "source": str(source), "images": len(items),
                              "pool": str(pool_dir) if fmt == "pool" else None})
        state["elapsed_s"] = round(sum(r["seconds"] for r in state["runs"]), 3)
        _save_state(out_dir, state)
    return summary
