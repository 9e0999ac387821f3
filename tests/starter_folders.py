"""What the starter-source tests share: materialise sources once, read their metadata back."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from conftest import data_dir
from image_extender.library.records import SoundRecord


def materialized(sources: Iterable[ModuleType]) -> dict[str, Path]:
    """NAME -> materialised folder (cached under <data>/starter, as ``make install`` leaves it)."""
    out = {}
    for module in sources:
        folder = data_dir() / "starter" / module.NAME
        module.materialize(data_dir(), folder)
        out[module.NAME] = folder
    return out


def records(folder: Path) -> dict[str, SoundRecord]:
    lines = (folder / "metadata.jsonl").read_text(encoding="utf-8").splitlines()
    return {r.path: r for r in (SoundRecord.model_validate(json.loads(x)) for x in lines if x.strip())}
