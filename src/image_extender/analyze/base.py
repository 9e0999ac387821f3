"""The scene-analyzer protocol: an image in, a ``Scene`` out. Knows nothing of audio."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..manifest import Scene


@dataclass(frozen=True)
class LoadedImage:
    """A decoded, validated image: RGB uint8 array of shape (height, width, 3)."""

    path: Path
    md5: str
    rgb: np.ndarray

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


class SceneAnalyzer(Protocol):
    name: str

    def analyze(self, image: LoadedImage) -> Scene: ...
