"""Opt-in refinement: tune track gains and EQ depths to minimise masking, within bounds.

After Liu, Mourgela, Ai & Reiss (2024, "An Automatic Mixing Speech Enhancement System for
Multi-Track Audio", arXiv 2404.17821): an iterative, derivative-free search over mix
parameters whose objective is the total masking *plus* how unevenly it is spread, so no
source ends up disproportionately buried, with the engineer's level intentions kept as
soft constraints.

**Parameters** (one vector ``x``): a gain offset ``δ_i`` per track, bounded to
``±gain_bound_db`` (3 dB) around the planner's level, and the depth ``d_e`` of every planned
dynamic-EQ event, bounded to ``[−max_cut_db, 0]``.

**Objective** (lower is better)::

    J(x) = M(x) + λ_imb·S(x) + λ_lvl·mean_i (δ_i / bound)² + λ_eq·mean_e (|d_e| / max_cut)

with ``M`` the mix masking and ``S`` the imbalance (mean and standard deviation over tracks
of the per-track masking ``m_j`` of ``masking.py``), the quadratic term the soft level
constraint (1 dB of objective for sitting on the bound) and the last term a small price
on EQ so cuts that buy nothing are given back. Defaults λ_imb = 1, λ_lvl = 1, λ_eq = 0.25.

**Evaluated in the band-energy domain**, never on audio: each track's Bark band energies
(``bark.py``, rendered once at the planned gain, *without* EQ) are scaled by ``10^(δ/10)``
and, inside each EQ event, by the band-averaged power response of the cross-faded peaking
cut (``|1 − w + w·H(f)|²`` averaged over 16 log-spaced frequencies per band, ``w`` the
cross-fade weight at the frame centre). Which cells count as active is frozen at the
planned state, so the objective is a smooth function of ``x``. Only frames where at least
two tracks sound are evaluated; the others contribute no masking.

**Search**: ``scipy.optimize.differential_evolution`` seeded with the planned state
(``x0``: δ = 0, planned depths), no gradient polish, stopped after the first generation
that ends past the time budget (default 10 s). Because ``x0`` is in the initial
population the result is never worse than the plan. With a time budget the number of
generations depends on the machine; the *outcome* is written to the manifest (gains, EQ
depths), so re-rendering a manifest stays bit-identical.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import differential_evolution

from .bark import BARK_EDGES_HZ, BandEnergies
from .dyneq import cut_envelope, peaking_coefficients
from ..manifest import EqEvent, OptimiserReport, OptimiserStep
from .masking import FLOOR_DB, maskee_active, stack_energies, track_masking_db

OBJECTIVE = (
    "J = M + l_imb*S + l_lvl*mean_i (gain_offset_i/bound)^2 + l_eq*mean_e (|eq_depth_e|/max_cut); "
    "M, S = mean and standard deviation over tracks of per-track masking (masking.FORMULA), band-energy domain"
)
POINTS_PER_BAND = 16


@dataclass(frozen=True)
class OptimiserConfig:
    budget_seconds: float = 10.0
    gain_bound_db: float = 3.0
    max_cut_db: float = 6.0
    imbalance_weight: float = 1.0
    level_weight: float = 1.0
    eq_weight: float = 0.25
    popsize: int = 8  # differential_evolution's multiplier: population = popsize × parameters
    max_generations: int = 1000
    seed: int = 0


@dataclass
class OptimiserResult:
    gain_offsets_db: np.ndarray  # per track, add to Track.gain_db
    events: list[EqEvent]  # the planned events with optimised depths (near-zero cuts dropped)
    report: OptimiserReport
    history: list[float] = field(default_factory=list)


def band_grid(sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(frequencies, band index of each) — POINTS_PER_BAND log-spaced points per Bark band below Nyquist."""
    freqs, bands = [], []
    for b in range(len(BARK_EDGES_HZ) - 1):
        lo, hi = BARK_EDGES_HZ[b], min(BARK_EDGES_HZ[b + 1], 0.499 * sample_rate)
        if hi <= lo:
            continue
        freqs.append(np.geomspace(lo, hi, POINTS_PER_BAND))
        bands.append(np.full(POINTS_PER_BAND, b))
    return np.concatenate(freqs), np.concatenate(bands)


