"""Shape planned tracks to the clip's time line (the ``retime`` hook of ``mix.plan.plan_mix``).

* An **object** track plays only while its object is on screen: its one-shots are placed
  (``mix.place.place_object``, seeded like any track) on the object's own span from
  ``enter`` to ``leave``, and its pan/level follow the object's box through an automation
  curve (``mix.automation.object_automation``).
* An **ambience** bed plays in the segments whose medoid frame gave its tag; at a scene
  cut it cross-fades (linear, ``CROSSFADE`` seconds centred on the cut) into the next
  segment's bed (a segment whose tags found no sound keeps its neighbour's). Beds that never share a segment do not share the level budget: each
  aims at ``ambience_db − 10·log10(m)`` with m the most beds any one segment plays.
"""

from __future__ import annotations

import math

from ..manifest import Event, ObjectTrack, Scene, SoundChoice, Track, VideoScene
from ..mix.automation import object_automation, shifted
from ..mix.place import BED_FADE_IN, BED_FADE_OUT, place_object, track_rng

CROSSFADE = 1.5  # seconds, bed cross-fade at a scene cut


class Retimer:
    """``retime(track, source_seconds) -> track`` for ``plan_mix``; deterministic given the seed."""

    def __init__(self, video: VideoScene, scene: Scene, choices: list[SoundChoice], *, seed: int,
                 ambience_db: float) -> None:
        self.video = video
        self.choices = choices
        self.scene = scene
        self.seed = seed
        self.duration = video.info.duration
        self.beds = playing_beds(video, choices)
        busiest = max((len(b) for b in self.beds), default=1) or 1
        self.bed_db = ambience_db - 10.0 * math.log10(busiest)
        self.by_object = {t.object_index: t for t in video.tracks}

    def __call__(self, track: Track, source_seconds: float) -> Track:
        if track.role == "object":
            return self._object(track, source_seconds)
        return self._bed(track)

    def _object(self, track: Track, source_seconds: float) -> Track:
        index = self.choices[track.choice_index].target_index
        follow: ObjectTrack | None = self.by_object.get(index)
        if follow is None:
            return track
        obj = self.scene.objects[index]
        span = max(0.1, follow.leave - follow.enter)
        rng = track_rng(self.seed, "video-object", index, track.label)
        events = shifted(place_object(source_seconds, span, obj.importance, rng, count=obj.count), follow.enter)
        automation = object_automation(
            [p.time for p in follow.points], [p.bbox.center_x for p in follow.points], [p.bbox.area for p in follow.points],
            enter=follow.enter, leave=follow.leave, duration=self.duration,
            source=f"object track {follow.id} '{follow.label}', {len(follow.points)} sampled frames",
        )
        return track.model_copy(update={"events": events, "automation": automation, "pan": automation.pan[0]})

    def _bed(self, track: Track) -> Track:
        label = track.label
        spans = [(s.start, s.end) for s, beds in zip(self.video.segments, self.beds, strict=True) if label in beds]
        if not spans or len(spans) == len(self.video.segments):
            return track.model_copy(update={"target_db": self.bed_db})
        merged: list[list[float]] = []
        for start, end in spans:
            if merged and abs(merged[-1][1] - start) < 1e-6:
                merged[-1][1] = end
            else:
                merged.append([start, end])
        first = track.events[0]
        events = []
        for start, end in merged:
            a = max(0.0, start - CROSSFADE / 2) if start > 0 else 0.0
            b = min(self.duration, end + CROSSFADE / 2) if end < self.duration else self.duration
            events.append(Event(start=round(a, 6), offset=round(first.offset + a, 6),
                                length=round(b - a, 6),
                                fade_in=CROSSFADE if a > 0 else min(BED_FADE_IN, (b - a) / 4),
                                fade_out=CROSSFADE if b < self.duration else min(BED_FADE_OUT, (b - a) / 4)))
        return track.model_copy(update={"events": events, "target_db": self.bed_db})


def playing_beds(video: VideoScene, choices: list[SoundChoice]) -> list[list[str]]:
    """Per segment, the bed labels that play in it: its own tags that found a sound; a
    segment none of whose tags found one keeps the previous segment's beds (the first such
    the next one's), so the bed never drops out."""
    found = {c.target for c in choices if c.role == "ambience" and c.sound is not None}
    own = [[label for label in s.ambience if label in found] for s in video.segments]
    beds: list[list[str]] = []
    for i, labels in enumerate(own):
        if labels:
            beds.append(labels)
        elif beds:
            beds.append(beds[-1])
        else:
            beds.append(next((later for later in own[i + 1:] if later), []))
    return beds
