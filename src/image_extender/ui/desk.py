"""The mixing desk: shape a finished soundscape without analysing the photo again.

A run's ``manifest.json`` already holds everything a mix needs (scene, choices, planned
tracks). The desk keeps one *strip* per track — gain offset, pan, mute, solo and an
optional swapped sound — and turns base manifest + strips into the manifest the user
hears (:func:`desk_manifest`). Rendering that manifest has two speeds:

* :class:`LiveMixer` renders only what changed (decoded sources and rendered stems are
  kept between edits, keyed by the track's full JSON) and runs the same master stage as
  :func:`image_extender.mix.render.render_mix`, so the player gets the *same samples* the
  bundle will hold, in well under a second for a 30 s mix;
* :func:`image_extender.pipeline.write_outputs` then writes the full folder (stems, ZIP,
  credits, timeline) — the manifest in it re-renders exactly, like any other run.

Muted tracks (and, when anything is soloed, the tracks that are not) are left out of the
manifest, so the credits and the ZIP only name what is heard. Swapping a sound keeps the
track's events, pan and target level; the gain is measured again for the new recording
(``mix.plan.level_gain_db``), the way the planner levelled the first one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..manifest import Event, Manifest, Sound, Track
from ..settings import Settings

GAIN_RANGE_DB = (-24.0, 12.0)  # what a strip's fader offers around the planned level
SWAP_CHOICES = 8  # candidates offered per track


@dataclass
class Strip:
    """One channel strip: what the user changed on one planned track."""

    gain_db: float = 0.0  # offset on the planned gain (the fader)
    pan: float | None = None  # None: where the planner put it
    mute: bool = False
    solo: bool = False
    sound: dict | None = None  # a swapped-in Sound (JSON), None: the planned one

    @classmethod
    def from_dict(cls, data: dict | None) -> Strip:
        data = dict(data or {})
        return cls(**{k: data[k] for k in ("gain_db", "pan", "mute", "solo", "sound") if k in data})

    def to_dict(self) -> dict:
        return asdict(self)


def heard(strips: list[Strip]) -> list[bool]:
    """Which tracks play: solo wins over everything; otherwise every track that is not muted."""
    soloed = any(s.solo for s in strips)
    return [(s.solo if soloed else True) and not (s.mute and not s.solo) for s in strips]


def desk_manifest(base: Manifest, strips: list[Strip]) -> Manifest:
    """The manifest as the desk says: strips applied, silent tracks left out (credits follow).

    ``base`` is the run's own manifest (sound paths relative to its folder); the result
    keeps those paths, so it renders with ``base_dir`` = that folder.
    """
    if len(strips) != len(base.tracks):
        raise ValueError(f"desk has {len(strips)} strips for {len(base.tracks)} tracks")
    manifest = base.model_copy(deep=True)
    tracks: list[Track] = []
    for track, strip, on in zip(manifest.tracks, strips, heard(strips), strict=True):
        if not on:
            continue
        update: dict = {"gain_db": track.gain_db + strip.gain_db, "target_db": track.target_db + strip.gain_db}
        if strip.pan is not None:
            update["pan"] = max(-1.0, min(1.0, float(strip.pan)))
        if strip.sound is not None:
            sound = Sound.model_validate(strip.sound)
            update["sound"] = sound
            choice = manifest.choices[track.choice_index] if track.choice_index < len(manifest.choices) else None
            if choice is not None:
                manifest.choices[track.choice_index] = choice.model_copy(update={
                    "sound": sound, "score": None,
                    "verdict": f"swapped by hand on the mixing desk (was “{track.sound.name}”)"})
        tracks.append(track.model_copy(update=update))
    manifest.tracks = tracks
    manifest.report = None
    return manifest


def swap_sound(track: Track, sound: Sound, stems, base_dir: Path) -> dict:
    """``sound`` as a strip's swap, with the planned gain re-measured for the new recording.

    ``stems`` is the mix spec's ``StemCache`` (the live mixer's: the new stem is rendered
    once, for the measurement and the mix). The returned Sound JSON carries an absolute
    path (library files live outside the run); the strip's fader stays an offset on top.
    """
    from ..mix.plan import level_gain_db

    path = Path(sound.path)
    if not path.is_absolute():
        path = base_dir / path
    new = fit_events(track, sound.model_copy(update={"path": str(path.resolve())}))
    gain = level_gain_db(new, stems)
    return {**new.sound.model_dump(mode="json"), "_gain_db": gain, "_events": [e.model_dump() for e in new.events],
            "_loop": new.loop}


def fit_events(track: Track, sound: Sound) -> Track:
    """``track`` playing ``sound`` instead: the same moments, read from where the new file has audio.

    The planner chose event offsets inside the old recording; a shorter new one would play
    nothing from there. Offsets wrap into the new file; a bed shorter than its events loops
    (``render.loop_unit`` cross-fades the seam).
    """
    duration = max(sound.duration, 1e-3)
    events = [e.model_copy(update={"offset": e.offset % duration if e.offset >= duration else e.offset})
              for e in track.events]
    loop = track.loop or (track.role == "ambience" and any(e.length > duration for e in events))
    return track.model_copy(update={"sound": sound, "events": events, "loop": loop})


def apply_swap_gains(base: Manifest, strips: list[Strip]) -> Manifest:
    """Put each swapped sound's measured gain on its track before the strip offsets."""
    manifest = base.model_copy(deep=True)
    for track, strip in zip(manifest.tracks, strips, strict=True):
        if strip.sound is not None and "_gain_db" in strip.sound:
            track.gain_db = float(strip.sound["_gain_db"])
            track.events = [Event.model_validate(e) for e in strip.sound.get("_events", [])] or track.events
            track.loop = bool(strip.sound.get("_loop", track.loop))
    return manifest


