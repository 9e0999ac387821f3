"""What a seen thing sounds like, and how several of them become one sound.

Two data tables, not code:

- ``data/coco_sounds.csv``: the detector's COCO class ids and labels;
- ``data/sounding.toml``: the sounding vocabulary. One ``[[object]]`` per concept — every
  COCO class that sounds (``coco = "dog"``) and every finer concept the classifier can
  name (species, vehicles, instruments, appliances, tools, sports) — with its WordNet
  synsets, its queries (most specific first), group queries and the sound concepts that
  count as right. An entry with no queries is *silent* (a fish, a giraffe): it never
  becomes a sound object. ``[[person]]`` rules give people the sound of what they do
  where they are (:func:`apply_person_context`).

Group rule: when ``GROUP_MIN`` (3) or more instances of one concept pass the confidence
threshold, they become ONE object: label = the concept, ``count`` = n, queries = the
concept's group queries first ("crowd talking", "flock of birds"), bbox = the union of
the instances' boxes (so its pan is the centre of the group), confidence = the best
instance's, importance from the group as a whole (summed member area, union centre, best
confidence; see ``importance``). Two of a kind stay two objects: two dogs can bark in
turn, left and right, but ten people are a crowd, not ten voices.
"""

from __future__ import annotations

import csv
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import ModelError
from ..library.lexical import singular
from ..manifest import AmbienceTag, BBox, SceneObject
from .detector import Detection
from .importance import group_salience, normalise, salience

GROUP_MIN = 3
TABLE = "coco_sounds.csv"
SOUNDING = "sounding.toml"
KINDS = frozenset(
    "animal bird insect vehicle aircraft boat instrument appliance tool sport thing person water".split()
)


@dataclass(frozen=True)
class Concept:
    """One object concept of ``sounding.toml``."""

    label: str
    queries: tuple[str, ...]
    group: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()
    wordnet: tuple[str, ...] = ()
    kind: str = "thing"
    coco: str | None = None
    specific: str = ""  # "{name} song": a query for the species the classifier named
    min_area: float = 0.0  # heard only up close: a smaller box is no sound source (see ``fusion``)
    heard_when: str = ""  # "ridden" / "handled" / "in play": heard only when people use it (see ``fusion``)
    add_min: float | None = None  # whole-image mass a classifier-only find needs (None: ``fusion.ADD_MIN``)
    only_in: tuple[str, ...] = ()  # kinds of place it is heard in ("indoor"/"outdoor" name every such place)
    never_in: tuple[str, ...] = ()  # kinds of place it cannot be in (no airliner in a living room)
    region: tuple[float, float, float, float] | None = None  # where it lies in a photo the scene names it from
    from_places: tuple[str, ...] = ()  # kinds of place whose water IS this source (a river's photo: the river)

    @property
    def silent(self) -> bool:
        return not self.queries


@dataclass(frozen=True)
class PersonRule:
    """People near ``objects`` (labels or ``kind:…``) or in one of ``places`` sound like this."""

    label: str
    queries: tuple[str, ...]
    group: tuple[str, ...]
    accepts: tuple[str, ...]
    places: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    max_height: float = 1.0  # people this small (box height, share of the photo's) or smaller
    min_height: float = 0.0  # ...and this tall or taller (a portrait fills the photo)
    alone: bool = False  # only when they are the one person in view (a portrait, not a group at a table)
    grounds: tuple[str, ...] = ()  # what they stand on ("sand", "snow", "grass": ``ground.ground_under``)

    @property
    def silent(self) -> bool:
        """People this rule matches are not heard (figures far away in a landscape)."""
        return not self.queries


@dataclass(frozen=True)
class Vocabulary:
    concepts: dict[str, Concept]  # by label
    by_coco: dict[str, Concept]  # COCO label -> its concept
    person_rules: tuple[PersonRule, ...]


@dataclass(frozen=True)
class SoundEntry:
    """A COCO class as the detector names it, and the main queries of its concept."""

    class_id: int
    label: str  # the COCO label ("sports ball"), what ambience rules name
    query: str  # "" = silent
    group_query: str
    concept: str = ""  # the concept label ("ball")

    @property
    def silent(self) -> bool:
        return not self.query


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ModelError(f"{where}: expected a list of non-empty strings, got {value!r}")
    return tuple(v.strip() for v in value)


def _region(value: object, where: str) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    if (not isinstance(value, list) or len(value) != 4 or not all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in value)
            or not (value[0] < value[2] and value[1] < value[3])):
        raise ModelError(f"{where}: region must be [x0, y0, x1, y1] within 0–1 with x0 < x1 and y0 < y1, got {value!r}")
    return (float(value[0]), float(value[1]), float(value[2]), float(value[3]))


