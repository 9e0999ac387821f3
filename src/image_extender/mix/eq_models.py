"""Manifest vocabulary of the psychoacoustic mixer: EQ events, masking summaries, optimiser log.

Plain pydantic models (same strictness as ``manifest.py``: unknown keys are errors) so they
can hang off ``Track`` / ``MixReport``. An ``EqEvent`` is *planned* (decided from the
masking analysis and written to the manifest) and then *applied* by render, so a manifest
re-renders the same samples whether or not the analysis is run again.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class EqEvent(_Model):
    """One dynamic peaking cut on one track (RBJ cookbook peaking biquad, see ``dyneq.py``).

    The cut is fully off before ``start`` and after ``end``; it fades in over ``ramp``
    seconds after ``start`` and out over ``ramp`` seconds before ``end``.
    """

    track: str  # label of the track the cut is applied to (the masker)
    freq_hz: float = Field(gt=0.0)
    gain_db: float = Field(le=0.0, ge=-24.0)  # depth of the cut, negative
    q: float = Field(default=1.0, gt=0.0)
    start: float = Field(ge=0.0)
    end: float = Field(gt=0.0)
    ramp: float = Field(default=0.05, ge=0.0)
    band: int = Field(default=-1, ge=-1)  # Bark band index 0–24 it targets (−1: set by hand)
    masks: str = ""  # label of the track it was unmasking
    excess_db: float = 0.0  # how far the masker exceeded the maskee in that band/span
    reason: str = ""  # the human sentence

    @model_validator(mode="after")
    def _span(self) -> EqEvent:
        if self.end <= self.start:
            raise ValueError(f"EQ event on '{self.track}' ends ({self.end}) before it starts ({self.start})")
        return self

    def describe(self) -> str:
        """"−4.7 dB at 570 Hz on engine from 3.20 s to 5.85 s, because it masks voice by 8.1 dB"."""
        depth = f"{self.gain_db:.1f}".replace("-", "\u2212")
        why = f", because it masks {self.masks} by {self.excess_db:.1f} dB" if self.masks else ""
        return f"{depth} dB at {self.freq_hz:.0f} Hz on {self.track} from {self.start:.2f} s to {self.end:.2f} s{why}"


class ClashSpan(_Model):
    """A stretch of time in which one track masks another in at least one band."""

    start: float
    end: float
    band: int  # Bark band (0–24) with the largest summed excess in the span
    centre_hz: float
    mean_excess_db: float  # mean over the span's clash frames of the excess in that band
    peak_excess_db: float


class PairMasking(_Model):
    """How much ``masker`` buries ``maskee``: per band summed over time, plus when."""

    masker: str
    maskee: str
    per_band_db_s: list[float]  # 25 values: Σ_t excess(b, t)·hop, in dB·s
    total_db_s: float
    masked_seconds: float  # time during which the maskee is masked in ≥ 1 band by ≥ the clash threshold
    spans: list[ClashSpan] = Field(default_factory=list)
    role_swaps: list[float] = Field(default_factory=list)  # times at which the other track takes over as masker
    dominance: float = 0.0  # share of co-active frames in which masker → maskee outweighs maskee → masker


class TrackMasking(_Model):
    label: str
    masking_db: float  # the per-track number (formula in MaskingSummary.formula)
    active_seconds: float


class MaskingSummary(_Model):
    formula: str
    clash_threshold_db: float
    mix_db: float  # mean of the per-track numbers
    imbalance_db: float  # standard deviation of the per-track numbers
    tracks: list[TrackMasking] = Field(default_factory=list)
    pairs: list[PairMasking] = Field(default_factory=list)  # only pairs with any masking
    band_centres_hz: list[float] = Field(default_factory=list)


class TrackLoudness(_Model):
    label: str
    lufs: float  # integrated loudness (BS.1770-4) of the rendered stem, trimmed
    target_lufs: float | None = None
    error_lu: float | None = None


class OptimiserStep(_Model):
    generation: int
    seconds: float
    objective: float


class OptimiserReport(_Model):
    method: str
    objective_formula: str
    budget_seconds: float
    seconds: float
    evaluations: int
    objective_before: float
    objective_after: float
    masking_before_db: float  # band-domain mix masking at the start point
    masking_after_db: float
    imbalance_before_db: float
    imbalance_after_db: float
    gain_bound_db: float
    gain_offsets_db: dict[str, float] = Field(default_factory=dict)  # per track label, added to gain_db
    eq_gains_db: list[float] = Field(default_factory=list)  # final depth of each planned EQ event, in order
    history: list[OptimiserStep] = Field(default_factory=list)
