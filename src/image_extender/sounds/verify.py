"""Is this candidate really a recording of the queried thing? Rank and margin, not one cosine.

A raw cosine between "dog barking" and a sound's text means little on its own: USE puts
any two short English phrases about animals near 0.4, and a well-described car horn can
score higher against "dog barking" than a tersely named bark does. What does carry
meaning is the *rank* of the query among everything else the candidate could have been.
So :class:`EmbeddingVerifier` embeds the candidate's "name. description. tags" text once,
compares it with the query and with a competitor vocabulary (every sound query the
analyzer can produce, ambience queries, hierarchy terms), and accepts when

* the query ranks within the top ``top_k`` of ``1 + len(vocabulary)`` concepts,
* its cosine is at most ``max_gap`` below the best competitor's (the margin), and
* its cosine clears a low absolute ``floor`` (a candidate about nothing at all);

or, when the embedding alone does not, when the candidate's own words *name* the query's
things (``wording``: "A cuckoo" for "cuckoo calling", "harbour port with crowd" for "crowd
talking", "Blackbird" for "merle singing" — synonyms count) for at least ``name_cover``
of them; or when both signs agree, each too weak alone: the query is the nearest of all
concepts, over a lower floor, and the words name most of its things (``lead_cover``). A candidate whose
words say the opposite of the query ("door close" for "door opening", WordNet antonyms) is
rejected.

Competitors that are the query's own words ("rain" for "rain falling") or near-synonyms of
it (cosine to the query >= ``synonym``: "fire burning" for "fire crackling") are not
rivals and are left out of rank and margin; nor are kinds of the animal the query asks for
("robin singing" for "birds chirping": a robin is a bird, ``wording.animal_asked``); nor,
for a kind of place's bed, what is heard there: a town square's bed has no rival in "crowd
murmur in a town square", the people in a square (``SoundingEntry.heard_at``), nor in the
place's other bed queries ("city square footsteps and chatter"). The competitors are the analyzer's whole
sounding vocabulary (``analyze.vocabulary.sounding_entries``), so a tiger recording meets
"tiger" as a rival the moment the analyzer knows tigers.

Before any of that, a candidate whose text says it is a *reference* to the thing rather
than a recording of it — a song called "Dog", a ringtone, a remix, a spoken word — is
rejected outright unless the query itself asks for music or speech (:data:`REFERENCE_CUES`;
a query naming a musical instrument asks for music).

A bed query's place words ("stadium" of "stadium crowd cheering") are where its sound is,
not what sounds: the candidate has to name the rest (``wording``, ``bed``), which is how a
collection labelling its clips by their source ("crowd") names a bed.

A candidate whose words name only the first of the two words the query asks a made thing by
("wind" of "wind chimes tinkling", "fire" of "fire truck siren") is rejected as well, and a
query whose things are all materials or plants ("glass breaking", "wood splitting", "walking
on grass") is named only when what is done to them is named too (``wording``). A word right
after a subject pronoun ("as they fly over") is what the subject does and barely names a
thing (``lexical.VERB_WEIGHT``).

A candidate whose own words name another animal than the query's (``wording``: "A bear"
for "panda bleating", "Lion roar" for "cheetah growl"; a bull or a calf is still cattle),
or another tool or musical instrument ("an axe" for "chainsaw cutting wood", "a banjo" for
"guitar strumming"), is rejected too.

Calibration (``calibration.fit`` on ``tests/data/verifier_pairs.jsonl``: 1,689 labelled
pairs, 110 queries, with the hard negatives the issue names and the category neighbours
of the dev photos): thresholds fitted on two thirds of the queries, measured on the
held-out third — precision 0.89, recall 0.84 (before: 0.76, 0.67). Details in :data:`CALIBRATION`.

A candidate whose own words name a kind of the animal group the query names (``wording``:
"A lion" for "big cat growling", "A gander" for "goose honking"; groups of at most
``wordnet.GROUP_MAX`` kinds) is accepted with the group recorded in the verdict, so the
finder can check that the thing in view belongs to that group (a house cat is a feline,
but "feline" stands for no jaguar).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..library.embed import TextEmbedder
from ..library.lexical import singular, words
from ..manifest import Sound
from .base import Candidate, Verdict
from .wording import SETTING_WORDS, Lexicon, WordEvidence, Wording

# ----------------------------------------------------------------------------- defaults

TOP_K = 5
MAX_GAP = 0.05
FLOOR = 0.45
SYNONYM = 0.7  # a competitor this close to the query ("fire burning" for "fire crackling") is no rival
NAME_COVER = 0.9  # a candidate whose own words name this share of the query's things is accepted
NAME_FLOOR = 0.1  # ... if its cosine to the query clears this
NAME_MAX_GAP = 0.40  # ... and no other concept is nearer to it by more than this
RIVAL_GAP = 0.15  # ... or by more than this when that concept shares the word the candidate names
LEAD_COVER = 0.75  # two weaker agreeing signs: the query is the nearest of all concepts (margin >= 0) and
LEAD_FLOOR = 0.35  # the words name this share of its things, at this cosine ("Cathedral interior" for
# "church interior ambience": first by +0.08 at 0.44, a cathedral a kind of church, 0.88 of the things). On the
# labelled pairs: 1 more true and 1 more false pair of the fitted part, none of the held-out third; other
# libraries' descriptions (eval.descriptions): 2 more backed, no extra entry
# The last two are guards for descriptions unlike the starter library's, where WordNet words
# name a query through a sense it does not mean ("Car passing by on a wet road" names
# "washing machine running": a car is a "machine", 0.09; "Wolf howling ... in the forest"
# names "wood splitting", margin -0.61; dolphins "whistling" name "whistle blowing", -0.52).
# On the labelled pairs every naming accept, right or wrong, has a cosine of 0.13 or more and a
# margin of -0.39 or more: both guards change none of them (precision and recall as below).
# The gap was 0.45 until session 24, which found what -0.45..-0.40 let in on the starter
# library: a tennis racket hitting the ball for a football or a basketball ("ball"), a
# person's running footsteps for "person breathing" ("person"), a city bed for a car; at
# 0.40 library coverage loses exactly those 7 and no labelled pair changes.

# Fitted with ``calibration.fit`` (USE-multilingual-v3, default vocabulary + hierarchy
# terms, WordNet lexicon) on the 1,087 pairs of 72 queries outside ``calibration.held_out``;
# quoted here, not used in code (tests/test_verifier_calibration.py checks both).
CALIBRATION = (
    "fitted part: precision 0.92, recall 0.90 (185/206 true, 16/881 false accepted) at top_k 5, max_gap 0.05, "
    "floor 0.45, name_cover 0.9, name_floor 0 (0.1 now, with a naming gap of 0.45: guards for other libraries' "
    "descriptions, see NAME_MAX_GAP, that change no labelled pair), other_animals on; held-out third (38 queries, 602 pairs): "
    "precision 0.87, recall 0.83 (114/138 true, 17/464 false accepted); with kinds of the query's animal group "
    "accepted (session 5: 'A lion' for 'big cat growling') 0.87 / 0.84 (116/138 true, 17/464 false); with a "
    "two-word animal read as one (session 9: 'sea lions' are no lion) 0.88 / 0.84 (16/464 false). A lower floor "
    "for a clear leader (first of all concepts by +0.05 at 0.35) was tried in session 10: it let the long "
    "descriptions of other libraries in ('Ferrari V12 revving', 0.42, +0.07) but also game sounds about something "
    "else ('health centre, short ambience' for 'historic town centre ambience', 0.36, +0.10; a doorbell for 'home "
    "interior room tone', 0.42, +0.12), so the floor stays. The verifier before (top_k 5, gap 0.15, "
    "floor 0.30, no word evidence) on the same held-out pairs: precision 0.76, recall 0.67. The category "
    "neighbours of the dev photos (a bear for 'panda bleating', a lion roar for 'cheetah growl', a piggery's "
    "'farm animal' for 'alpaca humming', a tiger for 'leopard growl') are hard negatives now; the embedding "
    "already ranks most of them below the query, so 'another animal' rejects one more false pair of the fitted "
    "part and none of the held-out third, and never a true one: its work is in the finder, where a further or "
    "fallback query ('bear grunting', 'lion', 'farm animals') would otherwise fit them. Naming through a "
    "hypernym (a hen is a chicken, weight 0.75) does not reach name_cover: the fit preferred precision there. "
    "Remaining misses are terse names the embedding places in their category ('A brown hen' for 'chicken "
    "clucking') and scene beds for a thing query ('market place' for 'people chatting'). Session 16: a made thing "
    "asked for by two words and named only by its first ('windgust' for 'wind chimes tinkling', 'fire' for 'fire "
    "truck siren') and a material named without what is done to it ('glass door close' for 'glass breaking') are "
    "rejected: fitted part 188/206 true, 12/881 false accepted (precision 0.94), held-out third unchanged. Session 17: "
    "a plant is named like a material, a word after a subject pronoun is a verb, and another tool or instrument is "
    "rejected: no labelled pair changes (other libraries' descriptions: 162 -> 156 extra entries backed). Session 23: "
    "everyday sounds no photo asks for became rivals (snoring, fireworks…) and a word named as a made thing of "
    "the far nearer rivals ('mouse' of 'computer mouse click') no longer names the query: held-out third 15/464 "
    "false accepted (precision 0.89, 'blast firework' for 'fire crackling' rejected), recall unchanged; of ESC-50's "
    "and UrbanSound8K's class names as terse labels, 'snoring' no longer backs a wind chime, 'fireworks' a "
    "fireplace, 'mouse click' a small rodent, and no entry was lost."
)

# Sound queries an image analysis produces (COCO objects, ImageNet scene hints, the
# ambience beds), used as competitors until the analyzer's own tables are passed in.
DEFAULT_VOCABULARY: tuple[str, ...] = (
    # animals
    "dog barking", "dog growling", "puppy whimpering", "cat meowing", "cat purring",
    "horse neighing", "horse galloping hooves", "cow mooing", "sheep bleating", "goat bleating",
    "pig grunting", "chicken clucking", "rooster crowing", "duck quacking", "goose honking",
    "bird singing", "birds chirping", "crow cawing", "owl hooting", "eagle screech",
    "seagull calls", "pigeon cooing", "elephant trumpeting", "lion roaring", "bear growling",
    "wolf howling", "frog croaking", "insects buzzing", "crickets chirping", "bee buzzing",
    "monkey chattering", "giraffe", "zebra", "animal sounds",
    # people
    "people talking", "crowd chatter", "man shouting", "woman speaking", "children playing",
    "baby crying", "laughter", "footsteps on gravel", "footsteps on wood", "footsteps on snow",
    "footsteps on grass", "applause", "sports crowd cheering", "whistle blowing", "coughing",
    # vehicles
    "car engine passing", "car horn", "car door closing", "traffic noise", "truck engine",
    "bus engine idling", "motorcycle engine revving", "bicycle bell", "train passing",
    "train horn", "tram bell", "airplane flying overhead", "jet engine", "helicopter",
    "boat engine", "ship horn", "police siren", "ambulance siren", "skateboard rolling",
    "cart wheels rolling",
    # household and objects
    "door opening", "door closing", "door creaking", "window opening", "glass breaking",
    "clock ticking", "phone ringing", "keyboard typing", "computer mouse click",
    "television noise", "microwave beeping", "kettle boiling", "water running from tap",
    "toilet flushing", "dishes clinking", "cutlery on plate", "coffee pouring", "chair scraping",
    "scissors cutting", "hair dryer", "refrigerator hum", "book pages turning", "umbrella opening",
    "kite flapping in wind", "ball bouncing", "tennis ball hit", "baseball bat hit",
    "frisbee whoosh", "skis on snow", "surfboard on water", "bottle opening", "cup on table",
    "chest opening", "metal clank", "wood chopping", "hammer on anvil", "sawing wood",
    "digging with shovel", "tool breaking", "stone breaking", "explosion", "fire crackling",
    "lava bubbling", "gunshot", "sword clash", "arrow hit", "rocket launch",
    # nature and weather
    "rain falling", "heavy rain", "thunder", "thunderstorm", "wind blowing", "wind in trees",
    "leaves rustling", "snowstorm", "sea waves on beach", "waves crashing on rocks",
    "river flowing", "stream babbling", "waterfall", "water splashing", "fountain",
    "fire burning", "tree creaking",
    # ambience beds
    "city street traffic ambience", "busy street with people", "park ambience with birds",
    "forest ambience birds", "jungle ambience", "countryside ambience", "farm ambience",
    "beach ambience", "harbour ambience", "market crowd ambience", "restaurant ambience",
    "office ambience", "kitchen ambience", "quiet room tone", "night crickets ambience",
    "mountain wind ambience", "desert wind", "underwater ambience", "industrial factory noise",
    "construction site", "railway station ambience", "airport ambience", "stadium crowd",
    "church bells", "school playground", "savanna wildlife ambience", "winter wind ambience",
    "background noise", "silence",
    # everyday sounds no photo's concept asks for: a clip of one needs its own rival, or the
    # nearest query wins it by default ("snoring" for "chimes ringing", "fireworks" for a
    # fireplace, "jackhammer" for "hammer blows", "pouring water" for a waterfall)
    "person snoring", "sneezing", "hiccups", "burping", "yawning", "gargling", "chewing food",
    "drinking and sipping", "brushing teeth", "clapping hands", "finger snapping",
    "knocking on a door", "doorbell ringing", "drawer opening and closing", "zipper", "can opening",
    "keys jingling", "coins dropping", "paper crumpling", "writing with a pen", "typewriter typing",
    "light switch click", "pouring water", "water dripping", "frying food sizzling", "blender",
    "electric shaver", "jackhammer", "drilling", "angle grinder", "welding", "lawn mower",
    "leaf blower", "air conditioner hum", "fireworks exploding", "firecrackers", "car alarm",
    "tyres screeching", "buzzer", "static noise",
    # things that are not recordings of a thing: the competitors a song or a UI sound hits
    "music", "song with vocals", "electronic music", "menu click", "user interface beep",
    "game notification", "speech", "radio broadcast",
)  # fmt: skip

# "References, not recordings": cues in a candidate's text that it is *about* the thing
# (a song called "Dog", a ringtone) rather than a recording *of* it. Each entry is
# (regular expression, what it means, words in a query that make this kind wanted).
# "singing" is not a music word: birds sing.
ANIMAL_SONG = "animal song"  # wanted by a query for an animal that sings (:data:`SINGERS`)
SINGERS = ("bird.n.01", "cetacean.n.01", "animal_communication.n.01")  # "robin song", "whale song", "birdsong"
MUSIC_WORDS = ("music", "song", "vocals", "melody", "tune", "remix", "jingle", "band", "album", "instrumental", "indie", "karaoke")
REFERENCE_CUES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # a bird's or a whale's song is its call: "Wren singing ... song" is a wren
    (r"\bsongs?\b", "a song", MUSIC_WORDS + (ANIMAL_SONG,)),
    (r"\bmusic\b|\bmusical\b(?! instruments?\b)|\bsoundtrack\b|\bjingle\b", "music", MUSIC_WORDS),
    (r"\bremix(ed)?\b|\bmash-?up\b|\bdj\b", "a remix", MUSIC_WORDS),
    (r"\blyrics?\b|\bkaraoke\b", "lyrics", MUSIC_WORDS),
    (r"\bvocals\b|\bvocal cover\b|\bcover version\b|\bcover of\b|\bsinger\b|\bsung\b", "a sung cover", MUSIC_WORDS + ("choir",)),
    # a phone's "notification chime" or "message alert" is a signal, not wind chimes or a bell
    (r"\bringtones?\b|\bnotification (tone|chime|sound)s?\b|\balert tones?\b|\bmessage alerts?\b", "a phone's ringtone or alert",
     ("ringtone", "notification", "alert")),
    (r"\balbum\b|\bsingle\b(?= (by|from|release))|\bep\b|\bmixtape\b|\bmusic track\b|\btitle track\b|\boriginal track\b|\bbacking track\b|\binstrumental\b", "a release", MUSIC_WORDS),
    (r"\b(guitar|piano|synth|drums?|bass line|beat)s?\b(?=.*\b(song|track|music|melody|tune)\b)", "a musical piece", MUSIC_WORDS + ("guitar", "piano", "drum")),
    (r"\bmelody\b|\btune\b|\bhip[- ]?hop\b|\btechno\b|\bdubstep\b|\bpop rock\b|\bindie\b", "music", MUSIC_WORDS),
    (r"\bspoken word\b|\btext[- ]to[- ]speech\b|\btts\b|\bpronunciation\b|\bsays the word\b|\bsaying the word\b|\bword for\b", "speech about it", ("speech", "voice", "spoken", "word")),
    (r"\bimitat(ion|ing|es)\b|\bimpression of\b|\bimpersonat", "an imitation", ("imitation", "impression")),
    # a cymbal's kinds and parts are named after things ("ride cup", "ride bell", "splash",
    # "china"): a hit on one is a cymbal, never a cup, a bell, a splash or breaking china (a drum
    # kit's whistle, clap or cowbell is one all the same)
    (r"\bcymbals?\b", "a cymbal", MUSIC_WORDS + ("drum", "percussion", "cymbal", "instrument", "drummer", "beat")),
    # WordNet knows a tom as a tomcat: a drum kit's "Tom Low" or "floor tom" is a drum, never a cat
    (r"\b(floor |low |mid |high |hi )?toms?\b(?!\s*cat)|\btom-?toms?\b", "a tom drum",
     MUSIC_WORDS + ("drum", "percussion", "instrument", "drummer", "beat", "tom")),
    # game sound sets (0 A.D.) carry death and combat cries: a photo of grazing horses is no battle
    (r"\bdying\b|\bdeath\b|\bdies\b|\bkilled\b|\battack(ing|s)?\b|\bdistress\b|\bin pain\b|\bwounded\b",
     "a death, attack or distress cry", ("dying", "death", "attack", "fight", "battle", "distress", "pain", "wounded")),
)  # fmt: skip

_CUES = [(re.compile(p, re.IGNORECASE), what, wanted) for p, what, wanted in REFERENCE_CUES]


def default_vocabulary(extra: Iterable[str] = ()) -> list[str]:
    """Competitors: every query and accepted concept of the analyzer's sounding vocabulary
    (``analyze.vocabulary.sounding_entries``: objects, species, kinds of place — it grows
    with the analyzer's data), this module's :data:`DEFAULT_VOCABULARY`, and ``extra``
    (e.g. ``ConceptHierarchy.terms()``).

    If the analyzer's tables do not load, the built-in list alone still gives a useful ranking.
    """
    found = [w for entry in _sounding_entries() for w in (*entry.queries, *entry.accepts)]
    found += [*DEFAULT_VOCABULARY, *extra]
    return list(dict.fromkeys(w.strip().lower() for w in found if w and w.strip()))


def default_extents() -> dict[str, tuple[str, ...]]:
    """What each object concept of the analyzer's vocabulary stands for in WordNet ("songbird"
    -> oscine and passerine birds), for the "another animal" test; empty when the analyzer's
    tables do not load."""
    return {e.label: e.wordnet for e in _sounding_entries() if e.wordnet}


def default_places_heard() -> dict[str, frozenset[str]]:
    """For each query of a kind of place (lower case), the places whose own sounds are no rivals
    of it: the place itself, wherever the query is one of its beds' ("town square ambience with
    people and pigeons" -> {"town square"}). Read with :func:`default_heard_at`."""
    places: dict[str, set[str]] = {}
    for entry in _sounding_entries():
        if entry.role == "ambience":
            for q in entry.queries:
                places.setdefault(q.strip().lower(), set()).add(entry.label)
    return {q: frozenset(p) for q, p in places.items()}


