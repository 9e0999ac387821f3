"""What the memory tests share: the traced allocation peak of one call (numpy buffers included)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def traced_peak_mb(run: Callable[[], T]) -> tuple[float, T]:
    """(peak MB allocated while ``run()`` ran, its result)."""
    tracemalloc.start()
    try:
        result = run()
        return tracemalloc.get_traced_memory()[1] / 2**20, result
    finally:
        tracemalloc.stop()
