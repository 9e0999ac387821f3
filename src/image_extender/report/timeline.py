"""The timeline picture: what plays when, where and how loud, readable at a glance.

One lane per track, top to bottom in plan order, then the final mix. Each lane draws the
stem's envelope (peak per 20 ms block) with the left channel upwards and the right channel
downwards — so a sound panned left is visibly taller above the line — on a dB axis spanning
the ``RANGE_DB`` (40 dB) below the lane's own peak (quiet tracks stay visible; their level
is in the caption), the events as shaded spans, and a caption "label · role · pan ·
measured level (target)". The mix lane is drawn against 0 dBFS with the ceiling as dashed
lines. Drawn with matplotlib's Agg backend (no display needed).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..manifest import MixSpec, Track  # noqa: E402
from ..mix.pan import describe_pan  # noqa: E402
from ..mix.render import Rendered  # noqa: E402

BLOCK_SECONDS = 0.02
RANGE_DB = 40.0
FLOOR_DB = -120.0
LANE_HEIGHT = 0.95  # inches
ROLE_COLOURS = {"ambience": "#4c8c6a", "object": "#3a6ea5", "mix": "#7a4f9a"}


def envelope_db(samples: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(times, per-channel peak dBFS per block) — block peaks, floored at ``FLOOR_DB``."""
    hop = max(1, int(round(BLOCK_SECONDS * sample_rate)))
    n = samples.shape[0] // hop * hop
    blocks = np.abs(samples[:n]).reshape(-1, hop, samples.shape[1]).max(axis=1)
    with np.errstate(divide="ignore"):
        db = np.maximum(FLOOR_DB, 20.0 * np.log10(blocks))
    times = (np.arange(db.shape[0]) + 0.5) * hop / sample_rate
    return times, db


def build_timeline(tracks: list[Track], rendered: Rendered, spec: MixSpec) -> plt.Figure:
    """The figure (one axis per track plus one for the mix); ``write_timeline`` saves it."""
    if len(tracks) != len(rendered.stems):
        raise ValueError(f"{len(tracks)} tracks but {len(rendered.stems)} rendered stems")
    lanes = len(tracks) + 1
    fig, axes = plt.subplots(
        lanes, 1, sharex=True, figsize=(12, 0.9 + LANE_HEIGHT * lanes), squeeze=False,
        gridspec_kw={"hspace": 0.08},
    )
    axes = axes[:, 0]
    for ax, track, stem, rep in zip(axes, tracks, rendered.stems, rendered.report.tracks):
        colour = ROLE_COLOURS.get(track.role, "#555555")
        for ev in track.events:
            ax.axvspan(ev.start, ev.start + ev.length, color=colour, alpha=0.12, lw=0)
        _draw_envelope(ax, stem, spec.sample_rate, colour, top_db=max(rep.peak_dbfs, FLOOR_DB + RANGE_DB))
        caption = (
            f"{track.label} · {track.role} · {describe_pan(track.pan)} · "
            f"{rep.level_db:.1f} dB (target {track.target_db:.1f}) · {len(track.events)} event"
            f"{'s' if len(track.events) != 1 else ''}{' · loop' if track.loop else ''}"
        )
        _caption(ax, caption)

    ax = axes[-1]
    _draw_envelope(ax, rendered.mix, spec.sample_rate, ROLE_COLOURS["mix"], top_db=0.0)
    for sign in (1, -1):
        ax.axhline(sign * (spec.ceiling_dbfs + RANGE_DB), color="#c0392b", lw=0.8, ls="--")
    lufs = rendered.report.loudness_lufs
    _caption(
        ax,
        f"mix · peak {rendered.report.peak_dbfs:.1f} dBFS (ceiling {spec.ceiling_dbfs:.1f}) · "
        f"master {rendered.report.master_gain_db:+.1f} dB"
        + (f" · {lufs:.1f} LUFS" if lufs is not None else ""),
    )
    ax.set_xlim(0, spec.duration)
    ax.set_xlabel("time (s)")
    fig.suptitle(
        f"Image Extender mix · {spec.duration:g} s · {spec.sample_rate} Hz · seed {spec.seed}\n"
        f"envelopes: left channel up, right down; each lane spans {RANGE_DB:g} dB below its peak "
        "(mix: below 0 dBFS); shaded = events",
        fontsize=9,
    )
    return fig


def write_timeline(tracks: list[Track], rendered: Rendered, spec: MixSpec, path: Path) -> Path:
    """Save the timeline PNG to ``path``."""
    fig = build_timeline(tracks, rendered, spec)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fig.savefig(path, dpi=100, bbox_inches="tight", metadata={"Software": None})
    finally:
        plt.close(fig)
    return path


def _draw_envelope(ax: plt.Axes, samples: np.ndarray, sample_rate: int, colour: str, *, top_db: float) -> None:
    times, db = envelope_db(samples, sample_rate)
    height = np.clip(db - (top_db - RANGE_DB), 0.0, None)  # 0 … RANGE_DB
    ax.fill_between(times, 0, height[:, 0], color=colour, lw=0, step="mid")
    ax.fill_between(times, 0, -height[:, -1], color=colour, alpha=0.7, lw=0, step="mid")
    ax.axhline(0, color="#999999", lw=0.4)
    span = RANGE_DB * 1.02
    ax.set_ylim(-span, span)
    ax.set_yticks([-span, 0, span], ["R", "", "L"], fontsize=7)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _caption(ax: plt.Axes, text: str) -> None:
    ax.text(0.005, 0.93, text, transform=ax.transAxes, va="top", ha="left", fontsize=8,
            bbox={"facecolor": "white", "alpha": 0.75, "lw": 0, "pad": 1.5})
