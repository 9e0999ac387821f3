"""Fine-grained labels: detector boxes and the ImageNet classifier, joined through WordNet.

The COCO detector knows 80 nouns, so every other animal lands in the nearest one (a bee,
a squirrel or a dolphin is a "bird", a pig a "horse", a swan a "person"), and every robin,
owl and heron is the same "bird". The EfficientNet classifier knows 1000 ImageNet classes,
which are WordNet synsets (:mod:`.imagenet`), and the sounding vocabulary names WordNet
synsets too (``sounding.toml``). So for each box we classify its padded crop and ask:

1. **Refine** — does the crop name a kind of the detected class (``robin`` ⊂ ``bird.n.01``)
   with concept mass ≥ ``REFINE_MIN``? Then the box becomes that concept ("songbird"),
   with the detected class's queries kept after its own as a fallback.
2. **Replace** — does it name a concept that is *not* a kind of the detected class, of a
   compatible kind (an animal for an animal or a person, a vehicle for a vehicle: never a
   dog for the bicycle it sits in front of; an animal for a thing that is no vehicle only
   with ``THING_ANIMAL`` of evidence and no detected animal overlapping it: a narwhal the
   detector boxes as a "surfboard" is a grey whale 0.77 to its crop), while the kinds of
   that class get less than half as much? Then the detector was wrong about what it is (a
   ``hog`` boxed as "horse"), and the box takes that concept without the wrong class's queries. The
   evidence needed grows with the detector's own confidence — ``max(REPLACE_MIN,
   REPLACE_PER_SCORE × score)`` — because ImageNet's many ungulates blur together (a white
   horse the detector is sure of is "llama" 0.54 to the classifier, a calf "impala"). A
   concept the detector itself knows (a "cow" for a "horse" box) needs ``REPLACE_COCO``:
   the detector saw it and chose otherwise. A quiet animal (a silent concept) needs only ``REPLACE_MIN`` where
   the crop gives the detected animal's kinds less than ``DOUBT_OWN``: a quokka boxed as a
   "dog" at 0.92 is wombat, wallaby and beaver to its crop (0.51, dogs 0.03), and a wrong
   bark is worse than none. A sounding thing for a silent one the detector
   is sure of (``UNSURE``) needs ``SILENT_THING``: a sound made up from a misread tie is
   heard as nonsense, a missed one is only missing — a tie at 0.61 whose crop is the axe
   concept at 0.78 (cleaver 0.50, hatchet) is a tie, not wood chopped in a portrait, while a
   "handbag" whose crop is an electric guitar at 0.89 is that guitar. For a person box the evidence is the concept
   plus half its kind's other mass (swans split between seabird and wading bird) and the
   bar is ``PERSON_EXTRA`` higher; a person the detector is sure of (``SURE_PERSON``) never
   becomes a silent animal: a reptile (0.71) in the crop of a man crouching in a teal
   jacket (0.92) is his jacket, a fish in a fisherman's crop is his catch. Within a herd, a replacement only stands when at least
   half the herd agrees: one horse of three called "ox" is the classifier's doubt.
3. **Add** — objects the detector has no class for (an accordion, church bells, a goat
   with no box at all): a concept the *whole image* names with mass ≥ ``ADD_MIN`` that no
   detection explains becomes an object, on the box whose crop named it best or else the
   whole image, with its salience times ``ADDED_WEIGHT`` (0.7): a whole-image guess is
   less sure of where and how big the source is than a detector box. Water the scene names
   (a seashore, a lakeside, a fountain) is a sound source no detector boxes: it lies where
   its concept's ``region`` says (waves across the bottom of a beach photo), so it is
   panned and sized like any object. So is the water of a river or waterfall photo
   (:func:`drafts_from_place`: the kind of place itself shows the source).

4. **Unlike** — an animal box the crop cannot refine (no kind reaches ``REFINE_MIN``) whose kinds
   are mostly ones its class's generic sound is wrong for (``UNLIKE_SHARE`` times the ones
   it fits; see ``vocabulary.stands_in``) is left silent: a gosling the crop splits between
   goose, sandpiper and limpkin gets no songbird chirp.
5. **Doubt** — a box whose classifier evidence contradicts the detector is dropped: the
   crop (or, for a box that fills the photo, the whole image) gives the detected class's
   own ImageNet kinds less than ``DOUBT_OWN`` while naming something else with at least
   ``DOUBT_TOP`` — a "train" whose crop is an ocean liner, an "airplane" box over a wall
   clock, a "clock" that is a scoreboard. For an animal box only a *thing* contradicts it
   (hay bales called "sheep"): ImageNet's many animals blur together, so another animal
   is the replacement's business, not a reason for silence — unless ImageNet knows the
   class by ``WELL_KNOWN`` kinds or more (dogs, birds): a rat filling its photo, a "dog" at
   0.94 to the detector, gives 130 dog breeds nothing (a fox squirrel 0.44), and that
   absence is the classifier's no. People (ImageNet names them by
   their clothes) and classes ImageNet has no kinds of (a suitcase) are never doubted so.
   A box the detector itself is unsure of (< ``UNSURE``) needs no rival: a crop giving its
   kinds < ``DOUBT_OWN`` (and, for an animal box, giving no animal class ``NAMES_AN_ANIMAL``:
   a "bird" at 0.47 over a dandelion clock, mushroom 0.13 to its crop) leaves nothing that
   says it is there ("skis" at 0.44 over a windmill tower); a sure thing that is no animal
   needs at least ``NO_TRACE`` of its kinds ("airplane" 0.84 over windmill sails: 0.009).
   A "person" whose crop is mostly animal, topped by one (crabs on a beach), is that
   animal, unless an overlapping detection explains it (the rider's horse); one whose crop is a statue's pedestal
   (``STATUE_CLASSES``: the Statue of Liberty, "person" 0.87, pedestal 0.99) is silent. So is
   a "person" the detector is unsure of that shows no skin (``NO_SKIN`` of its pixels in the
   YCbCr skin range; black-and-white photos are not tested): the Christ the Redeemer statue
   at 0.40 against the sky has none, the most distant dev crowd still 1.6 %. An animal box
   too small to crop is judged on the whole image: no trace of its kinds there (< ``NO_TRACE``)
   while the whole image names one thing that is no animal with ``SURE_ELSEWHERE`` (hay
   bales far off, "sheep" 0.77, in a photo ImageNet calls hay at 0.92) leaves it silent.
6. **Neighbours** — a box whose crop names the class of another detection in the photo
   (a "cow" box the crop calls a sorrel horse, beside four horses), and not its own, is one
   more of them: it takes that class with ``NEIGHBOUR_MIN`` evidence, so a herd of horses
   gets no cow. A herd's majority verdict also carries its members the classifier left
   unconvinced (one bison of three still called "cow"); a member whose crop backs neither
   its class nor anything else has no vote (a "sheep" box over an alpaca's legs).
7. **Players** — a person box whose crop names an instrument with ``PLAYS_MIN`` is the
   musician playing it (a cellist is "cello"); a sink or a bag the crop confidently calls
   a drum is that drum (the detector has no instrument classes).
8. **Earshot** — a concept may set ``min_area`` in ``sounding.toml``: things heard only up
   close (a ticking clock) are dropped when their box is smaller (a clock on a distant
   tower).
9. **In use** — a concept marked ``heard_when`` sounds only when people use it. ``ridden``
   (a bicycle, a skateboard) and ``handled`` (a cup, scissors, a laptop's keys, a hammer):
   a detected person covers at least ``USER_OVERLAP`` of its box — a bicycle leaning on a
   fence, a laptop on an empty table, scissors on a desk are silent. ``in play`` (a ball):
   someone is in the photo — a football on a lawn or a baseball on a grey background is no game.

"Concept mass" sums the probabilities of every ImageNet class whose nearest concept in the
vocabulary is that concept (all 120 dog breeds are "dog"; hog, wild boar and warthog are
"pig"), so a photo the classifier splits between *ibex* and *ram* still counts. Each
refinement records ``detected_as`` and ``refined_by`` (the classifier's class, its
probability, where it looked and the WordNet relation) for the manifest and the trail.

Cost: one classifier pass per crop (~8 ms on an idle core); crops are taken for at most
``MAX_CROPS`` boxes, the most salient first, only for boxes of at least ``MIN_CROP_PX``
pixels a side (smaller crops are upsampled noise) and not for a box that fills
``FILLS_IMAGE`` of the photo (the whole-image pass already saw it).
``bench/bench_analyze_crops.py`` times the analyzer with and without crops.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..manifest import AmbienceTag
from .detector import Detection
from .imagenet import ImageNetClass, load_table
from .importance import salience
from .vocabulary import Concept, Draft, SoundEntry, Vocabulary, load_sounding, stands_in

MAX_CROPS = 6
CROP_PAD = 0.15  # of the box's width/height on each side: context helps the classifier
MIN_CROP_PX = 40
REFINE_MIN = 0.3
REPLACE_MIN = 0.45
REPLACE_PER_SCORE = 0.6
REPLACE_COCO = 0.6
SILENT_THING = 0.85  # a sounding thing for a silent one the detector is sure of (a tie's crop an axe at 0.78)
PERSON_EXTRA = 0.1
SURE_PERSON = 0.8  # a person the detector is this sure of never becomes a silent animal (a teal jacket's "reptile" 0.71)
THING_ANIMAL = 0.6  # a thing box (a "surfboard", a "kite") becomes an animal only on this much of it
ANIMAL_KINDS = frozenset({"animal", "bird", "insect"})
TRANSPORT_KINDS = frozenset({"vehicle", "aircraft", "boat"})
WHOLE_IMAGE_AREA = 0.3  # a box this large without a crop is judged on the whole image
FILLS_IMAGE = 0.6  # a box this large IS the image: its crop would repeat the whole-image pass
DOUBT_OWN = 0.05  # a crop giving the detected class's kinds less than this…
DOUBT_TOP = 0.2  # …while naming something else this surely contradicts the detector
WELL_KNOWN = 20  # ImageNet classes under a detector class (dog 130, bird 59; cat 7, horse 2, cow 1) for its absence to count
NEIGHBOUR_MIN = 0.3
UNSURE = 0.5  # a detection below this that its crop does not support at all is dropped
NAMES_AN_ANIMAL = 0.1  # an unsure animal box whose crop gives no animal class this much names none
NO_TRACE = 0.02  # …and a sure thing (not an animal) whose crop gives its kinds less than this (dev photos: only a
#                  windmill's "airplane"; real cars, boats and planes get >= 0.1, animals are a replacement's question)
SURE_ELSEWHERE = 0.5  # a box too small to crop is no animal when the whole image is this sure of one non-animal thing…
STATUE_CLASSES = frozenset({"pedestal"})  # ImageNet's "pedestal, plinth, footstall": where statues are filed
STATUE_MIN = 0.5  # a "person" crop this sure of one is a statue
PERSON_ANIMAL = 0.5  # a "person" whose crop is this much animal (and tops with one) is that animal
NO_SKIN = 0.005  # an unsure "person" box with less of its pixels skin-coloured than this is stone or a shape
COLOUR_PHOTO = 4.0  # mean chroma distance from grey (of 255) below which a photo is black and white: no skin test
UNLIKE_SHARE = 2.0  # kinds the generic sound is wrong for outweigh the ones it fits this much: silence
HERD_MIN = 0.1  # whole-image mass for one detected animal class to absorb another's unclassified boxes…
HERD_SHARE = 2.0  # …when it is this many times the other's
PLAYS_MIN = 0.34  # a person crop this sure of an instrument plays it. Person crops of the labelled photos: musicians
# 0.35-0.78 (a violin at 0.29 beside an orchestra's cello at 0.78 goes unheard); a patterned shirt's "steel drum" 0.33 and a
# passer-by's "grand piano" 0.28, which 0.25 took for players (a thin margin: ImageNet's steel drum is a known look-alike)
ADD_MIN = 0.35
ADD_MAX = 2
ADDED_WEIGHT = 0.7
SPECIFIC_MIN = 0.4  # a species name becomes the first query ("robin song") only this sure
WHOLE_BOX = (0.0, 0.0, 1.0, 1.0)

Classify = Callable[[np.ndarray], np.ndarray]  # RGB crop -> ImageNet probabilities


@dataclass(frozen=True)
class ConceptIndex:
    """ImageNet classes mapped onto the vocabulary's concepts (nearest WordNet ancestor)."""

    concepts: tuple[Concept, ...]
    ids: np.ndarray  # (1000,) concept index per ImageNet class, -1 = none
    names: tuple[str, ...]  # ImageNet first synonyms
    table: tuple[ImageNetClass, ...]
    by_coco_mask: dict[str, np.ndarray]  # COCO label -> (1000,) bool: classes that are kinds of it
    animal: np.ndarray  # (1000,) bool: classes that are animals (animal.n.01)

    def masses(self, probs: np.ndarray) -> np.ndarray:
        """Summed probability per concept."""
        keep = self.ids >= 0
        return np.bincount(self.ids[keep], weights=probs[keep], minlength=len(self.concepts))

    def under(self, coco_label: str) -> np.ndarray:
        return self.by_coco_mask.get(coco_label, np.zeros(len(self.ids), dtype=bool))

    def top_class(self, probs: np.ndarray, concept: int) -> int:
        """The ImageNet class that gave ``concept`` most of its mass."""
        masked = np.where(self.ids == concept, probs, -1.0)
        return int(np.argmax(masked))


