"""Comparing two runs' dataset rows: what may differ (timings, hosts) left out, floats close."""

from __future__ import annotations

import math

from image_extender.dataset.metadata import VOLATILE


def stable(rows):
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in rows]


def assert_same_rows(a, b, path="rows"):
    """Equal, floats within 1e-5: a worker capped to one BLAS thread (a Ray actor, one of
    several local worker processes) sums in another order than a process with all threads, so
    a cosine can differ in its last bits, and one rounded to 6 decimals on a boundary then
    differs in the 6th (0.240580 vs 0.240579) though the dataset is the same."""
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, abs_tol=1e-5), f"{path}: {a} != {b}"
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_rows(x, y, f"{path}[{i}]")
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            assert_same_rows(a[k], b[k], f"{path}.{k}")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"
