"""The default scene analyzer: everything runs locally from models shipped in PyPI wheels.

SSD-MobileNet-v2 finds COCO objects (:mod:`.detector`); EfficientNet-Lite3 classifies the
whole image and each box's crop into ImageNet classes (:mod:`.classifier`), which WordNet
turns into finer labels than the detector's 80 — a robin, a pig, an accordion
(:mod:`.fusion`, :mod:`.imagenet`); the sounding vocabulary turns them into sounding
objects with queries and importance (:mod:`.vocabulary`, :mod:`.importance`); the
ambience rules turn tags + objects + colour cues into the background bed and its fallback
chain (:mod:`.ambience`); and people get the sound of what they do there. A flat-colour
graphic (a logo, a diagram: :mod:`.graphic`) in which the detector finds nothing is marked
``non_sonic`` instead of getting a made-up soundscape, and so is a photo in which nothing is
detected and no kind of place scored, unless it reads as indoors (a close-up of fruit, a
texture: :func:`.ambience.nothing_in_view`).

Models are loaded once per process (``lru_cache`` in their modules), lazily, by
:meth:`OfflineAnalyzer.load`; the pipeline calls ``load()`` explicitly so a caller can show
a spinner while the 70 MB detector graph is read (about a second), and ``analyze()``
itself then costs ~0.1–0.3 s per photo on 2 cores (plus ~8 ms per classified crop, at
most ``fusion.MAX_CROPS``). ``load()`` also runs one warm-up pass,
so the first photo is not charged OpenCV's first-forward set-up.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

from ..manifest import ImageInfo, ImageTag, Scene
from .ambience import (check_place_names, check_probe_labels, check_rule_names, colour_cues, infer_ambience, load_rules,
                       nothing_in_view, seen_beside_the_bed, thing_share)
from .base import LoadedImage
from .classifier import Classifier, load_classifier
from .detector import Detector, load_detector
from .fusion import default_index, drafts_from_place, fine_grained_drafts
from .graphic import graphic_evidence
from .ground import ground_under
from .places import load_table as load_place_probes
from .vocabulary import (apply_person_context, load_sounding, load_vocabulary, objects_from_drafts, place_names,
                         plausible_here)

Progress = Callable[[str], None]

TOP_TAGS = 5
MIN_TAG_SCORE = 0.02


def _quiet(message: str) -> None:
    pass


@lru_cache(maxsize=2)
def _warm_up(detector: Detector, classifier: Classifier) -> None:
    """One throw-away pass per model and process: OpenCV's DNN allocates its buffers and
    picks kernels on the first forward (~1 s here), which would otherwise land on the first
    photo's time instead of under the loading spinner."""
    blank = np.full((64, 64, 3), 128, dtype=np.uint8)
    detector.detect(blank)
    classifier.classify(blank)


class OfflineAnalyzer:
    """Offline COCO detector + ImageNet classifier + rule tables → :class:`Scene`."""

    name = "offline"

    def __init__(self, min_confidence: float = 0.4, max_objects: int = 6) -> None:
        self.min_confidence = min_confidence
        self.max_objects = max_objects
        self._detector: Detector | None = None
        self._classifier: Classifier | None = None

    @property
    def loaded(self) -> bool:
        return self._detector is not None and self._classifier is not None

    def load(self, progress: Progress = _quiet) -> None:
        """Load models and tables (idempotent; cached per process). Raises ``ModelError``."""
        if self.loaded:
            return
        progress("loading object detector (SSD-MobileNet-v2 COCO)")
        detector = load_detector()
        progress("loading image classifier (EfficientNet-Lite3)")
        classifier = load_classifier()
        progress("loading sound vocabulary and ambience rules")
        vocab = load_vocabulary()
        check_rule_names(load_rules(), classifier.labels, (e.label for e in vocab.values()))
        check_probe_labels(load_rules(), load_place_probes().labels)
        check_place_names(load_rules(), place_names(load_sounding()))
        default_index(tuple(classifier.labels))
        progress("warming up models")
        _warm_up(detector, classifier)
        self._detector, self._classifier = detector, classifier

    def analyze(self, image: LoadedImage) -> Scene:
        self.load()
        assert self._detector is not None and self._classifier is not None
        vocab = load_vocabulary()
        detections = [d for d in self._detector.detect(image.rgb) if d.score >= self.min_confidence]
        result = self._classifier.classify(image.rgb)
        labels = self._classifier.labels
        tags = [ImageTag(label=name, score=round(p, 4)) for name, p in result.top(labels, TOP_TAGS) if p >= MIN_TAG_SCORE]
        info = ImageInfo(path=str(image.path), md5=image.md5, width=image.width, height=image.height)
        graphic = None if detections else graphic_evidence(image.rgb)
        if graphic:  # a logo or a diagram: ImageNet calls a diagram a web site, a computer, an office; none sounds
            return Scene(image=info, analyzer=self.name, tags=tags, caption=f"{graphic}, nothing detected in it",
                         non_sonic=True)
        classifier = self._classifier
        place_votes: list[tuple[str, float]] = []  # the detections the fusion still believes
        drafts = fine_grained_drafts(
            image.rgb,
            detections,
            vocab,
            result.probs,
            lambda rgb: classifier.classify(rgb).probs,
            default_index(tuple(labels)),
            place_votes=place_votes,
        )
        rules = load_rules()
        prior, nearest = load_place_probes().prior(result.embedding, **rules.likeness)
        ambience = infer_ambience(result.probs, labels, place_votes, colour_cues(image.rgb), prior=prior, nearest=nearest,
                                  things=thing_share(result.probs, rules))
        indoor = frozenset(r.label for r in rules.rules if r.indoor)
        drafts = [d for d in drafts if plausible_here(d.concept, ambience, indoor)]
        drafts += drafts_from_place(ambience, drafts, beside=seen_beside_the_bed(ambience, prior, rules))
        objects = apply_person_context(objects_from_drafts(drafts, self.max_objects), ambience, load_sounding(),
                                       ground=lambda box: ground_under(image.rgb, box))
        if not objects and nothing_in_view(ambience, rules):  # a still life, a texture: no made-up field to hear
            seen = ", ".join(t.label for t in tags) or "nothing it knows"
            return Scene(image=info, analyzer=self.name, tags=tags, non_sonic=True,
                         caption=f"no place and nothing that sounds recognised; the classifier sees {seen}")
        return Scene(image=info, analyzer=self.name, objects=objects, ambience=ambience, tags=tags)