def build_index(vocab: Vocabulary, table: Sequence[ImageNetClass], names: Sequence[str]) -> ConceptIndex:
    """Map each ImageNet class to the concept whose synset is its nearest ancestor.

    Ties (one synset named by a COCO concept and a finer one) go to the finer concept.
    """
    concepts = tuple(vocab.concepts.values())
    owners: dict[str, list[int]] = {}
    for ci, c in enumerate(concepts):
        for s in c.wordnet:
            owners.setdefault(s, []).append(ci)
    ids = np.full(len(table), -1, dtype=np.int64)
    for cls in table:
        for synset in cls.ancestors:  # nearest first
            if synset in owners:
                ids[cls.index] = min(owners[synset], key=lambda ci: (concepts[ci].coco is not None, ci))
                break
    masks = {}
    for coco, c in vocab.by_coco.items():
        synsets = frozenset(c.wordnet)
        masks[coco] = np.array([cls.is_a(synsets) for cls in table], dtype=bool)
    animal = np.array([cls.is_a(frozenset({"animal.n.01"})) for cls in table], dtype=bool)
    return ConceptIndex(concepts, ids, tuple(names), tuple(table), masks, animal)


@lru_cache(maxsize=2)
def default_index(names: tuple[str, ...]) -> ConceptIndex:
    return build_index(load_sounding(), load_table(), names)


