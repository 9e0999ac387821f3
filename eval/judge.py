"""The judge: is the recording the pipeline chose right for what is really in the photo?

Pure functions over plain data, so the rules can be tested on labelled cases without
running any model. The rules themselves are data (``concepts.toml``): for every kind of
place and every sound source, a regular expression of the words a right recording's text
(name, description, tags) contains, and one of the near neighbours that make it wrong.

Scores for one photo (the totals in ``run.py`` add them up):

* **ambience right**: there is at least one bed, and *every* bed matches one of the photo's
  acceptable kinds of place (a wrong second bed is heard as much as a right first one). A
  place may name a ``layer``: beds right only beside one that fits the place itself
  (temperate birdsong over a lake's lapping; never birdsong alone for a lake).
* **object sounds right**: of the object sounds played, those whose recording matches any
  source labelled on the photo (required or optional); a sound for something that is not
  there, or the wrong animal, is wrong.
* **coverage**: of the photo's required sources, those heard: an object sound matches it, or,
  for sources marked ``bed = true`` (waves, a river, rain, a crowd, traffic), a bed does.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .photos import LabelError, Photo

CONCEPTS_FILE = Path(__file__).parent / "concepts.toml"


@dataclass(frozen=True)
class Concept:
    """What a right recording for one kind of place or one sound source is about."""

    name: str
    accept: re.Pattern[str]
    reject: re.Pattern[str] | None = None
    bed: bool = False  # a source an ambience bed can carry
    layer: re.Pattern[str] | None = None  # places: right as a second bed beside one that fits
    indoor: bool = False  # places: inside a building (the likeness's "indoors" probe learns from these)

    def matches(self, text: str) -> bool:
        return bool(self.accept.search(text)) and not (self.reject and self.reject.search(text))


@dataclass(frozen=True)
class Rules:
    places: dict[str, Concept]
    sources: dict[str, Concept]
    never: re.Pattern[str] | None = None  # wrong whatever the photo (game-only sounds)
    ignore: re.Pattern[str] | None = None  # text that says nothing about the sound (attribution)
    never_bed: re.Pattern[str] | None = None  # recordings that are never a kind of place

    def clean(self, text: str) -> str:
        return self.ignore.sub(" ", text) if self.ignore else text

    def fits(self, concept: Concept, text: str) -> bool:
        text = self.clean(text)
        return concept.matches(text) and not (self.never and self.never.search(text))

    def fits_place(self, place: str, text: str) -> bool:
        return self.fits(self.places[place], text) and not self.is_never_bed(text)

    def is_never_bed(self, text: str) -> bool:
        return bool(self.never_bed and self.never_bed.search(self.clean(text)))

    def check(self, photos: list[Photo], path: Path | str = "photos.toml") -> None:
        """Every kind of place and source a photo names must be defined here."""
        for photo in photos:
            for place in photo.places:
                if place not in self.places:
                    raise LabelError(f"{path}: photo {photo.id}: unknown kind of place '{place}' (not in concepts.toml)")
            for source in (*photo.sources, *photo.optional):
                if source not in self.sources:
                    raise LabelError(f"{path}: photo {photo.id}: unknown sound source '{source}' (not in concepts.toml)")


def _compile(path: Path, where: str, pattern: object) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise LabelError(f"{path}: {where}: needs a non-empty regular expression")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise LabelError(f"{path}: {where}: bad regular expression ({exc})") from exc


def load_rules(path: Path = CONCEPTS_FILE) -> Rules:
    """Read ``concepts.toml``; a bad entry is a :class:`LabelError` naming it."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LabelError(f"{path}: cannot read the judge's rules ({exc})") from exc

    def table(kind: str) -> dict[str, Concept]:
        out = {}
        for name, spec in raw.get(kind, {}).items():
            where = f"[{kind}.{name}]"
            out[name] = Concept(
                name=name,
                accept=_compile(path, where + " accept", spec.get("accept")),
                reject=_compile(path, where + " reject", spec["reject"]) if "reject" in spec else None,
                bed=bool(spec.get("bed", False)),
                layer=_compile(path, where + " layer", spec["layer"]) if "layer" in spec else None,
                indoor=bool(spec.get("indoor", False)),
            )
        return out

    def optional(section: str, key: str) -> re.Pattern[str] | None:
        pattern = raw.get(section, {}).get(key)
        return _compile(path, f"[{section}] {key}", pattern) if pattern is not None else None

    return Rules(places=table("place"), sources=table("source"), never=optional("any", "reject"),
                 ignore=optional("any", "ignore"), never_bed=optional("bed", "reject"))  # fmt: skip


# --------------------------------------------------------------------------- one photo


@dataclass(frozen=True)
class Played:
    """One track of the planned mix, as the judge sees it."""

    role: str  # "ambience" or "object"
    target: str  # the scene label it serves ("dog", "urban street")
    name: str  # the recording's name
    text: str  # name + description + tags: what the rules are matched against


