"""The timeline picture: the mix as an engineer would read it, at a glance.

Top to bottom: a title (photo, length, how masked the mix is), two legend lines, then one
block per track in plan order, then the final mix and a colour bar. Each track block has

* a **header** on the left like a mixing desk's channel strip: label, role, sound name,
  pan and measured level against its target;
* a **lane** with the stem's envelope (peak per 20 ms block) on a dB axis spanning
  ``RANGE_DB`` (40 dB) below the lane's own peak, left channel upwards and right channel
  downwards — a sound panned left is visibly taller above the line — and its events shaded;
* the track's **dynamic-EQ cuts** (``Track.eq``; they sit on the *masker*, the track that
  was cut) as an orange tint behind the envelope plus, above it, one bar per cut from its
  start to its end labelled "−4.7 dB @ 570 Hz" (deeper cuts drawn more opaque). Cuts at one
  frequency whose labels would collide share one label ("−3.1…−12.0 dB @ 1270 Hz ×7",
  ``eq_rows``), so a 300 s mix with hundreds of cuts stays readable; the groups are packed
  into rows so no two labels overlap (widths from the font's metrics), and the lane grows
  by a row when needed;
* a **masking heat strip**: for every STFT frame (~23 ms), how much louder the rest of
  the mix is than this track in the Bark bands where the track sounds, i.e. the per-frame
  version of the per-track masking number ``m_j`` of ``mix/masking.py`` (Zhao &
  Pérez-Cota 2024): mean over the track's active bands of ``min(30, max(0, L_rest − L_j))``
  dB. Its average over the track's active cells is exactly ``m_j`` of the rendered stems
  (with the planned cuts applied), so the strip and the manifest's "after" numbers agree.
  Frames in which the track is silent are left blank.

The mix lane is drawn against 0 dBFS with the ceiling as dashed lines. Drawn with
matplotlib's Agg backend at a fixed inch layout (no ``tight_layout``; no display needed;
no axis machinery at all: grid lines, time labels, side labels and frame lines are plain
artists; text drawn unhinted, ``RC``). The strips reuse the run's band energies
(``StemCache``) or cost one ``band_energies`` STFT per stem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ..manifest import EqEvent, MixAnalysis, MixSpec, Track  # noqa: E402
from ..mix.bark import BandEnergies, band_energies  # noqa: E402
from ..mix.blocks import CHUNK_FRAMES  # noqa: E402
from ..mix.masking import CAP_DB, maskee_active  # noqa: E402
from ..mix.pan import describe_pan  # noqa: E402
from ..mix.render import Rendered, StemCache  # noqa: E402

BLOCK_SECONDS = 0.02
RANGE_DB = 40.0
FLOOR_DB = -120.0
STRIP_CHUNK = 4096  # STFT frames of the heat strips worked on at once (~95 s at 44.1 kHz)
HEAT_MAX_DB = 18.0  # colour scale top; a track buried by more reads "≥ 18 dB"

# layout, inches
FIG_WIDTH = 13.0
HEADER_WIDTH = 2.35
RIGHT_MARGIN = 0.25
TOP_BLOCK = 0.98
LANE_HEIGHT = 0.85
EQ_ROW_HEIGHT = 0.15
STRIP_GAP = 0.03
STRIP_HEIGHT = 0.16
BLOCK_GAP = 0.1
AXIS_BLOCK = 0.42
COLOURBAR_BLOCK = 0.55
DPI = 100

# Text is most of the drawing time (matplotlib lays out and rasterises each glyph alone); FreeType's hinter
# alone is ~30 % of that, and at 100 dpi unhinted anti-aliased glyphs read as well.
RC = {"text.hinting": "no_hinting"}

EQ_FONT = 6.5
HEADER_CHARS = 36  # longest sound name the header shows in full
EQ_COLOUR = "#e07b00"
ROLE_COLOURS = {"ambience": "#4c8c6a", "object": "#3a6ea5", "mix": "#7a4f9a"}
ROLE_NAMES = {"ambience": "ambience bed", "object": "object"}
HEAT_CMAP = LinearSegmentedColormap.from_list(
    "masking", ["#fff7d6", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000"]
).with_extremes(bad=(1.0, 1.0, 1.0, 0.0))  # silent frames: transparent

LEGEND = (
    "Lane: level envelope (left channel up, right down; {range:g} dB below the lane's peak), pale = the sound plays.  "
    "Orange: dynamic EQ cut on that track while it masks another (depth @ frequency).\n"
    "Strip under each lane: how much the rest of the mix drowns that track, frame by frame "
    "(colour bar at the bottom; blank = track silent)."
)


@dataclass(frozen=True)
class MaskingStrips:
    """Per-track, per-frame masking of rendered stems (see the module docstring)."""

    times: np.ndarray  # (frames,) frame centres, s
    hop_seconds: float
    masking_db: np.ndarray  # (tracks, frames), NaN where the track is silent
    active_cells: np.ndarray  # (tracks, frames) number of active Bark bands

    def track_mean_db(self) -> np.ndarray:
        """Per-track ``m_j``: the strip averaged over active cells (not frames)."""
        weights = self.active_cells
        total = np.nansum(np.nan_to_num(self.masking_db) * weights, axis=1)
        count = weights.sum(axis=1)
        return np.divide(total, count, out=np.zeros(len(count)), where=count > 0)


def masking_strips(stems: list[np.ndarray], sample_rate: int, *, energies: list[BandEnergies] | None = None
                   ) -> MaskingStrips:
    """Heat-strip data for ``stems`` (each (frames, channels), same length, as rendered).

    ``energies``: their Bark band energies when already known (the run's ``StemCache``).
    """
    if energies is None:
        energies = [band_energies(s, sample_rate) for s in stems]
    if not energies:
        return MaskingStrips(np.zeros(0), 0.0, np.zeros((0, 0)), np.zeros((0, 0)))
    frames = energies[0].energy.shape[0]
    per_frame = np.empty((len(energies), frames))
    counts = np.empty((len(energies), frames), dtype=np.int64)
    for k0 in range(0, frames, STRIP_CHUNK):  # every frame on its own: a few MB of cells at a time at any length
        k1 = min(frames, k0 + STRIP_CHUNK)
        per_frame[:, k0:k1], counts[:, k0:k1] = _strip_cells(np.stack([e.energy[k0:k1] for e in energies]))
    if len(stems) < 2:
        per_frame = np.where(counts > 0, 0.0, np.nan)
    return MaskingStrips(energies[0].times, energies[0].hop_seconds, per_frame, counts)


def _strip_cells(energy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean masking excess over the active bands, number of active bands) per track and frame of (tracks, frames, 25)."""
    tiny = 1e-15
    levels = 10.0 * np.log10(np.maximum(energy, tiny))
    active = maskee_active(levels)
    rest = 10.0 * np.log10(np.maximum(energy.sum(axis=0, keepdims=True) - energy, tiny))
    excess = np.clip(rest - levels, 0.0, CAP_DB)
    counts = active.sum(axis=2)
    sums = np.where(active, excess, 0.0).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan), counts


