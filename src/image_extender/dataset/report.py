"""``dataset report``: what a dataset folder holds, and how varied its sounds are.

Counts (ok / skipped / failed, with the reasons), time spent, concepts per image,
clip-guard use, and **sound diversity**: distinct chunks used ÷ picks (1.0 = no chunk ever
used twice), distinct recordings, and the most reused chunks with their share of all
picks. A few chunks taking a large share is the over-sampling that Algorithm 1's
uniform draw above τ is meant to prevent; comparing a run with SSR against one with
``--no-ssr`` shows its effect (candidates per concept, distinct chunks, top share), and one
with ``--no-verify`` what drawing only among the chunks the finder accepts costs in variety.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .journal import STATE_DIR
from .metadata import PARQUET, read_rows
from .run import RUN_FILE

TOP = 5


@dataclass
class DatasetReport:
    out_dir: str
    counts: dict[str, int]
    reasons: list[tuple[str, str, str]]  # (status, image, reason) of skipped / failed rows
    elapsed_s: float | None
    settings: dict
    picks: int = 0
    distinct_chunks: int = 0
    distinct_sounds: int = 0
    top_chunks: list[tuple[str, int, int, float]] = field(default_factory=list)  # sound id, chunk, uses, share
    mean_concepts: float = 0.0
    mean_candidates: float | None = None
    clipped: int = 0  # images whose sum needed the clip guard

    @property
    def diversity(self) -> float:
        """Distinct chunks ÷ picks."""
        return self.distinct_chunks / self.picks if self.picks else 0.0

    @property
    def top_share(self) -> float:
        return sum(t[3] for t in self.top_chunks)


def summarize(out_dir: Path, top: int = TOP) -> DatasetReport:
    out_dir = Path(out_dir)
    if not (out_dir / PARQUET).is_file():
        raise InputError(f"{out_dir}: no {PARQUET} here; is it a 'dataset run' output folder?")
    rows = read_rows(out_dir)
    try:
        state = json.loads((out_dir / STATE_DIR / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    ok = [r for r in rows if r["status"] == "ok"]
    picks = [(c["sound_id"], c.get("chunk_index")) for r in ok for c in r["concepts"]]
    uses = Counter(picks)
    candidates = [c["candidates"] for r in ok for c in r["concepts"] if c.get("candidates") is not None]
    return DatasetReport(
        out_dir=str(out_dir),
        counts={s: sum(r["status"] == s for r in rows) for s in ("ok", "skipped", "failed")},
        reasons=[(r["status"], r["image"], r["reason"]) for r in rows if r["status"] != "ok"],
        elapsed_s=state.get("elapsed_s"),
        settings=state.get("identity", {}),
        picks=len(picks),
        distinct_chunks=len(uses),
        distinct_sounds=len({s for s, _ in picks}),
        top_chunks=[(s, c if c is not None else -1, n, n / len(picks)) for (s, c), n in uses.most_common(top)],
        mean_concepts=len(picks) / len(ok) if ok else 0.0,
        mean_candidates=sum(candidates) / len(candidates) if candidates else None,
        clipped=sum(1 for r in ok if (r.get("clip_gain_db") or 0.0) < 0.0),
    )


def comparison(a: DatasetReport, b: DatasetReport) -> list[tuple[str, str, str]]:
    """Side-by-side numbers of two runs: (measure, run A, run B)."""
    def fmt(x, spec=".3f"):
        return "–" if x is None else format(x, spec)

    return [
        ("settings", json.dumps(a.settings, sort_keys=True), json.dumps(b.settings, sort_keys=True)),
        ("images ok", str(a.counts["ok"]), str(b.counts["ok"])),
        ("picks", str(a.picks), str(b.picks)),
        ("distinct chunks", str(a.distinct_chunks), str(b.distinct_chunks)),
        ("distinct chunks / picks", fmt(a.diversity), fmt(b.diversity)),
        ("distinct recordings", str(a.distinct_sounds), str(b.distinct_sounds)),
        (f"share of the top {TOP} chunks", fmt(a.top_share), fmt(b.top_share)),
        ("candidates above τ (mean)", fmt(a.mean_candidates, ".1f"), fmt(b.mean_candidates, ".1f")),
    ]