def crop(rgb: np.ndarray, box: tuple[float, float, float, float], pad: float = CROP_PAD) -> np.ndarray | None:
    """The box padded by ``pad`` of its size on each side, clipped; None when too small."""
    h, w = rgb.shape[:2]
    bw, bh = box[2] - box[0], box[3] - box[1]
    x0, x1 = int(max(0.0, box[0] - pad * bw) * w), int(min(1.0, box[2] + pad * bw) * w)
    y0, y1 = int(max(0.0, box[1] - pad * bh) * h), int(min(1.0, box[3] + pad * bh) * h)
    if min(x1 - x0, y1 - y0) < MIN_CROP_PX:
        return None
    return np.ascontiguousarray(rgb[y0:y1, x0:x1])


def _why(index: ConceptIndex, probs: np.ndarray, concept: int, where: str, relation: str) -> tuple[str, str]:
    """(species name for a specific query — only when the classifier is sure of it —, why)."""
    top = index.top_class(probs, concept)
    name = index.names[top]
    species = name.split(" (")[0]  # "crane (wading bird)" is a crane to a sound library
    return (species if probs[top] >= SPECIFIC_MIN else ""), f"classifier: {name} {probs[top]:.2f} ({where}) {relation}"


def compatible(base: Concept | None, concept: Concept) -> bool:
    """May a box detected as ``base`` be replaced by ``concept``? (see module doc)"""
    if base is None or base.silent:
        return True
    if concept.silent and concept.kind in ANIMAL_KINDS:  # a "knife" the crop calls a tench is a fish: silent
        return True
    if concept.kind in ANIMAL_KINDS:  # a thing box needs THING_ANIMAL of evidence (see the replacement loop)
        return base.kind not in TRANSPORT_KINDS  # never the dog for the bicycle it sits in front of
    if concept.kind in TRANSPORT_KINDS:
        return base.kind in TRANSPORT_KINDS
    return base.kind == concept.kind


