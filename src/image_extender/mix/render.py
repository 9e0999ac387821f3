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

No randomness lives here: re-rendering the same tracks gives bit-identical samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyloudnorm

from ..errors import RenderError
from ..manifest import Event, MixReport, MixSpec, Track, TrackReport
from .ceiling import CeilingResult
from .dyneq import apply_eq
from .levels import db_to_gain, measure_level, peak_dbfs
from .loudness import TruePeakResult, apply_true_peak_ceiling, stem_lufs, true_peak_dbtp
from .pan import balance_stereo, pan_mono, to_mono
from .source import SourceCache

LUFS_FLOOR = -70.0  # what silence measures as (scaper's floor), so reports stay finite


@dataclass(frozen=True)
class Rendered:
    mix: np.ndarray  # (frames, 2) float32, after the master stage
    stems: list[np.ndarray]  # one (frames, 2) float32 per track, gain and pan applied, before the master stage
    report: MixReport
    master: TruePeakResult

    @property
    def ceiling(self) -> CeilingResult:
        """The sample-peak stage inside the master stage (its per-sample ``gain`` curve)."""
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


def render_stem(track: Track, source: np.ndarray, spec: MixSpec, *, gain_db: float | None = None) -> np.ndarray:
    """One track as (frames, 2) float64; ``gain_db`` overrides ``track.gain_db`` (the planner uses 0)."""
    sr = spec.sample_rate
    n = mix_frames(spec)
    src = source
    if track.role == "object" or src.shape[1] > 2:
        src = to_mono(src)[:, None]
    if track.loop:
        src = loop_unit(src, int(round(track.crossfade * sr)))
    lane = np.zeros((n, src.shape[1]))
    for event in track.events:
        start = int(round(event.start * sr))
        if start >= n:
            continue
        seg = event_segment(src, event, sr, looped=track.loop)[: n - start]
        lane[start : start + seg.shape[0]] += seg
    if track.automation is not None:  # pan/level curves over time (video; automation.py)
        from .automation import apply_automation

        stereo = apply_automation(lane, track.automation, sr)
    else:
        stereo = pan_mono(lane[:, 0], track.pan) if lane.shape[1] == 1 else balance_stereo(lane, track.pan)
    stem = stereo * db_to_gain(track.gain_db if gain_db is None else gain_db)
    eq = getattr(track, "eq", None)  # planned dynamic-EQ cuts (dyneq.py); applied, never decided, here
    return apply_eq(stem, sr, eq) if eq else stem


def render_mix(tracks: list[Track], spec: MixSpec) -> Rendered:
    """Render every track, sum, hold the true-peak ceiling, and measure what came out."""
    sr = spec.sample_rate
    cache = SourceCache(sr)
    n = mix_frames(spec)
    total = np.zeros((n, 2))
    stems: list[np.ndarray] = []
    reports: list[TrackReport] = []
    for track in tracks:
        source = cache.get(track.sound.path, track=track.label)
        stem = render_stem(track, source, spec)
        total += stem
        stems.append(stem.astype(np.float32))
        lufs = stem_lufs(stem, sr)
        level = lufs if spec.level_unit == "lufs" else measure_level(stem, sr, spec.level_unit)
        reports.append(
            TrackReport(label=track.label, role=track.role, level_db=level, peak_dbfs=peak_dbfs(stem),
                        unit=spec.level_unit, target_db=track.target_db, error_db=level - track.target_db, lufs=lufs)
        )
    master = apply_true_peak_ceiling(total, sr, spec.ceiling_dbfs)
    mix = master.samples.astype(np.float32)
    true_peak = true_peak_dbtp(mix, sr)
    if true_peak > spec.ceiling_dbfs:
        raise RenderError(f"master stage failed to hold the {spec.ceiling_dbfs} dBTP ceiling")  # a bug, not input
    report = MixReport(
        tracks=reports,
        master_gain_db=master.reduction_db,
        limiter_db=master.limiter_db,
        peak_dbfs=peak_dbfs(mix),
        true_peak_dbtp=true_peak,
        loudness_lufs=integrated_lufs(mix, sr),
    )
    return Rendered(mix=mix, stems=stems, report=report, master=master)


def integrated_lufs(samples: np.ndarray, sample_rate: int) -> float | None:
    """Integrated loudness (ITU-R BS.1770-4 via pyloudnorm); None if shorter than one 400 ms block."""
    x = np.asarray(samples, dtype=np.float64)
    if x.shape[0] < int(0.4 * sample_rate):
        return None
    value = pyloudnorm.Meter(sample_rate).integrated_loudness(x)
    return float(max(LUFS_FLOOR, value)) if np.isfinite(value) else LUFS_FLOOR