def envelope_db(samples: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(times, per-channel peak dBFS per block) — block peaks, floored at ``FLOOR_DB``.

    ``samples``: an array, or a long mix's ``mix.blocks.FrameFile`` / ``Scaled`` stem, read ``CHUNK_FRAMES`` at a time.
    """
    hop = max(1, int(round(BLOCK_SECONDS * sample_rate)))
    n = samples.shape[0] // hop * hop
    blocks = np.zeros((n // hop, samples.shape[1]), dtype=samples.dtype)
    step = max(1, CHUNK_FRAMES // hop) * hop  # whole envelope blocks per read: a long mix's file is read a piece at a time
    for a in range(0, n, step):
        piece = samples[a : min(n, a + step)]
        # per channel on a (blocks, hop) view: ~30x faster than reducing the middle axis of (blocks, hop, ch)
        for c in range(piece.shape[1]):
            blocks[a // hop : a // hop + piece.shape[0] // hop, c] = np.abs(piece[:, c]).reshape(-1, hop).max(axis=1)
    with np.errstate(divide="ignore"):
        db = np.maximum(FLOOR_DB, 20.0 * np.log10(blocks))
    times = (np.arange(db.shape[0]) + 0.5) * hop / sample_rate
    return times, db


def eq_label(event: EqEvent) -> str:
    """"−4.7 dB @ 570 Hz" (true minus sign)."""
    return f"{event.gain_db:.1f}".replace("-", "\u2212") + f" dB @ {event.freq_hz:.0f} Hz"


@dataclass(frozen=True)
class EqGroup:
    """One labelled item of a lane's EQ rows: the cuts at one frequency whose labels would collide.

    A lone cut keeps its own label ("−4.7 dB @ 570 Hz"); a group reads
    "−3.1…−6.0 dB @ 570 Hz ×7" — at 300 s a bed may carry hundreds of cuts, and one label
    per cut would stack into an unreadable wall.
    """

    members: list[int]  # indices into the track's eq list, by start
    row: int  # 0 = nearest the envelope
    left: bool  # label left of the first bar (when it would run off the right edge)
    label: str

    def start(self, events: list[EqEvent]) -> float:
        return events[self.members[0]].start

    def end(self, events: list[EqEvent]) -> float:
        return max(events[k].end for k in self.members)


def group_label(events: list[EqEvent]) -> str:
    """``eq_label`` of a lone cut; "−3.1…−6.0 dB @ 570 Hz ×7" for several at one frequency."""
    if len(events) == 1:
        return eq_label(events[0])
    lo, hi = max(e.gain_db for e in events), min(e.gain_db for e in events)  # shallowest, deepest
    depth = f"{lo:.1f}" if f"{lo:.1f}" == f"{hi:.1f}" else f"{lo:.1f}\u2026{hi:.1f}"
    return depth.replace("-", "\u2212") + f" dB @ {events[0].freq_hz:.0f} Hz \u00d7{len(events)}"


_TEXT_PATH = TextToPath()
_EQ_FONTPROPS = FontProperties(size=EQ_FONT)


def _label_seconds(text: str, seconds_per_inch: float) -> float:
    """Width of a label at ``EQ_FONT`` from the font's own metrics (+5 % for Agg's hinting), in seconds of timeline."""
    width_pt = _TEXT_PATH.get_text_width_height_descent(text, _EQ_FONTPROPS, ismath=False)[0]
    return 1.05 * width_pt / 72 * seconds_per_inch


def eq_rows(events: list[EqEvent], seconds_per_inch: float, duration: float) -> list[EqGroup]:
    """Group cuts per frequency where their labels would collide, then pack groups into rows.

    Per frequency, cuts are taken by start; a cut joins the running group when it starts
    before the group's label would end (group end + gap + label width), so no two items
    of one frequency fight for the same space. Each group's "bars + label" extent is then
    placed, in order of its left edge, into the first row free there — for intervals this
    greedy order is optimal (rows = the largest number of items overlapping at one instant).
    A label goes right of its bars unless it would run past ``duration``.
    """
    gap = 0.06 * seconds_per_inch
    by_freq: dict[float, list[int]] = {}
    for k in sorted(range(len(events)), key=lambda k: (events[k].start, events[k].end)):
        by_freq.setdefault(round(events[k].freq_hz, 1), []).append(k)
    groups: list[list[int]] = []
    for members in by_freq.values():
        current: list[int] = []
        reach = -np.inf
        for k in members:
            ev = events[k]
            if current and ev.start < reach:
                current.append(k)
            else:
                current = [k]
                groups.append(current)
            end = max(events[m].end for m in current)
            reach = end + gap + _label_seconds(group_label([events[m] for m in current]), seconds_per_inch) + gap
    items = []
    for g, members in enumerate(groups):
        label = group_label([events[m] for m in members])
        start, end = events[members[0]].start, max(events[m].end for m in members)
        text_w = _label_seconds(label, seconds_per_inch)
        left = end + gap + text_w > duration
        lo, hi = (start - gap - text_w, end) if left else (start, end + gap + text_w)
        items.append((lo, hi, g, left, label))
    rows_end: list[float] = []
    out: list[EqGroup] = []
    for lo, hi, g, left, label in sorted(items):
        for r, end in enumerate(rows_end):
            if lo >= end + gap:
                rows_end[r] = hi
                break
        else:
            rows_end.append(hi)
            r = len(rows_end) - 1
        out.append(EqGroup(groups[g], r, left, label))
    return out


def build_timeline(
    tracks: list[Track],
    rendered: Rendered,
    spec: MixSpec,
    *,
    analysis: MixAnalysis | None = None,
    image: str | None = None,
    stems: StemCache | None = None,
) -> plt.Figure:
    """The figure; ``write_timeline`` saves it.

    Artists carry a ``gid`` so callers (and tests) can find them: axes ``lane:<i>`` per
    track (envelope, EQ rows above it, heat strip below it in one axes), ``lane:mix`` and
    ``colourbar``; in lane ``i`` the heat strip is the image ``strip:<i>``, EQ bars are
    ``Rectangle`` patches ``eq:<i>:<k>`` and their labels texts ``eqlabel:<i>:<k>``.
    """
    if len(tracks) != len(rendered.stems):
        raise ValueError(f"{len(tracks)} tracks but {len(rendered.stems)} rendered stems")
    sr = spec.sample_rate
    duration = spec.duration
    lane_width = FIG_WIDTH - HEADER_WIDTH - RIGHT_MARGIN
    seconds_per_inch = duration / lane_width
    rows = [eq_rows(t.eq, seconds_per_inch, duration) for t in tracks]
    n_rows = [max((group.row for group in r), default=-1) + 1 for r in rows]
    lane_heights = [LANE_HEIGHT + EQ_ROW_HEIGHT * k + STRIP_GAP + STRIP_HEIGHT for k in n_rows]
    height = TOP_BLOCK + sum(h + BLOCK_GAP for h in lane_heights) + LANE_HEIGHT + AXIS_BLOCK + COLOURBAR_BLOCK
    fig = plt.figure(figsize=(FIG_WIDTH, height), dpi=DPI)

    def axes_at(top: float, h: float, *, gid: str, share: plt.Axes | None = None, left: float = HEADER_WIDTH,
                width: float = lane_width) -> plt.Axes:
        ax = fig.add_axes((left / FIG_WIDTH, (height - top - h) / height, width / FIG_WIDTH, h / height), sharex=share)
        ax.set_gid(gid)
        return ax

    energies = [stems.bands(t).scaled(t.gain_db) for t in tracks] if stems is not None else None
    strips = masking_strips(rendered.stems, sr, energies=energies)
    means = strips.track_mean_db()
    before = {t.label: t.masking_db for t in analysis.masking_before.tracks} if analysis else {}
    heat_image = None
    grid = MaxNLocator(nbins=12, steps=[1, 2, 2.5, 5, 10]).tick_values(0.0, duration)
    grid = grid[(grid >= 0) & (grid <= duration)]
    top = TOP_BLOCK
    for i, (track, rep) in enumerate(zip(tracks, rendered.report.tracks, strict=True)):
        ax = axes_at(top, lane_heights[i], gid=f"lane:{i}")
        colour = ROLE_COLOURS.get(track.role, "#555555")
        # the stem indexed in the call: made when asked (render.Stems) and freed after, one alive at a time
        _draw_envelope(ax, rendered.stems[i], sr, colour, top_db=max(rep.peak_dbfs, FLOOR_DB + RANGE_DB),
                       events=[(e.start, e.length) for e in track.events])  # fmt: skip
        heat_image = _draw_strip(ax, strips, i)
        _draw_eq(ax, i, track.eq, rows[i])
        ax.set_ylim(_lane_ylim(n_rows[i]))
        _header(ax, track, rep.level_db, means[i] if means.size else 0.0, before.get(track.label),
                unit="LUFS" if rep.unit == "lufs" else "dB")
        _time_axis(ax, grid, duration, labels="top" if i == 0 else None)
        top += lane_heights[i] + BLOCK_GAP

    ax = axes_at(top, LANE_HEIGHT, gid="lane:mix")
    _draw_envelope(ax, rendered.mix, sr, ROLE_COLOURS["mix"], top_db=0.0)
    ax.axhline(-_SPAN, color="#000000", lw=0.8, clip_on=False)  # the time axis line under the mix
    for sign in (1, -1):
        ax.axhline(sign * (spec.ceiling_dbfs + RANGE_DB), color="#c0392b", lw=0.8, ls="--")
    lufs = rendered.report.loudness_lufs
    loudness = f" · {lufs:.1f} LUFS" if lufs is not None else ""
    _header_text(
        ax, "mix",
        [f"peak {rendered.report.peak_dbfs:.1f} dBFS (ceiling {spec.ceiling_dbfs:.1f}, dashed)",
         f"master gain {rendered.report.master_gain_db:+.1f} dB{loudness}"],
    )  # fmt: skip
    _time_axis(ax, grid, duration, labels="bottom")
    ax.text(0.5, -0.3, "time (s)", transform=ax.transAxes, ha="center", va="top", fontsize=8)
    top += LANE_HEIGHT + AXIS_BLOCK

    if heat_image is not None:
        cax = axes_at(top, 0.12, gid="colourbar", left=HEADER_WIDTH + lane_width * 0.3, width=lane_width * 0.4)
        bar = fig.colorbar(heat_image, cax=cax, orientation="horizontal", extend="max")
        bar.set_label("masking strip: dB by which the rest of the mix is louder than the track in its own Bark bands "
                      "(0 = clear)", fontsize=7)  # fmt: skip
        bar.ax.tick_params(labelsize=7)

    fig.text(0.5, 1 - 0.12 / height, _title(tracks, spec, analysis, image, means), ha="center", va="top",
             fontsize=10.5, weight="bold")  # fmt: skip
    fig.text(0.5, 1 - 0.4 / height, LEGEND.format(range=RANGE_DB), ha="center", va="top", fontsize=7,
             color="#333333", linespacing=1.4)  # fmt: skip
    return fig


def write_timeline(
    tracks: list[Track],
    rendered: Rendered,
    spec: MixSpec,
    path: Path,
    *,
    analysis: MixAnalysis | None = None,
    image: str | None = None,
    stems: StemCache | None = None,
) -> Path:
    """Save the timeline PNG to ``path`` (``analysis`` adds before-EQ numbers, ``image`` names the photo).

    ``stems``: the run's ``StemCache``, whose band energies the strips reuse. PNG at zlib
    level 1: a flat-colour chart compresses nearly as well, several times faster.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(RC):
        fig = build_timeline(tracks, rendered, spec, analysis=analysis, image=image, stems=stems)
        try:
            fig.savefig(path, dpi=DPI, metadata={"Software": None}, pil_kwargs={"compress_level": 1})
        finally:
            plt.close(fig)
    return path


