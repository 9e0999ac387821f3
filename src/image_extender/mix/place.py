"""When things sound: seeded placement of events on the timeline.

All randomness of a mix is drawn *here*, at plan time, and written into the tracks'
``Event`` lists, so rendering is a deterministic function of the manifest (scaper's
split between an event *spec* and its instantiation).

Rules:

* Beds (ambience) cover the whole mix. A source at least as long as the mix plays once
  from a seeded offset; a shorter one loops (``loop=True``, seams cross-faded at render)
  from a seeded offset into the source.
* Long object clips (≥ half the mix) play once, at a seeded start, trimmed with a fade-out
  if they would run past the end.
* Short object clips recur like real sounds do: the first onset is early but not at t=0,
  then each silence between two occurrences is drawn uniformly from
  [0.5·m, 1.5·m] where the mean gap m goes from 7 s (importance 0) to 3 s (importance 1),
  shortened by √count when the scene holds several instances.
* No event runs past the end of the mix; a cut event gets a longer fade-out. Every event
  has a short fade-in/out (10 ms / 50 ms, at most 5 % / 10 % of a clip) against clicks.
"""

from __future__ import annotations

import zlib

import numpy as np

from ..manifest import Event

FADE_IN = 0.01
FADE_OUT = 0.05
CUT_FADE = 0.3  # fade when an event starts or ends in the middle of a recording
BED_FADE_IN = 0.1
BED_FADE_OUT = 1.0
GAP_SLOW = 7.0  # mean silence between occurrences of an importance-0 object, seconds
GAP_FAST = 3.0  # ... of an importance-1 object
MIN_EVENT = 0.1  # never start an event in the last 100 ms
FIRST_ONSET_MIN = 0.25


def track_rng(seed: int, role: str, target_index: int, label: str) -> np.random.Generator:
    """A generator per track, independent of the other tracks.

    Seeded from the mix seed and a stable hash (CRC-32, not Python's salted ``hash``) of
    what the track serves, so adding an object does not reshuffle the others.
    """
    key = zlib.crc32(f"{role}:{target_index}:{label}".encode())
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, key])


def place_bed(source_seconds: float, duration: float, rng: np.random.Generator) -> tuple[list[Event], bool]:
    """One event spanning the mix; returns (events, loop)."""
    _check(source_seconds, duration)
    if source_seconds >= duration:
        offset = float(rng.uniform(0.0, source_seconds - duration))
        loop = False
    else:
        offset = float(rng.uniform(0.0, source_seconds))
        loop = True
    fade_in = min(BED_FADE_IN, duration / 4)
    fade_out = min(BED_FADE_OUT, duration / 4)
    return [Event(start=0.0, offset=offset, length=duration, fade_in=fade_in, fade_out=fade_out)], loop


def place_object(
    source_seconds: float,
    duration: float,
    importance: float,
    rng: np.random.Generator,
    *,
    count: int = 1,
) -> list[Event]:
    """Events for one object sound (see the module docstring for the rules)."""
    _check(source_seconds, duration)
    if source_seconds >= duration / 2:
        return [_long_event(source_seconds, duration, rng)]

    mean_gap = (GAP_SLOW + (GAP_FAST - GAP_SLOW) * importance) / np.sqrt(min(max(count, 1), 4))
    last_start = duration - MIN_EVENT
    onset = float(rng.uniform(FIRST_ONSET_MIN, FIRST_ONSET_MIN + 0.6 * mean_gap))
    if onset >= last_start:  # a very short mix: still let the sound be heard once
        onset = max(0.0, min(FIRST_ONSET_MIN, duration - source_seconds))
    events: list[Event] = []
    while onset < last_start or not events:
        events.append(_clip_event(onset, source_seconds, duration))
        onset += source_seconds + float(rng.uniform(0.5 * mean_gap, 1.5 * mean_gap))
    return events


def _long_event(source_seconds: float, duration: float, rng: np.random.Generator) -> Event:
    if source_seconds >= duration:  # plays across the whole mix from a seeded offset
        offset = float(rng.uniform(0.0, source_seconds - duration))
        fade_in = FADE_IN if offset == 0.0 else min(CUT_FADE, duration / 4)
        return Event(start=0.0, offset=offset, length=duration, fade_in=fade_in,
                     fade_out=min(CUT_FADE, duration / 4))
    start = float(rng.uniform(0.0, duration - source_seconds))
    return _clip_event(start, source_seconds, duration)


def _clip_event(start: float, source_seconds: float, duration: float) -> Event:
    """The whole clip from ``start``, cut (with a longer fade-out) at the end of the mix."""
    length = min(source_seconds, duration - start)
    cut = length < source_seconds
    # fades stay a small share of a short clip so they don't eat its level (a 160 ms bark
    # gets 8 ms in / 16 ms out)
    fade_out = min(CUT_FADE, length / 2) if cut else min(FADE_OUT, length / 10)
    return Event(start=start, offset=0.0, length=length, fade_in=min(FADE_IN, length / 20), fade_out=fade_out)


def _check(source_seconds: float, duration: float) -> None:
    if not source_seconds > 0:
        raise ValueError(f"source duration must be positive, got {source_seconds}")
    if not duration > 0:
        raise ValueError(f"mix duration must be positive, got {duration}")