def default_heard_at() -> dict[str, frozenset[str]]:
    """For each query of an object or of people (lower case), the kinds of place whose own
    sound it is (``SoundingEntry.heard_at``): "crowd murmur in a town square", people in a
    square, is a town square's; "river flowing" a river's."""
    heard: dict[str, set[str]] = {}
    for entry in _sounding_entries():
        for q in entry.queries if entry.heard_at else ():
            heard.setdefault(q.strip().lower(), set()).update(entry.heard_at)
    return {q: frozenset(p) for q, p in heard.items()}


def _sounding_entries() -> list:
    """The analyzer's sounding vocabulary, or none when its tables do not load: they are a
    bonus to the verifier, not a need."""
    try:
        from ..analyze.vocabulary import sounding_entries

        return sounding_entries()
    except Exception:  # noqa: BLE001 — any failure only loses the bonus
        return []


def _same_concept(competitor: str, query: str) -> bool:
    """A competitor whose words all occur in the query ("rain" for "rain falling") is the
    query's own head word, not a rival: letting it outrank the query would punish exactly
    the recordings that are named most plainly."""
    q = set(re.findall(r"[a-z]+", query.lower()))
    c = set(re.findall(r"[a-z]+", competitor.lower()))
    return bool(c) and c <= q


def candidate_text(sound: Sound) -> str:
    """The sentence a candidate is judged by: "name. description. tag, tag".

    Same shape the library embeds (``library.store.embed_text``), with file-name clutter
    (underscores, dashes, numbers) turned into words so "17-CAR-Rolls-Royce-Horn-2" reads
    as "CAR Rolls Royce Horn".
    """
    name = re.sub(r"[_\-.]+", " ", sound.name)
    name = re.sub(r"\b\d+\b", " ", name)
    parts = [" ".join(name.split()), sound.description.strip(), ", ".join(t for t in sound.tags if t.strip())]
    return ". ".join(p.rstrip(".") for p in parts if p)


