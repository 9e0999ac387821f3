"""Plan the mix: one ``Track`` per found sound, with where, when, how loud.

* **Where** (pan): an object sits at its bounding-box centre, x ∈ [0, 1] → pan ∈ [−1, 1];
  a bed sits in the centre (stereo beds keep their own image; mono beds are centred at
  −3 dB per side — plain and comb-filter free, unlike delay-based widening).
* **When**: ``place.py`` (all randomness, seeded per track).
* **How loud**: an object's target is mapped linearly from its importance onto
  [``object_db_min``, ``object_db_max``] (0 → −30, 1 → −20 by default). Beds share
  ``ambience_db``: with n beds each aims at ``ambience_db − 10·log10(n)`` so that the
  (uncorrelated) beds together sit at ``ambience_db``. The numbers are read in
  ``spec.level_unit`` (``levels.py``): active RMS dBFS (default) or integrated LUFS
  (BS.1770-4). ``gain_db`` = the gain that brings the track rendered at unity gain — the
  source *as it will play* (its events, fades, loop seams and pan) — to its target, which
  is target − the clip's own level whenever the clip plays whole. Active RMS is linear in
  gain, so the rendered stem measures exactly the target; LUFS is refined by re-measuring
  to within 0.05 LU.
* **Make-up gain after dynamic EQ** (``make_up_eq_gain``): the EQ cuts planned later take
  a little level off the masker (up to ~1 dB on a bed cut often). The EQ is meant to
  reshape the spectrum where sounds clash, not to turn a track down, so the track's gain is
  re-solved with its EQ applied (EQ is linear, so gain and EQ commute) and the stem again
  meets its target — the same make-up gain a mixing engineer adds after a cut.

Planning reads the sound files (to measure them) but is otherwise pure: the same choices,
objects and spec always give the same tracks.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..errors import RenderError
from ..manifest import MixSpec, SceneObject, SoundChoice, Track
from .levels import SILENCE_DB, gain_to_target, level_measure
from .place import place_bed, place_object, track_rng
from .render import StemCache

BED_CROSSFADE = 1.0  # seconds, loop seams of beds


def object_target_db(importance: float, db_min: float = -30.0, db_max: float = -20.0) -> float:
    """Linear map of importance 0…1 onto [db_min, db_max]."""
    return db_min + (db_max - db_min) * min(1.0, max(0.0, importance))


def plan_mix(
    choices: list[SoundChoice],
    objects: list[SceneObject],
    spec: MixSpec,
    *,
    object_db_min: float = -30.0,
    object_db_max: float = -20.0,
    ambience_db: float = -30.0,
    retime: Callable[[Track, float], Track] | None = None,
    stems: StemCache | None = None,
) -> list[Track]:
    """Tracks for every choice that found a sound, in choice order.

    The targets are read in ``spec.level_unit``. Writes the definition of that measure into
    ``spec.level_measure`` so the manifest says what ``target_db`` / ``level_db`` mean.
    ``retime(track, source_seconds)``, when given, reshapes each track's events, target or
    automation (video: objects play while on screen) before its gain is solved.
    ``stems``: the run's stem cache (the stems measured here are the ones later stages use).
    """
    if object_db_min > object_db_max:
        raise ValueError(f"object_db_min ({object_db_min}) exceeds object_db_max ({object_db_max})")
    spec.level_measure = level_measure(spec.level_unit)
    cache = stems or StemCache(spec)
    n_beds = sum(1 for c in choices if c.role == "ambience" and c.sound is not None)
    bed_db = ambience_db - 10.0 * math.log10(n_beds) if n_beds else ambience_db
    tracks: list[Track] = []
    for index, choice in enumerate(choices):
        if choice.sound is None:
            continue
        label = choice.target
        source = cache.sources.get(choice.sound.path, track=label)
        seconds = source.shape[0] / spec.sample_rate
        rng = track_rng(spec.seed, choice.role, choice.target_index, label)
        if choice.role == "ambience":
            events, loop = place_bed(seconds, spec.duration, rng)
            pan, target = 0.0, bed_db
        else:
            if not 0 <= choice.target_index < len(objects):
                raise RenderError(
                    f"choice '{label}': target_index {choice.target_index} is not one of the {len(objects)} scene objects"
                )
            obj = objects[choice.target_index]
            events = place_object(seconds, spec.duration, obj.importance, rng, count=obj.count)
            loop = False
            pan = obj.bbox.pan
            target = object_target_db(obj.importance, object_db_min, object_db_max)
        track = Track(
            role=choice.role,
            label=label,
            choice_index=index,
            sound=choice.sound,
            events=events,
            loop=loop,
            crossfade=BED_CROSSFADE if loop else 0.0,
            pan=max(-1.0, min(1.0, pan)),
            target_db=target,
            gain_db=0.0,
        )
        if retime is not None:
            track = retime(track, seconds)
        track.gain_db = level_gain_db(track, cache)
        tracks.append(track)
    return tracks


def level_gain_db(track: Track, stems: StemCache) -> float:
    """The ``gain_db`` at which ``track`` (events, pan and EQ as planned) meets ``track.target_db``."""
    spec = stems.spec
    if spec.level_unit == "dbfs":  # active RMS is linear in gain: the cached unity-gain reading settles it
        level = stems.measures(track).active_rms_db
        if level <= SILENCE_DB:
            raise RenderError(f"{track.sound.path}: sound for '{track.label}' is silent; cannot set its level")
        return float(track.target_db - level)
    if stems.spooled:  # a long mix: the stem is on disk, and LUFS is linear in gain away from the −70 LUFS gate
        measured = stems.measures(track)
        gain = track.target_db - measured.lufs
        if measured.lufs > SILENCE_DB and measured.lufs_at(gain) is not None:
            return float(gain)  # what loudness.gain_for_lufs settles on in its first round there
    stem = stems.equalised(track)
    if not isinstance(stem, np.ndarray):
        stem = stem[:]  # near the gate: measured in memory, as a short mix is
    try:
        return float(gain_to_target(stem, spec.sample_rate, track.target_db, spec.level_unit))
    except ValueError:
        raise RenderError(f"{track.sound.path}: sound for '{track.label}' is silent; cannot set its level") from None


def make_up_eq_gain(tracks: list[Track], spec: MixSpec, stems: StemCache | None = None) -> list[Track]:
    """Copies of ``tracks`` whose ``gain_db`` meets the target again *with* their dynamic EQ.

    Tracks without EQ already play as planned and come back unchanged (no re-measuring).
    Pure apart from reading the sound files.
    """
    cache = stems or StemCache(spec)
    return [t.model_copy(update={"gain_db": level_gain_db(t, cache)}) if t.eq else t for t in tracks]
