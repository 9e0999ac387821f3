"""Follow objects across the sampled frames: the same label, overlapping or near boxes.

Sampled frames are seconds apart, so a moving dog's boxes in two samples may barely
overlap. Each pair (open track, detection) of the same label is scored by IoU and, when
the boxes do not overlap, by how close their centres are (``NEAR`` of the frame width or
less scores up to ``NEAR_SCORE``); the best one-to-one assignment (Hungarian method,
``scipy.optimize.linear_sum_assignment``) links them. A track survives one missed
sample, or ``MAX_GAP`` seconds of them if that is more (detectors blink), then ends.

**Label flips**: a detector sometimes names the same dog "cat" in one frame. A track seen
in one sampled frame only, whose box overlaps (IoU ≥ ``FLIP_IOU``) the nearest box of a
longer track of another label that spans that moment without a detection there, is that
object mislabelled, and is dropped (``drop_label_flips``).

**Enter / leave**: an object first seen at sample t_i appeared somewhere between t_{i−1}
and t_i; we take the middle (0 when it is there in the first sample), and likewise it left
half-way to the first sample it is missing from (the clip's end when it is there to the last).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..manifest import BBox, ObjectTrack, SceneObject, TrackPoint, VideoFrame

MIN_IOU = 0.05
NEAR = 0.3  # centre distance (fraction of frame width/height) still counted as the same object
NEAR_SCORE = 0.04  # a near-but-not-overlapping pair scores at most this (below any real overlap)
FLIP_IOU = 0.5
MAX_GAP = 1.5  # seconds a track lives on without a detection (at least one sampled frame)


def iou(a: BBox, b: BBox) -> float:
    w = max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0))
    h = max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))
    inter = w * h
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0


def link_score(a: BBox, b: BBox) -> float:
    """IoU when the boxes overlap enough, else a small score that falls with centre distance."""
    overlap = iou(a, b)
    if overlap >= MIN_IOU:
        return overlap
    distance = float(np.hypot(a.center_x - b.center_x, a.center_y - b.center_y))
    return NEAR_SCORE * (1.0 - distance / NEAR) if distance < NEAR else 0.0


class _Open:
    def __init__(self, label: str, first: SceneObject, frame: int, time: float) -> None:
        self.label = label
        self.first_frame = frame
        self.last_frame = frame
        self.objects = [first]
        self.points = [TrackPoint(time=time, bbox=first.bbox, confidence=first.confidence)]
        self.last_time = time


def track_objects(frames: list[VideoFrame], duration: float) -> tuple[list[ObjectTrack], list[list[SceneObject]]]:
    """Tracks over ``frames`` (sorted by time), and for each the detections it links.

    ``ObjectTrack.object_index`` is left at the track's own index; the caller renumbers it
    when it builds the union scene.
    """
    open_tracks: list[_Open] = []
    done: list[_Open] = []
    for fi, frame in enumerate(frames):
        candidates = list(frame.objects)
        scores = np.zeros((len(open_tracks), len(candidates)))
        for i, track in enumerate(open_tracks):
            for j, obj in enumerate(candidates):
                if obj.label == track.label:
                    scores[i, j] = link_score(track.points[-1].bbox, obj.bbox)
        linked: set[int] = set()
        matched: set[int] = set()
        if scores.size:
            rows, cols = linear_sum_assignment(-scores)
            for i, j in zip(rows, cols, strict=True):
                if scores[i, j] > 0:
                    track, obj = open_tracks[i], candidates[j]
                    track.objects.append(obj)
                    track.points.append(TrackPoint(time=frame.time, bbox=obj.bbox, confidence=obj.confidence))
                    track.last_frame, track.last_time = fi, frame.time
                    linked.add(j)
                    matched.add(i)
        still: list[_Open] = []
        for i, track in enumerate(open_tracks):
            alive = i in matched or fi - track.last_frame <= 1 or frame.time - track.last_time <= MAX_GAP
            (still if alive else done).append(track)
        open_tracks = still + [_Open(obj.label, obj, fi, frame.time) for j, obj in enumerate(candidates) if j not in linked]
    done.extend(open_tracks)
    done.sort(key=lambda t: (t.first_frame, t.label))
    times = [f.time for f in frames]
    tracks = [
        ObjectTrack(id=k, label=t.label, object_index=k, enter=round(_enter(times, t.first_frame), 6),
                    leave=round(_leave(times, t.last_frame, duration), 6), points=t.points)
        for k, t in enumerate(done)
    ]
    return tracks, [t.objects for t in done]


def _enter(times: list[float], first: int) -> float:
    return 0.0 if first == 0 else (times[first - 1] + times[first]) / 2


def _leave(times: list[float], last: int, duration: float) -> float:
    return duration if last == len(times) - 1 else (times[last] + times[last + 1]) / 2


def drop_label_flips(tracks: list[ObjectTrack], detections: list[list[SceneObject]]
                     ) -> tuple[list[ObjectTrack], list[list[SceneObject]]]:
    """``tracks`` without the one-frame tracks that are a longer track's object under another label."""
    keep = []
    for track, dets in zip(tracks, detections, strict=True):
        flip = False
        if len(track.points) == 1:
            point = track.points[0]
            for other in tracks:
                if other is track or other.label == track.label or len(other.points) < 3:
                    continue
                if not other.enter <= point.time <= other.leave or any(p.time == point.time for p in other.points):
                    continue
                nearest = min(other.points, key=lambda p: abs(p.time - point.time))
                if iou(nearest.bbox, point.bbox) >= FLIP_IOU:
                    flip = True
                    break
        if not flip:
            keep.append((track, dets))
    return [t for t, _ in keep], [d for _, d in keep]
