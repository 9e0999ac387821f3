"""Who masks whom, where and when: masking matrices over Bark bands and time.

After Zhao & Pérez-Cota (2024, "Adaptive Filtering for Multi-Track Audio Based on
Time–Frequency Masking Detection", Signals 5(4)): masking is detected cell by cell on a
time × critical-band grid (``bark.py``), in dB, and only where both sounds are present.

Definitions (all levels in dB on the dBFS-power scale of ``bark.py``; ``L_i[t, b]`` is
track *i*'s level in band *b* at frame *t*):

* **Masker active** in a cell: ``L_i ≥ FLOOR_DB`` (−80 dB) — it puts audible energy there.
* **Maskee active** in a cell: ``L_j ≥ FLOOR_DB`` *and* ``L_j ≥ max_b L_j[t, :] − RANGE_DB``
  (30 dB): the band carries a meaningful part of what *j* sounds like at that moment. An
  empty 50 Hz band of a voice cannot be "masked" in any way a listener would miss.
* **Pairwise excess** (the masking matrix): ``X[i, j, t, b] = min(CAP_DB, max(0, L_i − L_j))``
  where the masker is active and the maskee is active, else 0. ``CAP_DB`` = 30 dB:
  beyond that the maskee is inaudible in the band and more excess cannot bury it further.
  ``X[i, j]`` and ``X[j, i]`` together give the direction: at each frame the pair's
  *dominant* side is the one with the larger band sum; a **role swap** is a change of
  the dominant side (smoothed over ``SWAP_SMOOTH_SECONDS``).
* **Per-track masking** (one number per track): the rest of the mix is what actually
  hides a track, so ``m_j = mean over j's active cells of min(CAP_DB, max(0, L_rest − L_j))``
  with ``L_rest = 10·log10(Σ_{i≠j} E_i)`` — "wherever and whenever *j* sounds, the rest of
  the mix is on average m_j dB louder than it" (0 = never masked).
* **Mix masking** = mean of ``m_j`` over tracks; **imbalance** = their standard deviation
  (Liu, Mourgela, Ai & Reiss 2024 optimise exactly this pair: total masking and how
  unevenly it is spread).

The compact report keeps, per (masker, maskee) pair, the excess summed over time per band
(dB·s) and the time spans in which the maskee is masked by at least
``CLASH_THRESHOLD_DB`` (3 dB) in some band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d

from .bark import BARK_CENTRES_HZ, BandEnergies
from ..manifest import ClashSpan, MaskingSummary, PairMasking, TrackMasking

FLOOR_DB = -80.0
RANGE_DB = 30.0
CAP_DB = 30.0
CLASH_THRESHOLD_DB = 3.0
MIN_SPAN_SECONDS = 0.1
MAX_GAP_SECONDS = 0.15
SWAP_SMOOTH_SECONDS = 0.25
_TINY = 10.0 ** (-150.0 / 10.0)

FORMULA = (
    "per track j: mean over cells (frame t, Bark band b) where j is active "
    f"(band level >= {FLOOR_DB:g} dB and within {RANGE_DB:g} dB of j's loudest band at t) of "
    f"min({CAP_DB:g}, max(0, L_rest - L_j)) dB, L_rest = level of the sum of all other tracks; "
    "mix = mean over tracks, imbalance = standard deviation over tracks"
)


def _db(energy: np.ndarray) -> np.ndarray:
    return 10.0 * np.log10(np.maximum(energy, _TINY))


def stack_energies(energies: list[BandEnergies]) -> np.ndarray:
    """(tracks, frames, 25) array from per-track band energies of equal-length signals."""
    if not energies:
        return np.zeros((0, 0, len(BARK_CENTRES_HZ)))
    frames = {e.frames for e in energies}
    if len(frames) != 1:
        raise ValueError(f"band energies differ in length ({sorted(frames)} frames); render stems to one length first")
    return np.stack([e.energy for e in energies])


def maskee_active(levels_db: np.ndarray) -> np.ndarray:
    """Cells in which a track can be masked (see the module docstring); works on (..., frames, 25)."""
    loudest = levels_db.max(axis=-1, keepdims=True)
    return (levels_db >= FLOOR_DB) & (levels_db >= loudest - RANGE_DB)


def track_masking_db(energy: np.ndarray, active: np.ndarray | None = None) -> np.ndarray:
    """Per-track masking ``m_j`` (dB) from (tracks, frames, 25) band energies — the fast path.

    ``active`` may be passed in when the caller knows it (the optimiser keeps each track's
    activity fixed at its planned state so gain moves do not change which cells count).
    """
    n = energy.shape[0]
    out = np.zeros(n)
    if n < 2:
        return out
    total = energy.sum(axis=0)
    for j in range(n):  # a track at a time: temporaries of one track's size, not of the whole stack (a long mix)
        levels = _db(energy[j])
        cells = maskee_active(levels) if active is None else active[j]
        count = cells.sum()
        if count > 0:
            excess = np.clip(_db(total - energy[j]) - levels, 0.0, CAP_DB)
            out[j] = np.where(cells, excess, 0.0).sum() / count
    return out


@dataclass(frozen=True)
class MaskingAnalysis:
    """Everything measured on one set of stems; ``summary()`` is its manifest form."""

    labels: list[str]
    hop_seconds: float
    levels_db: np.ndarray  # (tracks, frames, 25)
    active: np.ndarray  # (tracks, frames, 25) maskee activity
    excess: np.ndarray  # (masker, maskee, frames, 25) dB (float32), 0 where not both active
    track_db: np.ndarray  # (tracks,) m_j

    @property
    def mix_db(self) -> float:
        return float(self.track_db.mean()) if self.track_db.size else 0.0

    @property
    def imbalance_db(self) -> float:
        return float(self.track_db.std()) if self.track_db.size else 0.0

    @property
    def frames(self) -> int:
        return self.levels_db.shape[1]

    def pair_db_s(self, masker: int, maskee: int) -> np.ndarray:
        """(25,) excess of ``masker`` over ``maskee`` summed over time, in dB·s."""
        return self.excess[masker, maskee].sum(axis=0) * self.hop_seconds

    def clash_frames(self, masker: int, maskee: int, threshold_db: float = CLASH_THRESHOLD_DB) -> np.ndarray:
        return self.excess[masker, maskee].max(axis=1) >= threshold_db

    def spans(self, masker: int, maskee: int, threshold_db: float = CLASH_THRESHOLD_DB) -> list[ClashSpan]:
        """Time spans in which ``masker`` buries ``maskee`` by ≥ ``threshold_db`` in some band."""
        hop = self.hop_seconds
        x = self.excess[masker, maskee]
        out: list[ClashSpan] = []
        for f0, f1 in _runs(self.clash_frames(masker, maskee, threshold_db), int(round(MAX_GAP_SECONDS / hop))):
            start = max(0.0, (f0 - 0.5) * hop)
            end = min(self.frames * hop, (f1 + 0.5) * hop)  # f1 exclusive
            if end - start < MIN_SPAN_SECONDS:
                continue
            block = x[f0:f1]
            band = int(np.argmax(block.sum(axis=0)))
            hit = block[:, band][block[:, band] > 0]
            out.append(
                ClashSpan(
                    start=round(start, 4),
                    end=round(end, 4),
                    band=band,
                    centre_hz=float(BARK_CENTRES_HZ[band]),
                    mean_excess_db=round(float(hit.mean()) if hit.size else 0.0, 2),
                    peak_excess_db=round(float(block[:, band].max()), 2),
                )
            )
        return out

    def direction(self, i: int, j: int) -> tuple[float, list[float]]:
        """(share of co-active frames in which i masks j more than j masks i, role-swap times)."""
        a = self.excess[i, j].sum(axis=1)
        b = self.excess[j, i].sum(axis=1)
        both = (self.active[i].any(axis=1)) & (self.active[j].any(axis=1)) & ((a > 0) | (b > 0))
        if not both.any():
            return 0.0, []
        share = float(np.mean(a[both] > b[both]))
        size = max(1, int(round(SWAP_SMOOTH_SECONDS / self.hop_seconds)))
        d = uniform_filter1d(np.where(both, a - b, 0.0), size=size, mode="constant")
        sign = np.sign(np.where(both, d, 0.0))
        idx = np.nonzero(sign)[0]
        swaps = [round(float(idx[k] * self.hop_seconds), 3) for k in range(1, idx.size) if sign[idx[k]] != sign[idx[k - 1]]]
        return share, swaps

    def summary(self, threshold_db: float = CLASH_THRESHOLD_DB) -> MaskingSummary:
        hop = self.hop_seconds
        tracks = [
            TrackMasking(
                label=label,
                masking_db=round(float(self.track_db[k]), 3),
                active_seconds=round(float(self.active[k].any(axis=1).sum() * hop), 3),
            )
            for k, label in enumerate(self.labels)
        ]
        pairs: list[PairMasking] = []
        for i, masker in enumerate(self.labels):
            for j, maskee in enumerate(self.labels):
                if i == j:
                    continue
                per_band = self.pair_db_s(i, j)
                if not per_band.any():
                    continue
                share, swaps = self.direction(i, j)
                pairs.append(
                    PairMasking(
                        masker=masker,
                        maskee=maskee,
                        per_band_db_s=[round(float(v), 3) for v in per_band],
                        total_db_s=round(float(per_band.sum()), 3),
                        masked_seconds=round(float(self.clash_frames(i, j, threshold_db).sum() * hop), 3),
                        spans=self.spans(i, j, threshold_db),
                        role_swaps=swaps,
                        dominance=round(share, 3),
                    )
                )
        return MaskingSummary(
            formula=FORMULA,
            clash_threshold_db=threshold_db,
            mix_db=round(self.mix_db, 3),
            imbalance_db=round(self.imbalance_db, 3),
            tracks=tracks,
            pairs=pairs,
            band_centres_hz=[float(f) for f in BARK_CENTRES_HZ],
        )


def _runs(mask: np.ndarray, max_gap: int) -> list[tuple[int, int]]:
    """[start, end) index runs of True, bridging gaps of ≤ ``max_gap`` False frames."""
    idx = np.nonzero(mask)[0]
    if idx.size == 0:
        return []
    breaks = np.nonzero(np.diff(idx) > max_gap + 1)[0]
    starts = np.r_[idx[0], idx[breaks + 1]]
    ends = np.r_[idx[breaks], idx[-1]] + 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def analyse_masking(energies: list[BandEnergies], labels: list[str]) -> MaskingAnalysis:
    """Masking matrices and numbers for tracks whose stems were analysed by ``bark.band_energies``."""
    if len(energies) != len(labels):
        raise ValueError(f"{len(energies)} band-energy sets for {len(labels)} labels")
    energy = stack_energies(energies)
    hop = energies[0].hop_seconds if energies else 0.0
    levels = _db(energy)
    active = maskee_active(levels)
    masker_on = levels >= FLOOR_DB
    # (masker, maskee, frames, bands), one masker at a time and stored as float32: the matrix grows with
    # tracks² × frames, and float64 plus a float64 difference of the same size cost 4× as much
    n = len(labels)
    excess = np.zeros((n, *levels.shape), dtype=np.float32)
    for i in range(n):
        for j in range(n):  # one pair at a time: float64 temporaries of one track's size
            if j != i:
                pair = np.clip(levels[i] - levels[j], 0.0, CAP_DB)
                pair *= masker_on[i] & active[j]
                excess[i, j] = pair
    return MaskingAnalysis(
        labels=list(labels),
        hop_seconds=hop,
        levels_db=levels,
        active=active,
        excess=excess,
        track_db=track_masking_db(energy, active),
    )
