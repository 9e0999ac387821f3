"""Block-wise running sums: window energies of a long signal without full-length temporaries.

Loudness (BS.1770 400 ms blocks, ``loudness.py``) and active RMS (50 ms windows,
``levels.py``) both read a running sum ``S[i] = Σ_{k<i} p[k]`` of a per-sample power ``p``
at a few window edges. Built with one ``np.cumsum`` that needs two float64 arrays as long
as the signal (1.3 GB each for an hour of audio at 44.1 kHz); here ``p`` arrives in chunks
and the sum is continued across them — the same additions in the same order, so the
values are bit-identical to one ``cumsum`` — and only the requested entries are kept.

A long mix's audio itself lives on disk while it is rendered: ``FrameFile`` is a raw file
of frames that the block-wise measures, the master stage and the writers slice like an
array (``as_frames`` lets it through where they took ``np.asarray``), ``Scaled`` a stem
at its gain read the same way, ``take_frames`` a boolean selection gathered block by block.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

CHUNK_FRAMES = 1 << 17  # ~3 s at 44.1 kHz: what block-wise measuring holds at once


def running_sum_at(chunks: Iterable[np.ndarray], wanted: np.ndarray) -> np.ndarray:
    """``S[wanted]`` for ``S = [0, cumsum(concatenate(chunks))]``, chunks consumed one at a time.

    ``wanted`` must be sorted and unique (``np.unique``); indices beyond the total length
    read the total.
    """
    out = np.zeros(wanted.size)
    carry = 0.0
    done = 0
    for power in chunks:
        if power.size == 0:
            continue
        power = np.array(power, dtype=np.float64)  # own copy: the carry is added into it
        power[0] += carry  # S[done + 1] = S[done] + p[done]: the addition one cumsum would make
        running = np.cumsum(power)
        carry = float(running[-1])
        lo, hi = np.searchsorted(wanted, [done + 1, done + power.size + 1])
        out[lo:hi] = running[wanted[lo:hi] - done - 1]
        done += power.size
    out[wanted > done] = carry
    return out


def chunk_bounds(n: int, size: int = CHUNK_FRAMES) -> Iterable[tuple[int, int]]:
    """``[a, b)`` bounds covering ``range(n)`` in pieces of ``size``."""
    return ((a, min(n, a + size)) for a in range(0, n, size))


# --------------------------------------------------------------------------- frames on disk

STREAM_ABOVE_BYTES = 128 << 20  # a mix whose float64 sum would be larger is rendered through files (~190 s at 44.1 kHz)


class FrameFile:
    """Audio frames (frames, channels) of one dtype in a raw file: the long-mix stand-in for an array.

    A render of an hour holds 16 bytes a frame in its float64 sum (2.5 GB) and 8 in each
    float32 stem; here they live on disk and are read back a block at a time. It does what
    the block-wise measures ask of an array — ``shape``, ``ndim``, ``dtype``, ``len`` and
    reading ``x[a:b]`` / ``x[a:b, c]`` (a fresh, writable array) — and ``x[a:b] = block``
    writes. Reads and writes go through ``readinto`` / ``write`` at an offset, never
    ``mmap``: mapped pages would count in the process's resident memory as a pass walks
    the file; the page cache holds them instead, outside it.
    """

    def __init__(self, path: Path, frames: int, channels: int, dtype) -> None:
        self.path = Path(path)
        self.dtype = np.dtype(dtype)
        self.shape = (int(frames), int(channels))
        self.ndim = 2
        self._row = self.dtype.itemsize * int(channels)
        self._file = None

    @classmethod
    def create(cls, path: Path, frames: int, channels: int, dtype) -> FrameFile:
        """A new file of ``frames`` zero frames (sparse: no disk is used until written)."""
        made = cls(path, frames, channels, dtype)
        with open(made.path, "wb") as f:
            f.truncate(made.shape[0] * made._row)
        return made

    @property
    def size(self) -> int:
        return self.shape[0] * self.shape[1]

    @property
    def nbytes(self) -> int:
        return self.shape[0] * self._row

    def __len__(self) -> int:
        return self.shape[0]

    def _open(self):
        if self._file is None:
            self._file = open(self.path, "r+b")  # noqa: SIM115 (kept open for the life of the object)
        return self._file

    def _rows(self, key) -> tuple[int, int, tuple]:
        rows, rest = (key[0], key[1:]) if isinstance(key, tuple) else (key, ())
        if not isinstance(rows, slice) or rows.step not in (None, 1):
            raise TypeError(f"{self.path.name}: only contiguous row slices can be read from a FrameFile, not {key!r}")
        a, b, _ = rows.indices(self.shape[0])
        return a, max(a, b), rest

    def __getitem__(self, key) -> np.ndarray:
        a, b, rest = self._rows(key)
        out = np.empty((b - a, self.shape[1]), dtype=self.dtype)
        if b > a:
            f = self._open()
            f.seek(a * self._row)
            got = f.readinto(memoryview(out).cast("B"))
            if got != out.nbytes:
                raise OSError(f"{self.path}: short read ({got} of {out.nbytes} bytes)")
        return out[(slice(None), *rest)] if rest else out

    def __setitem__(self, key, value) -> None:
        a, b, rest = self._rows(key)
        if rest:
            raise TypeError(f"{self.path.name}: whole frames only are written to a FrameFile")
        if b <= a:
            return
        block = np.ascontiguousarray(np.broadcast_to(value, (b - a, self.shape[1])), dtype=self.dtype)
        f = self._open()
        f.seek(a * self._row)
        f.write(memoryview(block).cast("B"))

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """The whole file in memory (for short material only: a video's soundtrack, a short clip)."""
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype, copy=False)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