def reference_cue(text: str, query: str, also_wanted: Iterable[str] = ()) -> str | None:
    """What kind of reference ``text`` is ("a song") when the query does not ask for one.

    ``also_wanted``: cues the query asks for although its words do not say so ("music"
    for "violin", which WordNet knows is a musical instrument).
    """
    q = query.lower()
    extra = set(also_wanted)
    for pattern, what, wanted in _CUES:
        match = pattern.search(text)
        if match and not extra & set(wanted) and not any(re.search(rf"\b{w}", q) for w in wanted):
            return f"{what} ('{match.group(0)}')"
    return None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Judgement:
    """Everything the decision used, for a readable reason and for calibration."""

    score: float  # cosine(candidate, query)
    rank: int  # 1 = the query is the nearest concept to this candidate
    of: int  # concepts compared (vocabulary + the query)
    best: str  # nearest competitor (other than the query)
    best_score: float
    reference: str | None  # "a song ('song')" when the text says it is not a recording
    wording: Wording = Wording(0.0, 0.0, None)  # what the candidate's own words say (``wording``)
    far_nearer: tuple[str, ...] = ()  # the nearest competitors over the query by more than RIVAL_GAP

    @property
    def margin(self) -> float:
        return self.score - self.best_score


class EmbeddingVerifier:
    """Accept a candidate when the query is among the concepts nearest to it (see module doc)."""

    def __init__(
        self,
        embedder: TextEmbedder,
        vocabulary: Iterable[str] | None = None,
        *,
        top_k: int = TOP_K,
        max_gap: float = MAX_GAP,
        floor: float = FLOOR,
        synonym: float = SYNONYM,
        name_cover: float = NAME_COVER,
        name_floor: float = NAME_FLOOR,
        name_max_gap: float = NAME_MAX_GAP,
        lead_cover: float = LEAD_COVER,
        lead_floor: float = LEAD_FLOOR,
        lexicon: Lexicon | None = None,
        other_animals: bool = True,
        extents: dict[str, Iterable[str]] | None = None,
        places_heard: dict[str, frozenset[str]] | None = None,
        heard_at: dict[str, frozenset[str]] | None = None,
    ):
        self.embedder = embedder
        # a place's bed has no rival in what is heard there: a town square's crowd murmur is
        # its ambience, not another concept (default_places_heard, default_heard_at)
        self.places_heard = default_places_heard() if places_heard is None else places_heard
        self.heard_at = default_heard_at() if heard_at is None else heard_at
        self._places = frozenset().union(*self.places_heard.values())
        self.name_cover = name_cover
        self.name_floor = name_floor
        self.name_max_gap = name_max_gap
        self.lead_cover = lead_cover
        self.lead_floor = lead_floor
        self.other_animals = other_animals
        self.lexicon = lexicon
        self.words = WordEvidence(lexicon, default_extents() if extents is None else extents)
        words = default_vocabulary() if vocabulary is None else vocabulary
        self.vocabulary = list(dict.fromkeys(v.strip().lower() for v in words if v.strip()))
        self.top_k = top_k
        self.max_gap = max_gap
        self.floor = floor
        self.synonym = synonym
        self._vocab_vecs: np.ndarray | None = None
        self._text_cache: dict[str, np.ndarray] = {}
        self._kinds_cache: dict[str, set[int]] = {}
        self._vocab_animals: list[list[frozenset[str]]] | None = None

    def _vocab(self) -> np.ndarray:
        if self._vocab_vecs is None:
            self._vocab_vecs = self.embedder.embed(self.vocabulary)
        return self._vocab_vecs

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._text_cache]
        if missing:
            for t, v in zip(missing, self.embedder.embed(missing), strict=True):
                self._text_cache[t] = v
        return np.stack([self._text_cache[t] for t in texts]) if texts else np.zeros((0, 0), np.float32)

    def judge(self, query: str, sounds: Sequence[Sound]) -> list[Judgement]:
        """Rank the query among the vocabulary for each sound (one embedding batch)."""
        if not sounds:
            return []
        q = query.strip().lower()
        texts = [candidate_text(s) for s in sounds]
        vecs = self._embed([q, *texts])
        qv, cv = vecs[0], vecs[1:]
        near = self._vocab() @ qv  # how close each competitor is to the query itself
        kinds = self._kinds_of(q)
        here = self.places_heard.get(q, frozenset())
        bed = bool(here) or not SETTING_WORDS.isdisjoint(words(q))  # a kind of place's bed is asked for
        keep = [i for i, v in enumerate(self.vocabulary)
                if not _same_concept(v, q) and near[i] < self.synonym and i not in kinds
                and not here & self._place_of(v)]
        names = [self.vocabulary[i] for i in keep]
        comp = cv @ self._vocab()[keep].T  # (n_sounds, n_competitors)
        own = cv @ qv
        wanted = self._wanted_cues(q)
        out = []
        for i, text in enumerate(texts):
            j = int(np.argmax(comp[i])) if names else -1
            best_score = float(comp[i, j]) if names else -1.0
            far = np.flatnonzero(comp[i] > own[i] + RIVAL_GAP) if names else np.zeros(0, int)
            far = far[np.argsort(-comp[i, far])][:self.top_k]  # sorts the few far nearer, not all rivals
            out.append(
                Judgement(
                    score=float(own[i]),
                    rank=1 + int(np.sum(comp[i] > own[i])),
                    of=len(names) + 1,
                    best=names[j] if names else "",
                    best_score=best_score,
                    reference=reference_cue(text, q, wanted),
                    wording=self.words.judge(q, sounds[i], bed=bed),
                    far_nearer=tuple(names[k] for k in far),
                )
            )
        return out

    def _place_of(self, concept: str) -> frozenset[str]:
        """The kinds of place whose own sound ``concept`` is: where it is heard (people in a
        square are a town square's), the places it is a bed of ("city square footsteps and
        chatter" is a town square's, like "town square ambience with people and pigeons": two
        ways of asking for one bed are no rivals of each other), or the place it names ("farm"
        for "farmyard ambience animals")."""
        named = frozenset({concept}) if concept in self._places else frozenset()
        return self.heard_at.get(concept, frozenset()) | self.places_heard.get(concept, frozenset()) | named

    def _kinds_of(self, query: str) -> set[int]:
        """The competitors (indices into the vocabulary) that ask for a kind of the animal the
        query asks for: "robin singing" or "crow cawing" for "birds chirping", "lion roaring" for
        "big cat growling". They are no rivals: a recording nearest to "robin singing" is a
        bird chirping all the same, and a library that names its birds' species must still back
        a bird. Another animal stays a rival ("tiger growl" for "cat meowing")."""
        if query not in self._kinds_cache:
            wanted = self.words.animal_asked(query)
            if not wanted:
                self._kinds_cache[query] = set()
            else:
                if self._vocab_animals is None:
                    self._vocab_animals = [self.words.animal_asked(v) for v in self.vocabulary]
                self._kinds_cache[query] = {i for i, animal in enumerate(self._vocab_animals)
                                            if any(w < k for w in wanted for k in animal)}
        return self._kinds_cache[query]

    def _wanted_cues(self, query: str) -> set[str]:
        """Music is wanted when a query word is a musical instrument ("violin", "drums"); a
        song when the query asks for an animal that sings, or names its call ("songbird
        singing", "whale", "birdsong": :data:`SINGERS`)."""
        if self.lexicon is None:
            return set()
        kinds = self.lexicon.kinds(words(query))
        wanted = {"music"} if any("musical_instrument.n.01" in k for k in kinds.values()) else set()
        heard = set().union(*kinds.values(), *self.words.animal_asked(query))
        if heard.intersection(SINGERS):
            wanted.add(ANIMAL_SONG)
        return wanted

    def decide(self, query: str, sound: Sound, j: Judgement) -> Verdict:
        """Reference, contradiction or another animal: reject; the query is the nearest concept (within
        ``top_k``, ``max_gap``, over ``floor``): accept; else the candidate's own words name
        the query's things (``name_cover``): accept; else the query leads all concepts and the words
        name most of its things (``lead_cover``): accept; else they name a kind of its animal,
        under the naming guards (``name_floor``, ``name_max_gap``: WordNet's drill is also a
        baboon, its rail a marsh bird): accept; else reject with the embedding's reason."""
        who = f"'{sound.name}'"
        if j.reference:
            return Verdict(False, j.score, f"{who} is {j.reference}, not a recording of '{query}'")
        if j.wording.contradiction:
            return Verdict(False, j.score, f"{who} says the opposite of '{query}': {j.wording.contradiction}")
        if j.wording.modifier:
            return Verdict(False, j.score, f"{who} is not what '{query}' asks for: it {j.wording.modifier}")
        if self.other_animals and j.wording.other:
            return Verdict(False, j.score, f"{who} is another animal than '{query}' asks for: it {j.wording.other}")
        if j.wording.other_thing:
            return Verdict(False, j.score, f"{who} is another thing than '{query}' asks for: it {j.wording.other_thing}")
        ranking = f"ranks {_ordinal(j.rank)} of {j.of} concepts for '{query}' ({j.score:.2f}, margin {j.margin:+.2f})"
        if j.rank <= self.top_k and j.margin >= -self.max_gap and j.score >= self.floor:
            return Verdict(True, j.score, f"{who} {ranking}", margin=j.margin)
        if (j.wording.things >= self.name_cover and j.score >= self.name_floor and j.margin >= -self.name_max_gap
                and not self._named_word_is_the_rival_s(query, j)):
            return Verdict(True, j.score, f"{who} names '{query}' ({j.wording.things:.0%} of its things); it {ranking}",
                           margin=j.margin, by_words=True)
        if j.rank == 1 and j.margin >= 0 and j.score >= self.lead_floor and j.wording.things >= self.lead_cover:
            return Verdict(True, j.score, f"{who} {ranking}, and names {j.wording.things:.0%} of its things",
                           margin=j.margin, by_words=True)
        if j.wording.kind and j.score >= self.name_floor and j.margin >= -self.name_max_gap:
            return Verdict(True, j.score, f"{who} {j.wording.kind} ('{query}'); it {ranking}", margin=j.margin,
                           group=j.wording.group, by_words=True)
        if j.rank > self.top_k:
            return Verdict(False, j.score, f"{who} {ranking}: nearer to '{j.best}' ({j.best_score:.2f}); needs top {self.top_k}")
        if j.margin < -self.max_gap:
            return Verdict(False, j.score, f"{who} {ranking}: too far below '{j.best}' ({j.best_score:.2f}); gap allowed {self.max_gap:.2f}")
        return Verdict(False, j.score, f"{who} {ranking}: similarity below the floor {self.floor:.2f}")

    def _named_word_is_the_rival_s(self, query: str, j: Judgement) -> bool:
        """A concept far nearer to the candidate asks for a made thing whose last word is a
        query word ("computer mouse" of "computer mouse click" for "mouse squeaking", "baseball
        bat" for "bat squeaking"): the candidate names that word, but as the rival's thing, and
        the embedding, which reads the whole text, has told the two apart. A made thing that is
        a kind of the query's ("sports car" for "car engine revving") is no other thing."""
        if self.lexicon is None or not j.far_nearer:
            return False
        asked = {singular(w) for w in words(query)}
        raw = re.findall(r"[a-z]+", query.lower())
        own = {f"{a}_{singular(b)}" for a, b in zip(raw, raw[1:])}
        rivals = [re.findall(r"[a-z]+", r) for r in j.far_nearer]
        pairs = {f"{a}_{singular(b)}": singular(b) for r in rivals for a, b in zip(r, r[1:]) if singular(b) in asked}
        things = self.lexicon.thing_compounds(p for p in pairs if p not in own)
        if not things:
            return False
        kinds = self.lexicon.kinds([*things, *(pairs[t] for t in things)])
        # a kind of the query's thing is that thing all the same: a sports car is a car
        return any(not (kinds[pairs[t]] and kinds[pairs[t]] <= kinds[t]) for t in things)

    def verify(self, query: str, candidates: list[Candidate]) -> list[Verdict]:
        judgements = self.judge(query, [c.sound for c in candidates])
        return [self.decide(query, c.sound, j) for c, j in zip(candidates, judgements, strict=True)]


@dataclass(frozen=True)
class Calibration:
    precision: float
    recall: float
    true_accepted: int
    true_total: int
    false_accepted: int
    false_total: int

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.2f}, recall {self.recall:.2f} "
            f"({self.true_accepted}/{self.true_total} true pairs accepted, "
            f"{self.false_accepted}/{self.false_total} false pairs accepted)"
        )


def calibrate(verifier: EmbeddingVerifier, pairs: Iterable[tuple[str, Sound, bool]]) -> Calibration:
    """Precision and recall of ``verifier`` on labelled (query, sound, is-a-match) pairs."""
    tp = fp = pos = neg = 0
    for query, sound, truth in pairs:
        accepted = verifier.verify(query, [Candidate(sound, 0.0)])[0].accepted
        pos += truth
        neg += not truth
        tp += accepted and truth
        fp += accepted and not truth
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / pos if pos else 1.0
    return Calibration(precision, recall, tp, pos, fp, neg)
