"""Which background bed a photo calls for: ambience tags from data-driven rules.

Rules live in ``image_extender/data/ambience_rules.toml``. Each names a kind of place
("beach", "castle", "kitchen", …), how recordings of it are described (``queries``, most
specific first), the closest kinds of place to fall back to (``fallback``: castle → old
town → town square → urban street), whether it is indoors, and three kinds of evidence:

- ImageNet classes whose classifier probabilities are *summed* (a beach photo splits its
  mass over seashore, sandbar, maillot…; the sum is the evidence, not the top-1);
- COCO objects seen by the detector, each adding ``weight × its best confidence`` (car +
  traffic light → urban street; boat → harbour; cow / sheep / horse → farm, countryside;
  couch, bed, oven → indoor room). Silent objects count here too;
- colour cues, image statistics in 0–1 (:func:`colour_cues`), each adding
  ``weight × value``: a green canopy overhead is the one thing ImageNet has no class for
  in a forest photo;
- a likeness (``prior``): what the labelled photos that look like this one show, read from
  the classifier's embedding by one linear probe per rule (:mod:`.places`), so the look of
  the whole scene counts, not only the single things ImageNet names. It can decide alone
  when nothing else speaks; an exotic place (``min_score``) still needs evidence of its own.

Two corrections before choosing. A rule marked ``monument`` (castle, old town, church,
temple: palaces, monasteries, ruins, aqueducts) only counts when the detections show a
town — people and vehicles, ``weight × confidence`` summed over every detection
(:func:`town_evidence`): a castle with nobody around stands in a landscape and gets the
landscape's bed (lake, desert, countryside) when the ground shows one beyond a bare sky
(``landscape_min``), else its own first fallback (an empty palace square is a town square,
not a windy field). And a rule's ``excludes`` never share a
photo with it (a lake's shore is not a sea coast's crashing waves); a rule's own
``min_score`` keeps an exotic bed (jungle) from resting on one uncertain bird; a rule's
``max_cues`` rule it out for a photo with more of a cue than its place ever shows (an agama
on green leaves is in no desert); a rule's ``min_people`` keeps a place that is its crowd (a
festival) for photos with people in sight (summed person confidence); and a photo
mostly of plants (``indoor_max_vegetation``) is outdoors, whatever cat or crate is in it,
while people photographed in daylight with neither sky nor plants around them are indoors
(:func:`people_are_indoors`), and so are things — when the classifier's mass lies mostly on
movable man-made things, a lamp, a chair, pots (:func:`things_are_indoors`) — and photos the
likeness itself reads as inside (its :data:`~.places.INDOORS` probe, ``[likeness] indoors``:
a clothing store's white walls and ceiling, a dim room lit by one lamp): the likeness alone
never takes them outdoors.

The best-scoring rule is the bed; a second is kept when it scores at least
``second_ratio`` of the best (and ``second_min``), has evidence of its own besides the
likeness (``second_own_min``), is on the same side of a wall (indoors or out) and borders
the first place (:meth:`Rules.borders`: a farm in its countryside, a beach on its sea coast;
a park beside a town square is two guesses, heard as one confused scene), so usually one
tag, at most ``max_tags``. When nothing reaches ``min_score`` (a texture, a
close-up of a rock) the image still gets a bed, and its evidence says it is a fallback: *outdoors* unless the
best-scoring rule, weak as it is, is an indoor one — most photos without scene evidence
are outdoor close-ups (bark, moss, a rock), which are not rooms.

Each tag's ``queries`` are the rule's own further queries, then the first two queries of
each place on its fallback chain (walked breadth-first, each fallback's own chain after
it), and every query of a last resort (a place with no fallback: "indoor room"), so
retrieval can walk from "castle courtyard ambience" down to "city street traffic ambience"
or from "gym ambience" down to a clock ticking in a quiet room, and a bed is never nothing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import ModelError
from ..manifest import AmbienceTag
from .places import INDOORS

RULES_FILE = "ambience_rules.toml"
CUE_NAMES = ("vegetation", "canopy", "meadow", "sky", "dark", "snow", "sand", "overcast", "water")
CHAIN_QUERIES = 2  # queries taken from each fallback place
WATER_UNDER_SKY = 0.85  # water pixels are at most this bright relative to the sky above them
SAND_SKY = 0.4  # sky share of the top third from which warm ground counts in full as sand


@dataclass(frozen=True)
class Rule:
    label: str
    queries: tuple[str, ...]
    imagenet: tuple[str, ...] = ()
    objects: dict[str, float] = field(default_factory=dict)
    cues: dict[str, float] = field(default_factory=dict)
    fallback: tuple[str, ...] = ()
    indoor: bool = False
    monument: bool = False
    excludes: tuple[str, ...] = ()
    min_score: float = 0.0  # an exotic place needs more evidence than the general minimum
    max_cues: dict[str, float] = field(default_factory=dict)  # a photo with more of a cue is not this place
    min_people: float = 0.0  # a place that is its crowd (a festival) needs people in sight: summed person confidence

    @property
    def query(self) -> str:
        return self.queries[0]

    @property
    def accepts(self) -> tuple[str, ...]:
        """Sound concepts that count as this place: its label's parts ("river/lake" -> river, lake)."""
        parts = [self.label, *self.label.replace("/", " / ").split(" / ")]
        return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    min_score: float
    second_ratio: float
    second_min: float
    second_own_min: float  # a second bed's evidence without the likeness
    second_near: int  # a second bed is one of the first's nearest this many fallbacks, or has it among its own
    max_tags: int
    fallback_outdoor: str
    fallback_indoor: str
    fallback_outdoor_cue: float
    fallback_indoor_min: float
    fallback_confidence: float
    town_objects: dict[str, float] = field(default_factory=dict)
    town_min: float = 0.0
    landscape_min: float = 0.0  # a lone monument's landscape must show this much ground, else its own chain
    town_places: tuple[str, ...] = ()  # places that are a town, never the landscape around a monument
    likeness: dict[str, float] = field(default_factory=lambda: {"weight": 0.0})  # places.py: PlaceProbes.prior
    likeness_indoors: float = float("inf")  # the likeness's INDOORS share that makes a photo indoors
    likeness_sure: float = float("inf")  # the likeness alone this sure of a place: it is in view (see seen_beside_the_bed)
    indoor_max_vegetation: float = 1.0
    people_indoors: dict[str, float] = field(default_factory=dict)  # see people_are_indoors
    things_indoors: dict[str, float] = field(default_factory=dict)  # see things_are_indoors
    thing_kinds: tuple[str, ...] = ()  # WordNet synsets whose ImageNet classes are movable things…
    thing_except: tuple[str, ...] = ()  # …unless also one of these (buildings, vehicles, roads)

    def rule(self, label: str) -> Rule:
        for r in self.rules:
            if r.label == label:
                return r
        raise KeyError(label)

    def chain(self, label: str) -> list[str]:
        """The places to fall back to from ``label``, nearest first, each place once."""
        out: list[str] = []
        queue = list(self.rule(label).fallback)
        while queue:
            name = queue.pop(0)
            if name == label or name in out:
                continue
            out.append(name)
            queue.extend(self.rule(name).fallback)
        return out

    def borders(self, first: str, second: str) -> bool:
        """Whether two places lie next to each other: one is among the other's nearest
        ``second_near`` fallbacks (a farm and its countryside, a beach and its sea coast)."""
        return second in self.chain(first)[: self.second_near] or first in self.chain(second)[: self.second_near]

    def room_for(self, rule: Rule, chosen: Sequence[Rule]) -> bool:
        """Whether the places ``chosen`` leave room for ``rule`` in one photo: none excludes it
        nor it them (a lake's shore is not a sea coast's crashing waves), and it is on the
        first's side of a wall (a statue's pedestal outdoors is no museum)."""
        if any(rule.label in c.excludes or c.label in rule.excludes for c in chosen):
            return False
        return not chosen or rule.indoor == chosen[0].indoor

    def tag_queries(self, label: str) -> list[str]:
        """The rule's further queries, then ``CHAIN_QUERIES`` of each place on its chain, and
        *all* the queries of a last resort (a place with no fallback of its own, such as
        "indoor room"): the end of a chain is where a bed must not come up empty, so it says
        everything a library might call it (room tone, a clock ticking in a quiet room…)."""
        rule = self.rule(label)
        queries = list(rule.queries[1:])
        for name in self.chain(label):
            place = self.rule(name)
            queries += place.queries if not place.fallback else place.queries[:CHAIN_QUERIES]
        return [q for q in dict.fromkeys(queries) if q != rule.query]


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> Rules:
    """Parse the rules table; structural errors are a :class:`ModelError` naming the file."""
    source = path or resources.files("image_extender") / "data" / RULES_FILE
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
        s, fb = raw["settings"], raw["fallback"]
        rules = tuple(
            Rule(
                label=r["label"],
                queries=tuple(r["queries"]) if "queries" in r else (r["query"],),
                imagenet=tuple(r.get("imagenet", ())),
                objects={k: float(v) for k, v in r.get("objects", {}).items()},
                cues={k: float(v) for k, v in r.get("cues", {}).items()},
                fallback=tuple(r.get("fallback", ())),
                indoor=bool(r.get("indoor", False)),
                monument=bool(r.get("monument", False)),
                excludes=tuple(r.get("excludes", ())),
                min_score=float(r.get("min_score", 0.0)),
                max_cues={k: float(v) for k, v in r.get("max_cues", {}).items()},
                min_people=float(r.get("min_people", 0.0)),
            )
            for r in raw["ambience"]
        )
        out = Rules(
            rules=rules,
            min_score=float(s["min_score"]),
            second_ratio=float(s["second_ratio"]),
            second_min=float(s["second_min"]),
            second_own_min=float(s.get("second_own_min", 0.0)),
            second_near=int(s["second_near"]),
            max_tags=int(s["max_tags"]),
            fallback_outdoor=fb["outdoor"],
            fallback_indoor=fb["indoor"],
            fallback_outdoor_cue=float(fb["outdoor_cue"]),
            fallback_indoor_min=float(fb.get("indoor_min", 0.0)),
            fallback_confidence=float(fb["confidence"]),
            town_objects={k: float(v) for k, v in raw.get("town", {}).get("objects", {}).items()},
            town_min=float(raw.get("town", {}).get("min", 0.0)),
            landscape_min=float(raw.get("town", {}).get("landscape_min", 0.0)),
            town_places=tuple(raw.get("town", {}).get("places", ())),
            likeness={k: float(raw["likeness"][k]) for k in ("weight", "same_image", "floor", "full")},
            likeness_indoors=float(raw["likeness"].get("indoors", float("inf"))),
            likeness_sure=float(raw["likeness"].get("sure", float("inf"))),
            indoor_max_vegetation=float(s.get("indoor_max_vegetation", 1.0)),
            people_indoors={k: float(raw["people_indoors"][k]) for k in ("min_confidence", "max_outdoor", "max_dark")}
            if "people_indoors" in raw else {},
            things_indoors={k: float(raw["things_indoors"][k]) for k in ("min_share", "max_outdoor", "max_dark")}
            if "things_indoors" in raw else {},
            thing_kinds=tuple(raw.get("things_indoors", {}).get("kinds", ())),
            thing_except=tuple(raw.get("things_indoors", {}).get("except", ())),
        )
    except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ModelError(f"{source}: bad ambience rules ({type(exc).__name__}: {exc})") from exc
    labels = {r.label for r in rules}
    for name in (out.fallback_outdoor, out.fallback_indoor):
        if name not in labels:
            raise ModelError(f"{source}: fallback ambience '{name}' has no rule")
    for r in rules:
        if not r.queries or not all(isinstance(q, str) and q.strip() for q in r.queries):
            raise ModelError(f"{source}: ambience '{r.label}' has no queries")
        missing = [f for f in (*r.fallback, *r.excludes) if f not in labels]
        if missing:
            raise ModelError(f"{source}: ambience '{r.label}' falls back to or excludes unknown place(s) {missing}")
        unknown = (set(r.cues) | set(r.max_cues)) - set(CUE_NAMES)
        if unknown:
            raise ModelError(f"{source}: ambience '{r.label}' uses unknown colour cue(s) {sorted(unknown)}; known: {CUE_NAMES}")
    return out


