"""The automatic mix engineer over planned tracks: measure masking, plan dynamic EQ, optionally optimise.

Glue between the basic mixer (``render.render_stem``) and the psychoacoustic pieces
(``bark``, ``masking``, ``dyneq``, ``optimize``). Pure apart from reading the sound files
through ``SourceCache``; it returns decisions (EQ events, gain offsets) and summaries, and
the caller writes them into the manifest, after which ``render`` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..manifest import EqEvent, MaskingSummary, MixSpec, OptimiserReport, Track
from .dyneq import EqConfig, activity_spans, plan_eq
from .earn import earn_their_place, k_weights
from .masking import analyse_masking
from .optimize import OptimiserConfig, optimise_mix
from .render import StemCache


@dataclass
class Adaptation:
    events: list[EqEvent]  # all planned EQ events (each names its track)
    gain_offsets_db: list[float]  # per track, to add to Track.gain_db (zeros unless optimised)
    masking_before: MaskingSummary
    masking_after: MaskingSummary
    optimiser: OptimiserReport | None = None

    def events_for(self, label: str) -> list[EqEvent]:
        return [e for e in self.events if e.track == label]


def adapt_mix(
    tracks: list[Track],
    spec: MixSpec,
    importance: list[float],
    *,
    optimize: bool = False,
    eq_config: EqConfig | None = None,
    optimiser_config: OptimiserConfig | None = None,
    stems: StemCache | None = None,
) -> Adaptation:
    """Plan dynamic EQ (and, opt-in, gains/EQ depths) for ``tracks`` rendered as planned.

    ``importance`` per track (beds 0 by convention; the highest is protected from cuts).
    One pass over audio: every stem's Bark band energies come from the run's ``StemCache``
    (analysed once at unity gain, scaled by the track's gain — exact, energy is quadratic in
    gain); the "after" numbers analyse again only the frames the cuts touch.
    """
    sr = spec.sample_rate
    cache = stems or StemCache(spec)
    labels = [t.label for t in tracks]
    plain = [t.model_copy(update={"eq": []}) for t in tracks]
    energies = [cache.bands(t).scaled(t.gain_db) for t in plain]
    before = analyse_masking(energies, labels)
    background = {i for i, t in enumerate(tracks) if t.role == "ambience"}
    events = plan_eq(
        before, importance=importance, activity=[activity_spans(cache.unity(t), sr) for t in plain], sample_rate=sr,
        config=eq_config, background=background,
    )  # fmt: skip
    masking_before = before.summary()
    del before  # its (tracks², frames, bands) matrices are the largest thing planning holds: gone before the earn check
    weights = k_weights(sr) if spec.level_unit == "lufs" else None  # what the make-up gain will restore
    events = _earning(events, energies, labels, eq_config or EqConfig(), guarded=set(range(len(tracks))) - background,
                      level_weights=weights)
    offsets = np.zeros(len(tracks))
    report = None
    if optimize:
        result = optimise_mix(energies, labels, events, optimiser_config or OptimiserConfig(seed=spec.seed))
        events, offsets, report = result.events, result.gain_offsets_db, result.report
    after_tracks = [
        t.model_copy(update={"eq": [e for e in events if e.track == t.label], "gain_db": t.gain_db + float(o)})
        for t, o in zip(plain, offsets, strict=True)
    ]
    after = measure_masking(after_tracks, spec, stems=cache)
    return Adaptation(events, [float(o) for o in offsets], masking_before, after, report)


def _earning(events: list[EqEvent], energies: list, labels: list[str], config: EqConfig, *,
             guarded: set[int], level_weights: np.ndarray | None) -> list[EqEvent]:
    """The planned cuts that earn their place (``earn.py``), each with its measured benefit in its reason."""
    kept = []
    for verdict in earn_their_place(energies, labels, events, min_benefit_db=config.min_benefit_db, guarded=guarded,
                                    level_weights=level_weights):
        if verdict.kept:
            ev = verdict.event.model_copy()
            ev.reason = f"{ev.reason}; lowers {verdict.maskee}'s masking there by {verdict.benefit_db:.1f} dB"
            kept.append(ev)
    return kept


def measure_masking(tracks: list[Track], spec: MixSpec, *, stems: StemCache | None = None) -> MaskingSummary:
    """Masking of the tracks exactly as they will render (gains, pan and EQ applied).

    ``adapt_mix`` reports its "after" before any later gain step (e.g. the planner's EQ
    make-up gain); this measures the final plan, so the manifest's numbers are the mix's.
    """
    cache = stems or StemCache(spec)
    energies = [cache.bands(t).scaled(t.gain_db) for t in tracks]
    return analyse_masking(energies, [t.label for t in tracks]).summary()