def refine_detection(
    det: Detection,
    entry: SoundEntry | None,
    probs: np.ndarray | None,
    where: str,
    index: ConceptIndex,
    vocab: Vocabulary,
    neighbours: Sequence[tuple[tuple[float, float, float, float], str]] = (),
) -> Draft | None:
    """The draft for one detection: refined, replaced or as detected (see module doc); None if silent.

    ``neighbours``: (box, COCO label) of the other detections. A replacement that an
    overlapping neighbour already explains is the neighbour showing through the crop (the
    zebra in front of the giraffe, the dog in front of the bicycle), not this box.
    """
    coco = entry.label if entry else ""
    base = vocab.by_coco.get(coco)
    plain = Draft(base, det.box, det.score) if base is not None and not base.silent else None
    if probs is None:
        return plain
    mask = index.under(coco)
    sub = index.masses(np.where(mask, probs, 0.0))
    other = index.masses(np.where(mask, 0.0, probs))
    best_sub = int(np.argmax(sub))
    if sub[best_sub] >= REFINE_MIN and index.concepts[best_sub] is not base and index.concepts[best_sub].coco is None:
        concept = index.concepts[best_sub]
        synset = next(s for s in (base.wordnet if base else ()) if s in index.table[index.top_class(probs, best_sub)].ancestors)
        name, why = _why(index, probs, best_sub, where, f"is a kind of {coco} (WordNet {synset})")
        parents = (base,) if base is not None and not base.silent else ()
        return Draft(concept, det.box, det.score, detected_as=coco, refined_by=why, name=name, parents=parents)
    if base is not None and not base.silent and base.kind in ANIMAL_KINDS and _unlike_its_kinds(sub, base, index):
        return None
    person = base is not None and base.kind == "person"
    played = _played_instrument(det, base, probs, other, index, where, coco)
    if played is not None:
        return played
    own = float(probs[mask].sum())
    evidence = other.copy()
    if person:  # a concept plus half of its kind's other mass
        kinds = np.array([c.kind for c in index.concepts])
        for kind in ANIMAL_KINDS:
            same = kinds == kind
            evidence[same] = other[same] + 0.5 * (other[same].sum() - other[same])
    order = np.argsort(-evidence)
    for best in (int(i) for i in order[:3]):
        concept = index.concepts[best]
        if concept.silent and concept.kind not in ANIMAL_KINDS:
            continue
        if person and concept.silent and det.score >= SURE_PERSON:
            continue  # a silent animal in a sure person's crop is what they wear or hold, not them
        if not compatible(base, concept):
            continue
        need = max(REPLACE_MIN, REPLACE_PER_SCORE * det.score) + (PERSON_EXTRA if person else 0.0)
        if concept.silent and concept.kind in ANIMAL_KINDS and base is not None and base.kind in ANIMAL_KINDS \
                and own < DOUBT_OWN:
            need = REPLACE_MIN  # a quiet animal where the crop gives the detected one nothing: a wrong bark is worse than none
        if concept.kind in ANIMAL_KINDS and base is not None and not base.silent and not person and base.kind not in ANIMAL_KINDS:
            need = max(need, THING_ANIMAL)
            animals = {c.coco for c in vocab.by_coco.values() if c.kind in ANIMAL_KINDS}
            if any(_overlap(det.box, box) > 0.2 for box, label in neighbours if label in animals):
                break  # an animal the detector boxed is in front of this thing: it shows through the crop
        if concept.coco is not None and concept.coco in {label for _, label in neighbours} and mask.any() and own < DOUBT_OWN:
            need = NEIGHBOUR_MIN  # one more of its neighbours (a "cow" among horses the crop calls a horse)
            if evidence[best] >= need:
                name, why = _why(index, probs, best, where, f"is not a kind of {coco}, like its neighbours")
                return Draft(concept, det.box, det.score, detected_as=coco, refined_by=why, name=name)
        elif concept.coco is not None:
            need = max(need, REPLACE_COCO)
        if coco and (base is None or base.silent) and concept.kind not in ANIMAL_KINDS and det.score >= UNSURE:
            need = max(need, SILENT_THING)
        top = index.top_class(probs, best)
        if any(_overlap(det.box, box) > 0.2 and index.under(label)[top] for box, label in neighbours):
            break
        if evidence[best] >= need and float(probs[mask].sum()) < 0.5 * other[best]:
            name, why = _why(index, probs, best, where, f"is not a kind of {coco or 'the detected class'}")
            return Draft(concept, det.box, det.score, detected_as=coco, refined_by=why, name=name)
        break
    if plain is not None and (where == "crop" or det.area >= FILLS_IMAGE) and (
            doubted(probs, mask, base, index) or unsupported(det, probs, mask, base, index)):
        return None  # (a box merely large is judged on a whole image that also holds its surroundings: no doubt from that)
    if person and plain is not None and where == "crop" and _an_animal(det, probs, index, neighbours):
        return None
    if person and plain is not None and where == "crop" and _a_statue(probs, index):
        return None
    return plain