def check_rule_names(rules: Rules, imagenet_labels: Iterable[str], coco_labels: Iterable[str]) -> None:
    """Every ImageNet / COCO name in the rules must exist, so a typo fails loudly."""
    inet, coco = set(imagenet_labels), set(coco_labels)
    for r in rules.rules:
        bad = [n for n in r.imagenet if n not in inet] + [n for n in r.objects if n not in coco]
        if bad:
            raise ModelError(f"{RULES_FILE}: ambience '{r.label}' names unknown classes {bad}")
    bad = [n for n in rules.town_objects if n not in coco]
    if bad:
        raise ModelError(f"{RULES_FILE}: [town] names unknown classes {bad}")


def check_place_names(rules: Rules, named: Iterable[tuple[str, Iterable[str]]]) -> None:
    """Every kind of place the sound vocabulary names (``(where, places)``: a person rule's
    ``when_places``, a concept's ``only_in`` / ``never_in`` / ``from_places``) must be a rule
    here, or "indoor" / "outdoor": a misspelt place ("restaurant/cafe" for "cafe") never
    matches, and people at a café table were heard as anyone anywhere."""
    labels = {r.label for r in rules.rules} | {"indoor", "outdoor"}
    for where, places in named:
        bad = sorted(set(places) - labels)
        if bad:
            raise ModelError(f"{where} names unknown kind(s) of place {bad}; known: the labels of {RULES_FILE}")