# --------------------------------------------------------------------------- drawing


def _title(tracks: list[Track], spec: MixSpec, analysis: MixAnalysis | None, image: str | None,
           means: np.ndarray) -> str:  # fmt: skip
    cuts = sum(len(t.eq) for t in tracks)
    head = f"Image Extender · {Path(image).name}" if image else "Image Extender mix"
    parts = [f"{spec.duration:g} s", f"{len(tracks)} track{'s' if len(tracks) != 1 else ''}",
             f"{cuts} EQ cut{'s' if cuts != 1 else ''}"]  # fmt: skip
    mix_now = float(means.mean()) if means.size else 0.0
    if analysis is not None:
        parts.append(f"mix masking {analysis.masking_before.mix_db:.1f} dB before EQ → {mix_now:.1f} dB after")
    else:
        parts.append(f"mix masking {mix_now:.1f} dB")
    parts.append(f"seed {spec.seed}")
    return head + " — " + " · ".join(parts)


_SPAN = RANGE_DB * 1.02  # envelope half-height in data units (dB)
_PER_INCH = 2 * _SPAN / LANE_HEIGHT  # data units per inch of lane height


def _lane_ylim(n_rows: int) -> tuple[float, float]:
    """Lane y range: heat strip at the bottom, envelope ±``_SPAN`` in the middle, EQ rows on top."""
    return -_SPAN - _PER_INCH * (STRIP_GAP + STRIP_HEIGHT), _SPAN + _PER_INCH * EQ_ROW_HEIGHT * n_rows