def _response(event: EqEvent, gain_db: float, sample_rate: int, z: np.ndarray) -> np.ndarray:
    """Complex response of the peaking cut at ``z`` = e^{jω} for a given depth."""
    freq = min(event.freq_hz, 0.45 * sample_rate)
    sos = peaking_coefficients(freq, gain_db, event.q, sample_rate)[0]
    zi = 1.0 / z
    return (sos[0] + sos[1] * zi + sos[2] * zi**2) / (1.0 + sos[4] * zi + sos[5] * zi**2)


class CutModel:
    """The band-domain effect of a cross-faded peaking cut (module docstring), for one sample rate.

    Shared by the optimiser and by ``earn.py``'s check that every cut helps.
    """

    def __init__(self, sample_rate: int, n_bands: int = len(BARK_EDGES_HZ) - 1) -> None:
        self.sample_rate = sample_rate
        self.n_bands = n_bands
        freqs, self.grid_band = band_grid(sample_rate)
        self.z = np.exp(1j * 2.0 * np.pi * freqs / sample_rate)
        self.present = np.bincount(self.grid_band, minlength=n_bands)

    def frames(self, event: EqEvent, centres: np.ndarray, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
        """(indices into ``centres`` (frame centres, samples) inside the cut, cross-fade weight at each)."""
        s0, w = cut_envelope(n_samples, self.sample_rate, event.start, event.end, event.ramp)
        # centres are sorted: bisect instead of a scan of the whole timeline per cut
        lo, hi = np.searchsorted(centres, [s0, s0 + w.size], side="left")
        rows = np.arange(lo, hi)
        return rows, (w[centres[rows] - s0] if rows.size else np.zeros(0))

    def band_gains(self, event: EqEvent, depth: float, weights: np.ndarray) -> np.ndarray:
        """(rows, bands) band-averaged power gain of the cut at each cross-fade weight."""
        h = _response(event, depth, self.sample_rate, self.z)
        mixed = np.abs(1.0 - weights[:, None] + weights[:, None] * h[None, :]) ** 2  # (rows, points)
        out = np.ones((weights.size, self.n_bands))
        sums = np.zeros((weights.size, self.n_bands))
        np.add.at(sums.T, self.grid_band, mixed.T)
        has = self.present > 0
        out[:, has] = sums[:, has] / self.present[has]
        return out


class BandProblem:
    """The objective ``J(x)`` of the module docstring on precomputed band energies."""

    def __init__(
        self, energies: list[BandEnergies], labels: list[str], events: list[EqEvent], config: OptimiserConfig
    ) -> None:
        if not energies:
            raise ValueError("nothing to optimise: no tracks")
        self.labels = labels
        self.events = events
        self.config = config
        self.sample_rate = energies[0].sample_rate
        energy = stack_energies(energies)
        levels = 10.0 * np.log10(np.maximum(energy, 1e-15))
        active = maskee_active(levels)
        sounding = (levels >= FLOOR_DB).any(axis=2)  # (tracks, frames)
        keep = sounding.sum(axis=0) >= 2
        self.frames = np.nonzero(keep)[0]
        self.energy = energy[:, self.frames]
        self.active = active[:, self.frames]
        # only the full count matters for the mean: inactive-elsewhere frames add zeros
        self.counts = active.sum(axis=(1, 2))
        self.track_of = {label: k for k, label in enumerate(labels)}
        self.cut_model = CutModel(self.sample_rate, energy.shape[2])
        hop = energies[0].hop
        n_samples = energy.shape[1] * hop
        centres = self.frames * hop
        self.event_frames: list[tuple[np.ndarray, np.ndarray]] = []  # (row indices into self.frames, weights)
        for ev in events:
            if ev.track not in self.track_of:
                raise ValueError(f"EQ event names track '{ev.track}', which is not one of {labels}")
            self.event_frames.append(self.cut_model.frames(ev, centres, n_samples))
        n = len(labels)
        # a cut planned deeper than max_cut_db (a ducked bed, dyneq.EqConfig.bed_max_cut_db) keeps its depth as bound
        self.bounds = [(-config.gain_bound_db, config.gain_bound_db)] * n + [
            (-max(config.max_cut_db, -e.gain_db), 0.0) for e in events]
        self.x0 = np.r_[np.zeros(n), [e.gain_db for e in events]]
        self.evaluations = 0

    def _band_power(self, event: EqEvent, depth: float, weights: np.ndarray) -> np.ndarray:
        """(rows, 25) band-averaged power gain of the cross-faded cut at each weight."""
        return self.cut_model.band_gains(event, depth, weights)

    def masking(self, x: np.ndarray) -> np.ndarray:
        """Per-track masking m_j (dB) at parameters ``x``."""
        n = len(self.labels)
        energy = self.energy * (10.0 ** (np.asarray(x[:n]) / 10.0))[:, None, None]
        for k, ev in enumerate(self.events):
            rows, weights = self.event_frames[k]
            if rows.size and x[n + k] < 0:
                i = self.track_of[ev.track]
                energy[i, rows] = energy[i, rows] * self._band_power(ev, float(x[n + k]), weights)
        sums = track_masking_db(energy, self.active) * self.active.sum(axis=(1, 2))
        return np.divide(sums, self.counts, out=np.zeros(n), where=self.counts > 0)

    def parts(self, x: np.ndarray) -> tuple[float, float, float]:
        """(objective, mix masking M, imbalance S)."""
        c = self.config
        n = len(self.labels)
        m = self.masking(x)
        mix, imbalance = float(m.mean()), float(m.std())
        level = float(np.mean((np.asarray(x[:n]) / c.gain_bound_db) ** 2))
        eq = float(np.mean(np.abs(x[n:]) / c.max_cut_db)) if len(self.events) else 0.0
        return mix + c.imbalance_weight * imbalance + c.level_weight * level + c.eq_weight * eq, mix, imbalance

    def __call__(self, x: np.ndarray) -> float:
        self.evaluations += 1
        return self.parts(x)[0]


def optimise_mix(
    energies: list[BandEnergies],
    labels: list[str],
    events: list[EqEvent],
    config: OptimiserConfig | None = None,
) -> OptimiserResult:
    """Search gains and EQ depths for the lowest objective within the time budget (module docstring)."""
    config = config or OptimiserConfig()
    problem = BandProblem(energies, labels, events, config)
    before, m_before, s_before = problem.parts(problem.x0)
    t0 = time.perf_counter()
    history: list[OptimiserStep] = []

    def stop(intermediate_result) -> bool:
        elapsed = time.perf_counter() - t0
        history.append(OptimiserStep(generation=len(history) + 1, seconds=round(elapsed, 3), objective=float(intermediate_result.fun)))
        return elapsed >= config.budget_seconds

    result = differential_evolution(
        problem,
        problem.bounds,
        x0=problem.x0,
        seed=config.seed,
        popsize=config.popsize,
        maxiter=config.max_generations,
        tol=0.0,
        atol=1e-6,
        polish=False,
        callback=stop,
        init="latinhypercube",
    )
    seconds = time.perf_counter() - t0
    x = result.x if result.fun <= before else problem.x0
    after, m_after, s_after = problem.parts(x)
    n = len(labels)
    lo = np.array([b[0] for b in problem.bounds])
    hi = np.array([b[1] for b in problem.bounds])
    x = np.clip(x, lo, hi)
    offsets = np.round(x[:n], 3)
    depths = np.round(x[n:], 2)
    tuned: list[EqEvent] = []
    for ev, depth in zip(events, depths, strict=True):
        if depth <= -0.05:
            new = ev.model_copy(update={"gain_db": float(depth)})
            new.reason = new.describe() + " (depth tuned by the optimiser)"
            tuned.append(new)
    report = OptimiserReport(
        method=f"scipy.optimize.differential_evolution (popsize {config.popsize}, seed {config.seed}, no polish)",
        objective_formula=OBJECTIVE,
        budget_seconds=config.budget_seconds,
        seconds=round(seconds, 3),
        evaluations=problem.evaluations,
        objective_before=round(before, 4),
        objective_after=round(after, 4),
        masking_before_db=round(m_before, 3),
        masking_after_db=round(m_after, 3),
        imbalance_before_db=round(s_before, 3),
        imbalance_after_db=round(s_after, 3),
        gain_bound_db=config.gain_bound_db,
        gain_offsets_db={label: float(v) for label, v in zip(labels, offsets, strict=True)},
        eq_gains_db=[float(d) for d in depths],
        history=history,
    )
    return OptimiserResult(gain_offsets_db=offsets, events=tuned, report=report, history=[h.objective for h in history])


def apply_offsets(gains_db: list[float], offsets_db: np.ndarray) -> list[float]:
    """Planned gains plus optimiser offsets (what goes back into ``Track.gain_db``)."""
    return [float(g + o) for g, o in zip(gains_db, offsets_db, strict=True)]