def recording_text(name: str, description: str = "", tags: list[str] | tuple[str, ...] = ()) -> str:
    return " ".join([name, description, *tags])


@dataclass
class PlayedVerdict:
    played: Played
    right: bool
    matched: list[str] = field(default_factory=list)  # places (beds) or sources (objects) it fits


@dataclass
class PhotoVerdict:
    """Everything the judge decided about one photo."""

    photo: Photo
    failed: str | None = None  # why the run produced nothing (an exception, no track, flagged non-sonic)
    flagged_non_sonic: bool = False
    beds: list[PlayedVerdict] = field(default_factory=list)
    objects: list[PlayedVerdict] = field(default_factory=list)
    covered: dict[str, bool] = field(default_factory=dict)  # required source -> heard

    @property
    def ambience_right(self) -> bool:
        return bool(self.beds) and all(b.right for b in self.beds)

    @property
    def objects_right(self) -> int:
        return sum(o.right for o in self.objects)

    @property
    def sources_covered(self) -> int:
        return sum(self.covered.values())

    @property
    def non_sonic_right(self) -> bool:
        """For a photo labelled non-sonic: the pipeline said so (or played nothing at all)."""
        return self.flagged_non_sonic or (self.failed is None and not self.beds and not self.objects)


def judge_photo(photo: Photo, rules: Rules, played: list[Played], *, failed: str | None = None,
                flagged_non_sonic: bool = False) -> PhotoVerdict:
    """Score what was played for ``photo`` against its labels."""
    verdict = PhotoVerdict(photo=photo, failed=failed, flagged_non_sonic=flagged_non_sonic)
    if photo.non_sonic:  # anything played for a silent picture is wrong
        for p in played:
            (verdict.beds if p.role == "ambience" else verdict.objects).append(PlayedVerdict(p, False))
        return verdict
    if flagged_non_sonic and failed is None:
        verdict.failed = "flagged non-sonic: nothing played for a photo of a sounding scene"
    elif failed is None and not played:
        verdict.failed = "no sound found for anything in the photo"
    audible = (*photo.sources, *photo.optional)
    for p in played:
        if p.role == "ambience":
            fits = [k for k in photo.places if rules.fits_place(k, p.text)]
            verdict.beds.append(PlayedVerdict(p, bool(fits), fits))
        else:
            fits = [s for s in audible if rules.fits(rules.sources[s], p.text)]
            verdict.objects.append(PlayedVerdict(p, bool(fits), fits))
    for bed in verdict.beds:  # a second layer (birdsong by a lake) is right beside a bed of the place itself
        if not bed.right:
            layered = [k for k in photo.places if _layers(rules, k, bed.played.text)
                       and any(k in other.matched for other in verdict.beds if other is not bed)]
            if layered:
                bed.right, bed.matched = True, [f"{k} (layer)" for k in layered]
    for source in photo.sources:
        concept = rules.sources[source]
        heard = any(source in o.matched for o in verdict.objects) or (
            concept.bed and any(rules.fits(concept, b.played.text) for b in verdict.beds))
        verdict.covered[source] = heard
    return verdict


def _layers(rules: Rules, place: str, text: str) -> bool:
    concept = rules.places[place]
    text = rules.clean(text)
    return bool(concept.layer and concept.layer.search(text)) and not (
        (concept.reject and concept.reject.search(text)) or (rules.never and rules.never.search(text))
        or rules.is_never_bed(text))


# --------------------------------------------------------------------------- totals


@dataclass
class Totals:
    sounding: int = 0
    ambience_right: int = 0
    objects_played: int = 0
    objects_right: int = 0
    sources: int = 0
    sources_covered: int = 0
    failed: int = 0
    non_sonic: int = 0
    non_sonic_right: int = 0

    def add(self, v: PhotoVerdict) -> None:
        if v.photo.non_sonic:
            self.non_sonic += 1
            self.non_sonic_right += v.non_sonic_right
            return
        self.sounding += 1
        self.ambience_right += v.ambience_right
        self.objects_played += len(v.objects)
        self.objects_right += v.objects_right
        self.sources += len(v.covered)
        self.sources_covered += v.sources_covered
        self.failed += v.failed is not None

    @staticmethod
    def ratio(num: int, den: int) -> float | None:
        return num / den if den else None

    @property
    def ambience(self) -> float | None:
        return self.ratio(self.ambience_right, self.sounding)

    @property
    def object_precision(self) -> float | None:
        return self.ratio(self.objects_right, self.objects_played)

    @property
    def coverage(self) -> float | None:
        return self.ratio(self.sources_covered, self.sources)


# the targets: ambience >= 85 %, object sounds >= 90 %, coverage >= 90 %, no failed run
TARGETS = {"ambience": 0.85, "object_precision": 0.90, "coverage": 0.90}