def _time_axis(ax: plt.Axes, grid: np.ndarray, duration: float, labels: str | None) -> None:
    """x range 0…duration, faint vertical grid lines; tick labels only on the top lane and the mix."""
    ax.set_xlim(0, duration)
    transform = ax.get_xaxis_transform()
    ax.vlines(grid, 0, 1, transform=transform, color="#000000", alpha=0.08, lw=0.6)
    if labels is None:
        return
    top = labels == "top"
    y, tick = (1.0, (1.0, 1.04)) if top else (0.0, (-0.04, 0.0))
    ax.vlines(grid, *tick, transform=transform, color="#000000", lw=0.6, clip_on=False)
    for value in grid[:: 2 if grid.size > 8 else 1]:  # every grid line drawn, every other one labelled
        ax.text(value, y + (0.06 if top else -0.06), f"{value:g}", transform=transform, ha="center",
                va="bottom" if top else "top", fontsize=8, gid="tick")  # fmt: skip


def _side_labels(ax: plt.Axes, labels: dict[str, float]) -> None:
    """Short labels just left of the lane at data heights (what y tick labels showed, without the ticks)."""
    for text, y in labels.items():
        ax.text(-0.004, y, text, transform=ax.get_yaxis_transform(), ha="right", va="center", fontsize=7, gid="side")


