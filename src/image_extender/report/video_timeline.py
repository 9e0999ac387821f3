"""The video timeline picture: what the camera saw and how the sound followed it.

Top to bottom, on one time axis (seconds of the clip):

* a **film strip**: every sampled frame as a thumbnail at its time (the best frame framed
  in red, scene cuts as dashed lines);
* one lane per **ambience bed** with its gain over time (the cross-fades at scene cuts);
* one lane per **object track** with its **pan** curve (−1 left … +1 right, the solid
  line, as the renderer evaluates it per sample), its **level** offset (dashed, right
  axis), the span it is on screen shaded, its one-shots as ticks, and the box centres of
  the sampled frames as dots — the curve should pass through them.

Drawn with matplotlib's Agg backend; the thumbnails are decoded again from the clip
(n frames, streamed), so the picture costs well under a second for short clips.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..manifest import Manifest, Track  # noqa: E402
from ..mix.automation import MUTE_DB, evaluate  # noqa: E402

POINTS = 800  # curve resolution of the picture
THUMB_HEIGHT = 1.1  # inches
LANE_HEIGHT = 0.9
WIDTH = 13.0


def _event_gain(track: Track, t: np.ndarray) -> np.ndarray:
    """Linear fade envelope of a track's events at times ``t`` (what render applies)."""
    g = np.zeros_like(t)
    for e in track.events:
        inside = (t >= e.start) & (t <= e.start + e.length)
        x = t[inside] - e.start
        up = np.minimum(1.0, x / e.fade_in) if e.fade_in > 0 else 1.0
        down = np.minimum(1.0, (e.length - x) / e.fade_out) if e.fade_out > 0 else 1.0
        g[inside] = np.maximum(g[inside], np.minimum(up, down))
    return g


def build_video_timeline(manifest: Manifest, thumbnails: list[np.ndarray] | None = None) -> plt.Figure:
    video = manifest.video
    if video is None:
        raise ValueError("manifest has no video section")
    duration = video.info.duration
    beds = [t for t in manifest.tracks if t.role == "ambience"]
    objects = [t for t in manifest.tracks if t.role == "object"]
    rows = 1 + len(beds) + len(objects)
    heights = [THUMB_HEIGHT] + [LANE_HEIGHT * 0.6] * len(beds) + [LANE_HEIGHT] * len(objects)
    height = sum(heights) + 1.3
    fig, axes = plt.subplots(rows, 1, figsize=(WIDTH, height), sharex=True,
                             gridspec_kw={"height_ratios": heights, "hspace": 0.35})
    fig.subplots_adjust(bottom=0.75 / height, top=1 - 0.45 / height)
    axes = np.atleast_1d(axes)
    t = np.linspace(0.0, duration, POINTS)

    strip = axes[0]
    strip.set_xlim(0, duration)
    strip.set_ylim(0, 1)
    strip.set_yticks([])
    strip.set_title(f"{Path(video.info.path).name} · {duration:.2f} s · {len(video.frames)} sampled frames "
                    f"(k = {video.frames_k:g}) · best frame {video.best.index} at {video.best.time:.2f} s", fontsize=9)
    width = duration / max(len(video.frames), 1) * 0.95
    for frame in video.frames:
        x0 = frame.time - width / 2
        if thumbnails is not None and frame.index < len(thumbnails):
            strip.imshow(thumbnails[frame.index], extent=(x0, x0 + width, 0.05, 0.95), aspect="auto", zorder=1)
        if frame.index == video.best.index:
            strip.add_patch(plt.Rectangle((x0, 0.03), width, 0.94, fill=False, edgecolor="red", linewidth=2, zorder=2))
    for ax in axes:
        for cut in video.cuts:
            ax.axvline(cut.time, color="#555", linestyle="--", linewidth=0.8)

    for ax, track in zip(axes[1:1 + len(beds)], beds):
        ax.fill_between(t, 0, _event_gain(track, t), color="#4c8c6a", alpha=0.6)
        ax.set_ylim(0, 1.05)
        ax.set_yticks([])
        ax.set_ylabel(f"bed\n{track.label}", rotation=0, ha="right", va="center", fontsize=8)

    for ax, track in zip(axes[1 + len(beds):], objects):
        ax.set_ylim(-1.1, 1.1)
        ax.set_yticks([-1, 0, 1], ["L", "C", "R"], fontsize=7)
        ax.set_ylabel(track.label, rotation=0, ha="right", va="center", fontsize=8)
        for e in track.events:
            ax.plot([e.start, e.start], [-1.1, -0.85], color="#3a6ea5", linewidth=1)
        if track.automation is None:
            ax.axhline(track.pan, color="#3a6ea5")
            continue
        pan, gain = evaluate(track.automation, t)
        gain_db = np.where(gain > 0, 20 * np.log10(np.maximum(gain, 1e-9)), MUTE_DB)
        follow = next((f for f in video.tracks if f.object_index == manifest.choices[track.choice_index].target_index), None)
        ax.plot(t, pan, color="#3a6ea5", linewidth=1.5, label="pan")
        if follow is not None:
            ax.axvspan(follow.enter, follow.leave, color="#3a6ea5", alpha=0.08)
            ax.plot([p.time for p in follow.points], [p.bbox.pan for p in follow.points], "o", color="#3a6ea5",
                    markersize=3)
        level = ax.twinx()
        level.plot(t, np.maximum(gain_db, -12), color="#e07b00", linestyle="--", linewidth=1, label="level")
        level.set_ylim(-13, 7)
        level.tick_params(labelsize=7)
        level.set_ylabel("dB", fontsize=7)
    fig.text(0.5, 0.005, "Film strip: sampled frames (red: best frame; dashed: scene cuts).  Beds: gain over time.  "
             "Objects: pan (blue, L–R; dots = box centres), level offset (orange dashed, dB), shaded = on screen, "
             "ticks = one-shots.", ha="center", va="bottom", fontsize=7.5, color="#444")
    axes[-1].set_xlabel("seconds")
    axes[-1].set_xlim(0, duration)
    return fig


def write_video_timeline(manifest: Manifest, path: Path) -> Path:
    """Decode the sampled frames again as thumbnails and save the picture to ``path``."""
    from ..video.frames import iter_frames

    video = manifest.video
    assert video is not None
    thumbnails = None
    if Path(video.info.path).is_file():  # (a re-render without the clip draws no thumbnails)
        thumbnails = [f.rgb for f in iter_frames(Path(video.info.path), [f.time for f in video.frames], max_side=160,
                                                 duration=video.info.duration)]
    fig = build_video_timeline(manifest, thumbnails)
    try:
        fig.savefig(path, dpi=90)
    finally:
        plt.close(fig)
    return Path(path)
