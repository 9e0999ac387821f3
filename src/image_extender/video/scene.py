"""Clip → ``VideoScene`` (what happens over time) + ``Scene`` (the union the sound finder reads).

The stage: probe the clip, sample n = k·log10(s) frames (``frames.py``), run the configured
analyzer on every one of them (offline detector, or the VLM), embed each with the
classifier (``best.py``: best frame, scene cuts, segments), follow objects across frames
(``tracks.py``), and describe the clip (``caption.py``).

The union ``Scene`` has one sounding object per track — its strongest detection, box at
its best moment — and the ambience of every segment's medoid frame, so the existing
``sounds/`` finder picks recordings for a clip exactly as it does for a photo.

Single-sample tracks of a longer clip (seen in one sampled frame, confidence below
``BLINK_CONFIDENCE``) are detector blinks and are dropped; then the ``max_objects`` tracks
with the most importance × time on screen are kept.

The analysis is cached under the clip's MD5 (plus everything that changes the answer:
k, analyzer, thresholds), so a second run on the same file skips decoding and detection.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..analyze.base import LoadedImage
from ..errors import InputError
from ..manifest import AmbienceTag, ImageInfo, ObjectTrack, Scene, SceneObject, VideoFrame, VideoScene, VideoSegment
from ..settings import Settings
from .best import best_frame, scene_cuts, segment_medoids
from .caption import enhance_prompt, offline_caption
from .frames import DEFAULT_K, MAX_SIDE, frame_count, iter_frames, probe, sample_times
from .tracks import drop_label_flips, track_objects

FrameProgress = Callable[[int, int], None]
BLINK_CONFIDENCE = 0.6
CACHE_VERSION = 3  # bump when the analysis changes meaning (3: a silent frame is non-sonic, no outdoor bed)


def _quiet(done: int, total: int) -> None:
    pass


def analyze_video(path: Path, settings: Settings, *, k: float = DEFAULT_K, cache_dir: Path | None = None,
                  on_frame: FrameProgress = _quiet, usage: list[dict] | None = None) -> tuple[VideoScene, Scene]:
    """Analyse ``path``; read/write the cache in ``cache_dir`` when given."""
    from ..analyze import get_analyzer
    from ..analyze.classifier import load_classifier

    path = Path(path)
    info = probe(path)
    key = _cache_key(info.md5, k, settings)
    cached = _read_cache(cache_dir, key, path) if cache_dir is not None else None
    if cached is not None:
        return cached
    n = frame_count(info.duration, info.frames, k)
    analyzer = get_analyzer(settings.analyzer, settings)
    analyzer.load()
    classifier = load_classifier()
    frames: list[VideoFrame] = []
    embeddings: list[np.ndarray] = []
    on_frame(0, n)
    for frame in iter_frames(path, sample_times(info.duration, n), max_side=MAX_SIDE, duration=info.duration):
        scene = analyzer.analyze(LoadedImage(path=path, md5=info.md5, rgb=frame.rgb))
        # a silent frame's caption says why it is silent (offline: "no place and nothing that
        # sounds recognised"), which is no caption of the clip: it never becomes the VLM caption
        frames.append(VideoFrame(index=frame.index, time=frame.time, objects=scene.objects, ambience=scene.ambience,
                                 tags=scene.tags, caption=None if scene.non_sonic else scene.caption))
        embeddings.append(classifier.embedding(frame.rgb))
        on_frame(frame.index + 1, n)
    if usage is not None:
        usage.extend(getattr(analyzer, "usage", None) or [])
    if not frames:
        raise InputError(f"{path}: no frame could be decoded")
    emb = np.stack(embeddings)
    times = [f.time for f in frames]
    best = best_frame(emb, times)
    cuts = scene_cuts(emb, times)
    segments = [
        VideoSegment(start=0.0 if a == 0 else cuts[i - 1].time, end=info.duration if b == len(frames) - 1 else cuts[i].time,
                     frame=m, ambience=[t.label for t in frames[m].ambience])
        for i, (a, b, m) in enumerate(segment_medoids(emb, cuts))
    ]
    tracks, detections = drop_label_flips(*track_objects(frames, info.duration))
    tracks, objects = _sounding_objects(tracks, detections, best.index, frames, settings.max_objects)
    ambience = _ambience(frames, segments)
    best_frame_ = frames[best.index]
    vlm_caption = best_frame_.caption
    caption = vlm_caption or offline_caption(objects, best_frame_.ambience or ambience, best_frame_.tags)
    scene = Scene(image=ImageInfo(path=info.path, md5=info.md5, width=info.width, height=info.height),
                  analyzer=settings.analyzer, objects=objects, ambience=ambience, tags=best_frame_.tags,
                  caption=caption, mood=None)
    video = VideoScene(info=info, frames_k=k, frames=frames, best=best, tracks=tracks, cuts=cuts, segments=segments,
                       caption=caption, caption_source="vlm" if vlm_caption else "offline",
                       prompt=enhance_prompt(caption, scene))
    if cache_dir is not None:
        _write_cache(cache_dir, key, video, scene)
    return video, scene


def _sounding_objects(tracks: list[ObjectTrack], detections: list[list[SceneObject]], best: int,
                      frames: list[VideoFrame], max_objects: int) -> tuple[list[ObjectTrack], list[SceneObject]]:
    long_clip = len(frames) >= 4
    kept = [
        (t, d) for t, d in zip(tracks, detections, strict=True)
        if not (long_clip and len(t.points) == 1 and max(o.confidence for o in d) < BLINK_CONFIDENCE)
    ]
    kept.sort(key=lambda td: -max(o.importance for o in td[1]) * (td[0].leave - td[0].enter))
    kept = kept[:max_objects]
    kept.sort(key=lambda td: (td[0].enter, td[0].id))
    best_time = frames[best].time
    out_tracks, objects = [], []
    for index, (track, dets) in enumerate(kept):
        strongest = max(dets, key=lambda o: (o.importance, o.confidence))
        at_best = [o for o, p in zip(dets, track.points, strict=True) if p.time == best_time]
        shown = at_best[0] if at_best else strongest
        objects.append(shown.model_copy(update={
            "importance": strongest.importance, "confidence": max(o.confidence for o in dets),
            "count": max(o.count for o in dets)}))
        out_tracks.append(track.model_copy(update={"id": index, "object_index": index}))
    return out_tracks, objects


def _ambience(frames: list[VideoFrame], segments: list[VideoSegment]) -> list[AmbienceTag]:
    """Every segment's beds, once each by label, in order of first appearance."""
    tags: dict[str, AmbienceTag] = {}
    for segment in segments:
        for tag in frames[segment.frame].ambience:
            tags.setdefault(tag.label, tag)
    return list(tags.values())


