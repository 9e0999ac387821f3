"""Render planned tracks to stereo audio: deterministic given the tracks and the files.

Per track: decode + resample the source once (``SourceCache``), cut each event out of it
(from ``offset`` for ``length``; a ``loop`` track reads a seamless loop of the source),
apply the event's linear fades, place it at ``start``, then apply ``gain_db`` and the pan:
objects are downmixed to mono and panned with the constant-power law; a stereo bed keeps
its two channels (``balance_stereo``), a mono bed is panned like an object (centred by
default, −3 dB per side). The stems are summed and the master stage
(``loudness.apply_true_peak_ceiling`` over ``ceiling.py``'s static gain + lookahead
limiter) keeps the 4× oversampled true peak of the mix under ``spec.ceiling_dbfs`` (dBTP).

The report measures every stem in the unit of its target (``spec.level_unit``), with the
error, and its integrated loudness in LUFS whatever the unit.

A long mix streams (``render_mix(..., spool=folder)``): stems, sum and master stage go
through files a block at a time (``blocks.FrameFile``), with the samples of the in-memory
render, so an hour needs the memory of a few blocks, not of the hour.

No randomness lives here: re-rendering the same tracks gives bit-identical samples.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.signal import sosfilt

from ..errors import RenderError
from ..locking import owner_gone
from ..manifest import EqEvent, Event, MixReport, MixSpec, Track, TrackReport
from .blocks import STREAM_ABOVE_BYTES, FrameFile, Scaled, as_frames, chunk_bounds
from .ceiling import CeilingResult
from .dyneq import apply_in_place, cut_plan, eq_order, eq_reach, peaking_coefficients, sounding_runs
from .levels import SILENCE_DB, db_to_gain, measure_level, peak_dbfs
from .loudness import TruePeakResult, apply_true_peak_ceiling, bs1770_loudness, stem_lufs, true_peak_dbtp
from .pan import balance_stereo, pan_mono, to_mono
from .source import SourceCache

LUFS_FLOOR = -70.0  # what silence measures as (scaper's floor), so reports stay finite


@dataclass(frozen=True)
class Rendered:
    """What ``render_mix`` made. A long mix's ``mix`` and ``stems`` are files in ``spool`` (``blocks.FrameFile``,
    read a block at a time): call ``release()`` when they have been written out."""

    mix: np.ndarray  # (frames, 2) float32, after the master stage (a ``FrameFile`` when streamed)
    stems: Sequence[np.ndarray]  # one (frames, 2) float32 per track, gain and pan applied, before the master stage (``Stems``)
    report: MixReport
    master: TruePeakResult
    spool: Path | None = field(default=None, compare=False)

    @property
    def streamed(self) -> bool:
        return self.spool is not None

    def release(self) -> None:
        """Delete the spooled files of a streamed render (nothing to do for one in memory)."""
        if self.spool is None:
            return
        for frames in (self.mix, *(getattr(s, "frames", None) for s in self.stems)):
            if isinstance(frames, FrameFile):
                frames.close()
        shutil.rmtree(self.spool, ignore_errors=True)

    @property
    def ceiling(self) -> CeilingResult:
        """The sample-peak stage inside the master stage (static gain + lookahead limiter)."""
        return self.master.ceiling


def mix_frames(spec: MixSpec) -> int:
    return int(round(spec.duration * spec.sample_rate))


def loop_unit(source: np.ndarray, crossfade_frames: int) -> np.ndarray:
    """A version of ``source`` that can be tiled without a seam.

    The last ``k`` frames are cross-faded into the first ``k`` with equal-power ramps
    (sin/cos: for uncorrelated material the power stays constant through the seam), and
    the unit is ``len(source) − k`` long. Tiling it, the frame after the unit's last one
    (source[-k-1]) is unit[0] = source[-k] — the continuation of the recording — so there
    is no jump. ``k`` is capped at a quarter of the source.
    """
    n = source.shape[0]
    k = min(int(crossfade_frames), n // 4)
    if k < 1:
        return source
    t = (np.arange(k) + 0.5) / k
    fade_in = np.sin(0.5 * np.pi * t)[:, None]
    fade_out = np.cos(0.5 * np.pi * t)[:, None]
    unit = source[: n - k].copy()
    unit[:k] = source[:k] * fade_in + source[n - k :] * fade_out
    return unit


def event_segment(source: np.ndarray, event: Event, sample_rate: int, *, looped: bool) -> np.ndarray:
    """The samples one event plays, fades applied. ``source`` is the (loop unit of the) track source."""
    off = int(round(event.offset * sample_rate))
    length = int(round(event.length * sample_rate))
    if looped:
        seg = source[(off + np.arange(length)) % source.shape[0]]
    else:
        seg = source[off : off + length].copy()  # may be shorter when the file runs out
    m = seg.shape[0]
    fi = min(m, int(round(event.fade_in * sample_rate)))
    fo = min(m, int(round(event.fade_out * sample_rate)))
    if fi:
        seg[:fi] *= (np.arange(fi) / fi)[:, None]
    if fo:
        seg[m - fo :] *= (1.0 - (np.arange(fo) + 1.0) / fo)[:, None]
    return seg


def _segment_piece(source: np.ndarray, event: Event, sample_rate: int, looped: bool, k0: int, k1: int) -> np.ndarray:
    """``event_segment(source, event, …)[k0:k1]`` without making the whole segment: the same values.

    Each sample of a segment is its source sample times its fade factors, computed
    element by element, so a piece of it is the same numbers as the piece of the whole.
    """
    off = int(round(event.offset * sample_rate))
    length = int(round(event.length * sample_rate))
    if looped:
        seg = source[(off + np.arange(k0, k1)) % source.shape[0]]
        m = length
    else:
        m = max(0, min(length, source.shape[0] - off))
        seg = source[off + k0 : off + k1].copy()
    fi = min(m, int(round(event.fade_in * sample_rate)))
    fo = min(m, int(round(event.fade_out * sample_rate)))
    if k0 < fi:
        seg[: fi - k0] *= (np.arange(k0, min(k1, fi)) / fi)[:, None]
    if fo and k1 > m - fo:
        j0 = max(k0, m - fo)
        seg[j0 - k0 :] *= (1.0 - (np.arange(j0 - (m - fo), k1 - (m - fo)) + 1.0) / fo)[:, None]
    return seg


def _segment_frames(source: np.ndarray, event: Event, sample_rate: int, looped: bool) -> int:
    """How many frames ``event_segment`` returns."""
    off = int(round(event.offset * sample_rate))
    length = int(round(event.length * sample_rate))
    return length if looped else max(0, min(length, source.shape[0] - off))


def unity_stem(track: Track, source: np.ndarray, spec: MixSpec) -> np.ndarray:
    """One track at 0 dB gain, without EQ: (frames, 2) float32 — events, fades, loop seams and pan.

    float32 is the canonical precision of a stem (what is written to disk, ~144 dB of
    range) and halves what the per-run ``StemCache`` holds. Made ``blocks.CHUNK_FRAMES`` at
    a time (``unity_blocks``) so the only full-length array is the float32 result; every
    sample is the same sum of the same products as rendering the whole lane at once
    (tested bit for bit).
    """
    out = np.empty((mix_frames(spec), 2), dtype=np.float32)
    for a, b, block in unity_blocks(track, source, spec):
        out[a:b] = block
    return out


def unity_blocks(track: Track, source: np.ndarray, spec: MixSpec) -> Iterator[tuple[int, int, np.ndarray]]:
    """``unity_stem`` a block at a time: ``(a, b, stem[a:b])`` over ``blocks.chunk_bounds``.

    Each event's piece is placed at its sample offset in the block, then the block is
    panned (or its pan/level curves applied): a block never reads another block's samples.
    """
    sr = spec.sample_rate
    n = mix_frames(spec)
    src = source
    if track.role == "object" or src.shape[1] > 2:
        src = to_mono(src)[:, None]
    if track.loop:
        src = loop_unit(src, int(round(track.crossfade * sr)))
    placed = []  # (first frame, frames, event) in event order: the order the samples are summed in
    for event in track.events:
        start = int(round(event.start * sr))
        if start < n:
            placed.append((start, min(n - start, _segment_frames(src, event, sr, track.loop)), event))
    for a, b in chunk_bounds(n):
        lane = np.zeros((b - a, src.shape[1]))
        for start, frames, event in placed:
            lo, hi = max(a, start), min(b, start + frames)
            if lo < hi:
                lane[lo - a : hi - a] += _segment_piece(src, event, sr, track.loop, lo - start, hi - start)
        if track.automation is not None:  # pan/level curves over time (video; automation.py)
            from .automation import apply_automation

            stereo = apply_automation(lane, track.automation, sr, first_frame=a)
        else:
            stereo = pan_mono(lane[:, 0], track.pan) if lane.shape[1] == 1 else balance_stereo(lane, track.pan)
        yield a, b, stereo.astype(np.float32)


def equalised(unity: np.ndarray, sample_rate: int, eq: list[EqEvent]) -> np.ndarray:
    """``unity`` with its planned dynamic-EQ cuts (dyneq.py) applied, float32; ``unity`` itself without cuts.

    The same samples as ``apply_eq(unity, …).astype(float32)`` without its float64 copy of the
    whole stem: cuts whose reaches (``dyneq.eq_reach``: the span plus the filter's run-in)
    overlap are applied together, in ``eq_order``, to a float64 copy of just that stretch;
    stretches apart never read each other's samples, and the samples no cut touches go
    float32 → float64 → float32 unchanged.
    """
    if not eq:
        return unity
    n = unity.shape[0]
    reaches = [(reach, k, event) for k, event in enumerate(eq_order(eq))
               if (reach := eq_reach(n, sample_rate, event)) is not None]
    stretches: list[list] = []  # [first, end, [(place in eq_order, cut)]]
    for (first, end), k, event in sorted(reaches, key=lambda r: (r[0][0], r[1])):
        if stretches and first < stretches[-1][1]:
            stretches[-1][1] = max(stretches[-1][1], end)
            stretches[-1][2].append((k, event))
        else:
            stretches.append([first, end, [(k, event)]])
    out = unity.copy()
    for first, end, cuts in stretches:
        piece = unity[first:end].astype(np.float64)
        for _, event in sorted(cuts, key=lambda c: c[0]):
            apply_in_place(piece, sample_rate, event, first_frame=first, frames=n)
        out[first:end] = piece
    return out


@dataclass
class _Cut:
    """One planned cut while a stem streams past it: its reach, and the filter state carried between blocks."""

    event: EqEvent
    first: int  # first sample it reads (its start minus the filter's run-in)
    end: int  # one past the last sample it writes
    plan: tuple | None = None  # dyneq.cut_plan, made when the stream reaches ``first``
    sos: np.ndarray | None = None
    zi: np.ndarray | None = None


def equalised_blocks(blocks: Iterable[tuple[int, int, np.ndarray]], frames: int, sample_rate: int,
                     eq: list[EqEvent]) -> Iterator[tuple[int, int, np.ndarray]]:
    """``equalised`` a block at a time: the blocks of a unity stem ``frames`` long in, the EQ'd blocks out.

    Each cut's peaking filter runs over the blocks its reach covers with its state carried
    from one block to the next (``sosfilt``'s ``zi``: the same recursion, the same bits as
    one call over the reach), and the cuts are applied in ``eq_order`` within every block:
    a later cut reads the samples the earlier ones left, as in ``equalised``. The working
    memory is a block plus the cross-fade weights of the cuts under way.
    """
    if not eq:
        yield from blocks
        return
    pending = [_Cut(event, *reach) for event in eq_order(eq)
               if (reach := eq_reach(frames, sample_rate, event)) is not None]
    for a, b, block in blocks:
        live = [cut for cut in pending if cut.first < b and cut.end > a]
        if not live:
            yield a, b, block
            continue
        y = block.astype(np.float64)
        for cut in live:
            if cut.plan is None:
                cut.plan = cut_plan(frames, sample_rate, cut.event)
                freq = cut.plan[0]
                cut.sos = peaking_coefficients(freq, cut.event.gain_db, cut.event.q, sample_rate)
                cut.zi = np.zeros((cut.sos.shape[0], 2, y.shape[1]))
            _, s0, _, w = cut.plan
            lo, hi = max(a, cut.first), min(b, cut.end)
            wet, cut.zi = sosfilt(cut.sos, y[lo - a : hi - a], axis=0, zi=cut.zi)  # a new array: y is read first
            w0 = max(lo, s0)
            if w0 < hi:
                wet = wet[w0 - lo :]
                wet -= y[w0 - a : hi - a]
                wet *= w[w0 - s0 : hi - s0].reshape(-1, 1)
                y[w0 - a : hi - a] += wet  # y = dry + w·(EQ(dry) − dry), as dyneq.apply_in_place
        pending = [cut for cut in pending if cut.end > b]  # spent cuts drop their weights
        yield a, b, y.astype(np.float32)


def render_stem(track: Track, source: np.ndarray, spec: MixSpec, *, gain_db: float | None = None) -> np.ndarray:
    """One track as (frames, 2) float64; ``gain_db`` overrides ``track.gain_db`` (the planner uses 0).

    EQ is linear, so it is applied at unity gain and the gain after: the same samples
    whether the EQ'd stem was cached by the planner or is computed here.
    """
    eq = getattr(track, "eq", None)  # planned dynamic-EQ cuts; applied, never decided, here
    stem = equalised(unity_stem(track, source, spec), spec.sample_rate, eq or [])
    return stem * db_to_gain(track.gain_db if gain_db is None else gain_db)


@dataclass(frozen=True)
class _Sparse:
    """A stem kept as its sounding runs only: an object that plays 3 s of a 600 s mix costs 3 s of memory.

    Runs of digital silence longer than ``GAP`` samples are dropped; ``unpack`` puts the
    samples back bit for bit.
    """

    frames: int
    channels: int
    runs: tuple[tuple[int, np.ndarray], ...]  # (first frame, samples)

    GAP = 4096

    @classmethod
    def pack(cls, stem: np.ndarray) -> _Sparse:
        bounds = cls.sounding_runs(stem)
        if not bounds:
            return cls(stem.shape[0], stem.shape[1], ())
        if len(bounds) == 1 and bounds[0][1] - bounds[0][0] > 0.9 * stem.shape[0]:  # a bed: keep it whole, no copy
            return cls(stem.shape[0], stem.shape[1], ((0, stem),))
        return cls(stem.shape[0], stem.shape[1],
                   tuple((a, stem[a:b].copy()) for a, b in bounds))  # copies: free the rest

    @classmethod
    def sounding_runs(cls, stem: np.ndarray) -> list[tuple[int, int]]:
        """``[a, b)`` of every run of non-zero frames, runs closer than ``GAP`` merged.

        Found a block at a time (``dyneq.sounding_runs``), so finding them holds a block's
        indices, not an int64 per frame of the stem.
        """
        return sounding_runs(stem, cls.GAP)

    @property
    def nbytes(self) -> int:
        return sum(run.nbytes for _, run in self.runs)

    def piece(self, a: int, b: int) -> np.ndarray:
        """``unpack()[a:b]`` without unpacking the rest."""
        if len(self.runs) == 1 and self.runs[0][1].shape[0] == self.frames:
            return self.runs[0][1][a:b]
        out = np.zeros((b - a, self.channels), dtype=np.float32)
        for start, run in self.runs:
            lo, hi = max(a, start), min(b, start + run.shape[0])
            if lo < hi:
                out[lo - a : hi - a] = run[lo - start : hi - start]
        return out

    def unpack(self) -> np.ndarray:
        if len(self.runs) == 1 and self.runs[0][1].shape[0] == self.frames:
            return self.runs[0][1]  # kept whole (read-only by convention, like every cached stem)
        out = np.zeros((self.frames, self.channels), dtype=np.float32)
        for start, run in self.runs:
            out[start : start + run.shape[0]] = run
        return out


@dataclass(frozen=True)
class StemMeasures:
    """What the report says about a stem, measured at unity gain.

    Active RMS and sample peak are exactly linear in gain (relative gate, ``levels.py``), so
    the stem at ``gain_db`` reads these plus ``gain_db``. So is integrated loudness of the
    sounding part (its silence cut is relative to the peak) as long as BS.1770's absolute
    −70 LUFS gate drops no block the relative gate (−10 LU) would keep — true whenever both
    readings are above ``LINEAR_LUFS_ABOVE``; below it the stem is measured directly.
    """

    active_rms_db: float
    lufs: float
    peak_dbfs: float

    LINEAR_LUFS_ABOVE = -50.0

    def lufs_at(self, gain_db: float) -> float | None:
        """Loudness at ``gain_db``, or None when it must be measured (near the absolute gate)."""
        shifted = self.lufs + gain_db
        return shifted if min(self.lufs, shifted) > self.LINEAR_LUFS_ABOVE else None


def _blockwise_peak_dbfs(samples: np.ndarray) -> float:
    """``levels.peak_dbfs`` a block at a time (it is monotone in the peak): no |x| copy of a long stem."""
    return max((peak_dbfs(samples[a:b]) for a, b in chunk_bounds(samples.shape[0])), default=SILENCE_DB)


def _fingerprint(track: Track) -> str:
    """What a unity stem depends on: everything but the file's location, the gain and the EQ."""
    return track.model_dump_json(include={"role", "events", "loop", "crossfade", "pan", "automation"}) + track.sound.model_dump_json(
        exclude={"path"})


STEMS_PREFIX = "image-extender-stems-"  # + the owning process id + "-" + mkdtemp's random part


def sweep_orphaned_stems(folder: Path) -> list[Path]:
    """Remove the spooled-stem folders (``STEMS_PREFIX<pid>-…``) in ``folder`` whose process is
    gone: a run killed outright (SIGKILL, the OOM killer, a power cut) never reaches its
    ``finalize``, and an hour's mix leaves gigabytes behind. A folder whose process still
    runs, or whose name carries no process id, is left alone. Returns what was removed."""
    removed = []
    for path in folder.glob(f"{STEMS_PREFIX}*-*"):
        if not path.is_dir() or not owner_gone(path.name[len(STEMS_PREFIX):]):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


class StemCache:
    """Per-run cache of unity-gain stems (with and without their EQ) and their Bark band energies.

    Planning (level), the mix engineer (masking, EQ, make-up gain) and the final render all
    need the same stems; with this cache each is rendered — and each EQ applied — once per
    run. Stems are keyed by what they depend on, not by file path, so the cache survives
    the pipeline copying the sound files into the output folder. A short mix's audio is
    kept in memory while it fits in ``max_bytes``; a long mix's (``spooled``) lives in
    float32 files on disk and every measure reads it a block at a time. Band energies (25
    numbers per 23 ms) are always kept.
    """

    def __init__(self, spec: MixSpec, *, max_bytes: int = 512 << 20, spool_above: int = STREAM_ABOVE_BYTES) -> None:
        self.spec = spec
        self.spool_above = spool_above
        self.sources = SourceCache(spec.sample_rate)
        self.max_bytes = max_bytes
        self._audio: dict[tuple, _Sparse] = {}
        self._bands: dict[tuple, object] = {}
        self._measures: dict[tuple, StemMeasures] = {}
        self._bytes = 0
        self._files: dict[tuple, FrameFile] = {}  # a long mix's stems, on disk (``spooled``)
        self._folder: Path | None = None
        self._made = 0

    @property
    def spooled(self) -> bool:
        """A long mix (float64 stereo above ``spool_above`` bytes: the render's ``STREAM_ABOVE_BYTES`` rule): its stems are made a block at a time into
        float32 files in a private temporary folder (``blocks.FrameFile``) and handed out as those, so
        planning measures an hour with the memory of a few blocks. Silent blocks are never written
        (the files stay sparse: an object that sounds a minute of an hour costs a minute of disk)."""
        return mix_frames(self.spec) * 2 * np.dtype(np.float64).itemsize > self.spool_above

    def _spool(self, key: tuple, blocks: Iterable[tuple[int, int, np.ndarray]]) -> FrameFile:
        if key not in self._files:
            if self._folder is None:
                sweep_orphaned_stems(Path(tempfile.gettempdir()))
                self._folder = Path(tempfile.mkdtemp(prefix=f"{STEMS_PREFIX}{os.getpid()}-"))
                weakref.finalize(self, shutil.rmtree, self._folder, True)  # at release or at exit
            self._made += 1  # a new name each time: a dropped file's number is not reused while its twin lives
            made = FrameFile.create(self._folder / f"stem-{self._made}.f32", mix_frames(self.spec), 2, np.float32)
            for a, b, block in blocks:
                if block.any():
                    made[a:b] = block
            self._files[key] = made
        return self._files[key]

    def _drop_file(self, key: tuple) -> None:
        spent = self._files.pop(key, None)
        if spent is not None:
            spent.remove()

    def source(self, track: Track) -> np.ndarray:
        return self.sources.get(track.sound.path, track=track.label)

    def _key(self, track: Track, with_eq: bool) -> tuple:
        eq = tuple(e.model_dump_json(exclude={"reason"}) for e in track.eq) if with_eq else ()
        return (_fingerprint(track), eq)

    def _remember(self, key: tuple, stem: np.ndarray) -> np.ndarray:
        packed = _Sparse.pack(stem)
        if self._bytes + packed.nbytes <= self.max_bytes:
            self._audio[key] = packed
            self._bytes += packed.nbytes
        return stem

    def unity(self, track: Track) -> np.ndarray:
        key = self._key(track, False)
        if self.spooled:
            return self._spool(key, unity_blocks(track, self.source(track), self.spec))
        if key in self._audio:
            return self._audio[key].unpack()
        return self._remember(key, unity_stem(track, self.source(track), self.spec))

    def equalised(self, track: Track) -> np.ndarray:
        """The unity stem with ``track.eq`` applied (the unity stem itself when there is no EQ)."""
        if not track.eq:
            return self.unity(track)
        key = self._key(track, True)
        if self.spooled:
            made = self._spool(key, self.blocks(track))
            plain = self._key(track, False)
            if plain[0] in {k[0] for k in self._bands if k[1] == ()}:
                self._drop_file(plain)  # its bands and measures are kept: the disk goes to the EQ'd one
            return made
        if key in self._audio:
            return self._audio[key].unpack()
        plain = self._key(track, False)
        stem = equalised(self.unity(track), self.spec.sample_rate, track.eq)
        if plain in self._audio and plain[0] in {k[0] for k in self._bands if k[1] == ()}:
            # the unity stem has served its purpose (its bands and measures are kept): make room for the EQ'd one
            self._bytes -= self._audio.pop(plain).nbytes
        return self._remember(key, stem)

    def stem(self, track: Track, gain_db: float | None = None) -> np.ndarray:
        """What ``render_stem`` returns, from the cache: float64 (frames, 2) at ``gain_db`` (default the track's)."""
        stem = self.equalised(track)
        if isinstance(stem, FrameFile):  # a spooled stem asked for whole (an in-memory render of a long mix)
            stem = stem[:]
        return stem * db_to_gain(track.gain_db if gain_db is None else gain_db)

    def blocks(self, track: Track) -> Iterator[tuple[int, int, np.ndarray]]:
        """``equalised(track)`` a block at a time: sliced from the cache when it is there, else rendered
        block by block (``unity_blocks`` → ``equalised_blocks``) — the same samples, no full-length array."""
        n = mix_frames(self.spec)
        for key in (self._key(track, True), self._key(track, False) if track.eq else None):
            if key in self._files:  # a spooled stem: read back (the unity one goes through the EQ below)
                spooled = ((a, b, self._files[key][a:b]) for a, b in chunk_bounds(n))
                yield from (spooled if key[1] or not track.eq else
                            equalised_blocks(spooled, n, self.spec.sample_rate, track.eq))
                return
        packed = self._audio.get(self._key(track, True))
        if packed is not None:
            yield from ((a, b, packed.piece(a, b)) for a, b in chunk_bounds(n))
            return
        plain = self._audio.get(self._key(track, False))
        unity = (((a, b, plain.piece(a, b)) for a, b in chunk_bounds(n)) if plain is not None
                 else unity_blocks(track, self.source(track), self.spec))  # fmt: skip
        yield from equalised_blocks(unity, n, self.spec.sample_rate, track.eq)

    def measures(self, track: Track, *, frames=None) -> StemMeasures:
        """Level, LUFS and peak of the equalised unity stem, measured once; ``at(gain)`` gives the stem's.

        ``frames``: that stem already made (a long mix's ``blocks.FrameFile``), measured a
        block at a time instead of being made again in memory.
        """
        key = self._key(track, True)
        if key not in self._measures:
            stem = self.equalised(track) if frames is None else frames
            sr = self.spec.sample_rate
            self._measures[key] = StemMeasures(active_rms_db=measure_level(stem, sr, "dbfs"), lufs=stem_lufs(stem, sr),
                                               peak_dbfs=_blockwise_peak_dbfs(stem))  # fmt: skip
        return self._measures[key]

    def bands(self, track: Track):
        """Bark band energies (``bark.BandEnergies``) of the equalised unity stem.

        With EQ, only the frames the cuts can touch are analysed again; the rest are the
        unity stem's (EQ leaves samples outside its spans untouched).
        """
        from .bark import band_energies

        key = self._key(track, True)
        if key not in self._bands:
            if not track.eq:
                self._bands[key] = band_energies(self.unity(track), self.spec.sample_rate)
            else:
                base = self.bands(track.model_copy(update={"eq": []}))
                spans = [(e.start - e.ramp, e.end + e.ramp) for e in track.eq]
                self._bands[key] = band_energies(self.equalised(track), self.spec.sample_rate, update=(base, spans))
        return self._bands[key]


class Stems(Sequence[np.ndarray]):
    """A mix's stems, each made when it is asked for (from the run's ``StemCache``), none held by the mix.

    Holding every stem of a long mix at once cost 4 bytes a frame a track (an object that
    sounds 3 s of 600 s as much as a bed). Writers take the stems one at a time, so each is
    made — taken from the cache, or rendered again with the same bits — when indexed.
    """

    def __init__(self, cache: StemCache, tracks: list[Track]) -> None:
        self._cache = cache
        self._tracks = list(tracks)

    def __len__(self) -> int:
        return len(self._tracks)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return self._cache.stem(self._tracks[i]).astype(np.float32, copy=False)


def render_mix(tracks: list[Track], spec: MixSpec, *, stems: StemCache | None = None,
               spool: Path | None = None) -> Rendered:
    """Render every track, sum, hold the true-peak ceiling, and measure what came out.

    ``stems``: the run's ``StemCache`` (the planner's), so stems rendered while planning are
    not rendered again; a fresh one otherwise. The samples are the same either way.

    Memory. A mix whose float64 sum fits ``blocks.STREAM_ABOVE_BYTES`` (~190 s at 44.1 kHz),
    or any mix when ``spool`` is None, is summed in memory: the float64 sum and the float32
    mix are as long as the mix, each stem is made block by block (``unity_stem``), added a
    block at a time and handed out lazily (``Stems``). A longer one, given a ``spool``
    folder (the output's staging folder), streams: each equalised stem is rendered a block
    at a time into a float32 file there (``StemCache.blocks``) and measured from it, the sum
    is added a block at a time into a float64 file, and the master stage reads that and
    writes the float32 mix to a file (its passes are block-wise already) — so the working
    memory is a few blocks at any length, and ``Rendered.mix`` / ``Rendered.stems`` are
    ``blocks.FrameFile``s read back a block at a time. Both ways add the same products in
    the same order: the same bits (tested). ``Rendered.release()`` deletes the files.
    """
    cache = stems or StemCache(spec)
    n = mix_frames(spec)
    if spool is not None and n * 2 * np.dtype(np.float64).itemsize > STREAM_ABOVE_BYTES:
        return _render_streamed(tracks, spec, cache, Path(spool))
    sr = spec.sample_rate
    total = np.zeros((n, 2))
    reports: list[TrackReport] = []
    for track in tracks:
        unity, gain = cache.equalised(track), db_to_gain(track.gain_db)
        for a, b in chunk_bounds(n):  # cache.stem(track), a block at a time: the same float32 products, no gained copy
            total[a:b] += unity[a:b] * gain
        measured = cache.measures(track)
        del unity
        reports.append(_track_report(track, spec, measured, lambda track=track: cache.stem(track)))
    # the master stage writes the float32 mix directly (each sample computed in float64, rounded once)
    master = apply_true_peak_ceiling(total, sr, spec.ceiling_dbfs, out_dtype=np.float32)
    del total
    return Rendered(mix=master.samples, stems=Stems(cache, tracks), report=_mix_report(reports, master, spec),
                    master=master)


def _render_streamed(tracks: list[Track], spec: MixSpec, cache: StemCache, spool: Path) -> Rendered:
    """``render_mix`` of a long mix through files in ``spool`` (see there): the same samples, a few blocks of memory."""
    sr, n = spec.sample_rate, mix_frames(spec)
    spool.mkdir(parents=True, exist_ok=True)
    files: list[FrameFile] = []
    made: list[FrameFile] = []

    def allocate(shape: tuple, dtype) -> FrameFile:
        made.append(FrameFile.create(spool / f"master-{len(made)}.f32", shape[0], shape[1], dtype))
        return made[-1]

    try:
        reports: list[TrackReport] = []
        for i, track in enumerate(tracks):
            stem = FrameFile.create(spool / f"stem-{i:02d}.f32", n, 2, np.float32)
            files.append(stem)
            for a, b, block in cache.blocks(track):
                stem[a:b] = block
            gain = db_to_gain(track.gain_db)
            reports.append(_track_report(track, spec, cache.measures(track, frames=stem),
                                         lambda stem=stem, gain=gain: Scaled(stem, gain)))  # fmt: skip
        total = FrameFile.create(spool / "sum.f64", n, 2, np.float64)
        gains = [db_to_gain(t.gain_db) for t in tracks]
        for a, b in chunk_bounds(n):  # track by track into a zero block: the additions render_mix makes in memory
            block = np.zeros((b - a, 2))
            for stem, gain in zip(files, gains, strict=True):
                block += stem[a:b] * gain
            total[a:b] = block
        master = apply_true_peak_ceiling(total, sr, spec.ceiling_dbfs, out_dtype=np.float32, allocate=allocate)
        total.remove()
        for spent in made:
            if spent is not master.samples:
                spent.remove()
        report = _mix_report(reports, master, spec)
    except BaseException:
        for frames in files + made:
            frames.close()
        shutil.rmtree(spool, ignore_errors=True)
        raise
    return Rendered(mix=master.samples, stems=_SpooledStems(files, gains), report=report, master=master, spool=spool)


def _track_report(track: Track, spec: MixSpec, measured: StemMeasures, gained) -> TrackReport:
    """A stem's line of the report from its unity-gain measures (``gained()``: the stem at its gain, when LUFS must be measured)."""
    lufs = measured.lufs_at(track.gain_db)
    if lufs is None:
        lufs = stem_lufs(gained(), spec.sample_rate)
    level = lufs if spec.level_unit == "lufs" else measured.active_rms_db + track.gain_db
    peak = max(SILENCE_DB, measured.peak_dbfs + track.gain_db) if measured.peak_dbfs > SILENCE_DB else SILENCE_DB
    return TrackReport(label=track.label, role=track.role, level_db=level, peak_dbfs=peak, unit=spec.level_unit,
                       target_db=track.target_db, error_db=level - track.target_db, lufs=lufs)


def _mix_report(reports: list[TrackReport], master: TruePeakResult, spec: MixSpec) -> MixReport:
    mix = master.samples
    true_peak = true_peak_dbtp(mix, spec.sample_rate)
    if true_peak > spec.ceiling_dbfs:
        raise RenderError(f"master stage failed to hold the {spec.ceiling_dbfs} dBTP ceiling")  # a bug, not input
    return MixReport(tracks=reports, master_gain_db=master.reduction_db, limiter_db=master.limiter_db,
                     peak_dbfs=_blockwise_peak_dbfs(mix), true_peak_dbtp=true_peak,
                     loudness_lufs=integrated_lufs(mix, spec.sample_rate))


class _SpooledStems(Sequence):
    """A long mix's stems: each the float32 file of its equalised stem times its gain (``blocks.Scaled``)."""

    def __init__(self, files: list[FrameFile], gains: list[float]) -> None:
        self._files, self._gains = files, gains

    def __len__(self) -> int:
        return len(self._files)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return Scaled(self._files[i], self._gains[i])


def integrated_lufs(samples: np.ndarray, sample_rate: int) -> float | None:
    """Integrated loudness (ITU-R BS.1770-4, ``loudness.bs1770_loudness``); None if shorter than one 400 ms block."""
    x = as_frames(samples)  # float32 stays float32 (and a file stays on disk): bs1770_loudness widens piece by piece
    if x.shape[0] < int(0.4 * sample_rate):
        return None
    value = bs1770_loudness(x, sample_rate)
    return float(max(LUFS_FLOOR, value)) if np.isfinite(value) else LUFS_FLOOR