HEARD_WHEN = ("ridden", "handled", "in play")


def _heard_when(value: object, where: str) -> str:
    if value != "" and value not in HEARD_WHEN:
        raise ModelError(f"{where}: heard_when must be one of {', '.join(HEARD_WHEN)}, got {value!r}")
    return str(value)


@lru_cache(maxsize=4)
def load_sounding(path: Path | None = None) -> Vocabulary:
    """Parse ``sounding.toml``; a structural error is a :class:`ModelError` naming the entry."""
    source = path or resources.files("image_extender") / "data" / SOUNDING
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ModelError(f"{source}: cannot read the sounding vocabulary ({exc})") from exc
    concepts: dict[str, Concept] = {}
    by_coco: dict[str, Concept] = {}
    for i, item in enumerate(raw.get("object", [])):
        where = f"{source}: object #{i + 1} ({item.get('label', '?')})"
        try:
            concept = Concept(
                label=item["label"],
                queries=_strings(item.get("queries", []), where),
                group=_strings(item.get("group", []), where),
                accepts=_strings(item.get("accepts", []), where),
                wordnet=_strings(item.get("wordnet", []), where),
                kind=item.get("kind", "thing"),
                coco=item.get("coco"),
                specific=item.get("specific", ""),
                min_area=float(item.get("min_area", 0.0)),
                heard_when=_heard_when(item.get("heard_when", ""), where),
                add_min=float(item["add_min"]) if "add_min" in item else None,
                only_in=_strings(item.get("only_in", []), where),
                never_in=_strings(item.get("never_in", []), where),
                region=_region(item.get("region"), where),
                from_places=_strings(item.get("from_places", []), where),
            )
        except KeyError as exc:
            raise ModelError(f"{where}: missing {exc}") from exc
        if concept.kind not in KINDS:
            raise ModelError(f"{where}: unknown kind '{concept.kind}'; known: {sorted(KINDS)}")
        if concept.label in concepts:
            raise ModelError(f"{where}: label '{concept.label}' appears twice")
        if concept.specific and "{name}" not in concept.specific:
            raise ModelError(f"{where}: 'specific' must contain {{name}}")
        concepts[concept.label] = concept
        if concept.coco:
            by_coco[concept.coco] = concept
    rules = []
    for i, item in enumerate(raw.get("person", [])):
        where = f"{source}: person rule #{i + 1}"
        try:
            rules.append(
                PersonRule(
                    label=item["label"],
                    queries=_strings(item["queries"], where) if item["queries"] else (),
                    group=_strings(item.get("group", []), where),
                    accepts=_strings(item.get("accepts", []), where),
                    places=_strings(item.get("when_places", []), where),
                    objects=_strings(item.get("when_objects", []), where),
                    max_height=float(item.get("max_height", 1.0)),
                    min_height=float(item.get("min_height", 0.0)),
                    alone=bool(item.get("alone", False)),
                    grounds=_strings(item.get("when_ground", []), where),
                )
            )
        except KeyError as exc:
            raise ModelError(f"{where}: missing {exc}") from exc
    return Vocabulary(concepts, by_coco, tuple(rules))