def _cache_key(md5: str, k: float, settings: Settings) -> str:
    parts = {"v": CACHE_VERSION, "md5": md5, "k": k, "analyzer": settings.analyzer, "max_side": MAX_SIDE,
             "min_confidence": settings.min_confidence, "max_objects": settings.max_objects,
             "llm": settings.llm.model_dump(mode="json") if settings.analyzer != "offline" else None}
    digest = hashlib.sha1(json.dumps(parts, sort_keys=True).encode(), usedforsecurity=False).hexdigest()[:12]
    return f"{md5}-{digest}"


def _read_cache(cache_dir: Path, key: str, path: Path) -> tuple[VideoScene, Scene] | None:
    file = Path(cache_dir) / f"{key}.json"
    if not file.is_file():
        return None
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        video, scene = VideoScene.model_validate(data["video"]), Scene.model_validate(data["scene"])
    except (OSError, ValueError, KeyError):
        return None  # a stale or damaged entry is recomputed, never trusted
    video.info.path = scene.image.path = str(Path(path).resolve())  # same bytes, maybe another name
    return video, scene


def _write_cache(cache_dir: Path, key: str, video: VideoScene, scene: Scene) -> None:
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / f".{key}.partial"
    tmp.write_text(json.dumps({"video": video.model_dump(mode="json"), "scene": scene.model_dump(mode="json")}),
                   encoding="utf-8")
    tmp.replace(cache_dir / f"{key}.json")