def _draw_envelope(ax: plt.Axes, samples: np.ndarray, sample_rate: int, colour: str, *, top_db: float,
                   events: list[tuple[float, float]] | None = None) -> None:  # fmt: skip
    if events:
        ax.broken_barh(events, (-_SPAN, 2 * _SPAN), color=colour, alpha=0.1, lw=0)
    times, db = envelope_db(samples, sample_rate)
    height = np.clip(db - (top_db - RANGE_DB), 0.0, None)  # 0 … RANGE_DB
    ax.fill_between(times, 0, height[:, 0], color=colour, lw=0, step="mid")
    ax.fill_between(times, 0, -height[:, -1], color=colour, alpha=0.7, lw=0, step="mid")
    ax.axhline(0, color="#999999", lw=0.4)
    ax.set_ylim(-_SPAN, _SPAN)
    # no axis machinery at all (ticks, spines, patch): side labels, time labels and the frame are plain
    # artists, which halves matplotlib's drawing time
    ax.set_axis_off()
    ax.vlines(0.0, -_SPAN, _SPAN, transform=ax.get_yaxis_transform(), color="#000000", lw=0.8, clip_on=False)
    _side_labels(ax, {"R": -_SPAN * 0.8, "L": _SPAN * 0.8})


def _draw_eq(ax: plt.Axes, lane: int, events: list[EqEvent], groups: list[EqGroup]) -> None:
    """Orange spans over the envelope and, in rows above it, the cut bars with one label per group."""
    if not events:
        return
    row_h = _PER_INCH * EQ_ROW_HEIGHT
    ax.axhline(_SPAN, color="#dddddd", lw=0.5)
    # union of the cut spans as a background tint (under the envelope, no alpha stacking)
    union: list[list[float]] = []
    for a, b in sorted((e.start, e.end) for e in events):
        if union and a <= union[-1][1]:
            union[-1][1] = max(union[-1][1], b)
        else:
            union.append([a, b])
    ax.broken_barh([(a, b - a) for a, b in union], (-_SPAN, 2 * _SPAN), color=EQ_COLOUR, alpha=0.2, lw=0, zorder=0.5)
    for g, group in enumerate(groups):
        y = _SPAN + row_h * (group.row + 0.5)
        for k in group.members:
            ev = events[k]
            depth = min(1.0, abs(ev.gain_db) / 6.0)
            bar = Rectangle((ev.start, y - row_h * 0.3), ev.end - ev.start, row_h * 0.6, color=EQ_COLOUR,
                            alpha=0.45 + 0.55 * depth, lw=0)  # fmt: skip
            bar.set_gid(f"eq:{lane}:{k}")
            ax.add_patch(bar)
        left = group.left
        ax.text(group.start(events) if left else group.end(events), y, (group.label + " ") if left else (" " + group.label),
                fontsize=EQ_FONT, va="center", ha="right" if left else "left", color="#8a4b00",
                gid=f"eqlabel:{lane}:{g}")  # fmt: skip