def check_probe_labels(rules: Rules, labels: Iterable[str]) -> None:
    """The place probes table scores rule labels (and :data:`~.places.INDOORS`); one the rules
    lack means a stale table."""
    unknown = sorted(set(labels) - {r.label for r in rules.rules} - {INDOORS})
    if unknown:
        raise ModelError(f"place_probes.npz scores unknown place(s) {unknown}: rebuild it with `python -m eval.fit_places`")


def colour_cues(rgb: np.ndarray) -> dict[str, float]:
    """Cheap colour statistics, each a fraction in 0–1, on a 128×128 thumbnail.

    - vegetation: share of green-dominant pixels, excess-green index ExG = 2g − r − b on
      chromatic coordinates > 0.05 (Woebbecke et al. 1995, the standard plant/soil index),
      with g the largest channel and the pixel not black;
    - canopy: vegetation share in the upper half (leaves overhead: forest);
    - meadow: how much more vegetation the lower half has than the upper (grass under sky);
    - sky: share of the top third that is bright and blue-dominant, or bright and grey;
    - dark: how far the mean brightness is below 0.25, scaled to 0–1 (night);
    - snow: share of the lower half that is very bright and colourless (snow, ice);
    - sand: share of the lower half that is warm (r > g > b, r − b > 0.15), light and
      moderately saturated, times the share of the lower half that is not green (dunes),
      and as far as the top shows sky (full from ``SAND_SKY``): dunes lie under an open sky,
      while warm ground with no sky above is a close-up's blurred bank, a coat or a floor
      (dev photos: every desert whose sand counts shows sky ≥ 0.39; a gosling on a brown
      bank, sky 0, had sand 0.53 and a desert bed);
    - overcast: share of the top third that is mid-grey and colourless (a heavy sky), only
      as far as the lower half has colour (a black-and-white photo is not a grey sky);
    - water: share of the lower half that is blue-dominant, saturated and not bright (a lake,
      river or sea reflecting the sky below the horizon) and, when the top shows sky, darker
      than that sky (``WATER_UNDER_SKY``): a reflection is always dimmer than what it
      mirrors, while a statue or a tower shot from below has plain sky in the lower half.
      On the dev photos this lifts the cue's AUC for water places from 0.68 to 0.72.
    """
    small = np.asarray(Image.fromarray(rgb).resize((128, 128), Image.BILINEAR), dtype=np.float64) / 255.0
    total = small.sum(axis=-1) + 1e-9
    r, g, b = (small[..., i] / total for i in range(3))
    brightest = small.max(axis=-1)
    veg = (2 * g - r - b > 0.05) & (g > r) & (g > b) & (brightest > 0.06)
    saturation = (brightest - small.min(axis=-1)) / (brightest + 1e-9)
    skyish = ((small[..., 2] >= small[..., 0]) & (small[..., 2] >= small[..., 1] - 0.02) & (brightest > 0.45)) | (
        (saturation < 0.12) & (brightest > 0.7)
    )
    h = small.shape[0]
    lower = small[h // 2 :]
    warm = (lower[..., 0] > lower[..., 1]) & (lower[..., 1] > lower[..., 2]) & (lower.max(axis=-1) > 0.55)
    warm &= (lower[..., 0] - lower[..., 2] > 0.15) & (saturation[h // 2 :] > 0.2) & (saturation[h // 2 :] < 0.6)
    upper_veg, lower_veg = float(veg[: h // 2].mean()), float(veg[h // 2 :].mean())
    top = slice(0, h // 3)
    grey_top = (saturation[top] < 0.1) & (brightest[top] > 0.25) & (brightest[top] < 0.65)
    coloured = min(1.0, float(saturation[h // 2 :].mean()) / 0.15)  # a grey photo is not a grey sky
    blue = (lower[..., 2] > lower[..., 0] + 0.04) & (lower[..., 2] >= lower[..., 1]) & (saturation[h // 2 :] > 0.15)
    blue &= (lower.max(axis=-1) > 0.12) & (lower.max(axis=-1) < 0.85)
    sky_top = skyish[: h // 3] & (small[: h // 3, :, 2] >= small[: h // 3, :, 0])  # the blue (or bright) sky itself
    if sky_top.mean() > 0.05:  # water mirrors the sky darker than it is (Fresnel: a few % to a third of it)
        blue &= lower.max(axis=-1) < WATER_UNDER_SKY * float(brightest[: h // 3][sky_top].mean())
    return {
        "vegetation": float(veg.mean()),
        "canopy": upper_veg,
        "meadow": max(0.0, lower_veg - upper_veg),
        "sky": float(skyish[top].mean()),
        "dark": float(np.clip((0.25 - small.mean()) / 0.25, 0.0, 1.0)),
        "snow": float(((saturation[h // 2 :] < 0.08) & (brightest[h // 2 :] > 0.8)).mean()),
        "sand": float(warm.mean()) * (1.0 - lower_veg) * min(1.0, float(skyish[top].mean()) / SAND_SKY),
        "overcast": float(grey_top.mean()) * coloured,
        "water": float(blue.mean()),
    }


def infer_ambience(
    probs: np.ndarray,
    imagenet_labels: list[str],
    objects: Iterable[tuple[str, float]],
    cues: dict[str, float],
    rules: Rules | None = None,
    prior: dict[str, float] | None = None,
    nearest: Iterable[str] = (),
    things: float = 0.0,
) -> list[AmbienceTag]:
    """Ambience tags, best first (1 usually, at most ``rules.max_tags``).

    ``probs``: ImageNet softmax aligned with ``imagenet_labels``; ``objects``: (COCO label,
    confidence) of every detection above threshold, silent ones included; ``cues``: from
    :func:`colour_cues`; ``prior``: extra evidence per rule label, already weighted: what the
    labelled photos that look like this one show (:mod:`.places`), ``nearest`` the ids of the
    most alike; ``things``: the classifier's share on movable man-made things
    (:func:`thing_share`).
    """
    rules = rules or load_rules()
    prior = prior or {}
    near = ", ".join(nearest) or "-"
    by_name: dict[str, float] = {}
    for name, p in zip(imagenet_labels, probs):
        by_name[name] = by_name.get(name, 0.0) + float(p)  # names are unique (imagenet.unique_names); a sum is safe
    objects = list(objects)
    best_conf: dict[str, float] = {}
    for label, conf in objects:
        best_conf[label] = max(conf, best_conf.get(label, 0.0))
    town = town_evidence(objects, rules)
    looks_inside = looks_indoors(prior, rules)
    indoors = people_are_indoors(objects, cues, rules) or things_are_indoors(things, cues, rules) or looks_inside
    people = sum(conf for label, conf in objects if label == "person")
    lone_monument: tuple[float, Rule] | None = None  # the best monument that scored with no town in sight
    ground: dict[str, float] = {}  # each rule's score without the sky cue: what the ground shows

    scored: list[tuple[float, Rule, list[str]]] = []
    own_score: dict[str, float] = {}  # each rule's score without the likeness
    for rule in rules.rules:
        # the likeness alone does not take people with no sky or plants around them outdoors
        likeness = 0.0 if indoors and not rule.indoor else prior.get(rule.label, 0.0)
        score, evidence = likeness, []
        if likeness == 0.0 and prior.get(rule.label, 0.0) >= 0.02:
            evidence.append(f"looks like:{rule.label}={prior[rule.label]:.2f}, not used: the photo is indoors (people or "
                            "things with no sky or plants around them, or the look of a room)")
        if score >= 0.02:
            evidence.append(f"looks like:{rule.label}={score:.2f} (nearest labelled photos: {near})")
        for name in rule.imagenet:
            p = by_name.get(name, 0.0)
            score += p
            if p >= 0.02:
                evidence.append(f"imagenet:{name}={p:.2f}")
        for label, weight in rule.objects.items():
            if label in best_conf:
                score += weight * best_conf[label]
                evidence.append(f"object:{label}={best_conf[label]:.2f}")
        for cue, weight in rule.cues.items():
            value = cues.get(cue, 0.0)
            score += weight * value
            if weight * value >= 0.02:
                evidence.append(f"colour:{cue}={value:.2f}")
        ground[rule.label] = score - rule.cues.get("sky", 0.0) * cues.get("sky", 0.0)
        if rule.indoor and score > 0 and cues.get("vegetation", 0.0) >= rules.indoor_max_vegetation:
            evidence.append(f"colour:vegetation={cues['vegetation']:.2f}: a green photo is outdoors, not used")
            score = 0.0
        over = [cue for cue, most in rule.max_cues.items() if cues.get(cue, 0.0) > most]
        if score > 0 and over:  # a lizard on green leaves is in no desert, whatever ImageNet files agamas under
            evidence.append(f"colour:{over[0]}={cues[over[0]]:.2f} > {rule.max_cues[over[0]]}: not this place, not used")
            score = 0.0
        if score > 0 and people < rule.min_people:  # a guitar and a drum kit with nobody around are no fair
            evidence.append(f"people in sight {people:.2f} < {rule.min_people}: this place is its crowd, not used")
            score = 0.0
        own = score - likeness  # an exotic place needs evidence of its own, not just a likeness
        if 0 < score and own < rule.min_score:
            evidence.append(f"scored {own:.2f} of its own < its minimum {rule.min_score}: not used")
            score = 0.0
        if rule.monument and score >= rules.min_score and town < rules.town_min:
            # A castle, palace or ruin with no people or vehicles around stands in a landscape:
            # its bed is the landscape's, never a town's.
            evidence.append(f"no town evidence ({town:.2f} < {rules.town_min}): scored {score:.2f}, not used")
            if lone_monument is None or score > lone_monument[0]:
                lone_monument = (score, rule)
            score = 0.0
        own_score[rule.label] = score - likeness if score > 0 else 0.0
        scored.append((score, rule, evidence))
    scored.sort(key=lambda t: -t[0])

    top_score = scored[0][0] if scored else 0.0
    if top_score < rules.min_score:
        if lone_monument is not None:
            return [_around_monument(rules, scored, ground, lone_monument[1])]
        return [_fallback(rules, cues, scored[0][1] if scored else None, top_score, indoors, looks_inside)]
    tags: list[AmbienceTag] = []
    chosen: list[Rule] = []
    for score, rule, evidence in scored:
        if len(tags) >= rules.max_tags or (tags and (score < rules.second_ratio * top_score or score < rules.second_min
                                                    or own_score[rule.label] < rules.second_own_min)):
            break
        if not rules.room_for(rule, chosen):
            continue
        if chosen and not rules.borders(chosen[0].label, rule.label):
            continue  # a forest and a sea coast are two guesses, not one scene
        chosen.append(rule)
        tags.append(_tag(rules, rule, score, evidence))
    return tags


def seen_beside_the_bed(tags: Sequence[AmbienceTag], prior: dict[str, float], rules: Rules | None = None) -> list[tuple[str, float]]:
    """Kinds of place the likeness alone is sure the photo shows (``[likeness] sure``), besides
    its beds, that the beds leave room for (neither excludes it, same side of a wall), with
    the likeness's share. Colours can outvote a likeness for the bed: leaves overhead make a
    forest bed of a stream running through a wood, whose likeness is a river. The bed stays
    the forest; the river is in view all the same (:func:`~.fusion.drafts_from_place`)."""
    rules = rules or load_rules()
    if not tags:
        return []
    chosen = [rules.rule(t.label) for t in tags]
    seen = []
    for label, p in sorted(prior.items(), key=lambda kv: -kv[1]):
        if p < rules.likeness_sure or label == INDOORS or any(label == c.label for c in chosen):
            continue
        if rules.room_for(rules.rule(label), chosen):
            seen.append((label, round(p, 4)))
    return seen


def people_are_indoors(objects: Iterable[tuple[str, float]], cues: dict[str, float], rules: Rules) -> bool:
    """People photographed with neither sky nor plants around them, in daylight, are indoors.

    Outdoors, what surrounds people is sky, trees or grass; a group at a table, on a sofa or
    in a shop shows walls. On the dev photos with a person detected at 0.5 or more and no
    darkness, 7 of the 8 with sky + vegetation under 0.2 are rooms, restaurants and halls (the
    other a street seen between parked cars, whose cars speak for it), while 23 of the 26 at
    or above it are outdoors. A night scene is left out: a festival after dark shows no sky
    either. The likeness is a look, not a wall: it alone never takes such a
    photo outdoors (an outdoor place still counts on evidence of its own: a car, a fountain)."""
    setting = rules.people_indoors
    return _walled_in(cues, setting) and any(label == "person" and conf >= setting["min_confidence"]
                                              for label, conf in objects)


def looks_indoors(prior: dict[str, float], rules: Rules) -> bool:
    """The likeness reads the photo as inside a building: its :data:`~.places.INDOORS` share
    (weight × familiarity × p) reaches ``[likeness] indoors``: a dim room lit by one lamp
    (the likeness had said night countryside), a clothing store's white aisle (urban street).
    An unfamiliar photo (a texture, a rocket) gets little of it, so stays as its evidence says."""
    return prior.get(INDOORS, 0.0) >= rules.likeness_indoors


def things_are_indoors(things: float, cues: dict[str, float], rules: Rules) -> bool:
    """A photo of movable man-made things (``things``: :func:`thing_share`) with neither sky
    nor plants around them, in daylight, is indoors, as :func:`people_are_indoors` is for
    people: a sofa, a lamp and a teapot are what a room is made of, and the likeness alone
    (a dim living room looks like a night in the countryside to it) never takes it outdoors."""
    setting = rules.things_indoors
    return _walled_in(cues, setting) and things >= setting["min_share"]


def _walled_in(cues: dict[str, float], setting: dict[str, float]) -> bool:
    """Neither sky nor plants around (sky + vegetation under ``max_outdoor``), in daylight
    (dark under ``max_dark``: a festival after dark shows no sky either); False when the
    rules have no such ``setting``."""
    return bool(setting) and cues.get("dark", 0.0) < setting["max_dark"] and (
        cues.get("sky", 0.0) + cues.get("vegetation", 0.0) < setting["max_outdoor"])


def thing_share(probs: np.ndarray, rules: Rules | None = None) -> float:
    """How much of the classifier's mass (``probs``, ImageNet order) lies on movable man-made
    things: classes under one of the rules' ``thing_kinds`` WordNet synsets and under none of
    ``thing_except`` (see ``[things_indoors]`` in the rules)."""
    rules = rules or load_rules()
    if not rules.thing_kinds:
        return 0.0
    return float(np.asarray(probs)[_thing_mask(rules.thing_kinds, rules.thing_except)].sum())


@lru_cache(maxsize=4)
def _thing_mask(kinds: tuple[str, ...], excepts: tuple[str, ...]) -> np.ndarray:
    from .imagenet import load_table

    return np.array([c.is_a(frozenset(kinds)) and not c.is_a(frozenset(excepts)) for c in load_table()])


def town_evidence(objects: Iterable[tuple[str, float]], rules: Rules) -> float:
    """How much the detections say "a town": ``weight × confidence`` summed over every
    detection (not the best per class), so a crowd or a row of parked cars adds up."""
    return sum(rules.town_objects.get(label, 0.0) * conf for label, conf in objects)


def _around_monument(rules: Rules, scored: list[tuple[float, Rule, list[str]]], ground: dict[str, float],
                     monument: Rule) -> AmbienceTag:
    """A monument with no town around it: the best outdoor rule whose evidence is more than a
    sky (``ground``: sand, water, a meadow, a forest, at least ``landscape_min``) names the
    landscape it stands in. A bare sky is no landscape: a palace, temple or cathedral
    photographed against one stands in its own square, so the monument's own chain is walked
    (old town → town square). Town places are no landscape either."""
    for score, rule, evidence in scored:
        if rule.indoor or rule.monument or rule.label in rules.town_places:
            continue
        if score > 0 and ground.get(rule.label, 0.0) >= rules.landscape_min:
            return _tag(rules, rule, max(score, rules.fallback_confidence),
                        [*evidence, "landscape around a monument with no town evidence"])
    place = rules.rule(monument.fallback[0]) if monument.fallback else monument
    best = next((score for score, rule, _ in scored if rule.label == place.label), 0.0)
    return _tag(rules, place, max(best, rules.fallback_confidence),
                [f"a {monument.label} with no town evidence and no landscape around it: its first fallback"])


def _tag(rules: Rules, rule: Rule, score: float, evidence: list[str]) -> AmbienceTag:
    return AmbienceTag(label=rule.label, query=rule.query, queries=rules.tag_queries(rule.label),
                       confidence=round(min(1.0, score), 4), evidence=evidence, indoor=rule.indoor)


NO_EVIDENCE = "fallback: no scene evidence"


def nothing_in_view(ambience: list[AmbienceTag], rules: Rules) -> bool:
    """Is the bed the outdoor no-evidence fallback alone (:func:`_fallback`)? No kind of place
    scored, the likeness does not read the photo as inside, and neither sky nor vegetation
    says outdoors: a close-up of a thing (citrus fruit, sweets, paintbrushes) or an abstract
    picture. Indoors is not nothing: a room has its air, so its fallback stays a place."""
    return (len(ambience) == 1 and ambience[0].label == rules.fallback_outdoor
            and bool(ambience[0].evidence) and ambience[0].evidence[0].startswith(NO_EVIDENCE))


def _fallback(rules: Rules, cues: dict[str, float], best: Rule | None, top_score: float,
              people_indoors: bool = False, looks_inside: bool = False) -> AmbienceTag:
    """No scene evidence: outdoors, unless people are indoors (:func:`people_are_indoors`) or
    the best (weak) rule is an indoor place, and the colour cues do not say outdoors (sky +
    vegetation); or the likeness reads the photo as inside (``looks_inside``,
    :func:`looks_indoors`), which is what it knows better than the colours (a cinema foyer's
    bright walls and ceiling are no sky)."""
    outdoor = cues.get("sky", 0.0) + cues.get("vegetation", 0.0)
    indoors = people_indoors or (best is not None and best.indoor and top_score >= rules.fallback_indoor_min)
    label = rules.fallback_indoor if looks_inside or (indoors and outdoor < rules.fallback_outdoor_cue) else rules.fallback_outdoor
    rule = rules.rule(label)
    return AmbienceTag(
        label=rule.label,
        query=rule.query,
        queries=rules.tag_queries(rule.label),
        confidence=rules.fallback_confidence,
        indoor=rule.indoor,
        evidence=[
            f"{NO_EVIDENCE} (best rule {best.label if best else '-'} scored {top_score:.2f} < {rules.min_score})",
            f"colour:sky={cues.get('sky', 0.0):.2f}",
            f"colour:vegetation={cues.get('vegetation', 0.0):.2f}",
        ],
    )
