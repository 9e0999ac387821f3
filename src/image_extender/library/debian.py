"""Fetch Debian packages made by others (recordings, photos, WordNet) into the data cache.

We ``apt-get download`` the .deb and unpack it with ``dpkg-deb -x`` under
``<data>/debian/<package>/`` instead of installing it: some of these packages pull in game
engines and fonts we do not need, and unpacking needs no root. Both steps are skipped when
their result is already there, so running the set-up again downloads nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import ImageExtenderError


class FetchError(ImageExtenderError):
    exit_code = 8


def _run(step: str, cmd: list[str], cwd: Path | None = None, show_output: bool = False) -> None:
    """Run one set-up command; a missing tool or a failure is a :class:`FetchError` naming ``step``.

    ``show_output`` lets the command write to the terminal (apt's progress on a large
    download) instead of keeping its last line for the error message.
    """
    if shutil.which(cmd[0]) is None:
        raise FetchError(f"{step}: '{cmd[0]}' not found (this set-up needs a Debian/Ubuntu system)")
    proc = subprocess.run(cmd, cwd=cwd, capture_output=not show_output, text=True)
    if proc.returncode != 0:
        if show_output:
            raise FetchError(f"{step}: '{' '.join(cmd)}' failed (exit {proc.returncode}; its output is above)")
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise FetchError(f"{step}: '{' '.join(cmd)}' failed: {tail[0]}")


def deb_file(package: str, debs_dir: Path) -> Path | None:
    found = sorted(debs_dir.glob(f"{package}_*.deb"))
    return found[-1] if found else None


def download_deb(package: str, debs_dir: Path, show_output: bool = False) -> Path:
    """``apt-get download`` the package's .deb into ``debs_dir`` and return its path.

    ``show_output`` lets apt's progress through to the terminal, for a package large
    enough that a silent wait would look like a hang.
    """
    debs_dir.mkdir(parents=True, exist_ok=True)
    _run(f"download Debian package {package}", ["apt-get", "download", package], cwd=debs_dir, show_output=show_output)
    deb = deb_file(package, debs_dir)
    if deb is None:
        raise FetchError(f"download Debian package {package}: apt-get reported success but no .deb appeared in {debs_dir}")
    return deb


def fetch_package(package: str, data_dir: Path, only: tuple[str, ...] = ()) -> Path:
    """Return the root of the unpacked package, downloading and unpacking only if needed.

    ``only``: folders inside the package (``usr/share/games/redeclipse/data/sounds``) to
    unpack instead of all of it, for a large package of which a source needs a corner
    (Red Eclipse's 950 MB for 52 recordings). An earlier unpacking that holds them is reused;
    one that lacks some is redone with both sets."""
    root = data_dir / "debian" / package
    stamp = root / ".unpacked"
    wanted = tuple(sorted({p.strip("/") for p in only}))
    if stamp.exists():
        unpacked = _unpacked_folders(stamp)
        if unpacked is None or (wanted and set(wanted) <= set(unpacked)):
            return root
        wanted = tuple(sorted({*unpacked, *wanted})) if wanted else ()
    debs_dir = data_dir / "debs"
    deb = deb_file(package, debs_dir) or download_deb(package, debs_dir)
    tmp = root.with_name(root.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        if wanted:
            _unpack_folders(deb, tmp, wanted)
        else:
            _run(f"unpack {deb.name}", ["dpkg-deb", "-x", str(deb), str(tmp)])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # nothing half-unpacked left behind
        raise
    shutil.rmtree(root, ignore_errors=True)
    tmp.rename(root)
    stamp.write_text(deb.name + "\n" + "".join(f"only {p}\n" for p in wanted))
    return root


def _unpacked_folders(stamp: Path) -> tuple[str, ...] | None:
    """The folders an earlier partial unpacking holds; None when it unpacked everything."""
    lines = stamp.read_text().splitlines()
    folders = tuple(line.removeprefix("only ") for line in lines if line.startswith("only "))
    return folders or None


def _unpack_folders(deb: Path, dest: Path, folders: tuple[str, ...]) -> None:
    """Extract the members of ``deb`` under ``folders`` (and nothing else) into ``dest``."""
    import tarfile

    if shutil.which("dpkg-deb") is None:
        raise FetchError(f"unpack {deb.name}: 'dpkg-deb' not found (this set-up needs a Debian/Ubuntu system)")
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    found = 0
    with tarfile.open(fileobj=proc.stdout, mode="r|*") as tar:
        for member in tar:
            name = member.name.removeprefix("./")
            if any(name == f or name.startswith(f + "/") for f in folders):
                if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4: no links out of dest, no odd modes
                    tar.extract(member, dest, filter="data")
                else:
                    tar.extract(member, dest)
                found += 1
    err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
    if proc.wait() != 0:
        raise FetchError(f"unpack {deb.name}: dpkg-deb --fsys-tarfile failed: {err.splitlines()[-1:] or 'no output'}")
    if not found:
        raise FetchError(f"unpack {deb.name}: nothing under {', '.join(folders)} in the package")