def _draw_strip(ax: plt.Axes, strips: MaskingStrips, i: int):
    """The track's masking heat strip, below its envelope (blank where the track is silent)."""
    row = strips.masking_db[i][None, :]
    hop = strips.hop_seconds
    bottom, _ = _lane_ylim(0)
    y1 = -_SPAN - _PER_INCH * STRIP_GAP
    ax.add_patch(Rectangle((0, bottom), row.shape[1] * hop, y1 - bottom, fill=False, lw=0.5, ec="#bbbbbb"))
    im = ax.imshow(np.ma.masked_invalid(row), aspect="auto", cmap=HEAT_CMAP, vmin=0.0, vmax=HEAT_MAX_DB,
                   extent=(-hop / 2, (row.shape[1] - 0.5) * hop, bottom, y1), interpolation="nearest")  # fmt: skip
    im.set_gid(f"strip:{i}")
    _side_labels(ax, {"masked": (bottom + y1) / 2})
    return im


def _header(ax: plt.Axes, track: Track, level_db: float, masking_db: float, before_db: float | None,
            unit: str = "dB") -> None:
    role = ROLE_NAMES.get(track.role, track.role) + (" (looped)" if track.loop else "")
    name = track.sound.name if len(track.sound.name) <= HEADER_CHARS else track.sound.name[: HEADER_CHARS - 1] + "…"
    masked = f"masked by the rest: {masking_db:.1f} dB"
    if before_db is not None:
        masked += f" ({before_db:.1f} before EQ)"
    lines = [
        f"{role} · {len(track.events)} event{'s' if len(track.events) != 1 else ''}",
        f"sound: {name}",
        f"pan {describe_pan(track.pan)} · {level_db:.1f} {unit} (target {track.target_db:.1f})",
        masked,
    ]
    if track.eq:
        lines.append(f"{len(track.eq)} EQ cut{'s' if len(track.eq) != 1 else ''} on this track")
    if getattr(track, "automation", None) is not None:  # video: the pan follows the picture
        pans = track.automation.pan
        lines.append(f"pan moves {describe_pan(min(pans))} … {describe_pan(max(pans))}")
    _header_text(ax, track.label, lines)


def _header_text(ax: plt.Axes, title: str, lines: list[str]) -> None:
    """Channel-strip header left of the lane: bold label, then detail lines."""
    x = -(HEADER_WIDTH - 0.12) / (FIG_WIDTH - HEADER_WIDTH - RIGHT_MARGIN)
    ax.text(x, 1.0, title, transform=ax.transAxes, va="top", ha="left", fontsize=9, weight="bold")
    ax.text(x, 1.0, "\n" + "\n".join(lines), transform=ax.transAxes, va="top", ha="left", fontsize=6.8,
            linespacing=1.35, color="#333333")  # fmt: skip
