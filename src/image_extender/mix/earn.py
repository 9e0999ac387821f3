"""Every dynamic EQ cut must earn its place: keep a cut only if it measurably unmasks its maskee.

A planned cut (``dyneq.plan_eq``) is a guess from the masking analysis: the masker is
louder than the maskee in some band during a span. Whether cutting it *helps* depends on
how much of what the maskee sounds like lies in the cut's bands, on the other tracks
that also cover it there, and on the make-up gain that afterwards brings the cut track
back to its level target — which raises the masker in every other band and span too.
A cut that moves the maskee's masking by a few tenths of a dB only colours the masker.

The check works in the band-energy domain of the optimiser (``optimize.CutModel``: the
band-averaged power response of the cross-faded peaking cut, frame by frame), on the
stems' Bark band energies at their planned gains — no audio is filtered:

* every track's energy after its kept cuts, scaled by its estimated make-up gain
  (``10·log10`` of its energy before / after the cuts, which is what restores its level);
* for each cut, the maskee's masking *in the cut's span* (``masking.py``'s per-track
  number restricted to the span's frames: mean over the maskee's active cells of
  ``min(30, max(0, L_rest − L_j))``) with all kept cuts, and with all kept cuts but this
  one (its track's make-up re-estimated without it): the difference is the cut's
  **benefit**;
* cuts whose benefit is below ``min_benefit_db`` (1 dB) are dropped, all at once, and
  the survivors are judged again with the new make-up gains, until none is dropped.

For a cut that serves several maskees (merged by ``dyneq``) the best benefit counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..manifest import EqEvent
from .bark import BandEnergies
from .masking import CAP_DB, maskee_active, stack_energies
from .optimize import CutModel

MIN_BENEFIT_DB = 1.0
MARGINAL_SHARE = 0.5  # a cut's own (marginal) part of the drop must reach this share of MIN_BENEFIT_DB
_TINY = 1e-15


@dataclass(frozen=True)
class CutVerdict:
    event: EqEvent
    benefit_db: float  # drop of the maskee's masking in the cut's span that this cut is responsible for
    maskee: str  # the maskee it helps most
    kept: bool


def _span_masking(energy: np.ndarray, active: np.ndarray, j: int, rows: np.ndarray) -> float:
    """Masking of track ``j`` over frames ``rows`` (mean over its active cells), energies (tracks, frames, bands)."""
    cells = active[j, rows]
    if not cells.any():
        return 0.0
    e = energy[:, rows]
    own = e[j]
    rest = e.sum(axis=0) - own
    excess = np.clip(10.0 * np.log10(np.maximum(rest, _TINY) / np.maximum(own, _TINY)), 0.0, CAP_DB)
    return float(excess[cells].mean())


def earn_their_place(energies: list[BandEnergies], labels: list[str], events: list[EqEvent], *,
                     min_benefit_db: float = MIN_BENEFIT_DB, max_rounds: int = 4) -> list[CutVerdict]:
    """A verdict per planned cut (same order); ``kept`` says whether it stays (module docstring)."""
    if not events:
        return []
    energy = stack_energies(energies)
    n, frames, bands = energy.shape
    active = maskee_active(10.0 * np.log10(np.maximum(energy, _TINY)))
    hop = energies[0].hop
    model = CutModel(energies[0].sample_rate, bands)
    centres = np.arange(frames) * hop
    index = {label: k for k, label in enumerate(labels)}
    shapes = []  # per event: (track, rows, band gains)
    for ev in events:
        if ev.track not in index:
            raise ValueError(f"EQ event names track '{ev.track}', which is not one of {labels}")
        rows, weights = model.frames(ev, centres, frames * hop)
        shapes.append((index[ev.track], rows, model.band_gains(ev, ev.gain_db, weights) if rows.size else None))
    total = energy.sum(axis=(1, 2))

    kept = set(range(len(events)))
    benefit = np.zeros(len(events))
    helped = [""] * len(events)
    for _ in range(max_rounds):
        cut = energy.copy()  # energies after the kept cuts, before make-up
        for k in kept:
            i, rows, gains = shapes[k]
            if gains is not None:
                cut[i, rows] *= gains
        now = cut.sum(axis=(1, 2))
        make_up = np.divide(total, now, out=np.ones(n), where=now > 0)  # back to the energy (≈ level) it had
        with_all = cut * make_up[:, None, None]
        for k in sorted(kept):
            i, rows, gains = shapes[k]
            best, who = 0.0, ""
            if gains is not None:
                # the same mix without this one cut: its track's span restored, its make-up re-estimated
                restored = cut[i, rows] / gains
                without_now = now[i] - cut[i, rows].sum() + restored.sum()
                without = with_all[:, rows].copy()
                without[i] = restored * (total[i] / without_now if without_now > 0 else 1.0)
                span = np.arange(rows.size)
                for name in events[k].masks.split(", "):
                    j = index.get(name)
                    if j is None or j == i:
                        continue
                    now_j = _span_masking(with_all[:, rows], active[:, rows], j, span)
                    marginal = _span_masking(without, active[:, rows], j, span) - now_j
                    joint = _span_masking(energy[:, rows], active[:, rows], j, span) - now_j
                    gain = min(joint, marginal / MARGINAL_SHARE)
                    if gain > best or not who:
                        best, who = gain, name
            benefit[k], helped[k] = best, who
        dropped = {k for k in kept if benefit[k] < min_benefit_db}
        if not dropped:
            break
        kept -= dropped
    return [CutVerdict(ev, round(float(benefit[k]), 2), helped[k], k in kept) for k, ev in enumerate(events)]
