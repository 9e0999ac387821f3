"""Every dynamic EQ cut must earn its place: keep a cut only if it measurably unmasks its maskee.

A planned cut (``dyneq.plan_eq``) is a guess from the masking analysis: the masker is
louder than the maskee in some band during a span. Whether cutting it *helps* depends on
how much of what the maskee sounds like lies in the cut's bands, on the other tracks
that also cover it there, and on the make-up gain that afterwards brings the cut track
back to its level target — which raises the masker in every other band and span too.
A cut that moves the maskee's masking by a few tenths of a dB only colours the masker,
and a make-up gain that lifts a bed under an object nobody cut for can leave that object
*more* masked than before the EQ.

The check works in the band-energy domain of the optimiser (``optimize.CutModel``: the
band-averaged power response of the cross-faded peaking cut, frame by frame), on the
stems' Bark band energies at their planned gains — no audio is filtered:

* every track's energy after its kept cuts, scaled by its estimated make-up gain
  (its energy before / after the cuts, which is what restores its level; for LUFS targets
  the bands are weighted as BS.1770's K-weighting weighs them, ``level_weights``, since a
  cut in the presence region costs more loudness than its energy says);
* **benefit** of a cut: the maskee's masking *in the cut's span* (``masking.py``'s
  per-track number restricted to the span's frames: mean over the maskee's active cells
  of ``min(30, max(0, L_rest − L_j))``) with all kept cuts but this one (its track's
  make-up re-estimated without it) minus the same with all kept cuts — the cut's own,
  marginal share, make-up included. For a cut that serves several maskees (merged by
  ``dyneq``) the best maskee counts;
* cuts whose benefit is below ``min_benefit_db`` (1 dB) are dropped, the worst first —
  in one round only cuts whose spans do not overlap, since dropping one changes what its
  neighbours in time are worth — and the survivors are judged again, until none fails;
* **no guarded track may end up more masked** (whole-mix masking, ``masking.py``) than
  without any EQ (by more than ``RISE_TOLERANCE_DB``, 0.05 dB, what a one-decimal report
  rounds away): while one does, the kept cut whose removal lowers that track's masking the
  most (usually one whose make-up gain lifts a bed under it) is dropped and the rest judged
  again. Guarded are the tracks the EQ works for: the objects, not the beds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scipy.signal import sosfreqz

from ..manifest import EqEvent
from .bark import N_BANDS, BandEnergies
from .loudness import k_weighting
from .masking import CAP_DB, maskee_active, stack_energies
from .optimize import CutModel, band_grid

MIN_BENEFIT_DB = 1.0
RISE_TOLERANCE_DB = 0.05  # a guarded track "ends up more masked" above this: a twentieth of what a cut must earn
_TINY = 1e-15


@dataclass(frozen=True)
class CutVerdict:
    event: EqEvent
    benefit_db: float  # drop of the maskee's masking in the cut's span that this cut is responsible for
    maskee: str  # the maskee it helps most
    kept: bool
    why: str = ""  # for a dropped cut: why it was dropped


def _masking(energy: np.ndarray, j: int, active: np.ndarray | None = None) -> float:
    """Masking of track ``j`` (``masking.py``: mean over its active cells) on energies (tracks, frames, bands).

    ``active`` (tracks, frames, bands) fixes which cells count; by default they are ``j``'s own active cells here.
    """
    cells = _active(energy[j]) if active is None else active[j]
    if not cells.any():
        return 0.0
    own = energy[j][cells]
    rest = energy.sum(axis=0)[cells] - own
    return float(np.clip(10.0 * np.log10(np.maximum(rest, _TINY) / np.maximum(own, _TINY)), 0.0, CAP_DB).mean())


def _active(energy: np.ndarray) -> np.ndarray:
    return maskee_active(10.0 * np.log10(np.maximum(energy, _TINY)))


class _Judge:
    """The band-domain mix with a set of kept cuts: energies, make-up gains, benefits."""

    def __init__(self, energies: list[BandEnergies], labels: list[str], events: list[EqEvent],
                 weights: np.ndarray | None = None) -> None:
        self.energy = stack_energies(energies)
        n, frames, bands = self.energy.shape
        self.weights = np.ones(bands) if weights is None else np.asarray(weights, dtype=float)
        self.active = _active(self.energy)
        self.total = self._level(self.energy)
        self.sounding = [np.nonzero(self.energy[j].any(axis=1))[0] for j in range(n)]  # frames in which j sounds
        self.events = events
        self.index = {label: k for k, label in enumerate(labels)}
        hop = energies[0].hop
        model = CutModel(energies[0].sample_rate, bands)
        centres = np.arange(frames) * hop
        self.shapes: list[tuple[int, np.ndarray, np.ndarray | None]] = []  # per event: (track, rows, band gains)
        for ev in events:
            if ev.track not in self.index:
                raise ValueError(f"EQ event names track '{ev.track}', which is not one of {labels}")
            rows, weights = model.frames(ev, centres, frames * hop)
            gains = model.band_gains(ev, ev.gain_db, weights) if rows.size else None
            self.shapes.append((self.index[ev.track], rows, gains))
        self.set_kept(set(range(len(events))))

    def set_kept(self, kept: set[int]) -> None:
        self.kept = kept
        self.cut = self.energy.copy()  # energies after the kept cuts, before make-up
        for k in kept:
            i, rows, gains = self.shapes[k]
            if gains is not None:
                self.cut[i, rows] *= gains
        self.now = self._level(self.cut)
        n = self.energy.shape[0]
        self.make_up = np.divide(self.total, self.now, out=np.ones(n), where=self.now > 0)  # back to its energy
        self.mixed = self.cut * self.make_up[:, None, None]

    def _level(self, energy: np.ndarray) -> np.ndarray:
        """Level-measure power of each track (or of a (frames, bands) slice of one): band energies, weighted."""
        return (energy @ self.weights).sum(axis=-1)

    def _without(self, k: int) -> tuple[np.ndarray, float]:
        """(its track's energy in the cut's rows, that track's make-up) with cut ``k`` taken out of the kept set."""
        i, rows, gains = self.shapes[k]
        restored = self.cut[i, rows] / gains
        without_now = self.now[i] - self._level(self.cut[i, rows]) + self._level(restored)
        return restored, (self.total[i] / without_now if without_now > 0 else 1.0)

    def benefit(self, k: int) -> tuple[float, str]:
        """(how much higher its best maskee's masking in its span would be without cut ``k``, that maskee)."""
        i, rows, gains = self.shapes[k]
        best, who = 0.0, ""
        if gains is None:
            return best, self.events[k].masks.split(", ")[0]
        restored, make_up = self._without(k)
        now = self.mixed[:, rows]
        without = now.copy()
        without[i] = restored * make_up
        active = self.active[:, rows]
        for name in self.events[k].masks.split(", "):
            j = self.index.get(name)
            if j is None or j == i:
                continue
            gain = _masking(without, j, active) - _masking(now, j, active)
            if gain > best or not who:
                best, who = gain, name
        return best, who

    def masking(self, j: int) -> float:
        """Track ``j``'s whole-mix masking with the kept cuts and make-up gains."""
        return _masking(self.mixed[:, self.sounding[j]], j)

    def masking_without(self, j: int, k: int) -> float:
        """Track ``j``'s whole-mix masking if cut ``k`` were dropped (its track's make-up re-estimated).

        Only the frames in which ``j`` sounds can hold its active cells: the rest is never copied.
        """
        i, rows, gains = self.shapes[k]
        if gains is None:
            return self.masking(j)
        restored, make_up = self._without(k)
        frames = self.sounding[j]
        e = self.mixed[:, frames]
        e[i] = self.cut[i, frames] * make_up
        at = np.searchsorted(frames, rows)
        hit = at < frames.size
        hit[hit] = frames[at[hit]] == rows[hit]
        e[i, at[hit]] = restored[hit] * make_up
        return _masking(e, j)


def k_weights(sample_rate: int, n_bands: int = N_BANDS) -> np.ndarray:
    """Mean power response of BS.1770's K-weighting in each Bark band (pyloudnorm's filters, ``loudness.py``)."""
    freqs, band = band_grid(sample_rate)
    _, h = sosfreqz(k_weighting(sample_rate), worN=freqs, fs=sample_rate)
    power = np.abs(h) ** 2
    sums = np.bincount(band, weights=power, minlength=n_bands)
    counts = np.bincount(band, minlength=n_bands)
    return np.divide(sums, counts, out=np.ones(n_bands), where=counts > 0)


def _earn_round(judge: _Judge, min_benefit_db: float, benefit: dict[int, tuple[float, str]]) -> set[int]:
    """Judge every kept cut; return the failing ones to drop now (worst first, no two overlapping in time)."""
    for k in judge.kept:
        benefit[k] = judge.benefit(k)
    failing = sorted((k for k in judge.kept if benefit[k][0] < min_benefit_db), key=lambda k: benefit[k][0])
    drop: set[int] = set()
    for k in failing:
        ev = judge.events[k]
        if all(ev.end <= judge.events[d].start or judge.events[d].end <= ev.start for d in drop):
            drop.add(k)
    return drop


def earn_their_place(energies: list[BandEnergies], labels: list[str], events: list[EqEvent], *,
                     min_benefit_db: float = MIN_BENEFIT_DB, guarded: set[int] | None = None,
                     level_weights: np.ndarray | None = None) -> list[CutVerdict]:
    """A verdict per planned cut (same order); ``kept`` says whether it stays (module docstring).

    ``guarded``: indices of the tracks whose whole-mix masking must not rise (``adaptive`` passes the
    objects; by default none is guarded and only each cut's own benefit counts).
    ``level_weights``: per-band power weights of the level measure the make-up gain restores
    (``k_weights`` for LUFS targets; default: plain energy, as active RMS dBFS reads it).
    """
    if not events:
        return []
    judge = _Judge(energies, labels, events, level_weights)
    guarded = guarded or set()
    before = {j: _masking(judge.energy, j, judge.active) for j in guarded}
    benefit: dict[int, tuple[float, str]] = {}
    why: dict[int, str] = {}
    while judge.kept:
        drop = _earn_round(judge, min_benefit_db, benefit)
        for k in drop:
            why[k] = f"lowers {benefit[k][1]}'s masking there by only {benefit[k][0]:.2f} dB"
        if not drop:
            risen = {j: judge.masking(j) - before[j] for j in sorted(guarded)}
            j = max(risen, key=risen.get) if risen else None
            if j is None or risen[j] <= RISE_TOLERANCE_DB:
                break
            k = min(sorted(judge.kept), key=lambda k: judge.masking_without(j, k))
            why[k] = f"with it {labels[j]} would end up {risen[j]:.2f} dB more masked than without EQ"
            drop = {k}
        judge.set_kept(judge.kept - drop)
    return [CutVerdict(ev, float(benefit.get(k, (0.0, ""))[0]), benefit.get(k, (0.0, ""))[1], k in judge.kept,
                       why.get(k, "")) for k, ev in enumerate(events)]
