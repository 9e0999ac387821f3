"""Dynamic EQ: cut the masker, at the clash band, only while the clash lasts.

After Zhao & Pérez-Cota (2024): once the masking analysis (``masking.py``) has found that
track *i* buries track *j* during [t0, t1], we put **peaking cuts** on *i* for that span
only. A bed rarely clashes in one Bark band, so each cut covers a *range* of bands (the
bands holding ``range_share`` of the clash's worst band's excess; ``_clash_cuts``): centred
on the range, as wide as it (Q from its width in octaves, never narrower than ``q``), as
deep as the mean excess there (``depth_per_db`` dB per dB, clamped to ``max_cut_db`` = 6 dB,
or ``bed_max_cut_db`` = 12 dB on an ambience bed: ducking a background under a sound in
front of it). ``earn.py`` then keeps only the cuts that lower their maskee's masking by at
least ``min_benefit_db`` (1 dB) in their span, make-up gain included, and none whose
make-up gain leaves an object more masked than without EQ.

**One cut per passage, not per burst.** A sound that recurs in short bursts (hoof beats,
barks, footsteps) clashes in many short spans a fraction of a second apart; cut one by one,
the masker's EQ would release and re-engage several times a second (audible pumping) and
a 30 s mix of a galloping herd would carry 80-odd cuts. A compressor or dynamic EQ has a
*hold* for this: the clash spans of one pair closer than ``hold`` (1 s) are bridged before
the band ranges are found (so the ranges describe the whole passage), and cuts of one band
range on one track closer than ``hold`` in time merge into one span.

Planning and applying are separate, as for every other mix decision: ``plan_eq`` turns an
analysis into ``EqEvent``s (written to the manifest), ``apply_eq`` applies a list of events
to a stem. Re-applying the same events to the same stem gives the same samples.

**Filter.** The second-order peaking filter of R. Bristow-Johnson's *Audio EQ Cookbook*
(``peaking_coefficients``), run with ``scipy.signal.sosfilt``.

**No clicks.** Switching a filter's coefficients mid-signal makes a step; instead the
stem is filtered with the *static* full-depth cut and the output cross-fades between the
dry and the cut signal: ``y = x + w(t)·(EQ(x) − x)``, with ``w`` 0 outside [start, end]
and raised-cosine ramps of ``ramp`` seconds inside the span (``w`` and its slope are
continuous). At the centre frequency the peaking filter has zero phase, so there the gain
glides monotonically from 0 dB to the full cut and back. Outside the span the stem is
untouched, sample for sample. The filter is started ``preroll`` samples before the ramp
(ten time constants of the biquad's poles) so its start-up transient has died out.

**Who is cut.** Only the masker; never a track marked protected (by default the most
important object); only for a maskee at least as important as the masker (cutting a voice
so the street bed is heard better is not what a mix engineer would do); never just so a
*background* bed is heard better (two beds always overlap, and being partly covered is
what a background is for: cutting one bed for another is churn, not clarity); cuts on one
track closer than ``merge_octaves`` (1 octave) that overlap in time or lie within ``hold``
of each other are merged (union of the spans, deepest depth) so neighbouring cuts cannot
stack below the limit.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np
from scipy.signal import sosfilt

from .bark import BARK_EDGES_HZ
from .blocks import as_frames, chunk_bounds
from ..manifest import ClashSpan, EqEvent
from .masking import CLASH_THRESHOLD_DB, MaskingAnalysis


@dataclass(frozen=True)
class EqConfig:
    max_cut_db: float = 6.0  # deepest cut, positive number of dB
    bed_max_cut_db: float = 12.0  # deepest cut on an ambience bed (ducking a background under a sound in front)
    min_cut_db: float = 1.0  # shallower planned cuts are dropped as pointless
    depth_per_db: float = 1.0  # dB of cut per dB of mean masking excess
    q: float = 1.0
    ramp: float = 0.05  # seconds of raised-cosine ramp at each end
    threshold_db: float = CLASH_THRESHOLD_DB  # masking excess that counts as a clash
    min_span: float = 0.1  # seconds; shorter clashes are left alone
    merge_octaves: float = 1.0
    hold: float = 1.0  # seconds; clash spans (and cuts of one band range on one track) closer than this merge
    bands_per_clash: int = 3  # cut the worst band ranges of a clash (each one peaking cut)
    range_share: float = 0.15  # a band belongs to a clash's range when it holds this share of its worst band's excess
    max_octaves: float = 4.0  # widest single cut; a wider range is split
    min_benefit_db: float = 1.0  # a cut stays only if it lowers its maskee's masking in its span this much (earn.py)
    protect_most_important: bool = True
    only_for_more_important: bool = True  # cut i for j only if importance[j] >= importance[i]

    def __post_init__(self) -> None:
        if not 0 < self.max_cut_db <= 24 or not 0 < self.bed_max_cut_db <= 24:
            raise ValueError(f"max_cut_db and bed_max_cut_db must be in (0, 24] dB, got {self.max_cut_db}, {self.bed_max_cut_db}")
        if self.q <= 0 or self.ramp < 0 or self.depth_per_db < 0:
            raise ValueError("q must be > 0, ramp and depth_per_db >= 0")


def peaking_coefficients(freq_hz: float, gain_db: float, q: float, sample_rate: int) -> np.ndarray:
    """RBJ Audio EQ Cookbook peaking EQ as one second-order section ``[b0 b1 b2 1 a1 a2]``.

    A = 10^(g/40), w0 = 2π f0/fs, α = sin(w0)/(2Q);
    b = [1 + αA, −2 cos w0, 1 − αA], a = [1 + α/A, −2 cos w0, 1 − α/A], normalised by a0.
    """
    if not 0 < freq_hz < sample_rate / 2:
        raise ValueError(f"EQ frequency {freq_hz} Hz is outside (0, {sample_rate / 2}) Hz")
    big_a = 10.0 ** (gain_db / 40.0)
    w0 = 2.0 * math.pi * freq_hz / sample_rate
    alpha = math.sin(w0) / (2.0 * q)
    cos_w0 = math.cos(w0)
    b = np.array([1 + alpha * big_a, -2 * cos_w0, 1 - alpha * big_a])
    a = np.array([1 + alpha / big_a, -2 * cos_w0, 1 - alpha / big_a])
    return np.concatenate([b / a[0], a / a[0]])[None, :]


def cut_envelope(n: int, sample_rate: int, start: float, end: float, ramp: float) -> tuple[int, np.ndarray]:
    """(first sample, weights) of the cross-fade weight ``w`` on [start, end): raised-cosine ramps."""
    s0 = max(0, int(math.ceil(start * sample_rate)))
    s1 = min(n, int(math.floor(end * sample_rate)))
    if s1 <= s0:
        return s0, np.zeros(0)
    t = np.arange(s0, s1) / sample_rate
    ramp = min(ramp, (end - start) / 2.0)
    w = np.ones(s1 - s0)
    if ramp > 0:
        up = t < start + ramp
        w[up] = 0.5 - 0.5 * np.cos(np.pi * (t[up] - start) / ramp)
        down = t > end - ramp
        w[down] = 0.5 - 0.5 * np.cos(np.pi * (end - t[down]) / ramp)
    return s0, w


def cut_plan(n: int, sample_rate: int, event: EqEvent) -> tuple[float, int, int, np.ndarray] | None:
    """(frequency, first written sample, filter run-in ``pre``, weights) of one cut on ``n`` frames; None if it is a no-op."""
    freq = min(event.freq_hz, 0.45 * sample_rate)
    s0, w = cut_envelope(n, sample_rate, event.start, event.end, event.ramp)
    if w.size == 0 or event.gain_db == 0.0:
        return None
    tau = 2.0 * event.q / (2.0 * math.pi * freq)  # pole time constant of the biquad, roughly
    return freq, s0, min(s0, int(math.ceil(10.0 * tau * sample_rate))), w


def eq_reach(n: int, sample_rate: int, event: EqEvent) -> tuple[int, int] | None:
    """[first, end) of the samples one cut reads on ``n`` frames (it writes only the tail from its start); None for a no-op."""
    plan = cut_plan(n, sample_rate, event)
    return None if plan is None else (plan[1] - plan[2], plan[1] + plan[3].size)


def eq_order(events: list[EqEvent]) -> list[EqEvent]:
    """The fixed order cuts are applied in (start, frequency), so the result never depends on list order."""
    return sorted(events, key=lambda e: (e.start, e.freq_hz, e.end, e.gain_db))


def apply_in_place(y: np.ndarray, sample_rate: int, event: EqEvent, *, first_frame: int = 0,
                    frames: int | None = None) -> None:
    """Apply one dynamic cut to ``y`` (float64, frames[, channels]) in place: only [start, end) changes.

    ``y`` may be the piece from ``first_frame`` of a signal ``frames`` long, as long as it
    holds the cut's ``eq_reach``: the same samples change by the same amounts.
    """
    plan = cut_plan(y.shape[0] if frames is None else frames, sample_rate, event)
    if plan is None:
        return
    freq, s0, pre, w = plan
    sos = peaking_coefficients(freq, event.gain_db, event.q, sample_rate)
    s0 -= first_frame
    s1 = s0 + w.size
    wet = sosfilt(sos, y[s0 - pre : s1], axis=0)[pre:]  # sosfilt returns a new array: y is read first
    wet -= y[s0:s1]
    wet *= w.reshape((-1,) + (1,) * (y.ndim - 1))
    y[s0:s1] += wet  # y = dry + w·(EQ(dry) − dry)


def apply_eq_event(samples: np.ndarray, sample_rate: int, event: EqEvent) -> np.ndarray:
    """A copy of ``samples`` (frames[, channels]) with one dynamic cut applied (module docstring)."""
    y = np.array(samples, dtype=np.float64)
    apply_in_place(y, sample_rate, event)
    return y


def apply_eq(samples: np.ndarray, sample_rate: int, events: list[EqEvent]) -> np.ndarray:
    """Apply every event in a fixed order (start, frequency) so the result never depends on list order.

    One copy of the signal, then each cut filters only its own span in place: the cost
    grows with the total length of the cuts, not with (number of cuts × mix length).
    """
    y = np.array(samples, dtype=np.float64)
    for event in eq_order(events):
        apply_in_place(y, sample_rate, event)
    return y


def activity_spans(samples: np.ndarray, sample_rate: int, *, bridge: float = 0.05) -> list[tuple[float, float]]:
    """Time spans in which a stem is not digital silence (gaps shorter than ``bridge`` s bridged).

    ``samples`` may be a ``blocks.FrameFile`` (a long mix's stem on disk): it is read a block at a time.
    """
    return [(s / sample_rate, e / sample_rate) for s, e in sounding_runs(samples, int(bridge * sample_rate))]


def sounding_runs(samples, gap: int) -> list[tuple[int, int]]:
    """``[a, b)`` (frames) of every run of non-zero frames, runs less than ``gap`` + 1 frames apart merged.

    Found a block at a time (a run is continued across block edges), so finding them holds a
    block's indices, not an int64 per frame of a long stem.
    """
    x = as_frames(samples)
    if x.ndim == 1:
        x = x[:, None]
    runs: list[tuple[int, int]] = []
    first = last = -1  # the open run: its first and its last sounding frame
    for a, b in chunk_bounds(x.shape[0]):
        block = x[a:b]
        on = block[:, 0] != 0
        for c in range(1, block.shape[1]):
            on |= block[:, c] != 0
        idx = np.nonzero(on)[0]
        if idx.size == 0:
            continue
        idx += a
        breaks = np.nonzero(np.diff(idx) > gap)[0]
        for s, e in zip(np.r_[idx[0], idx[breaks + 1]].tolist(), np.r_[idx[breaks], idx[-1]].tolist(), strict=True):
            if last >= 0 and s - last <= gap:
                last = e
                continue
            if last >= 0:
                runs.append((first, last + 1))
            first, last = s, e
    if last >= 0:
        runs.append((first, last + 1))
    return runs


def _sorted_disjoint(spans: list[tuple[float, float]]) -> bool:
    return all(e0 <= s1 for (_, e0), (s1, _) in zip(spans, spans[1:]))


def _intersect(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Every non-empty pairwise intersection of a span in ``a`` with one in ``b``, sorted.

    Sorted, disjoint ``b`` (what ``activity_spans`` returns) is searched by bisection, so
    two long activity lists cost O((|a| + |b|) log |b|), not |a| × |b|.
    """
    out = []
    if _sorted_disjoint(b):
        starts = [s for s, _ in b]
        for s0, e0 in a:
            k = max(0, bisect.bisect_right(starts, s0) - 1)  # the last b starting at or before s0 may reach in
            while k < len(b) and b[k][0] < e0:
                s, e = max(s0, b[k][0]), min(e0, b[k][1])
                if e > s:
                    out.append((s, e))
                k += 1
        return sorted(out)
    for s0, e0 in a:
        for s1, e1 in b:
            s, e = max(s0, s1), min(e0, e1)
            if e > s:
                out.append((s, e))
    return sorted(out)


def _within(spans: list[tuple[float, float]], ends: list[float] | None, start: float, end: float
            ) -> list[tuple[float, float]]:  # fmt: skip
    """The spans that can overlap [start, end), in order: a bisected slice when ``ends`` (sorted) is given."""
    if ends is None:
        return spans
    lo = bisect.bisect_right(ends, start)
    hi = bisect.bisect_left(spans, (end,), lo=lo)
    return spans[lo:hi]


def _held(spans: list[ClashSpan], hold: float) -> list[ClashSpan]:
    """Clash spans of one pair (in time order) with the gaps shorter than ``hold`` bridged."""
    out: list[ClashSpan] = []
    for span in spans:
        if out and span.start - out[-1].end < hold:
            out[-1] = out[-1].model_copy(update={"end": max(out[-1].end, span.end)})
        else:
            out.append(span)
    return out


def _depth(excess_db: float, config: EqConfig, bed: bool = False) -> float:
    return -min(config.bed_max_cut_db if bed else config.max_cut_db, config.depth_per_db * excess_db)


def plan_eq(
    analysis: MaskingAnalysis,
    *,
    importance: list[float],
    activity: list[list[tuple[float, float]]],
    sample_rate: int,
    config: EqConfig | None = None,
    protected: set[int] | None = None,
    background: set[int] | None = None,
) -> list[EqEvent]:
    """Decide the dynamic cuts for a set of stems (see the module docstring).

    ``importance`` ranks the tracks (beds usually 0); ``activity`` gives each track's
    sounding spans (``activity_spans`` of its stem, or its planned events): every cut is
    clipped to the time both masker and maskee actually sound. ``protected`` overrides
    the default protection of the single most important track. ``background`` tracks
    (ambience beds) may be cut but are never the reason for a cut.
    """
    config = config or EqConfig()
    background = background or set()
    labels = analysis.labels
    n = len(labels)
    if len(importance) != n or len(activity) != n:
        raise ValueError(f"importance ({len(importance)}) and activity ({len(activity)}) must match {n} tracks")
    if protected is None:
        protected = {int(np.argmax(importance))} if (config.protect_most_important and n) else set()
    nyquist_limit = 0.45 * sample_rate
    candidates: dict[int, list[EqEvent]] = {}
    for i in range(n):
        if i in protected:
            continue
        for j in range(n):
            if i == j or j in background or (config.only_for_more_important and importance[j] < importance[i]):
                continue
            overlap = _intersect(activity[i], activity[j])
            if not overlap:
                continue  # never sound together: nothing to do, whatever the frames say
            ends = [e for _, e in overlap] if _sorted_disjoint(overlap) else None  # for bisection per clash
            for span in _held(analysis.spans(i, j, config.threshold_db), config.hold):
                for band, freq, q, excess in _clash_cuts(analysis, i, j, span.start, span.end, config):
                    depth = _depth(excess, config, bed=i in background)
                    if -depth < config.min_cut_db or freq >= nyquist_limit:
                        continue
                    for s, e in _within(overlap, ends, span.start, span.end):
                        start, end = max(s, span.start), min(e, span.end)
                        if end - start < config.min_span:
                            continue
                        candidates.setdefault(i, []).append(
                            EqEvent(
                                track=labels[i],
                                freq_hz=round(freq, 1),
                                gain_db=round(depth, 2),
                                q=round(q, 3),
                                start=round(start, 4),
                                end=round(end, 4),
                                ramp=min(config.ramp, (end - start) / 2),
                                band=band,
                                masks=labels[j],
                                excess_db=round(excess, 2),
                            )
                        )
    events: list[EqEvent] = []
    for i in sorted(candidates):
        for ev in _merge(candidates[i], config):
            ev.reason = ev.describe()
            events.append(ev)
    return events


def q_for_octaves(octaves: float) -> float:
    """Q of an RBJ peaking filter whose bandwidth is ``octaves``: 1/Q = 2·sinh(ln 2 / 2 · BW) (Audio EQ Cookbook)."""
    return 1.0 / (2.0 * math.sinh(math.log(2.0) / 2.0 * octaves))


def _clash_cuts(
    analysis: MaskingAnalysis, i: int, j: int, start: float, end: float, config: EqConfig
) -> list[tuple[int, float, float, float]]:
    """The cuts for one clash: ``(band, centre Hz, Q, mean excess dB)`` per band range.

    A bed masks an object over a *range* of Bark bands, rarely in one: the bands holding
    at least ``range_share`` of the worst band's excess (summed over the span) form runs
    of neighbours (one quiet band may sit inside a run); the ``bands_per_clash`` runs
    with the most excess get one peaking cut each, centred at the run's geometric middle,
    as wide as the run (Q from its width in octaves, never narrower than ``config.q``;
    runs wider than ``max_octaves`` are split). One broad cut unmasks what several narrow
    ones would, and ``earn.py`` can judge it on its own.
    """
    hop = analysis.hop_seconds
    f0, f1 = int(round(start / hop + 0.5)), int(round(end / hop - 0.5))
    block = analysis.excess[i, j, f0:f1]
    if block.size == 0:
        return []
    column = block.sum(axis=0)
    if column.max() <= 0:
        return []
    strong = np.nonzero(column >= config.range_share * column.max())[0].tolist()
    runs: list[list[int]] = []
    for b in strong:
        if runs and b - runs[-1][-1] <= 2:
            runs[-1].extend(range(runs[-1][-1] + 1, b + 1))
        else:
            runs.append([b])
    pieces: list[list[int]] = []
    for run in runs:
        octaves = math.log2(BARK_EDGES_HZ[run[-1] + 1] / BARK_EDGES_HZ[run[0]])
        parts = max(1, math.ceil(octaves / config.max_octaves))
        pieces += [list(chunk) for chunk in np.array_split(np.array(run), parts) if len(chunk)]
    pieces.sort(key=lambda piece: -float(column[piece].sum()))
    out = []
    for piece in pieces[: config.bands_per_clash]:
        lo, hi = BARK_EDGES_HZ[piece[0]], BARK_EDGES_HZ[piece[-1] + 1]
        hit = block[:, piece]
        hit = hit[hit > 0]
        q = min(config.q, q_for_octaves(math.log2(hi / lo)))
        band = piece[int(np.argmax(column[piece]))]
        out.append((band, float(math.sqrt(lo * hi)), q, float(hit.mean()) if hit.size else 0.0))
    return out


def _merge(events: list[EqEvent], config: EqConfig) -> list[EqEvent]:
    """Merge cuts on one track that lie within ``hold`` of each other in time and within ``merge_octaves``.

    A sweep in time order: only cuts still "open" (ending within ``hold`` of the next
    start) can merge with it, so a long mix costs time in proportion to its cuts, not
    their square. Repeated until nothing merges (merging can bring new neighbours).
    """
    pending = sorted(events, key=lambda e: (e.start, e.freq_hz))
    while True:
        out: list[EqEvent] = []
        open_: list[int] = []  # indices into out whose end may still touch a later start
        merged = False
        for ev in pending:
            open_ = [k for k in open_ if out[k].end + max(config.hold, 2 * config.ramp) >= ev.start]
            for k in open_:
                other = out[k]
                if abs(math.log2(ev.freq_hz / other.freq_hz)) < config.merge_octaves:
                    out[k] = _merged(ev, other, config)
                    merged = True
                    break
            else:
                out.append(ev)
                open_.append(len(out) - 1)
        pending = sorted(out, key=lambda e: (e.start, e.freq_hz))
        if not merged:
            return pending


def _merged(ev: EqEvent, other: EqEvent, config: EqConfig) -> EqEvent:
    """One cut covering both: the stronger clash's frequency and width, the union of the spans, the deeper depth."""
    keep = ev if ev.excess_db > other.excess_db else other
    start, end = min(ev.start, other.start), max(ev.end, other.end)
    masks = keep.masks if ev.masks == other.masks else ", ".join(sorted({*ev.masks.split(", "), *other.masks.split(", ")}))
    return keep.model_copy(
        update={
            "start": start,
            "end": end,
            "gain_db": min(ev.gain_db, other.gain_db),
            "ramp": min(config.ramp, (end - start) / 2),
            "masks": masks,
            "excess_db": max(ev.excess_db, other.excess_db),
        }
    )