@lru_cache(maxsize=4)
def load_vocabulary(path: Path | None = None) -> dict[int, SoundEntry]:
    """COCO class id (90-id TF label map) -> :class:`SoundEntry`, from the CSV and ``sounding.toml``."""
    source = path or resources.files("image_extender") / "data" / TABLE
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"{source}: cannot read the COCO label table ({exc})") from exc
    vocab = load_sounding()
    rows = csv.DictReader(line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    table: dict[int, SoundEntry] = {}
    for row in rows:
        try:
            class_id, label = int(row["id"]), row["label"].strip()
        except (KeyError, ValueError, AttributeError) as exc:
            raise ModelError(f"{source}: bad row {row} ({exc})") from exc
        concept = vocab.by_coco.get(label)
        if concept is None or concept.silent:
            table[class_id] = SoundEntry(class_id, label, "", "", concept.label if concept else "")
        else:
            group = concept.group[0] if concept.group else ""
            table[class_id] = SoundEntry(class_id, label, concept.queries[0], group, concept.label)
    return table


def label_of(class_id: int, vocabulary: dict[int, SoundEntry] | None = None) -> str:
    vocab = vocabulary if vocabulary is not None else load_vocabulary()
    entry = vocab.get(class_id)
    return entry.label if entry else f"coco-{class_id}"


# --------------------------------------------------------------------------- drafts -> objects


@dataclass
class Draft:
    """One seen sound source before grouping: a detection, maybe refined, or a classifier find."""

    concept: Concept
    box: tuple[float, float, float, float]
    score: float
    detected_as: str | None = None  # the detector's COCO label when the concept differs
    refined_by: str = ""
    name: str = ""  # the classifier's species name, for ``concept.specific``
    parents: tuple[Concept, ...] = ()  # more general concepts whose queries come after
    weight: float = 1.0  # salience factor: classifier-only finds count less (see ``fusion``)
    extra_accepts: tuple[str, ...] = field(default_factory=tuple)


def drafts_from_detections(detections: Iterable[Detection], vocabulary: dict[int, SoundEntry] | None = None) -> list[Draft]:
    """Plain drafts: each detection as its COCO class's concept (silent classes dropped)."""
    vocab = vocabulary if vocabulary is not None else load_vocabulary()
    concepts = load_sounding().concepts
    out = []
    for det in detections:
        entry = vocab.get(det.class_id)
        if entry is not None and not entry.silent:
            out.append(Draft(concepts[entry.concept], det.box, det.score))
    return out


def objects_from_drafts(drafts: Sequence[Draft], max_objects: int = 6) -> list[SceneObject]:
    """Sounding objects from drafts: silent ones dropped, grouped by concept, ranked, capped.

    Order: most important first. Importance is normalised over the objects *before* the
    cap, so the top object is 1.0 whatever ``max_objects`` is.
    """
    by_concept: dict[str, list[Draft]] = defaultdict(list)
    for d in drafts:
        if not d.concept.silent:
            by_concept[d.concept.label].append(d)
    units: list[tuple[list[Draft], float]] = []
    for members in by_concept.values():
        if len(members) >= GROUP_MIN:
            s = group_salience([d.box for d in members], [d.score for d in members])
            units.append((members, s * max(d.weight for d in members)))
        else:
            units.extend(([d], salience(d.box, d.score) * d.weight) for d in members)
    importances = normalise([s for _, s in units])
    objects = [_scene_object(members, imp) for (members, _), imp in zip(units, importances)]
    objects.sort(key=lambda o: (-o.importance, -o.confidence))
    return objects[:max_objects]


def stands_in(parent: Concept, concept: Concept) -> bool:
    """May the general concept's sound stand in for the finer one? Only when the finer one
    itself accepts it: a songbird accepts "bird" (a generic chirp is a songbird), a heron,
    a goose or a parrot does not — better no sound than a tropical chirp for a heron."""
    return parent.label.lower() in {a.lower() for a in concept.accepts}


def _scene_object(members: list[Draft], importance: float) -> SceneObject:
    lead = max(members, key=lambda d: d.score)
    concept = lead.concept
    grouped = len(members) >= GROUP_MIN
    names = {d.name for d in members if d.name}
    specific = concept.specific.format(name=next(iter(names))) if concept.specific and len(names) == 1 else ""
    queries = ([specific] if specific else []) + list(concept.group if grouped else ()) + list(concept.queries)
    parents = [p for p in lead.parents if stands_in(p, concept)]
    for parent in parents:
        queries += list(parent.group if grouped else ()) + list(parent.queries)
    queries = list(dict.fromkeys(queries))
    accepts = [concept.label, *concept.accepts, *sorted(names), *lead.extra_accepts]
    for parent in parents:
        accepts += [parent.label]
    detected = {d.detected_as for d in members if d.detected_as}
    return SceneObject(
        label=concept.label,
        query=queries[0],
        queries=queries[1:],
        accepts=list(dict.fromkeys(a.lower() for a in accepts)),
        bbox=BBox(
            x0=min(d.box[0] for d in members),
            y0=min(d.box[1] for d in members),
            x1=max(d.box[2] for d in members),
            y1=max(d.box[3] for d in members),
        ),
        importance=round(importance, 4),
        confidence=round(max(d.score for d in members), 4),
        count=len(members),
        detected_as=sorted(detected)[0] if detected else None,
        refined_by="; ".join(dict.fromkeys(d.refined_by for d in members if d.refined_by)),
        sound_kind="bed" if concept.kind == "water" else None,  # water flows on: a long recording
    )


def sound_objects(
    detections: list[Detection],
    vocabulary: dict[int, SoundEntry] | None = None,
    max_objects: int = 6,
) -> list[SceneObject]:
    """Sounding objects from (already thresholded) detections, without the classifier's help."""
    return objects_from_drafts(drafts_from_detections(detections, vocabulary), max_objects)


# --------------------------------------------------------------------------- people in context


def _holds(rule: PersonRule, seen: set[str], place: str, height: float, ground: str | None, alone: bool) -> bool:
    """Does ``rule`` hold for people of this height, standing on ``ground``, in ``place``
    beside the ``seen`` objects, ``alone`` or not? (see :func:`apply_person_context`)"""
    where = bool(set(rule.objects) & seen or place in rule.places) if rule.objects or rule.places else True
    return (where and rule.min_height <= height <= rule.max_height and (alone or not rule.alone)
            and (not rule.grounds or ground in rule.grounds))


def apply_person_context(objects: list[SceneObject], ambience: Sequence[AmbienceTag], vocabulary: Vocabulary | None = None,
                         ground: Callable[[BBox], str | None] | None = None) -> list[SceneObject]:
    """People sound like what they do where they are: for each person object, the first
    ``[[person]]`` rule that holds.

    A rule holds when one of its ``objects`` (a concept label, or ``kind:instrument``) is
    among the other objects, or the first ambience tag is one of its ``places`` — and the
    people are no taller than its ``max_height`` (a share of the photo's height: figures
    far away in a landscape are not heard walking on grass), at least its ``min_height``
    and, for an ``alone`` rule, the only person in view (one person filling the photo is a
    portrait: no footsteps) — and, for a rule with
    ``grounds``, they stand on one of them (``ground``: the person's box -> "sand", "snow",
    "grass" or None, see :mod:`.ground`; a rule with grounds alone holds wherever they
    stand on it: footsteps in sand on a beach the place rules misread). A rule without queries makes
    them silent: they are left out. Otherwise the object keeps its box and importance;
    ``detected_as`` says it was a "person" and ``refined_by`` says which rule. No rule: the
    plain "person" entry stays.
    """
    vocab = vocabulary or load_sounding()
    place = ambience[0].label if ambience else ""
    others = {o.label for o in objects if o.label != "person"}
    alone = sum(o.count for o in objects if o.label == "person") == 1
    kinds = {f"kind:{vocab.concepts[o].kind}" for o in others if o in vocab.concepts}
    out = []
    for o in objects:
        if o.label != "person":
            out.append(o)
            continue
        height = o.bbox.y1 - o.bbox.y0
        underfoot = ground(o.bbox) if ground is not None and any(r.grounds for r in vocab.person_rules) else None
        rule = next((r for r in vocab.person_rules if _holds(r, others | kinds, place, height, underfoot, alone)), None)
        if rule is None:
            out.append(o)
            continue
        if rule.silent:
            continue
        seen = sorted(set(rule.objects) & (others | kinds))
        why = f"context: {', '.join(seen)}" if seen else f"context: place={place}"
        if rule.grounds:
            why += f", ground={underfoot}"
        # the rule's own queries only: a performer's last resort is not footsteps on gravel
        queries = list(dict.fromkeys((list(rule.group) if o.count >= GROUP_MIN else []) + list(rule.queries)))
        out.append(
            o.model_copy(
                update={
                    "label": rule.label,
                    "query": queries[0],
                    "queries": queries[1:],
                    "accepts": list(dict.fromkeys([rule.label, *rule.accepts])),
                    "detected_as": o.detected_as or "person",
                    "refined_by": "; ".join(x for x in (o.refined_by, why) if x),
                }
            )
        )
    return out


def place_names(vocab: Vocabulary) -> list[tuple[str, tuple[str, ...]]]:
    """``(where, kinds of place)`` for every place the vocabulary names, to check against the
    ambience rules (:func:`.ambience.check_place_names`)."""
    out = [(f"{SOUNDING} person rule '{r.label}' when_places", r.places) for r in vocab.person_rules]
    for c in vocab.concepts.values():
        out += [(f"{SOUNDING} '{c.label}' {key}", getattr(c, key)) for key in ("only_in", "never_in", "from_places")]
    return out


def plausible_here(concept: Concept, ambience: Sequence[AmbienceTag], indoor: frozenset[str] = frozenset()) -> bool:
    """Can ``concept`` be heard in the photo's kind of place? Not when its ``never_in`` names
    the first ambience tag (an airliner in a living room is a picture or a toy), nor when
    its ``only_in`` does not (wheeled luggage at a concert is an amplifier case). ``indoor``
    is the set of indoor kinds of place, so the data may say "indoor" or "outdoor"."""
    if not ambience:
        return True
    place = ambience[0].label
    names = {place, "indoor" if place in indoor else "outdoor"}
    return not (set(concept.never_in) & names or (concept.only_in and not set(concept.only_in) & names))


# --------------------------------------------------------------------------- labels from elsewhere


def _words(text: str) -> list[str]:
    out = []
    for w in text.lower().replace("-", " ").split():
        w = singular(w.strip(".,;:!?()\"'"))
        if w:
            out.append(w)
    return out


def find_concept(label: str, vocabulary: Vocabulary | None = None) -> Concept | None:
    """The sounding concept a free-text label names ("pickup truck" -> truck, "Hens" -> chicken).

    The whole label first (a concept label, a COCO label or an accepted word), then its
    words from the last one (English puts the head noun last).
    """
    vocab = vocabulary or load_sounding()
    by_word: dict[str, Concept] = {}
    for c in vocab.concepts.values():  # accepted words last, so a label or COCO name wins
        for w in c.accepts:
            by_word.setdefault(w.lower(), c)
    for c in vocab.concepts.values():
        by_word[c.label.lower()] = c
        if c.coco:
            by_word[c.coco.lower()] = c
    text = " ".join(_words(label))
    if text in by_word:
        return by_word[text]
    for w in reversed(text.split()):
        if w in by_word:
            return by_word[w]
    return None


def enrich_object(obj: SceneObject, vocabulary: Vocabulary | None = None) -> SceneObject:
    """Fill ``queries`` and ``accepts`` of an object another analyzer named (a vision LLM's
    "pickup truck") from the vocabulary, after its own; unchanged when nothing matches."""
    concept = find_concept(obj.label, vocabulary)
    if concept is None or concept.silent:
        return obj
    more = (list(concept.group) if obj.count >= GROUP_MIN else []) + list(concept.queries)
    queries = [q for q in dict.fromkeys([*obj.queries, *more]) if q != obj.query]
    accepts = list(dict.fromkeys([*obj.accepts, obj.label.lower(), concept.label, *concept.accepts]))
    return obj.model_copy(update={"queries": queries, "accepts": accepts})


def enrich_tag(tag: AmbienceTag) -> AmbienceTag:
    """Fill an ambience tag's ``queries`` from the kind of place its label names ("busy city
    street" -> urban street), then that place's fallback chain, and whether that place is
    indoors; unchanged when none matches."""
    from .ambience import load_rules

    rules = load_rules()
    words = set(_words(tag.label))
    exact = [r for r in rules.rules if r.label.lower() == tag.label.lower()]
    rule = exact[0] if exact else next((r for r in rules.rules if words & set(_words(r.label.replace("/", " ")))), None)
    if rule is None:
        return tag
    queries = [q for q in dict.fromkeys([*tag.queries, *rule.queries, *rules.tag_queries(rule.label)]) if q != tag.query]
    return tag.model_copy(update={"queries": queries, "indoor": rule.indoor})


# --------------------------------------------------------------------------- the sounding vocabulary


@dataclass(frozen=True)
class SoundingEntry:
    """One thing the analyzer can ask a sound for: an object concept or a kind of place.

    The contract other stages read (library coverage, the verifier's competitor concepts):
    ``queries[0]`` is the main query, the rest are alternatives in order; ``accepts`` are
    the sound concepts that count as right for it.
    """

    label: str
    role: str  # "object" or "ambience"
    queries: tuple[str, ...]
    accepts: tuple[str, ...] = ()
    wordnet: tuple[str, ...] = ()  # the WordNet synsets it stands for (``Concept.wordnet``)
    heard_at: tuple[str, ...] = ()  # kinds of place whose own sound this is (people in a square: a town square)


def sounding_entries() -> list[SoundingEntry]:
    """Every object concept (COCO classes that sound, refined concepts, people in context)
    and every kind of place the offline analyzer can produce."""
    from .ambience import load_rules

    vocab = load_sounding()
    entries: dict[tuple[str, str], SoundingEntry] = {}
    for c in vocab.concepts.values():
        if not c.silent:
            queries = tuple(dict.fromkeys((*c.queries, *c.group)))
            entries[("object", c.label)] = SoundingEntry(c.label, "object", queries, tuple(dict.fromkeys((c.label, *c.accepts))),
                                                         c.wordnet, heard_at=c.from_places)
    for r in vocab.person_rules:
        if r.silent:
            continue
        queries = tuple(dict.fromkeys((*r.queries, *r.group)))
        entries.setdefault(("object", r.label), SoundingEntry(r.label, "object", queries, tuple(dict.fromkeys((r.label, *r.accepts))),
                                                              heard_at=r.places))
    rules = load_rules()
    for rule in rules.rules:
        entries[("ambience", rule.label)] = SoundingEntry(rule.label, "ambience", rule.queries, rule.accepts)
    return list(entries.values())
