"""Scene -> one verified recording per ambience tag and object (or a clean "none found").

Order matters because a sound is used at most once per mix: ambience tags go first (they
give the stereo bed every image needs), then objects from most to least important, so
the dog in front gets the best bark and the second dog the next one. For each target:

1. search the target's query and verify every candidate (:class:`Verifier`); game-only
   recordings (tag ``game-only``: weapons, magic, UI blips, death cries) never pass, nor
   does a bed shorter than ``BED_MIN_S`` (a 0.6 s bubble or a keyboard's single click
   looped for the whole mix is a rhythm, not a place), and
   for an object's further and fallback queries neither does a recording that names
   another animal than the object's own first query (``wording.WordEvidence.other_animal``:
   "lion" finds a lion roar, which is no cheetah; "farm animals" a pig on a piggery, which
   is no llama), unless the object's own queries or the hierarchy table offer that animal
   instead ("heron call" for a spoonbill, a duck for a goose); nor, for any query of an
   object named like an animal ("baseball bat"), a recording that names that animal
   (``WordEvidence.animal_homonym``: a swarm of bats);
2. pick among the accepted ones that are not yet in the mix — ``best``: the one that
   names the most specific of the target's concepts (:func:`concept_rank`: "A black
   cat" for a cat beats a tiger filed under "cats", whatever the scores), then the
   preferred kind (bed for ambience, one-shot for objects unless the object asks for a bed:
   a river flows on, a splash that names a river is no river), then the highest similarity;
   ``random``: any of them, drawn with ``numpy.random.default_rng(seed)``;
3. when every accepted recording is already in the mix, look once more with a wider net,
   then reuse one and say so (``exhausted``) rather than fall back to something vaguer; an
   object whose only accepted recordings play as a bed (the people of a town square, whose
   crowd murmur is the square's bed) first tries its own further queries, since a second
   voice of the bed adds nothing, and reuses the bed's recording only when they find nothing;
4. when nothing is accepted — or what was accepted names none of the target's concepts, or
   is a one-shot standing in for a bed, while more of the target's own queries remain —
   walk the target's own further queries in order (``SceneObject.queries`` /
   ``AmbienceTag.queries``: "robin singing" -> "songbird chirping" -> "bird song"; for a
   bed the closer kinds of place), then the concept hierarchy (table, then WordNet),
   searching the query with the label swapped for the more general word ("puppy
   whimpering" -> "dog whimpering"). A candidate kept in reserve is taken when the chain
   finds nothing that names the thing better;
5. optionally ask a language model for alternative queries (:class:`Regenerator`), a
   bounded number of times;
6. else give up on this target only: a choice with ``sound=None`` and the reason.

**Online sources** (Freesound) have more to say than one ranked list: they offer
``rounds(query, role)`` — progressively relaxed filters, then further pages, each round
already in the user's preferred order (rating > downloads, or a seeded shuffle in random
mode) — and ``fetch(sound)``, the only download. For those, steps 1–2 become: walk the
rounds, verify each round's candidates and take the *first* one that passes and is not yet
in the mix, fetching only that one (a preview that fails to download or is not audio is
rejected like a bad description and the next candidate tried). The source's order is the
user's choice, so it is kept rather than re-ranked by text similarity. A source without
``rounds`` (the local library) is searched exactly as in steps 1–3.

**Failures stay local.** A search that cannot be answered (offline and not cached, the
server gone after its retries, the daily request budget spent) ends that query with the
reason in the trail. Anything but an offline cache miss means the service is down, so
the rest of the run does not knock again (no minutes of retries per tag). A preview that
is missing (404) or not audio only rejects that candidate; any other download failure
counts as the service being down. A verifier
that fails (the LLM server) falls back to the ``fallback`` verifier's verdicts for the
rest of the run, and the trail says so.

Everything tried lands in the choice's ``trail``; the verdict says how many searches it
took (and, for an online source, how many network requests).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np

from ..errors import ImageExtenderError, RetrievalError
from ..manifest import Role, Scene, Sound, SoundChoice, TrailStep
from .base import Candidate, SelectionMode, SoundSource, Verdict, Verifier
from .freesound.errors import FreesoundOfflineError, FreesoundPreviewError
from ..library.lexical import DESCRIPTION_WEIGHT, STOPWORDS, field_words, singular
from .hierarchy import Fallback
from .library_source import GAME_ONLY, PREFERRED_KIND, unplayable
from .sound_words import SoundWords
from .wording import WordEvidence

WIDEN = 3  # the wider net of step 3 is this many times ``limit``
MAX_REGENERATION_ROUNDS = 10  # hard stop for step 5, whatever the regenerator allows

Round = tuple[str, list[Candidate]]
Pick = tuple[Candidate, Verdict]


class Hierarchy(Protocol):
    notes: list[str]

    def steps(self, label: str) -> list[Fallback]: ...


class Regeneration(Protocol):
    queries: list[str]
    detail: str


class Regenerator(Protocol):
    """New queries for a tag that found nothing (``llm.regenerate.QueryRegenerator``); bounded by itself."""

    def alternatives(self, tag: str, tried: list[str], role: str = "object") -> Regeneration: ...


@dataclass
class _Target:
    role: Role
    index: int
    label: str
    query: str
    queries: list[str] = field(default_factory=list)  # further queries, most specific first
    accepts: list[str] = field(default_factory=list)  # concepts that count as right, most specific first
    kind: str = ""  # the kind of recording preferred: the role's unless the object says (a river: "bed")

    @property
    def preferred_kind(self) -> str:
        return self.kind or PREFERRED_KIND[self.role]

    @property
    def concepts(self) -> list[str]:
        """What a recording should name to be *this* thing: ``accepts``, else the label."""
        return [c for c in (self.accepts or [self.label]) if c.strip()]


@dataclass
class _Attempt:
    """State of the search for one target."""

    target: _Target
    trail: list[TrailStep] = field(default_factory=list)
    searches: int = 0
    best_rejection: tuple[float, str] | None = None  # highest-scoring rejected candidate
    problems: list[str] = field(default_factory=list)  # searches that could not be answered
    noted: set[str] = field(default_factory=set)  # run-level notes already in this trail
    reserve: tuple[str, str, Pick] | None = None  # (query, via, pick) accepted but naming no concept
    echo: tuple[str, Pick] | None = None  # (query, pick) accepted, but a bed of the mix plays it already
    step: Fallback | None = None  # the hierarchy step being searched (None: the target's own queries)
    siblings: list[str] = field(default_factory=list)  # animals its own queries and the hierarchy table offer instead
    groups: set[str] = field(default_factory=set)  # animal groups whose every kind is right for it (its label, the table's)

    def note_rejection(self, verdict: Verdict) -> None:
        if self.best_rejection is None or verdict.score > self.best_rejection[0]:
            self.best_rejection = (verdict.score, verdict.reason)

    def note_once(self, query: str, detail: str) -> None:
        if detail not in self.noted:
            self.noted.add(detail)
            self.trail.append(TrailStep(action="skip", query=query, detail=detail))


def _label(verifier: object) -> str:
    """"LLM" for the LLMVerifier, "embedding" for the EmbeddingVerifier: the words a user knows from --verifier."""
    name = str(getattr(verifier, "name", "") or type(verifier).__name__.removesuffix("Verifier")).lower()
    return "LLM" if name == "llm" else name


@dataclass
class _Checking:
    """The verifier, and the one to use instead once it has failed in this run."""

    primary: Verifier
    fallback: Verifier | None = None
    failure: str | None = None

    def verify(self, attempt: _Attempt, query: str, candidates: list[Candidate]) -> list[Verdict]:
        if not candidates:
            return []
        if self.failure is None:
            try:
                return self.primary.verify(query, candidates)
            except ImageExtenderError as exc:
                if self.fallback is None:
                    raise
                self.failure = str(exc)
        assert self.fallback is not None
        attempt.note_once(
            query,
            f"{_label(self.primary)} verification unavailable: {self.failure}; "
            f"keeping the retrieval ranking with the {_label(self.fallback)} verifier's verdicts",
        )
        return self.fallback.verify(query, candidates)


@dataclass
class _Run:
    """What one ``find_sounds`` call shares across its targets."""

    source: SoundSource
    checking: _Checking
    hierarchy: Hierarchy | None
    mode: SelectionMode
    rng: np.random.Generator
    limit: int
    used: dict[str, str] = field(default_factory=dict)  # sound id -> target that has it
    beds: set[str] = field(default_factory=set)  # sound ids an ambience target has
    regenerator: Regenerator | None = None
    source_down: str | None = None  # why the online source gave up for the rest of the run
    words: WordEvidence = field(default_factory=lambda: WordEvidence(None))  # "another animal" (step 1)
    indoor: bool | None = None  # the photo's first kind of place is indoors, outdoors, or not known

    @property
    def rounds(self) -> Callable[[str, Role], Iterator[Round]] | None:
        return getattr(self.source, "rounds", None)

    def fetch(self, sound: Sound, trail: list[TrailStep], query: str) -> Sound:
        """The sound with a local file (a download for online sources); the source's notes
        on how it got it (e.g. "original refused, HQ preview used") land in ``trail``."""
        fetch = getattr(self.source, "fetch", None)
        if fetch is None:
            return sound
        fetched = fetch(sound)
        for sound_id, note in getattr(self.source, "take_notes", lambda: [])():
            trail.append(TrailStep(action="fallback", query=query, detail=note, sound_id=sound_id))
        return fetched

    def requests(self) -> int | None:
        """Network requests the source has sent so far, when it counts them (Freesound does)."""
        stats = getattr(getattr(self.source, "client", None), "stats", None)
        count = getattr(stats, "requests", None)
        return count if isinstance(count, int) else None


def targets_in_order(scene: Scene) -> list[_Target]:
    """Ambience tags in scene order, then objects by importance (ties: scene order)."""
    out = [_Target("ambience", i, t.label, t.query, list(t.queries)) for i, t in enumerate(scene.ambience)]
    ranked = sorted(enumerate(scene.objects), key=lambda p: (-p[1].importance, p[0]))
    out += [_Target("object", i, o.label, o.query, list(o.queries), list(o.accepts), o.sound_kind or "") for i, o in ranked]
    return out


def fallback_query(label: str, query: str, term: str, role: Role) -> str:
    """The query with the label swapped for ``term`` ("puppy whimpering" -> "dog whimpering").

    When the label is not in the query, the general word alone (plus "ambience" for a bed);
    when the query already holds the whole term ("bicycle bell and wheels" for "bicycle
    bell"), the term alone: a shorter query, not "bicycle bell bell and wheels".
    """
    if re.search(rf"\b{re.escape(term)}\b", query, re.IGNORECASE):
        return f"{term} ambience" if role == "ambience" and "ambience" not in term else term
    for form in dict.fromkeys([label, label.rstrip("s")]):
        if form and re.search(rf"\b{re.escape(form)}\b", query, re.IGNORECASE):
            return re.sub(rf"\b{re.escape(form)}\b", term, query, count=1, flags=re.IGNORECASE)
    if role == "ambience" and "ambience" not in term:
        return f"{term} ambience"
    return term


BED_LONG_ENOUGH_S = 20.0  # a bed this long loops rarely enough that nobody hears the seam
BED_MIN_S = 2.0  # a shorter recording repeats as a beat when looped under the mix: no bed
BED_FITNESS_WEIGHT = 0.1  # at most this much verification score is traded for a better bed


def bed_fitness(sound: Sound) -> float:
    """0…1: how well a recording serves as a background bed, beyond what it depicts.

    Long recordings (≥ 20 s) loop seldom; recordings whose ends meet (``loopable``) loop
    without a fade; a recording its source marks as low quality (11 kHz mono game clips)
    loses to a full-band one. Verification says *what* a sound is; this breaks ties among
    the beds that passed, so a 4 s 11 kHz farm clip does not beat a 20 s 48 kHz farm loop.
    """
    length = min(1.0, sound.duration / BED_LONG_ENOUGH_S)
    loop = 1.0 if sound.loopable else 0.0
    quality = 0.0 if sound.quality.lower().startswith("low") else 1.0
    return 0.6 * length + 0.2 * loop + 0.2 * quality


NAMED = 2  # concept_rank tier: the name or description names the concept
FILED = 1  # only an aside or a tag does ("(animals, mammals, cats)" on a tiger)


def concept_rank(sound: Sound, concepts: list[str]) -> tuple[int, int]:
    """(tier, specificity) of the most specific concept ``sound``'s own text names.

    Tier :data:`NAMED` when every word of a concept (plural or singular) is in the
    sound's name or description, :data:`FILED` when only its asides or tags carry them
    (a source's categories), 0 when nothing does. Specificity: concepts come most
    specific first ("robin", "songbird", "bird"), so naming the first one ranks highest.
    """
    bag = field_words(sound.name, sound.description, sound.tags)

    def weight(word: str) -> float:
        forms = {word, word + "s", word + "es", word[:-1] if word.endswith("s") else word}
        return max((bag.get(f, 0.0) for f in forms), default=0.0)

    best = (0, 0)
    for i, concept in enumerate(concepts):
        parts = concept.lower().replace("_", " ").split()
        if not parts:
            continue
        lowest = min(weight(w) for w in parts)
        tier = NAMED if lowest >= 1.0 else FILED if lowest > 0 else 0
        best = max(best, (tier, len(concepts) - i) if tier else (0, 0))
    return best


def _pick(accepted: list[Pick], target: _Target, mode: SelectionMode, rng: np.random.Generator) -> Pick:
    role = target.role
    if mode == "random":
        preferred = [p for p in accepted if p[0].sound.kind == target.preferred_kind] or accepted
        return preferred[int(rng.integers(len(preferred)))]
    bonus = (lambda sound: BED_FITNESS_WEIGHT * bed_fitness(sound)) if role == "ambience" else (lambda sound: 0.0)

    def key(p: Pick) -> tuple:
        kind = p[0].sound.kind == target.preferred_kind
        concept = concept_rank(p[0].sound, target.concepts)
        # a bed must be a bed first; an object must be the thing first (a cat, not a tiger)
        first = (kind, concept) if role == "ambience" else (concept, kind)
        return (*first, _leads_its_rivals(p[1]), p[1].score + bonus(p[0].sound))

    return max(accepted, key=key)


def _leads_its_rivals(verdict: Verdict) -> bool:
    """Is the query the sound's nearest concept of all (positive margin)? Such candidates
    win over ones the verifier let through although a rival concept fits them better: a dog
    bark scores higher for "zebra barking" than the zebra recording (both bark), but only
    the zebra leads its rivals. Among leaders, the score decides (margins of leaders are
    too close to rank by). Verifiers without a margin (LLM) count every accept as leading.
    """
    return verdict.margin is None or verdict.margin > 0


INSIDE_WORDS = frozenset("indoor indoors interior inside tavern pub restaurant cafe kitchen bathroom bedroom office "
                         "classroom corridor hallway".split())  # a recording that says it was made inside a building
OUTSIDE_WORDS = frozenset("outdoor outdoors outside street square beach park meadow field forest garden countryside".split())


def other_side_of_the_wall(sound: Sound, indoor: bool) -> str | None:
    """The word of a recording's own name or description (not its asides or tags) that puts
    it on the other side of a wall from a photo ``indoor`` or not: a tavern's voices are no
    people on a beach, a town square's crowd no two people in a corridor."""
    own = field_words(sound.name, sound.description, ())
    said = [w for w, weight in own.items() if weight >= 1.0 and w in (OUTSIDE_WORDS if indoor else INSIDE_WORDS)]
    return said[0] if said else None


def objection_to(words: WordEvidence, role: Role, label: str, main_query: str, query: str, sound: Sound,
                 verdict: Verdict, *, groups: set[str], siblings: Sequence[str] = (), indoor: bool | None = None,
                 concepts: Sequence[str] = ()) -> str | None:
    """Why the finder turns down a recording the verifier accepted for ``query`` (one of the
    queries of the thing ``label``, whose first is ``main_query``), or None. The verifier
    judges a query's words; the finder knows the thing in view:

    * a verdict for an animal group ("feline") stands only for the thing's own ``groups``
      (its label's, the hierarchy table's): a lion for a big cat, no house cat;
    * an object's further query ("bear grunting", "farm animals") may fit a recording of
      another animal than the one ``main_query`` asks for (``siblings``: the animals it
      accepts instead);
    * an object's recording may use its word in another sense: a swarm of bats for a
      baseball bat, an elephant's trumpeting for a trumpet;
    * people's recording is no animal's: a dog "barking at passers-by" for passers-by talking;
    * a query that names a part of the thing, or something at it ("oven door", "tram bell"),
      wants that part *of the thing*: a recording that names the part and none of the
      thing's ``concepts`` (what counts as right for it; default its label) is another
      thing's: a house door for an oven door, a church bell for a tram's
      (:func:`part_without_its_thing`);
    * an object's recording made on the other side of a wall from the photo (``indoor``: the
      photo's first kind of place is indoors; None: not known) is not heard there: a tavern's
      voices for people on a beach, a town square's crowd for two people in a corridor.
    """
    if verdict.group and verdict.group not in groups:
        group = verdict.group.split(".")[0].replace("_", " ")
        return f"'{sound.name}' is a kind of {group}, which does not stand for '{label}'"
    if role == "object" and query != main_query and not verdict.group:
        other = words.other_animal([main_query, label], sound, siblings)
        if other:
            return f"'{sound.name}' {other} (the animal of '{main_query}')"
    if role == "object":
        homonym = (words.animal_homonym([label, main_query], sound) or words.thing_not_animal(label, main_query, sound)
                   or words.animal_not_people([label, query], sound))
        if homonym:
            return f"'{sound.name}' {homonym}"
    if role == "object" and (part := part_without_its_thing(words, label, query, sound, concepts or [label])):
        return f"'{sound.name}' names {part}, not the {label}'s (the thing of '{query}')"
    if role == "object" and indoor is not None and (where := other_side_of_the_wall(sound, indoor)):
        return f"'{sound.name}' is heard {'outdoors' if indoor else 'indoors'} ('{where}'); the photo is {'indoors' if indoor else 'outdoors'}"
    return None


def part_without_its_thing(words: WordEvidence, label: str, query: str, sound: Sound,
                           concepts: Sequence[str]) -> str | None:
    """The part ("door") when ``query`` names a made thing's part by the thing's word and the
    next one ("oven door opening", "tram bell and rumble": the label's last word right before
    a noun), and ``sound``'s own words (name and description, not asides or tags) name that
    part but none of ``concepts``: "door opening and closing" is any door, no oven's. Animals
    and people are left to the animal rules (a "dog bark" names what the dog does), and two
    words WordNet knows as one thing name no part ("microwave oven" is the microwave). None
    without a lexicon."""
    lexicon = words.lexicon
    label_words = re.findall(r"[a-z]+", label.lower())
    if lexicon is None or not label_words or words.animal_asked(label) or words.animal_asked(query):
        return None
    if lexicon.persons(label_words, groups=True):
        return None
    head = singular(label_words[-1])
    raw = re.findall(r"[a-z]+", query.lower())
    after = {f"{a}_{b}": b for a, b in zip(raw, raw[1:])
             if singular(a) == head and not b.endswith(("ing", "ed")) and b not in STOPWORDS}
    nouns, pairs = lexicon.kinds(after.values()), lexicon.kinds(after)
    # two words WordNet files as something other than a kind of the second name no part of
    # the first: a "microwave oven" is the microwave (a kitchen appliance, no oven); a car door is a door
    part = next((b for pair, b in after.items() if nouns.get(b) and (not pairs.get(pair) or nouns[b] <= pairs[pair])), None)
    if part is None:
        return None
    own = field_words(sound.name, sound.description, ())
    if max(own.get(part, 0.0), own.get(singular(part), 0.0)) < DESCRIPTION_WEIGHT:
        return None
    if concept_rank(sound, list(concepts))[0] >= NAMED:
        return None
    return part


def weak_fallback(words: WordEvidence, label: str, term: str, query: str, sound: Sound, verdict: Verdict) -> str | None:
    """Why a recording accepted for a hierarchy fallback of a thing or people (``query``: the label
    swapped for the more general ``term``) is still no sound of it, or None: it passed on its
    words alone (``Verdict.by_words``), not because the query leads the concepts nearest to
    it. On a thing's own query the words are the best evidence ("A cuckoo" for "cuckoo
    calling"); on a fallback the word named is the general one, which every wrong pick shared
    with the thing: a car starting for a motorcycle's "engine passing by", a spinning wheel for
    a suitcase's "wheels rolling", a ship's horn for a speedboat's "boat passing", a toaster for
    a coffee machine's "kitchen", a battle machine for a printer's "machine printing", a
    stadium's "ooh" for a player's "crowd". An animal's fallback names a kind of creature ("A
    sheep" for a lamb), which the animal rules already hold to the thing in view: left alone.
    None without WordNet (it tells the animals and knows the word)."""
    if not verdict.by_words or words.lexicon is None or words.animal_asked(query) or words.animal_asked(term):
        return None
    term_words = re.findall(r"[a-z]+", term.lower())
    known = words.lexicon.kinds(["_".join(term_words), term_words[-1]] if term_words else [])
    if not any(known.values()):  # no WordNet here, or a word it does not know: nothing to tell by
        return None
    return (f"'{sound.name}' passed '{query}', a fallback for '{label}', on its words alone; a more "
            f"general word needs the query to lead the concepts nearest to the recording")


def unfit(sound: Sound, role: Role) -> str | None:
    """Why ``sound`` is no candidate for a ``role`` whatever it sounds like, or None: a game-only
    recording (weapons, magic, UI, death cries), a bed too short to loop."""
    if GAME_ONLY in sound.tags:
        return f"'{sound.name}' is a game-only sound (weapons, magic, UI, death cries)"
    if role == "ambience" and 0 < sound.duration < BED_MIN_S:
        return (f"'{sound.name}' lasts {sound.duration:.1f} s: too short to loop as a bed "
                f"(at least {BED_MIN_S:.0f} s)")
    return None


def screened(candidates: Sequence[Candidate], role: Role,
             verify: Callable[[list[Candidate]], list[Verdict]]) -> list[Verdict]:
    """Each candidate's verdict, in order: an :func:`unfit` one is turned down unheard
    (``Verdict.screened``), ``verify`` judges the rest."""
    out: list[Verdict | None] = [None] * len(candidates)
    judged = []
    for i, c in enumerate(candidates):
        if reason := unfit(c.sound, role):
            out[i] = Verdict(False, c.score, reason, screened=True)
        else:
            judged.append(i)
    for i, verdict in zip(judged, verify([candidates[i] for i in judged]), strict=True):
        out[i] = verdict
    return [v for v in out if v is not None]


def finder_verdict(words: WordEvidence, role: Role, label: str, main_query: str, query: str, sound: Sound,
                   verdict: Verdict, *, groups: set[str], siblings: Sequence[str], concepts: Sequence[str],
                   indoor: bool | None = None, fallback_term: str | None = None) -> Verdict:
    """The verifier's ``verdict`` on ``sound`` for ``query``, turned down when the finder
    objects (:func:`objection_to`; on a hierarchy fallback to ``fallback_term`` also
    :func:`weak_fallback`)."""
    if not verdict.accepted:
        return verdict
    objection = objection_to(words, role, label, main_query, query, sound, verdict, groups=groups,
                             siblings=siblings, indoor=indoor, concepts=concepts)
    if not objection and role == "object" and fallback_term is not None:
        objection = weak_fallback(words, label, fallback_term, query, sound, verdict)
    return Verdict(False, verdict.score, objection) if objection else verdict


def _judge(attempt: _Attempt, run: _Run, query: str, candidates: list[Candidate]) -> list[Verdict]:
    """The finder's verdicts on one search's candidates for ``attempt``'s target."""
    target = attempt.target
    verdicts = screened(candidates, target.role, lambda judged: run.checking.verify(attempt, query, judged))
    return [finder_verdict(run.words, target.role, target.label, target.query, query, c.sound, v,
                           groups=attempt.groups, siblings=attempt.siblings, concepts=target.concepts,
                           indoor=run.indoor, fallback_term=attempt.step.term if attempt.step else None)
            for c, v in zip(candidates, verdicts, strict=True)]


def _sort_out(attempt: _Attempt, run: _Run, query: str, candidate: Candidate, verdict: Verdict) -> str:
    """Trail one finder verdict; returns "rejected", "taken" (passes, already in the mix) or "fresh"."""
    if not verdict.accepted:
        if not verdict.screened:
            attempt.note_rejection(verdict)
        attempt.trail.append(
            TrailStep(action="reject", query=query, detail=verdict.reason, sound_id=candidate.sound.id, score=verdict.score)
        )
        return "rejected"
    if candidate.sound.id in run.used:
        detail = f"'{candidate.sound.name}' passes but is already used for '{run.used[candidate.sound.id]}'"
        attempt.trail.append(
            TrailStep(action="reject", query=query, detail=detail, sound_id=candidate.sound.id, score=verdict.score)
        )
        return "taken"
    attempt.trail.append(
        TrailStep(action="candidate", query=query, detail=verdict.reason, sound_id=candidate.sound.id, score=verdict.score)
    )
    return "fresh"


def _examine(attempt: _Attempt, run: _Run, query: str, limit: int) -> tuple[list[Pick], list[Pick]]:
    """One library search: returns (accepted and unused, accepted but already in the mix)."""
    candidates = run.source.search(query, attempt.target.role, limit)
    attempt.searches += 1
    left_out = getattr(run.source, "left_out", 0)
    note = f" ({left_out} game-only recordings left out)" if left_out else ""
    attempt.trail.append(TrailStep(action="search", query=query, detail=f"{run.source.name}: {len(candidates)} candidates{note}"))
    fresh, taken = [], []
    for cand, verdict in zip(candidates, _judge(attempt, run, query, candidates), strict=True):
        kind = _sort_out(attempt, run, query, cand, verdict)
        if kind == "fresh" and (broken := unplayable(cand.sound)):
            attempt.trail.append(TrailStep(action="reject", query=query, detail=broken, sound_id=cand.sound.id))
            continue
        if kind == "fresh":
            fresh.append((cand, verdict))
        elif kind == "taken":
            taken.append((cand, verdict))
    return fresh, taken


def _walk_rounds(attempt: _Attempt, run: _Run, query: str) -> tuple[Pick | None, list[Pick]]:
    """Online source: first verified, unused, fetchable candidate over the rounds (see module doc)."""
    assert run.rounds is not None
    taken: list[Pick] = []
    if run.source_down is not None:
        attempt.note_once(query, f"{run.source.name} not searched: {run.source_down}")
        if not attempt.problems:
            attempt.problems.append(f"{run.source.name} not searched: {run.source_down}")
        return None, taken
    try:
        for desc, candidates in run.rounds(query, attempt.target.role):
            attempt.searches += 1
            attempt.trail.append(TrailStep(action="search", query=query, detail=desc))
            for cand, verdict in zip(candidates, _judge(attempt, run, query, candidates), strict=True):
                kind = _sort_out(attempt, run, query, cand, verdict)
                if kind == "taken":
                    taken.append((cand, verdict))
                if kind != "fresh":
                    continue
                try:
                    sound = run.fetch(cand.sound, attempt.trail, query)
                except (FreesoundPreviewError, FreesoundOfflineError) as exc:  # this sound only; budget etc. below
                    attempt.trail.append(
                        TrailStep(action="reject", query=query, detail=str(exc), sound_id=cand.sound.id, score=verdict.score)
                    )
                    continue
                return (Candidate(sound, cand.score), verdict), taken
    except RetrievalError as exc:
        reason = str(exc)
        attempt.problems.append(f"search failed: {reason}")
        attempt.trail.append(TrailStep(action="skip", query=query, detail=f"search stopped: {reason}"))
        if not isinstance(exc, FreesoundOfflineError):
            run.source_down = f"it failed earlier in this run ({reason})"
        return None, taken
    attempt.trail.append(TrailStep(action="skip", query=query, detail=f"{run.source.name}: every round for '{query}' examined"))
    return None, taken


def _choice(attempt: _Attempt, query: str, pick: Pick | None, verdict: str) -> SoundChoice:
    t = attempt.target
    cand = pick[0] if pick else None
    return SoundChoice(
        role=t.role,
        target=t.label,
        target_index=t.index,
        query=query,
        sound=cand.sound if cand else None,
        score=cand.score if cand else None,
        verdict=verdict,
        trail=attempt.trail,
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 'es' if word.endswith('h') else 's'}"


def _try_query(attempt: _Attempt, run: _Run, query: str, via: str, *, may_defer: bool = False) -> SoundChoice | None:
    """Steps 1–3 for one query: the choice if a sound was taken, else None.

    With ``may_defer`` (more specific queries of the target's own chain remain), a best
    pick that names none of the target's concepts is kept in ``attempt.reserve`` instead
    of taken (step 4); :func:`_take_reserve` takes it when nothing better turns up.
    """
    target = attempt.target
    how = "best of" if run.mode == "best" else "drawn at random from"
    if run.rounds is not None:
        pick, taken = _walk_rounds(attempt, run, query)
        how = "first in the source's order that passed" if run.mode == "best" else "first in a seeded shuffle that passed"
        fresh = [pick] if pick is not None else []
        if not fresh and taken:
            cand, verdict = taken[0]
            try:
                taken = [(Candidate(run.fetch(cand.sound, attempt.trail, query), cand.score), verdict)]
            except RetrievalError:  # in the mix already, so its preview is cached: only a vanished file lands here
                taken = []
    else:
        fresh, taken = _examine(attempt, run, query, run.limit)
        if not fresh and taken:
            fresh, taken = _examine(attempt, run, query, run.limit * WIDEN)
    if fresh:
        cand, verdict = fresh[0] if run.rounds is not None else _pick(fresh, target, run.mode, run.rng)
        if (attempt.reserve is not None and not _own_bed_over_one_shot(target, query, cand.sound, attempt.reserve[2][0].sound)
                and concept_rank(cand.sound, target.concepts) <= concept_rank(attempt.reserve[2][0].sound, target.concepts)):
            reserved = _take_reserve(attempt, run)  # found for a more specific query, and names as much
            if reserved is not None:
                return reserved
        why = _deferred(target, cand.sound) if may_defer and run.rounds is None else None
        if why is not None:
            if attempt.reserve is None:
                attempt.reserve = (query, via, (cand, verdict))
            attempt.trail.append(TrailStep(
                action="skip", query=query, sound_id=cand.sound.id, score=verdict.score,
                detail=f"'{cand.sound.name}' passes but {why}; kept in reserve, trying the next query"))
            return None
        count = "" if run.rounds is not None else f" {len(fresh)} accepted"
        return _take(attempt, run, query, via, (cand, verdict), f"{how}{count}")
    if target.role == "object" and taken and all(c.sound.id in run.beds for c, _ in taken):
        # an object would only double the bed: its own further queries first (see _take_echo)
        cand, verdict = taken[0]
        if attempt.echo is None:
            attempt.echo = (query, taken[0])
        attempt.trail.append(TrailStep(
            action="skip", query=query, sound_id=cand.sound.id, score=verdict.score,
            detail=f"'{cand.sound.name}' passes but plays as the bed already; trying the next query"))
        return None
    if taken:  # step 3: everything that fits is in the mix already — reuse beats vaguer
        cand, verdict = _pick(taken, target, run.mode, run.rng) if run.rounds is None else taken[0]
        return _reuse(attempt, query, (cand, verdict), "is already in the mix")
    return None


def _reuse(attempt: _Attempt, query: str, pick: Pick, where: str) -> SoundChoice:
    cand, verdict = pick
    detail = f"every accepted recording for '{query}' {where}; reusing '{cand.sound.name}'"
    attempt.trail.append(TrailStep(action="exhausted", query=query, detail=detail, sound_id=cand.sound.id, score=verdict.score))
    return _choice(attempt, query, pick, detail)


def _take_echo(attempt: _Attempt) -> SoundChoice | None:
    """The bed's own recording for an object whose own queries found nothing else (a town
    square's crowd murmur for the people in it): reused rather than something vaguer, but only
    once the object's own queries are spent, since a second voice of the bed adds nothing."""
    if attempt.echo is None:
        return None
    query, pick = attempt.echo
    attempt.echo = None
    return _reuse(attempt, query, pick, "plays as the bed already")


@lru_cache(maxsize=1)
def _places_of_bed_queries() -> dict[str, frozenset[str]]:
    from .verify import default_places_heard

    return default_places_heard()


def _own_bed_over_one_shot(target: _Target, query: str, sound: Sound, reserved: Sound) -> bool:
    """A bed the target's own kind of place asks for (its query is one of that place's, not of
    a closer place it falls back to) replaces a one-shot kept in reserve for it: a highway's
    distant traffic bed over two seconds of heavy traffic found for "motorway traffic passing"."""
    return (target.role == "ambience" and sound.kind == "bed" and reserved.kind != "bed"
            and target.label in _places_of_bed_queries().get(query.strip().lower(), frozenset()))


def _deferred(target: _Target, sound: Sound) -> str | None:
    """Why a pick waits in reserve while the target's own further queries are tried, or None:
    an object's pick that names none of its concepts, or a bed that is a one-shot (two seconds
    of bubbles would loop under the whole soundscape). A later pick replaces it only when it
    names more of the target's concepts (an underwater bed named so, over bubbles filed under
    "underwater"; a concert hall's applause stays over a quiet room's clock)."""
    if target.role == "object" and concept_rank(sound, target.concepts)[0] < NAMED:
        names = "', '".join(target.concepts)
        return f"names none of '{names}'"
    if target.role == "ambience" and sound.kind != "bed":
        return "is a one-shot, no bed to loop"
    return None


def _take(attempt: _Attempt, run: _Run, query: str, via: str, pick: Pick, how: str) -> SoundChoice:
    cand, verdict = pick
    attempt.trail.append(TrailStep(action="accept", query=query, detail=how, sound_id=cand.sound.id, score=verdict.score))
    run.used[cand.sound.id] = attempt.target.label
    if attempt.target.role == "ambience":
        run.beds.add(cand.sound.id)
    suffix = f" ({via})" if via else ""
    return _choice(attempt, query, pick, f"{verdict.reason}{suffix}")


def _take_reserve(attempt: _Attempt, run: _Run) -> SoundChoice | None:
    """The candidate kept in reserve, if it is still free: the chain found nothing that names the thing."""
    if attempt.reserve is None:
        return None
    query, via, (cand, verdict) = attempt.reserve
    attempt.reserve = None
    if cand.sound.id in run.used:
        return None
    return _take(attempt, run, query, via, (cand, verdict), "kept in reserve: no later query found one that names the thing")


def finder_verdicts(verifier: Verifier, words: WordEvidence, hierarchy: Hierarchy | None, *, role: Role, label: str,
                    queries: Sequence[str], concepts: Sequence[str], query: str,
                    candidates: Sequence[Candidate]) -> list[Verdict]:
    """The finder's verdict on each candidate for ``query``, one of the ``queries`` of the thing
    ``label`` (the first is its main one; ``concepts``: what counts as right for it), with no
    trail and no mix around it: what :func:`unfit` names, what the verifier rejects and what
    :func:`objection_to` objects to are turned down. For those who ask what the finder would
    take rather than take it (``library coverage``, the dataset's chunk sampling)."""
    groups, siblings = kin(words, label, queries[1:], hierarchy.steps(label) if hierarchy else [])
    verdicts = screened(candidates, role, lambda judged: verifier.verify(query, judged))
    return [finder_verdict(words, role, label, queries[0], query, c.sound, v, groups=groups, siblings=siblings,
                           concepts=concepts) for c, v in zip(candidates, verdicts, strict=True)]


def kin(words: WordEvidence, label: str, queries: Sequence[str], steps: Sequence[Fallback]) -> tuple[set[str], list[str]]:
    """``(groups, siblings)`` for :func:`objection_to`: the animal groups every kind of which is
    right for the thing ``label`` (its label's, its hierarchy table's among ``steps``) and the
    animals its own further ``queries`` and the table offer instead (the vocabulary may name a
    neighbour on purpose: "heron call" for a spoonbill)."""
    table = [f.term for f in steps if f.via == "table"]
    return words.groups([label]) | words.groups(table), [*queries, *table]


def find_one(target: _Target, run: _Run) -> SoundChoice:
    """Steps 1–6 of the module doc for one target; records what it took in ``run.used``."""
    hierarchy = run.hierarchy
    steps = hierarchy.steps(target.label) if hierarchy is not None else []
    groups, siblings = kin(run.words, target.label, target.queries, steps)
    attempt = _Attempt(target, siblings=siblings, groups=groups)
    requests_before = run.requests()
    own = list(dict.fromkeys(q.strip() for q in [target.query, *target.queries] if q.strip()))
    queries: list[tuple[str, Fallback | None]] = [(q, None) for q in own]
    queries += [(fallback_query(target.label, target.query, f.term, target.role), f) for f in steps]
    tried: dict[str, str] = {}
    notes_shown = False

    def cost() -> str:
        text = _plural(attempt.searches, "search")
        now = run.requests()
        if now is not None and requests_before is not None:
            text += f", {_plural(now - requests_before, 'request')} to {run.source.name}"
        return text

    def finish(choice: SoundChoice) -> SoundChoice:
        choice.verdict = f"{choice.verdict}; {cost()}"
        return choice

    for n, (query, step) in enumerate(queries):
        if query.lower() in tried:
            continue
        tried[query.lower()] = query
        if step is not None and attempt.reserve is None and (echo := _take_echo(attempt)) is not None:
            return finish(echo)  # the own chain is done: the bed's recording beats anything vaguer
        if step is not None:
            # the own chain is done: its reserve beats anything vaguer, unless that names more of
            # the thing (a tram's "train" over a bare "rumble": _try_query compares the two)
            if not notes_shown and hierarchy is not None:
                notes_shown = True
                attempt.trail += [TrailStep(action="skip", query=target.label, detail=note) for note in hierarchy.notes]
            attempt.trail.append(
                TrailStep(action="fallback", query=query, detail=f"nothing accepted for '{target.query}'; '{target.label}' -> '{step.term}' ({step.via})")
            )
        elif n > 0:
            attempt.trail.append(TrailStep(action="fallback", query=query,
                                           detail=f"next query of '{target.label}' ({n + 1} of {len(own)})"))
        via = f"fallback: {step.via}" if step else (f"query {n + 1} of {len(own)}" if n else "")
        more_own = step is None and n + 1 < len(own)
        attempt.step = step
        choice = _try_query(attempt, run, query, via, may_defer=more_own)
        if choice is not None:
            return finish(choice)
    reserved = _take_reserve(attempt, run) or _take_echo(attempt)
    if reserved is not None:
        return finish(reserved)

    if run.regenerator is not None:  # step 5
        for _ in range(MAX_REGENERATION_ROUNDS):
            if run.source_down is not None:
                break
            regen = run.regenerator.alternatives(target.label, list(tried.values()), target.role)
            attempt.trail.append(TrailStep(action="fallback", query=target.label, detail=f"LLM query regeneration: {regen.detail}"))
            fresh = [q for q in regen.queries if q.lower() not in tried]
            if not fresh:
                break
            for query in fresh:
                tried[query.lower()] = query
                choice = _try_query(attempt, run, query, "fallback: LLM alternative query")
                if choice is not None:
                    return finish(choice)

    tried_text = ", ".join(f"'{q}'" for q in tried.values())
    why = f"no recording accepted for {tried_text} ({cost()})"
    if attempt.problems:
        why += f"; {attempt.problems[-1]}"
    if attempt.best_rejection:
        why += f"; nearest miss: {attempt.best_rejection[1]}"
    if hierarchy is not None and hierarchy.notes and not notes_shown:
        attempt.trail += [TrailStep(action="skip", query=target.label, detail=n) for n in hierarchy.notes]
    return _choice(attempt, target.query, None, why)


def word_evidence(verifier: Verifier, hierarchy: Hierarchy | None) -> WordEvidence:
    """The finder's word evidence for "another animal" and its other objections: on the
    verifier's lexicon, else the hierarchy's WordNet, else none (then there is no word
    evidence and nothing is rejected for it)."""
    own = getattr(verifier, "lexicon", None)
    if isinstance(own, SoundWords):
        return WordEvidence(own)
    return WordEvidence(SoundWords(own if hasattr(own, "animal_senses") else getattr(hierarchy, "wordnet", None)))


def find_sounds(
    scene: Scene,
    source: SoundSource,
    verifier: Verifier,
    hierarchy: Hierarchy | None,
    *,
    mode: SelectionMode = "best",
    seed: int = 0,
    limit: int = 10,
    fallback_verifier: Verifier | None = None,
    regenerator: Regenerator | None = None,
) -> list[SoundChoice]:
    """One :class:`SoundChoice` per ambience tag and object, ambience first (see module doc).

    ``fallback_verifier`` takes over when ``verifier`` raises (an LLM server that fails);
    ``regenerator`` is the optional last fallback step. Never raises for a target that
    finds nothing: its choice has ``sound=None`` and says why, and the mix goes on with
    the rest. (A rejected API key still raises: that is a setting to fix, not a tag.)
    """
    if mode not in ("best", "random"):
        raise ValueError(f"mode must be 'best' or 'random', not {mode!r}")
    run = _Run(
        source=source,
        checking=_Checking(verifier, fallback_verifier),
        hierarchy=hierarchy,
        mode=mode,
        rng=np.random.default_rng(seed),
        limit=limit,
        regenerator=regenerator,
        words=word_evidence(verifier, hierarchy),
        indoor=scene.ambience[0].indoor if scene.ambience else None,
    )
    return [find_one(t, run) for t in targets_in_order(scene)]