def _unlike_its_kinds(sub: np.ndarray, base: Concept, index: ConceptIndex) -> bool:
    """Is the box mostly kinds of its class that its generic sound would be wrong for, too
    unsure to refine? A "bird" whose crop is goose 0.23, sandpiper 0.07, limpkin 0.04 is some
    water bird: a songbird's chirp for it is wrong, so it is left silent."""
    fits = foreign = 0.0
    for ci, mass in enumerate(sub):
        concept = index.concepts[ci]
        if concept is base or stands_in(base, concept):
            fits += float(mass)
        elif concept.coco is None:  # another detector class (a cow among bovines) is the replacement's question
            foreign += float(mass)
    return foreign >= DOUBT_TOP and foreign >= UNLIKE_SHARE * fits


def doubted(probs: np.ndarray, mask: np.ndarray, base: Concept, index: ConceptIndex) -> bool:
    """Does the classifier contradict the detector? (step 5 of the module doc)"""
    if base.kind == "person" or not mask.any() or float(probs[mask].sum()) >= DOUBT_OWN:
        return False  # ImageNet names people by their clothes (an abaya, a suit): that is no doubt
    top = int(np.argmax(probs))
    if probs[top] < DOUBT_TOP or mask[top]:
        return False
    if base.kind in ANIMAL_KINDS:  # another animal is a replacement's question; a thing is not an animal…
        if int(mask.sum()) >= WELL_KNOWN:  # …but where ImageNet knows the class by its many kinds, their absence
            return True  # under another animal is the classifier's no: a rat boxed as a "dog" is squirrel 0.44, dogs 0.00
        return bool(not index.animal[top] and float(probs[index.animal].sum()) < DOUBT_TOP)
    return True


def unsupported(det: Detection, probs: np.ndarray, mask: np.ndarray, base: Concept, index: ConceptIndex) -> bool:
    """Is a box the detector is unsure of (score < ``UNSURE``) left without any support by
    its crop? Its own class's kinds get less than ``DOUBT_OWN`` and, for an animal class,
    no animal class of the crop reaches ``NAMES_AN_ANIMAL`` either (a thousand animal classes
    sum to something on any crop; one that names an animal stands out): "skis" at 0.44 over a windmill
    tower, a second "sheep" at 0.42 over a patch of grass. Nothing but one unsure guess says
    it is there (step 5 of the module doc); people are never judged so. A sure thing that
    is no animal still needs a trace of itself, ``NO_TRACE``: an "airplane" at 0.84 over a
    windmill's sails, whose crop gives aircraft 0.009 and is sure of nothing else."""
    if base.kind == "person" or not mask.any():
        return False
    own = float(probs[mask].sum())
    if det.score >= UNSURE:  # a sure thing still needs a trace of itself in its crop (an "airplane" 0.84 over
        return base.kind not in ANIMAL_KINDS and own < NO_TRACE  # windmill sails: its kinds 0.009, the crop unsure)
    if own >= DOUBT_OWN:
        return False
    return base.kind not in ANIMAL_KINDS or float(probs[index.animal].max(initial=0.0)) < NAMES_AN_ANIMAL


def _an_animal(det: Detection, probs: np.ndarray, index: ConceptIndex,
               neighbours: Sequence[tuple[tuple[float, float, float, float], str]]) -> bool:
    """Is a "person" box an animal? Its crop's top class is an animal and animals hold
    ``PERSON_ANIMAL`` of the crop (crabs on a beach, a narwhal in the waves), and no overlapping detection explains that animal (a rider's horse, a dog on a
    lead). Clothes are no animals, so this is no doubt about people in costume, nor about a
    person the detector is sure of (``SURE_PERSON``: the crabs were 0.53 and 0.51, a man in
    a teal jacket whose crop is a reptile 0.92)."""
    if det.score >= SURE_PERSON:
        return False
    top = int(np.argmax(probs))
    if not index.animal[top] or float(probs[index.animal].sum()) < PERSON_ANIMAL:
        return False
    return not any(_overlap(det.box, box) > 0.2 and index.under(label)[top] for box, label in neighbours)


