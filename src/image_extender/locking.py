"""Advisory locks that serialise writers of the same folder (``flock(2)``, released on exit).

Two ``render … -o same --overwrite`` or two ``library build`` on one library must not
interleave their renames and inserts. Each takes an exclusive ``flock`` first; a second
process waits for the first (and says so), then runs on what it left. The kernel drops
the lock when the holder exits, however it exits (``kill -9`` included), so a stale lock
cannot exist — unlike lock *files* whose mere presence means "locked".
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(path: Path, what: str, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (a folder or a file, opened read-only) for the block.

    When another process holds it, ``on_wait`` gets one sentence naming ``what`` and we
    block until it is free.
    """
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if Path(path).is_dir() else 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(f"waiting for another image-extender process {what}")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def pid_alive(pid: int) -> bool:
    """Is a process with this id running (on this machine)?"""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it is just not ours
    return True



def owner_gone(tag: str) -> bool | None:
    """For a working folder named ``<prefix><pid>-<random>``, given what follows the prefix:
    True when that process is gone (a ``kill -9`` left the folder behind), False when it
    is this process or still runs, None when the name carries no process id."""
    pid, sep, _ = tag.partition("-")
    if not (pid.isdigit() and sep):
        return None
    return int(pid) != os.getpid() and not pid_alive(int(pid))