class Scaled:
    """``frames`` times a constant gain, read a block at a time: ``Scaled(x, g)[a:b] == x[a:b] * g``.

    The products are the ones ``x * g`` makes (a float32 stem times a Python float stays
    float32), so a stem written through this is the stem the mix sums.
    """

    def __init__(self, frames, gain: float) -> None:
        self.frames = frames
        self.gain = gain
        self.shape = tuple(frames.shape)
        self.ndim = len(self.shape)
        self.dtype = (np.zeros(1, dtype=frames.dtype) * gain).dtype

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key) -> np.ndarray:
        return self.frames[key] * self.gain

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype, copy=False)


def as_frames(samples):
    """``samples`` as something the block-wise measures can slice: a ``FrameFile`` / ``Scaled`` as it is, else an array."""
    return samples if isinstance(samples, (FrameFile, Scaled)) else np.asarray(samples)


def is_array(samples) -> bool:
    return isinstance(samples, np.ndarray)


def take_frames(samples, keep, *, small_bytes: int = CHUNK_FRAMES * 16):
    """``samples[keep]`` for a boolean mask ``keep``, gathered a block at a time.

    ``keep``: the mask, or a function ``(a, b) -> keep[a:b]`` that makes it a block at a
    time (no flag per frame of a long stem). An array with a mask is indexed directly.
    From a ``FrameFile`` (or a ``Scaled`` one) the kept frames go to memory when they are
    few (a block's worth: an object that sounds a few seconds) and to a file beside it otherwise (a bed that
    sounds throughout), so a long stem is never held whole. All kept: ``samples`` itself.
    """
    if isinstance(samples, np.ndarray) and not callable(keep):
        return samples[keep]
    mask = keep if callable(keep) else (lambda a, b: keep[a:b])
    n = samples.shape[0]
    count = sum(int(np.count_nonzero(mask(a, b))) for a, b in chunk_bounds(n))
    if count == n:
        return samples
    channels = samples.shape[1]
    dtype = samples.dtype
    base = samples.frames if isinstance(samples, Scaled) else samples
    if count * channels * dtype.itemsize <= small_bytes or not isinstance(base, FrameFile):
        out = np.empty((count, channels), dtype=dtype)
    else:
        out = FrameFile.create(base.path.with_name(f"{base.path.name}.kept-{id(mask):x}"), count, channels, dtype)
    done = 0
    for a, b in chunk_bounds(n):
        piece = samples[a:b][mask(a, b)]
        out[done : done + piece.shape[0]] = piece
        done += piece.shape[0]
    return out


def release(frames) -> None:
    """Delete ``frames``' file when it is a ``FrameFile`` (a spent intermediate); arrays are left to the GC."""
    if isinstance(frames, FrameFile):
        frames.remove()