def _no_trace_in_the_whole(coco: str, whole: np.ndarray, index: ConceptIndex, vocab: Vocabulary) -> bool:
    """A box too small to crop, of an animal the whole image gives no trace of (under
    ``NO_TRACE``) while naming one thing that is no animal at ``SURE_ELSEWHERE`` or more:
    hay bales far off read as sheep in a photo ImageNet calls "hay" (0.92). Nothing checks
    such a box otherwise. On the labelled photos only 4 animal boxes are too small to crop;
    distant sheep the whole image calls a ram (0.19) and bison it calls bison keep theirs."""
    base = vocab.by_coco.get(coco)
    if base is None or base.silent or base.kind not in ANIMAL_KINDS:
        return False
    top = int(np.argmax(whole))
    return float(whole[index.under(coco)].sum()) < NO_TRACE and not index.animal[top] and float(whole[top]) >= SURE_ELSEWHERE


def _a_statue(probs: np.ndarray, index: ConceptIndex) -> bool:
    """Is a "person" box a statue? The detector takes statues for people (the Statue of
    Liberty at 0.87) and ImageNet files them under the thing they stand on: a crop whose top
    class is one of :data:`STATUE_CLASSES` at ``STATUE_MIN`` or more (Liberty: pedestal
    0.99) is stone or bronze, with no footsteps and no voice."""
    top = int(np.argmax(probs))
    return index.names[top] in STATUE_CLASSES and float(probs[top]) >= STATUE_MIN


