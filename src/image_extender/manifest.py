"""The data model every stage speaks: a manifest flows through the pipeline.

``image --analyze--> Scene --find_sounds--> [SoundChoice] --plan--> tracks --render--> MixReport``

Each stage appends its own section and never reshapes another's. A manifest plus the
sound files it names re-renders the same mix sample for sample (all randomness is drawn
at plan time and written down here), so a user can edit a gain in the JSON and render
again. Nothing in this module does I/O except ``Manifest.load`` / ``Manifest.save``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

MANIFEST_VERSION = 1
MAX_SECONDS = 3600.0  # longest mix (the duration setting's limit) and so any span in it
MAX_SOURCE_SECONDS = 86_400.0  # where in a source recording playback may start
MAX_GAIN_DB = 200.0  # any level or gain beyond ±200 dB is a typo, not a mix decision
MAX_MANIFEST_BYTES = 256 * 1024 * 1024

Role = Literal["ambience", "object"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# --------------------------------------------------------------------------- scene


class BBox(_Model):
    """Axis-aligned box in 0–1 image coordinates (x to the right, y downwards)."""

    x0: float = Field(ge=0.0, le=1.0)
    y0: float = Field(ge=0.0, le=1.0)
    x1: float = Field(ge=0.0, le=1.0)
    y1: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> BBox:
        if self.x1 < self.x0 or self.y1 < self.y0:
            raise ValueError(f"bbox corners out of order: {self}")
        return self

    @property
    def area(self) -> float:
        return (self.x1 - self.x0) * (self.y1 - self.y0)

    @property
    def center_x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def center_y(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def pan(self) -> float:
        """Stereo position −1 (left edge) … +1 (right edge) from the box centre."""
        return 2.0 * self.center_x - 1.0


class SceneObject(_Model):
    """One sounding thing seen in the image."""

    label: str  # what it is ("dog")
    query: str  # what it sounds like ("dog barking")
    bbox: BBox
    importance: float = Field(ge=0.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)
    count: int = Field(default=1, ge=1)  # >1 when several instances were grouped
    # further queries, most specific first, tried after ``query`` and before any hierarchy
    # fallback ("robin singing" -> "songbird chirping" -> "bird song")
    queries: list[str] = Field(default_factory=list)
    # sound concepts that count as right for this object ("robin", "songbird", "bird")
    accepts: list[str] = Field(default_factory=list)
    detected_as: str | None = None  # the detector's class when ``label`` was refined ("bird")
    refined_by: str = ""  # why the label was refined (classifier evidence, WordNet relation)
    # the kind of recording it wants when not a one-shot: "bed" for a continuous source (a
    # river, waves), so a long river recording beats a short splash that names a river
    sound_kind: str | None = None


class AmbienceTag(_Model):
    """A scene / location tag that becomes the stereo background bed."""

    label: str  # "urban street"
    query: str  # "city street traffic ambience"
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list)  # what made us say so
    # further bed queries, then the closest kinds of place, tried in order after ``query``
    # ("old town square ambience" -> "town square" -> "urban street"): a bed is never nothing
    queries: list[str] = Field(default_factory=list)
    indoor: bool | None = None  # the kind of place is inside a building (a room, a shop), outside, or not known


class ImageTag(_Model):
    """A whole-image classifier label (e.g. ImageNet) with its probability."""

    label: str
    score: float


class ImageInfo(_Model):
    path: str
    md5: str
    width: int
    height: int


class Scene(_Model):
    image: ImageInfo
    analyzer: str
    objects: list[SceneObject] = Field(default_factory=list)
    ambience: list[AmbienceTag] = Field(default_factory=list)
    tags: list[ImageTag] = Field(default_factory=list)
    mood: str | None = None
    caption: str | None = None
    non_sonic: bool = False


# --------------------------------------------------------------------------- sounds


class TrailStep(_Model):
    """One thing the retrieval tried, in order: the audit log of a choice."""

    action: Literal["search", "candidate", "reject", "accept", "fallback", "exhausted", "skip"]
    query: str
    detail: str = ""
    sound_id: str | None = None
    score: float | None = None


class Sound(_Model):
    """A recording and everything we know about where it came from."""

    provider: Literal["library", "freesound", "generated"]
    id: str
    path: str  # local file that render reads
    name: str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    licence: str
    licence_url: str = ""  # the licence deed, for attribution in the form CC requires
    author: str = ""
    url: str = ""
    source: str = ""  # e.g. Debian package or collection it came from
    rating: float | None = None
    downloads: int | None = None
    duration: float
    sample_rate: int
    channels: int
    loudness_lufs: float | None = None
    kind: Literal["bed", "one-shot"] | None = None
    loopable: bool | None = None  # a bed whose ends meet without a fade (None: unknown)
    quality: str = ""  # e.g. "low: 11 kHz mono" — lets better beds win ties


class SoundChoice(_Model):
    """The sound found for one object or ambience tag (or why none was)."""

    role: Role
    target: str  # label of the object / ambience tag this serves
    target_index: int = Field(ge=0)  # index into scene.objects or scene.ambience
    query: str  # the query that finally matched (may be a fallback)
    sound: Sound | None = None
    score: float | None = None  # retrieval similarity of the accepted sound
    verdict: str = ""  # why it was accepted / why nothing was
    trail: list[TrailStep] = Field(default_factory=list)


# --------------------------------------------------------------------------- mix


# --------------------------------------------------------------------------- psychoacoustic mix
# EQ events are *planned* from the masking analysis (mix/dyneq.py) and *applied* by render,
# so a manifest re-renders the same samples whether or not the analysis runs again.
class EqEvent(_Model):
    """One dynamic peaking cut on one track (RBJ cookbook peaking biquad, see ``dyneq.py``).

    The cut is fully off before ``start`` and after ``end``; it fades in over ``ramp``
    seconds after ``start`` and out over ``ramp`` seconds before ``end``.
    """

    track: str  # label of the track the cut is applied to (the masker)
    freq_hz: float = Field(gt=0.0, le=96_000.0)
    gain_db: float = Field(le=0.0, ge=-24.0)  # depth of the cut, negative
    q: float = Field(default=1.0, gt=0.0, le=100.0)
    start: float = Field(ge=0.0, le=MAX_SECONDS)
    end: float = Field(gt=0.0, le=MAX_SECONDS)
    ramp: float = Field(default=0.05, ge=0.0, le=MAX_SECONDS)
    band: int = Field(default=-1, ge=-1)  # Bark band index 0–24 it targets (−1: set by hand)
    masks: str = ""  # label of the track it was unmasking
    excess_db: float = 0.0  # how far the masker exceeded the maskee in that band/span
    reason: str = ""  # the human sentence

    @model_validator(mode="after")
    def _span(self) -> EqEvent:
        if self.end <= self.start:
            raise ValueError(f"EQ event on '{self.track}' ends ({self.end}) before it starts ({self.start})")
        return self

    def describe(self) -> str:
        """"−4.7 dB at 570 Hz on engine from 3.20 s to 5.85 s, because it masks voice by 8.1 dB"."""
        depth = f"{self.gain_db:.1f}".replace("-", "\u2212")
        why = f", because it masks {self.masks} by {self.excess_db:.1f} dB" if self.masks else ""
        return f"{depth} dB at {self.freq_hz:.0f} Hz on {self.track} from {self.start:.2f} s to {self.end:.2f} s{why}"


class ClashSpan(_Model):
    """A stretch of time in which one track masks another in at least one band."""

    start: float
    end: float
    band: int  # Bark band (0–24) with the largest summed excess in the span
    centre_hz: float
    mean_excess_db: float  # mean over the span's clash frames of the excess in that band
    peak_excess_db: float


class PairMasking(_Model):
    """How much ``masker`` buries ``maskee``: per band summed over time, plus when."""

    masker: str
    maskee: str
    per_band_db_s: list[float]  # 25 values: Σ_t excess(b, t)·hop, in dB·s
    total_db_s: float
    masked_seconds: float  # time during which the maskee is masked in ≥ 1 band by ≥ the clash threshold
    spans: list[ClashSpan] = Field(default_factory=list)
    role_swaps: list[float] = Field(default_factory=list)  # times at which the other track takes over as masker
    dominance: float = 0.0  # share of co-active frames in which masker → maskee outweighs maskee → masker


class TrackMasking(_Model):
    label: str
    masking_db: float  # the per-track number (formula in MaskingSummary.formula)
    active_seconds: float


class MaskingSummary(_Model):
    formula: str
    clash_threshold_db: float
    mix_db: float  # mean of the per-track numbers
    imbalance_db: float  # standard deviation of the per-track numbers
    tracks: list[TrackMasking] = Field(default_factory=list)
    pairs: list[PairMasking] = Field(default_factory=list)  # only pairs with any masking
    band_centres_hz: list[float] = Field(default_factory=list)


class OptimiserStep(_Model):
    generation: int
    seconds: float
    objective: float


class OptimiserReport(_Model):
    method: str
    objective_formula: str
    budget_seconds: float
    seconds: float
    evaluations: int
    objective_before: float
    objective_after: float
    masking_before_db: float  # band-domain mix masking at the start point
    masking_after_db: float
    imbalance_before_db: float
    imbalance_after_db: float
    gain_bound_db: float
    gain_offsets_db: dict[str, float] = Field(default_factory=dict)  # per track label, added to gain_db
    eq_gains_db: list[float] = Field(default_factory=list)  # final depth of each planned EQ event, in order
    history: list[OptimiserStep] = Field(default_factory=list)


class Event(_Model):
    """One placement of a sound on the timeline.

    ``offset`` is where in the source file playback starts; ``length`` how long it plays.
    Fades are linear-in-amplitude ramps at the event's ends (seconds).
    """

    start: float = Field(ge=0.0, le=MAX_SECONDS)
    offset: float = Field(default=0.0, ge=0.0, le=MAX_SOURCE_SECONDS)
    length: float = Field(gt=0.0, le=MAX_SECONDS)
    fade_in: float = Field(default=0.01, ge=0.0)
    fade_out: float = Field(default=0.05, ge=0.0)


class Automation(_Model):
    """Pan and level of one track over time (``mix/automation.py``): breakpoints, interpolated
    per sample (monotone cubic) at render, so a re-render plays exactly the same moves.

    ``gain_db`` is added to the track's ``gain_db``; ``MUTE_DB`` and below mean silent (the
    object is off screen).
    """

    times: list[float]
    pan: list[float]
    gain_db: list[float]
    source: str = ""  # what drew the curves ("object track 2 'dog', 14 sampled frames")

    @model_validator(mode="after")
    def _shape(self) -> Automation:
        n = len(self.times)
        if n == 0 or len(self.pan) != n or len(self.gain_db) != n:
            raise ValueError(f"automation needs as many pan and gain points as times ({n}, {len(self.pan)}, {len(self.gain_db)})")
        if any(b <= a for a, b in zip(self.times, self.times[1:])):
            raise ValueError("automation times must increase strictly")
        if any(not -1.0 <= p <= 1.0 for p in self.pan):
            raise ValueError("automation pan must lie in [-1, 1]")
        return self


class Track(_Model):
    """One lane of the mix: a sound, where and when it plays, how loud, where in stereo."""

    role: Role
    label: str
    choice_index: int = Field(ge=0)  # index into the manifest's choices
    sound: Sound
    events: list[Event]
    loop: bool = False  # ambience beds: loop the source to fill each event
    crossfade: float = Field(default=1.0, ge=0.0, le=MAX_SECONDS)  # seconds, for loop seams
    pan: float = Field(default=0.0, ge=-1.0, le=1.0)
    target_db: float = Field(ge=-MAX_GAIN_DB, le=MAX_GAIN_DB)  # level the planner aimed for (see MixSpec.level_measure)
    gain_db: float = Field(ge=-MAX_GAIN_DB, le=MAX_GAIN_DB)  # gain applied to the source to reach it
    eq: list[EqEvent] = Field(default_factory=list)  # dynamic cuts, applied after gain and pan
    automation: Automation | None = None  # pan/level over time (video); replaces ``pan`` when set


class MixSpec(_Model):
    # the same ranges as the settings these come from (settings.py), so a hand-edited
    # manifest cannot ask render for what sonify would have refused
    sample_rate: int = Field(default=44100, ge=8000, le=192000)
    duration: float = Field(default=30.0, gt=0.0, le=MAX_SECONDS)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    ceiling_dbfs: float = Field(default=-1.0, ge=-60.0, le=0.0)  # master ceiling, as true peak (dBTP, 4x oversampled, BS.1770-4 Annex 2)
    level_unit: Literal["dbfs", "lufs"] = "dbfs"  # unit of every target_db / level_db: active RMS dBFS or LUFS
    level_measure: str = "active RMS dBFS"


class TrackReport(_Model):
    label: str
    role: Role
    level_db: float  # measured on the rendered stem, same measure as target_db (MixSpec.level_unit)
    peak_dbfs: float
    unit: Literal["dbfs", "lufs"] = "dbfs"  # of level_db, target_db, error_db
    target_db: float | None = None
    error_db: float | None = None  # level_db - target_db (dB or LU)
    lufs: float | None = None  # integrated loudness (BS.1770-4) of the stem's sounding part, whatever the unit


class MixReport(_Model):
    tracks: list[TrackReport] = Field(default_factory=list)
    master_gain_db: float = 0.0  # deepest gain change of the master stage (static gain + limiter, <= 0)
    limiter_db: float = 0.0  # of which the lookahead limiter's deepest reduction (<= 0)
    peak_dbfs: float
    true_peak_dbtp: float | None = None  # of the mix as written (4x oversampled)
    loudness_lufs: float | None = None


class LLMCall(_Model):
    """Tokens and time of one request to a language model (cost report)."""

    model_config = ConfigDict(extra="allow")

    purpose: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    seconds: float = 0.0
    retries: int = 0
    ok: bool = True
    cost_usd: float | None = None


class MixAnalysis(_Model):
    """What the automatic mix engineer measured and decided at plan time (mix/adaptive.py)."""

    masking_before: MaskingSummary  # tracks as levelled, before dynamic EQ / optimisation
    masking_after: MaskingSummary  # with the planned EQ events (and optimiser gains)
    eq_events: int = 0
    optimiser: OptimiserReport | None = None


# --------------------------------------------------------------------------- video
# Written by ``video/`` (one more input kind: a clip instead of a photo). ``Manifest.scene``
# then holds the union over the clip, and ``Manifest.video`` what happened over time.


class VideoInfo(_Model):
    """The input clip as probed (PyAV): identity, geometry, time."""

    path: str
    md5: str  # of the file's bytes: the run's identity and cache key
    container: str
    codec: str
    width: int
    height: int
    fps: float  # average frame rate
    duration: float  # seconds of the video stream
    frames: int  # frame count (declared, or estimated from duration × fps)
    variable_frame_rate: bool = False
    audio_codec: str | None = None  # the original sound track, if any


class VideoFrame(_Model):
    """One sampled frame and what the analyzer saw in it."""

    index: int
    time: float  # presentation time of the decoded frame, seconds
    objects: list[SceneObject] = Field(default_factory=list)
    ambience: list[AmbienceTag] = Field(default_factory=list)
    tags: list[ImageTag] = Field(default_factory=list)
    caption: str | None = None


class TrackPoint(_Model):
    time: float
    bbox: BBox
    confidence: float = Field(ge=0.0, le=1.0)


class ObjectTrack(_Model):
    """One object followed over the sampled frames (IoU + label), and the scene object it became."""

    id: int
    label: str
    object_index: int  # into Manifest.scene.objects
    enter: float  # seconds: it appears …
    leave: float  # … and disappears
    points: list[TrackPoint]


class BestFrame(_Model):
    index: int
    time: float
    mean_distance: float  # mean cosine distance of its embedding to all sampled frames'
    reason: str


class SceneCut(_Model):
    """A scene change: a jump between consecutive frame embeddings."""

    time: float  # where the bed cross-fade is centred
    distance: float  # cosine distance of the two frames' embeddings
    before: int  # sampled-frame indices either side
    after: int


class VideoSegment(_Model):
    start: float
    end: float
    frame: int  # the segment's medoid frame, whose ambience it uses
    ambience: list[str] = Field(default_factory=list)  # ambience tags of its medoid frame


class MuxReport(_Model):
    file: str  # the muxed video, relative to the output folder
    video_copied: bool  # the video stream was copied packet for packet, not re-encoded
    audio_codec: str
    audio_seconds: float
    video_seconds: float
    original: Literal["keep", "duck", "replace", "none"]
    seconds: float  # wall time of the mux


class VideoScene(_Model):
    info: VideoInfo
    frames_k: float  # n = k·log10(s)
    frames: list[VideoFrame]
    best: BestFrame
    tracks: list[ObjectTrack] = Field(default_factory=list)
    cuts: list[SceneCut] = Field(default_factory=list)
    segments: list[VideoSegment] = Field(default_factory=list)
    caption: str = ""
    caption_source: Literal["vlm", "offline"] = "offline"
    prompt: str = ""  # the prompt enhancer's output (caption + objects + place)
    audio: Literal["retrieval", "generate"] = "retrieval"
    mux: MuxReport | None = None


class Manifest(_Model):
    version: int = MANIFEST_VERSION
    scene: Scene
    choices: list[SoundChoice] = Field(default_factory=list)
    mix: MixSpec = Field(default_factory=MixSpec)
    tracks: list[Track] = Field(default_factory=list)
    analysis: MixAnalysis | None = None
    report: MixReport | None = None
    llm_usage: list[LLMCall] = Field(default_factory=list)  # one entry per LLM request of this run
    settings: dict = Field(default_factory=dict)  # non-secret settings used for this run
    video: VideoScene | None = None  # set when the input was a video clip (video/)

    @model_validator(mode="after")
    def _events_fit_the_mix(self) -> Manifest:
        # an event longer than the whole mix is never meant (the planner cuts at the end), and
        # rendering it would allocate its full length: 1 h at 192 kHz is gigabytes
        for i, track in enumerate(self.tracks):
            for j, event in enumerate(track.events):
                if event.length > self.mix.duration + 1e-6:
                    raise ValueError(f"tracks[{i}].events[{j}].length: {event.length:g} s is longer than the whole "
                                     f"mix (mix.duration {self.mix.duration:g} s)")
        return self

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value != MANIFEST_VERSION:
            raise ValueError(f"manifest version {value} is not one this tool reads (it reads {MANIFEST_VERSION})")
        return value

    def save(self, path: Path) -> None:
        Path(path).write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read and check a manifest; any problem is one :class:`InputError` naming the JSON path and the rule."""
        from .errors import InputError

        path = Path(path)
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise InputError(f"{path}: not a regular file; give a manifest.json")
            if size > MAX_MANIFEST_BYTES:
                raise InputError(f"{path}: {size / 1e6:,.0f} MB is far too large for a manifest")
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot read manifest ({exc.strerror or exc})") from exc
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not a manifest (not UTF-8 text at byte {exc.start})") from exc
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg} (truncated or malformed JSON)") from exc
        except ValueError as exc:
            raise InputError(f"{path}: {exc}") from exc
        where = _non_finite(data)
        if where is not None:
            raise InputError(f"{path}: {where}: number too large to be finite")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InputError(f"{path}: {describe_validation_error(exc)}") from exc


def json_path(loc: tuple | list) -> str:
    """pydantic's error location as the JSON path a user can find: ``tracks[0].sound.path``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def describe_validation_error(exc: ValidationError) -> str:
    """The first problem as ``path: rule (got value)``, and how many more there are."""
    errors = exc.errors()
    first = errors[0]
    got = first.get("input")
    shown = "" if isinstance(got, dict | list) or first["type"] == "missing" else f" (got {got!r:.60})"
    more = f"; and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''}" if len(errors) > 1 else ""
    where = f"{json_path(first['loc'])}: " if first["loc"] else ""
    return f"{where}{first['msg']}{shown}{more}"


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows (NaN and Infinity are not valid values)")


def _non_finite(value: object, where: str = "") -> str | None:
    """JSON path of the first number that is not finite (``1e400`` parses as infinity), else None."""
    if isinstance(value, float) and not math.isfinite(value):
        return where or "(top level)"
    if isinstance(value, dict):
        items = ((f"{where}.{k}" if where else str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((f"{where}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    for sub, v in items:
        found = _non_finite(v, sub)
        if found is not None:
            return found
    return None
