"""Benchmark (run on demand, not a test): a cold WordNet expansions cache, written per miss vs now and then.

Every word of the sounding vocabulary's queries and (up to 3,000) words of the starter library's
descriptions (what a first ``library coverage`` run or a first photo asks WordNet about: the
query, then each candidate's own text) are expanded once, one word a call, on an empty
cache beside a link to the real corpus, twice in the same run:

* **per miss**: ``SAVE_EVERY_S = 0``, the cache file rewritten after every new word (the
  behaviour before 2026-12-03);
* **now and then**: the shipped ``SAVE_EVERY_S``, written at most that often and at exit.

Both end with the same cache file. Usage: ``.venv/bin/python bench/bench_wordnet_cache.py``
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path

import nltk.data

import image_extender.sounds.wordnet as wn
from image_extender.analyze.vocabulary import sounding_entries

DESCRIPTION_WORDS = 3000  # at most; the starter library's names and descriptions use ~2,500 distinct words
DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2}


def query_words() -> list[str]:
    return sorted(set().union(*(_words(q) for e in sounding_entries() for q in e.queries)))


def description_words(limit: int = DESCRIPTION_WORDS) -> list[str]:
    """Words of the starter library's names and descriptions, as the verifier expands each
    candidate's own text: the bulk of a cold cache."""
    found: set[str] = set()
    for meta in sorted((DATA / "starter").glob("*/metadata.jsonl")):
        for line in meta.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            found |= _words(f"{record.get('name', '')} {record.get('description', '')}")
    return sorted(found)[:limit]


def cold_run(queries: list[str], descriptions: list[str], save_every_s: float) -> tuple[float, int]:
    """Seconds to expand every word on an empty cache, and the cache file's size after."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "nltk_data" / "corpora" / "wordnet"
        corpus.parent.mkdir(parents=True)
        corpus.symlink_to(DATA / "nltk_data" / "corpora" / "wordnet", target_is_directory=True)
        if str(DATA / "nltk_data") not in nltk.data.path:  # NLTK reads only under a registered root: the link's target
            nltk.data.path.append(str(DATA / "nltk_data"))
        saved, wn.SAVE_EVERY_S = wn.SAVE_EVERY_S, save_every_s
        try:
            wordnet = wn.WordNet(corpus)
            start = time.perf_counter()
            for word in queries:
                wordnet.expansions([word], verbs=True)
            for word in descriptions:
                wordnet.expansions([word])
            wordnet.save()
            seconds = time.perf_counter() - start
        finally:
            wn.SAVE_EVERY_S = saved
        return seconds, (corpus.parent.parent / f"expansions-v{wn.EXPANSIONS_VERSION}-cache.json").stat().st_size


def main() -> None:
    queries, descriptions = query_words(), description_words()
    print(f"{len(queries)} words of the {len(sounding_entries())} vocabulary entries' queries and {len(descriptions)} of the "
          "starter library's descriptions, each expanded once on a cold cache")
    per_miss, size_a = cold_run(queries, descriptions, 0.0)
    batched, size_b = cold_run(queries, descriptions, wn.SAVE_EVERY_S)
    print(f"  per miss (rewritten after every word): {per_miss:7.1f} s, cache {size_a / 1e6:.2f} MB")
    print(f"  now and then (every {wn.SAVE_EVERY_S:.0f} s and at exit): {batched:7.1f} s, cache {size_b / 1e6:.2f} MB")
    print(f"  ratio: {per_miss / batched:.1f}x faster")


if __name__ == "__main__":
    main()
