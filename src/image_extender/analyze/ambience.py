"""Which background bed a photo calls for: ambience tags from data-driven rules.

Rules live in ``image_extender/data/ambience_rules.toml``. Each names an ambience
("beach", "urban street", …), its sound query, and three kinds of evidence:

- ImageNet classes whose classifier probabilities are *summed* (a beach photo splits its
  mass over seashore, sandbar, maillot…; the sum is the evidence, not the top-1);
- COCO objects seen by the detector, each adding ``weight × its best confidence`` (car +
  traffic light → urban street; boat → harbour; cow / sheep / horse → farm, countryside;
  couch, bed, oven → indoor room). Silent objects count here too;
- colour cues, image statistics in 0–1 (:func:`colour_cues`), each adding
  ``weight × value``: a green canopy overhead is the one thing ImageNet has no class for
  in a forest photo.

The best-scoring rule is the bed; a second is kept when it scores at least
``second_ratio`` of the best (and ``second_min``), so usually one tag, at most
``max_tags``. When nothing reaches ``min_score`` (a texture, a close-up of a rock) the
image still gets a bed: the fallback picks outdoor vs indoor from the sky and vegetation
cues, and its evidence says it is a fallback.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import ModelError
from ..manifest import AmbienceTag

RULES_FILE = "ambience_rules.toml"
CUE_NAMES = ("vegetation", "canopy", "meadow", "sky")


@dataclass(frozen=True)
class Rule:
    label: str
    query: str
    imagenet: tuple[str, ...] = ()
    objects: dict[str, float] = field(default_factory=dict)
    cues: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    min_score: float
    second_ratio: float
    second_min: float
    max_tags: int
    fallback_outdoor: str
    fallback_indoor: str
    fallback_outdoor_cue: float
    fallback_confidence: float

    def rule(self, label: str) -> Rule:
        for r in self.rules:
            if r.label == label:
                return r
        raise KeyError(label)


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
                query=r["query"],
                imagenet=tuple(r.get("imagenet", ())),
                objects={k: float(v) for k, v in r.get("objects", {}).items()},
                cues={k: float(v) for k, v in r.get("cues", {}).items()},
            )
            for r in raw["ambience"]
        )
        out = Rules(
            rules=rules,
            min_score=float(s["min_score"]),
            second_ratio=float(s["second_ratio"]),
            second_min=float(s["second_min"]),
            max_tags=int(s["max_tags"]),
            fallback_outdoor=fb["outdoor"],
            fallback_indoor=fb["indoor"],
            fallback_outdoor_cue=float(fb["outdoor_cue"]),
            fallback_confidence=float(fb["confidence"]),
        )
    except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ModelError(f"{source}: bad ambience rules ({type(exc).__name__}: {exc})") from exc
    labels = {r.label for r in rules}
    for name in (out.fallback_outdoor, out.fallback_indoor):
        if name not in labels:
            raise ModelError(f"{source}: fallback ambience '{name}' has no rule")
    for r in rules:
        unknown = set(r.cues) - set(CUE_NAMES)
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


def colour_cues(rgb: np.ndarray) -> dict[str, float]:
    """Cheap colour statistics, each a fraction in 0–1, on a 128×128 thumbnail.

    - vegetation: share of green-dominant pixels, excess-green index ExG = 2g − r − b on
      chromatic coordinates > 0.05 (Woebbecke et al. 1995, the standard plant/soil index),
      with g the largest channel and the pixel not black;
    - canopy: vegetation share in the upper half (leaves overhead: forest);
    - meadow: how much more vegetation the lower half has than the upper (grass under sky);
    - sky: share of the top third that is bright and blue-dominant, or bright and grey.
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
    upper, lower = float(veg[: h // 2].mean()), float(veg[h // 2 :].mean())
    return {
        "vegetation": float(veg.mean()),
        "canopy": upper,
        "meadow": max(0.0, lower - upper),
        "sky": float(skyish[: h // 3].mean()),
    }


def infer_ambience(
    probs: np.ndarray,
    imagenet_labels: list[str],
    objects: Iterable[tuple[str, float]],
    cues: dict[str, float],
    rules: Rules | None = None,
) -> list[AmbienceTag]:
    """Ambience tags, best first (1 usually, at most ``rules.max_tags``).

    ``probs``: ImageNet softmax aligned with ``imagenet_labels``; ``objects``: (COCO label,
    confidence) of every detection above threshold, silent ones included; ``cues``: from
    :func:`colour_cues`.
    """
    rules = rules or load_rules()
    by_name: dict[str, float] = {}
    for name, p in zip(imagenet_labels, probs):
        by_name[name] = by_name.get(name, 0.0) + float(p)  # a few names repeat (maillot, crane)
    best_conf: dict[str, float] = {}
    for label, conf in objects:
        best_conf[label] = max(conf, best_conf.get(label, 0.0))

    scored: list[tuple[float, Rule, list[str]]] = []
    for rule in rules.rules:
        score, evidence = 0.0, []
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
        scored.append((score, rule, evidence))
    scored.sort(key=lambda t: -t[0])

    top_score = scored[0][0] if scored else 0.0
    if top_score < rules.min_score:
        return [_fallback(rules, cues, top_score)]
    tags = []
    for score, rule, evidence in scored[: rules.max_tags]:
        if tags and (score < rules.second_ratio * top_score or score < rules.second_min):
            break
        tags.append(AmbienceTag(label=rule.label, query=rule.query, confidence=round(min(1.0, score), 4), evidence=evidence))
    return tags


def _fallback(rules: Rules, cues: dict[str, float], top_score: float) -> AmbienceTag:
    outdoor = cues.get("sky", 0.0) + cues.get("vegetation", 0.0)
    label = rules.fallback_outdoor if outdoor >= rules.fallback_outdoor_cue else rules.fallback_indoor
    rule = rules.rule(label)
    return AmbienceTag(
        label=rule.label,
        query=rule.query,
        confidence=rules.fallback_confidence,
        evidence=[
            f"fallback: no scene evidence (best rule scored {top_score:.2f} < {rules.min_score})",
            f"colour:sky={cues.get('sky', 0.0):.2f}",
            f"colour:vegetation={cues.get('vegetation', 0.0):.2f}",
        ],
    )