def shows_skin(rgb: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    """Does ``box`` (0–1 x0, y0, x1, y1) show a person's skin? At least ``NO_SKIN`` of its
    pixels lie in the usual YCbCr skin range (Cr 135–173, Cb 77–127; ITU-R BT.601 from RGB).
    A black-and-white photo (mean chroma below ``COLOUR_PHOTO``) cannot say: True."""
    h, w = rgb.shape[:2]
    x0, y0 = int(box[0] * w), int(box[1] * h)
    patch = rgb[y0:max(int(box[3] * h), y0 + 1), x0:max(int(box[2] * w), x0 + 1)].astype(np.float32)
    r, g, b = patch[..., 0], patch[..., 1], patch[..., 2]
    cb = 128.0 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128.0 + 0.5 * r - 0.418688 * g - 0.081312 * b
    if float(np.mean(np.hypot(cb - 128.0, cr - 128.0))) < COLOUR_PHOTO:
        return True
    skin = (cr >= 135) & (cr <= 173) & (cb >= 77) & (cb <= 127)
    return float(skin.mean()) >= NO_SKIN


def _played_instrument(det: Detection, base: Concept | None, probs: np.ndarray, other: np.ndarray,
                       index: ConceptIndex, where: str, coco: str) -> Draft | None:
    """A person holding an instrument the crop names is playing it; a thing box the crop
    surely calls an instrument is one (step 7 of the module doc). None otherwise."""
    if base is None or base.kind in ANIMAL_KINDS or base.kind in TRANSPORT_KINDS:
        return None
    kinds = np.array([c.kind == "instrument" and not c.silent for c in index.concepts])
    if not kinds.any():
        return None
    masses = np.where(kinds, other, 0.0)
    best = int(np.argmax(masses))
    person = base.kind == "person"
    need = PLAYS_MIN if person else max(REPLACE_MIN, REPLACE_PER_SCORE * det.score)
    if masses[best] < need:
        return None
    relation = "is what the person plays" if person else f"is not a kind of {coco}"
    name, why = _why(index, probs, best, where, relation)
    return Draft(index.concepts[best], det.box, det.score, detected_as=coco, refined_by=why, name=name)


def fine_grained_drafts(
    rgb: np.ndarray,
    detections: Sequence[Detection],
    vocabulary: dict[int, SoundEntry],
    whole: np.ndarray,
    classify: Classify,
    index: ConceptIndex,
    vocab: Vocabulary | None = None,
    place_votes: list[tuple[str, float]] | None = None,
) -> list[Draft]:
    """Drafts for thresholded ``detections`` plus classifier-only finds (see module doc).

    ``whole``: the whole image's ImageNet probabilities; ``classify``: crop → probabilities.
    ``place_votes``, when given, receives (COCO label, confidence) of every detection the
    fusion still takes for its class — silent ones and far-away ones included — for the
    ambience rules: a box the crop calls a crab is no horse on a meadow, and "skis" the
    crop does not back are no snow field.
    """
    vocab = vocab or load_sounding()
    ranked = sorted(range(len(detections)), key=lambda i: -salience(detections[i].box, detections[i].score))
    crop_probs: dict[int, np.ndarray] = {}
    for i in ranked:
        if len(crop_probs) >= MAX_CROPS:
            break
        if detections[i].area >= FILLS_IMAGE:
            continue
        patch = crop(rgb, detections[i].box)
        if patch is not None:
            crop_probs[i] = classify(patch)

    per_det: list[tuple[Detection, Draft | None, bool]] = []
    abstains: list[bool] = []  # classified, but the crop backs neither its class nor a replacement
    for i, det in enumerate(detections):
        entry = vocabulary.get(det.class_id)
        if i in crop_probs:
            probs, where = crop_probs[i], "crop"
        elif det.area >= WHOLE_IMAGE_AREA:
            probs, where = whole, "whole image"
        else:
            probs, where = None, ""
        neighbours = [(o.box, e.label) for j, o in enumerate(detections) if j != i and (e := vocabulary.get(o.class_id))]
        if probs is None and entry is not None and _no_trace_in_the_whole(entry.label, whole, index, vocab):
            per_det.append((det, None, True))  # judged (by the whole image): no herd turns it back into an animal
            abstains.append(True)  # …and it has no vote on what its herd is
            continue
        draft = refine_detection(det, entry, probs, where, index, vocab, neighbours)
        per_det.append((det, draft, probs is not None))
        own = float(probs[index.under(entry.label)].sum()) if probs is not None and entry is not None else 1.0
        abstains.append(own < DOUBT_OWN and (draft is None or not draft.detected_as) and index.under(entry.label).any()
                        if entry is not None else False)
    consensus = _herd_consensus(per_det, vocabulary, vocab, abstains)
    consensus = _one_herd(consensus, [classified for _, _, classified in per_det], whole, index)
    if place_votes is not None:
        place_votes += [(entry.label, det.score) for det, draft in zip(detections, consensus, strict=True)
                        if (entry := vocabulary.get(det.class_id)) is not None and _still_its_class(entry, draft, vocab)]
    stone = {i for i, (det, d) in enumerate(zip(detections, consensus, strict=True))
             if d is not None and d.concept.kind == "person" and not d.detected_as and det.score < UNSURE
             and not shows_skin(rgb, det.box)}
    consensus = [None if i in stone else d for i, d in enumerate(consensus)]
    people = [det.box for i, det in enumerate(detections)
              if i not in stone and (e := vocabulary.get(det.class_id)) is not None and e.label == "person"]
    drafts = [d for d in consensus if d is not None and within_earshot(d) and in_use_if_it_must_be(d, people)]

    # classifier-only finds: what the whole image names that no detection explains
    explained = np.zeros(len(index.ids), dtype=bool)
    for det in detections:
        entry = vocabulary.get(det.class_id)
        if entry is not None:
            explained |= index.under(entry.label)
    present = {d.concept.label for d in drafts} | {e.label for d in detections if (e := vocabulary.get(d.class_id))}
    seen_kinds = {d.concept.kind for d in drafts} | {
        c.kind for d in detections if (e := vocabulary.get(d.class_id)) and (c := vocab.by_coco.get(e.label))
    }
    animal_seen = bool(seen_kinds & ANIMAL_KINDS)
    masses = index.masses(np.where(explained, 0.0, whole))
    added = 0
    for ci in np.argsort(-masses):
        concept = index.concepts[int(ci)]
        if masses[ci] < ADD_MIN or added >= ADD_MAX:
            break
        if concept.silent or concept.kind == "person" or concept.label in present:
            continue
        if concept.add_min is not None and masses[ci] < concept.add_min:
            continue  # a class ImageNet gives to look-alikes ("bell cote" to any tower) needs more
        if concept.kind in ANIMAL_KINDS and animal_seen:  # the detector saw the animal: boxes decide what it is
            continue
        box, where = concept.region or WHOLE_BOX, "whole image"
        if crop_probs and concept.region is None:
            j, best = max(((j, index.masses(p)[ci]) for j, p in crop_probs.items()), key=lambda t: t[1])
            if best >= 0.2:
                box, where = detections[j].box, "whole image and a box's crop"
        name, why = _why(index, whole, int(ci), where, "names it; the detector has no such class")
        draft = Draft(concept, box, float(min(1.0, masses[ci])), refined_by=why, name=name, weight=ADDED_WEIGHT)
        if not in_use_if_it_must_be(draft, people):
            continue
        drafts.append(draft)
        added += 1
    return drafts


def _still_its_class(entry: SoundEntry, draft: Draft | None, vocab: Vocabulary) -> bool:
    """Does the fusion still take this detection for its COCO class? A silent class (a
    bench, a couch) has no draft and stands; a sounding one stands as itself or a kind of
    it (a robin is a bird), not when it was dropped (doubted, unsupported) or replaced by
    another thing (a "horse" box the crop calls a crab)."""
    base = vocab.by_coco.get(entry.label)
    if base is None or base.silent:
        return True
    if draft is None:
        return False
    return draft.detected_as is None or bool(draft.parents)


def _one_herd(drafts: list[Draft | None], classified: list[bool], whole: np.ndarray, index: ConceptIndex) -> list[Draft | None]:
    """Animals of two detector classes that no crop confirmed: the kind the whole image
    favours (at least ``HERD_SHARE`` times the other, and ``HERD_MIN``) is what they all
    are — one tiny "cow" in a flock of sheep is one more sheep (step 6 of the module doc)."""
    animal = {i: d for i, d in enumerate(drafts)
              if d is not None and d.detected_as is None and d.concept.coco and d.concept.kind in ANIMAL_KINDS}
    classes = {d.concept.coco: d.concept for d in animal.values()}
    if len(classes) < 2:
        return drafts
    mass = {coco: float(whole[index.under(coco)].sum()) for coco in classes}
    out = list(drafts)
    for i, d in animal.items():
        if classified[i]:
            continue
        lead = max(classes, key=lambda c: mass[c])
        if lead != d.concept.coco and mass[lead] >= max(HERD_MIN, HERD_SHARE * mass[d.concept.coco]):
            top = int(np.argmax(np.where(index.under(lead), whole, -1.0)))
            why = f"classifier: {index.names[top]} {whole[top]:.2f} (whole image) — one herd with its neighbours"
            out[i] = Draft(classes[lead], d.box, d.score, detected_as=d.concept.coco, refined_by=why)
    return out


def within_earshot(draft: Draft) -> bool:
    """A thing heard only up close (``min_area``) is not a sound source when it is small
    in the photo: a clock on a far-away tower does not tick in the listener's ear."""
    b = draft.box
    return (b[2] - b[0]) * (b[3] - b[1]) >= draft.concept.min_area


USER_OVERLAP = 0.15  # share of a thing's box a person using it covers (a rider sits over a bicycle's upper part)


def in_use_if_it_must_be(draft: Draft, people: Sequence[tuple[float, float, float, float]]) -> bool:
    """A thing heard only when people use it (``heard_when``) needs them: a person over it
    (ridden, handled), or anyone in the photo (in play)."""
    when = draft.concept.heard_when
    if when == "in play":
        return bool(people)
    return not when or any(_overlap(draft.box, box) >= USER_OVERLAP for box in people)


PLACE_OBJECT_CONFIDENCE = 0.6  # a kind of place this sure shows its water (dev photos: right ones ≥ 0.76)


def drafts_from_place(ambience: Sequence[AmbienceTag], present: Sequence[Draft], vocab: Vocabulary | None = None,
                      beside: Sequence[tuple[str, float]] = ()) -> list[Draft]:
    """Sources the kind of place itself shows: the river of a river photo, the waterfall of a
    waterfall photo (concepts whose ``from_places`` names the first ambience tag, or a place
    ``beside`` the bed: (label, share) the likeness alone is sure of, a river running through
    a wood whose bed is the forest, see :func:`~.ambience.seen_beside_the_bed`). No detector
    boxes water, and a bed alone is heard everywhere at once; as an object it lies where its
    ``region`` says (a river across the bottom of the photo) and is panned like any other.
    Weighed like a whole-image find (``ADDED_WEIGHT``); none when the scene already has one,
    and none from a bed that is itself a guess (under ``PLACE_OBJECT_CONFIDENCE``): the bed
    already plays that water, and a second, positioned copy of a doubtful river (a valley
    road, a wall on a ridge) is heard as a mistake."""
    places = [(tag.label, tag.confidence, f"place: {tag.label} (its water is in view)")
              for tag in ambience[:1] if tag.confidence >= PLACE_OBJECT_CONFIDENCE]
    places += [(label, share, f"likeness: {label}={share:.2f} beside the bed (its water is in view)") for label, share in beside]
    vocab = vocab or load_sounding()
    have = {d.concept.label for d in present}
    drafts = []
    for label, confidence, why in places:
        for c in vocab.concepts.values():
            if label in c.from_places and not c.silent and c.label not in have:
                drafts.append(Draft(c, c.region or WHOLE_BOX, confidence, refined_by=why, weight=ADDED_WEIGHT))
                have.add(c.label)
    return drafts


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Share of box ``a`` covered by box ``b``."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = (a[2] - a[0]) * (a[3] - a[1])
    return ix * iy / area if area > 0 else 0.0


def _herd_consensus(per_det: list[tuple[Detection, Draft | None, bool]], vocabulary: dict[int, SoundEntry], vocab: Vocabulary,
                    abstains: Sequence[bool] = ()) -> list[Draft | None]:
    """One class, one verdict: a replacement stands only when at least half of the
    detections of that class that were classified agree on it, and then the ones too small
    to classify, and the ones the classifier left as detected, follow them (a herd of bison
    seen as "cow" is all bison). A member whose crop gives its class less than ``DOUBT_OWN``
    and names no replacement either (``abstains``) has no vote: a second "sheep" box over
    the alpaca's legs does not keep the alpaca a sheep."""
    by_class: dict[int, list[int]] = {}
    for i, (det, _, _) in enumerate(per_det):
        by_class.setdefault(det.class_id, []).append(i)
    out = [d for _, d, _ in per_det]
    for class_id, members in by_class.items():
        if len(members) < 2:
            continue
        entry = vocabulary.get(class_id)
        base = vocab.by_coco.get(entry.label) if entry else None
        voters = [i for i in members if per_det[i][2] and not (abstains and abstains[i])]
        replaced: dict[str, list[int]] = {}
        for i in voters:
            d = out[i]
            if d is not None and d.detected_as and not d.parents and d.concept.kind != "instrument":  # one player is no doubt about the band
                replaced.setdefault(d.concept.label, []).append(i)
        for label, idx in replaced.items():
            if 2 * len(idx) < len(voters):
                for i in idx:
                    det = per_det[i][0]
                    out[i] = Draft(base, det.box, det.score) if base is not None and not base.silent else None
            elif 2 * len(idx) > len(voters):
                lead = out[idx[0]]
                assert lead is not None
                for i in members:
                    unconvinced = per_det[i][2] and out[i] is not None and out[i].concept is base
                    if not per_det[i][2] or unconvinced:
                        det = per_det[i][0]
                        out[i] = Draft(lead.concept, det.box, det.score, detected_as=lead.detected_as,
                                       refined_by=f"{lead.refined_by}, as most of its herd", name=lead.name)
    return out