def strips_for_render(strips: list[Strip]) -> list[Strip]:
    """Strips whose swapped Sound JSON has no private keys (``_gain_db``)."""
    return [Strip(**{**s.to_dict(), "sound": None if s.sound is None else
                     {k: v for k, v in s.sound.items() if not k.startswith("_")}}) for s in strips]


def edited_manifest(base: Manifest, strips: list[Strip]) -> Manifest:
    """Base manifest + strips → the manifest to render (swaps levelled, silent tracks out)."""
    return desk_manifest(apply_swap_gains(base, strips), strips_for_render(strips))


# --------------------------------------------------------------------------- live rendering


class LiveMixer:
    """Renders a desk manifest fast by keeping one ``mix.render.StemCache`` per mix spec.

    The cache keys stems by what they depend on (sound, events, pan, EQ), not by gain, so
    moving a fader renders nothing again, and a pan or a swap renders one stem. The sum
    and master stage are ``render_mix``'s (stems summed in track order in float64, then
    ``apply_true_peak_ceiling``), so the samples equal the bundle's ``mix.wav``; the same
    cache is handed to ``write_outputs`` for the take.
    """

    def __init__(self, max_specs: int = 8) -> None:
        self._caches: OrderedDict[str, object] = OrderedDict()
        self._max = max_specs
        self._lock = threading.Lock()

    def stems(self, spec):
        """The ``StemCache`` for ``spec`` (shared by every session: stems are keyed by content)."""
        from ..mix.render import StemCache

        key = spec.model_dump_json()
        with self._lock:
            cache = self._caches.get(key)
            if cache is None:
                cache = self._caches[key] = StemCache(spec, max_bytes=256 << 20)
                while len(self._caches) > self._max:
                    self._caches.popitem(last=False)
            else:
                self._caches.move_to_end(key)
            return cache

    def render(self, tracks: list[Track], spec) -> np.ndarray:
        """The master-stage mix (frames, 2) float32 of ``tracks`` (absolute sound paths)."""
        from ..mix.loudness import apply_true_peak_ceiling
        from ..mix.render import mix_frames

        cache = self.stems(spec)
        with self._lock:
            total = np.zeros((mix_frames(spec), 2))
            for track in tracks:
                total += cache.stem(track)
            # float32 from the master stage itself, as render_mix asks: same bits as the bundle's mix.wav
            return apply_true_peak_ceiling(total, spec.sample_rate, spec.ceiling_dbfs, out_dtype=np.float32).samples


def absolute_tracks(manifest: Manifest, base_dir: Path) -> list[Track]:
    out = []
    for track in manifest.tracks:
        path = Path(track.sound.path)
        copy = track.model_copy(deep=True)
        copy.sound.path = str(path if path.is_absolute() else (base_dir / path).resolve())
        out.append(copy)
    return out


def live_mix(mixer: LiveMixer, manifest: Manifest, base_dir: Path, target: Path) -> tuple[Path, float]:
    """Render ``manifest`` with ``mixer`` and write ``target`` (24-bit WAV); returns (path, seconds)."""
    from ..report.audio import write_audio

    started = time.perf_counter()
    mix = mixer.render(absolute_tracks(manifest, base_dir), manifest.mix)
    write_audio(target, mix, manifest.mix.sample_rate)
    return target, time.perf_counter() - started


# --------------------------------------------------------------------------- re-planning


def replan(base: Manifest, settings: Settings) -> Manifest:
    """Plan the mix again from the run's scene and choices with new level/EQ/duration settings.

    No analysis and no retrieval: the photo is not read and the library is not searched.
    Sound paths in ``base`` must be absolute (see :func:`with_absolute_sounds`).
    """
    from ..pipeline import plan

    spec, tracks, analysis = plan(base.scene, base.choices, settings)
    return base.model_copy(update={"mix": spec, "tracks": tracks, "analysis": analysis, "report": None,
                                   "settings": settings.public_dict()})


def with_absolute_sounds(manifest: Manifest, base_dir: Path) -> Manifest:
    """A copy whose tracks' and choices' sound paths are absolute (relative ones resolved in ``base_dir``)."""
    m = manifest.model_copy(deep=True)
    for holder in [*m.tracks, *m.choices]:
        if holder.sound is not None and not Path(holder.sound.path).is_absolute():
            holder.sound.path = str((base_dir / holder.sound.path).resolve())
    return m


# --------------------------------------------------------------------------- swap candidates


def trail_candidates(manifest: Manifest, track: Track) -> list[str]:
    """Sound ids the retrieval looked at for this track, in trail order, each once."""
    choice = manifest.choices[track.choice_index] if track.choice_index < len(manifest.choices) else None
    seen: list[str] = []
    for step in choice.trail if choice else []:
        if step.sound_id and step.sound_id not in seen and step.sound_id != track.sound.id:
            seen.append(step.sound_id)
    return seen


def search_candidates(settings: Settings, query: str, role: str, limit: int = SWAP_CHOICES) -> list[Sound]:
    """Library recordings for ``query`` (objects prefer one-shots, ambience beds), best first."""
    from ..library.store import SoundLibrary
    from ..sounds.library_source import LibrarySource

    lib = SoundLibrary.open(settings.library_dir)
    return [c.sound for c in LibrarySource(lib).search(query, role, limit)]  # type: ignore[arg-type]
