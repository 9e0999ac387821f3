"""Imitative words ("achoo", "woof", "vroom") read as what makes the sound.

People type the sound; libraries describe its source ("sneeze", "dog bark"), and WordNet
knows few imitative words ("achoo" is not in it). :class:`SoundWords` wraps a lexicon
(WordNet, or none) and adds the table ``sound_words.toml``: each imitative word brings the
words a recording of it would be described with, at synonym weight. Used for search
(``library.lexical``) and for the verifier's word evidence (``wording``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..library.lexical import plain_expansions
from .wordnet import SYNONYM

TABLE = Path(__file__).resolve().parent / "sound_words.toml"


@lru_cache(maxsize=1)
def sound_words() -> dict[str, tuple[str, ...]]:
    data = tomllib.loads(TABLE.read_text(encoding="utf-8"))
    return {k.lower(): tuple(w.lower() for w in v) for k, v in data.items()}


class SoundWords:
    """A lexicon (``expansions``, ``antonyms``, ``kinds``) that also reads imitative words."""

    def __init__(self, lexicon=None):
        self.lexicon = lexicon

    def expansions(self, words: Iterable[str], *, verbs: bool = False) -> dict[str, dict[str, float]]:
        words = list(words)
        out = self.lexicon.expansions(words, verbs=verbs) if self.lexicon is not None else plain_expansions(words, verbs=verbs)
        table = sound_words()
        for w in words:
            key = w.strip().lower()
            for form in {key, key.rstrip("s"), key.removesuffix("ing")}:
                for source in table.get(form, ()):
                    related = out.setdefault(w, {w: 1.0})
                    related[source] = max(related.get(source, 0.0), SYNONYM)
        return out

    def antonyms(self, words: Iterable[str]) -> dict[str, set[str]]:
        words = list(words)
        return self.lexicon.antonyms(words) if self.lexicon is not None else {w: set() for w in words}

    def kinds(self, words: Iterable[str]) -> dict[str, set[str]]:
        words = list(words)
        return self.lexicon.kinds(words) if self.lexicon is not None else {w: set() for w in words}

    def animal_senses(self, words: Iterable[str]) -> dict[str, list[set[str]]]:
        words = list(words)
        return self.lexicon.animal_senses(words) if self.lexicon is not None else {w: [] for w in words}

    def usual_animal_senses(self, words: Iterable[str]) -> dict[str, list[set[str]]]:
        words = list(words)
        return self.lexicon.usual_animal_senses(words) if self.lexicon is not None else {w: [] for w in words}

    def animal_group(self, words: list[str]) -> str | None:
        return self.lexicon.animal_group(words) if self.lexicon is not None else None

    def animal_compounds(self, pairs: Iterable[str]) -> set[str]:
        return self.lexicon.animal_compounds(pairs) if self.lexicon is not None else set()

    def substances(self, words: Iterable[str]) -> set[str]:
        return self.lexicon.substances(words) if self.lexicon is not None else set()

    def places(self, words: Iterable[str]) -> set[str]:
        return self.lexicon.places(words) if self.lexicon is not None else set()

    def lexnames(self, words: Iterable[str]) -> dict[str, str]:
        return self.lexicon.lexnames(words) if self.lexicon is not None else {w: "" for w in words}

    def thing_compounds(self, pairs: Iterable[str]) -> set[str]:
        return self.lexicon.thing_compounds(pairs) if self.lexicon is not None else set()

    def persons(self, words: Iterable[str], *, groups: bool = False) -> set[str]:
        return self.lexicon.persons(words, groups=groups) if self.lexicon is not None else set()

    def mostly_animals(self, words: Iterable[str]) -> set[str]:
        return self.lexicon.mostly_animals(words) if self.lexicon is not None else set()

    def lemmas(self, synset: str) -> set[str]:
        return self.lexicon.lemmas(synset) if self.lexicon is not None else set()
