"""The automatic mix engineer over planned tracks: measure masking, plan dynamic EQ, optionally optimise.

Glue between the basic mixer (``render.render_stem``) and the psychoacoustic pieces
(``bark``, ``masking``, ``dyneq``, ``optimize``). Pure apart from reading the sound files
through ``SourceCache``; it returns decisions (EQ events, gain offsets) and summaries, and
the caller writes them into the manifest, after which ``render`` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..manifest import MixSpec, Track
from .bark import band_energies
from .dyneq import EqConfig, activity_spans, apply_eq, plan_eq
from ..manifest import EqEvent, MaskingSummary, OptimiserReport
from .masking import analyse_masking
from .optimize import OptimiserConfig, optimise_mix
from .render import render_stem
from .source import SourceCache


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
) -> Adaptation:
    """Plan dynamic EQ (and, opt-in, gains/EQ depths) for ``tracks`` rendered as planned.

    ``importance`` per track (beds 0 by convention; the highest is protected from cuts).
    Stems are rendered without EQ, analysed, cut, and analysed again for the "after" numbers.
    """
    sr = spec.sample_rate
    cache = SourceCache(sr)
    labels = [t.label for t in tracks]
    stems = [render_stem(t.model_copy(update={"eq": []}) if "eq" in type(t).model_fields else t,
                         cache.get(t.sound.path, track=t.label), spec) for t in tracks]  # fmt: skip
    energies = [band_energies(s, sr) for s in stems]
    before = analyse_masking(energies, labels)
    events = plan_eq(
        before, importance=importance, activity=[activity_spans(s, sr) for s in stems], sample_rate=sr,
        config=eq_config, background={i for i, t in enumerate(tracks) if t.role == "ambience"},
    )  # fmt: skip
    offsets = np.zeros(len(tracks))
    report = None
    if optimize:
        result = optimise_mix(energies, labels, events, optimiser_config or OptimiserConfig(seed=spec.seed))
        events, offsets, report = result.events, result.gain_offsets_db, result.report
    after_stems = [
        apply_eq(s * 10 ** (o / 20), sr, [e for e in events if e.track == label])
        for s, o, label in zip(stems, offsets, labels, strict=True)
    ]
    after = analyse_masking([band_energies(s, sr) for s in after_stems], labels)
    return Adaptation(events, [float(o) for o in offsets], before.summary(), after.summary(), report)


def measure_masking(tracks: list[Track], spec: MixSpec) -> MaskingSummary:
    """Masking of the tracks exactly as they will render (gains, pan and EQ applied).

    ``adapt_mix`` reports its "after" before any later gain step (e.g. the planner's EQ
    make-up gain); this measures the final plan, so the manifest's numbers are the mix's.
    """
    sr = spec.sample_rate
    cache = SourceCache(sr)
    stems = [render_stem(t, cache.get(t.sound.path, track=t.label), spec) for t in tracks]
    return analyse_masking([band_energies(s, sr) for s in stems], [t.label for t in tracks]).summary()
