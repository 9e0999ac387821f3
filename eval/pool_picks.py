"""Dataset mode's picks against the finder: how often would Algorithm 1 draw a chunk the finder turns down?

``python -m eval.pool_picks [--list]`` treats every entry of the sounding vocabulary as a
concept (its queries, what counts as right for it) and asks the audio pool in
``IMAGE_EXTENDER_DATA`` (``image-extender dataset run`` builds it) two things:

- as published (``--no-verify``): the share of the chunks above τ for the entry's first query
  whose recording the finder rejects — the chance that a draw is one of them;
- verified (the default): whether any of the entry's queries finds a chunk the finder accepts,
  or the concept stays silent.

~15 s on 2 cores once the models are loaded.
"""

from __future__ import annotations

import argparse

import numpy as np

from image_extender.analyze.vocabulary import sounding_entries
from image_extender.dataset.concepts import Concept
from image_extender.dataset.index import at_least, top_k
from image_extender.dataset.pool import AudioPool
from image_extender.dataset.retrieval import DEFAULT_TOP_K, inverse, transform
from image_extender.dataset.run import default_pool_dir
from image_extender.dataset.worker import verified_chunks
from image_extender.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="name the entries whose draws may be rejected")
    args = parser.parse_args()
    settings = Settings()
    pool = AudioPool(default_pool_dir(settings))
    verified = verified_chunks(pool, settings)
    shares, silent = [], []
    for entry in sounding_entries():
        if not entry.queries:
            continue
        concept = Concept(entry.role, entry.label, entry.queries[0], tuple(entry.queries), tuple(entry.accepts))
        vector = pool.embedder.embed_queries([concept.query])[0]
        best, _ = top_k(pool.index, vector, DEFAULT_TOP_K)
        _, above = at_least(pool.index, vector, inverse(float(transform(best, True).mean()), True))
        _, accepted = verified.chunks(concept, concept.query)  # the depth nearest cover every chunk above τ
        rejected = np.isin(above, accepted, invert=True)
        shares.append(float(rejected.mean()) if above.size else 0.0)
        if args.list and rejected.any():
            names = sorted({pool.info(int(r)).sound_name for r in above[rejected]})[:4]
            print(f"{entry.role:8} {entry.label:22} {rejected.sum()}/{above.size} rejected, e.g. {names}")
        if all(verified.chunks(concept, q)[1].size == 0 for q in concept.queries):
            silent.append(entry.label)
    shares_ = np.asarray(shares)
    print(f"{len(shares)} vocabulary entries as concepts of the pool ({pool.rows} chunks)")
    print(f"as published: a draw is a recording the finder rejects with chance {shares_.mean():.2f} on average; "
          f"{int((shares_ > 0).sum())} entries may draw one, {int((shares_ == 1).sum())} draw nothing else")
    print(f"verified: every draw is one the finder accepts; {len(silent)} entries find none and stay silent"
          + (f" ({', '.join(silent[:12])}{'…' if len(silent) > 12 else ''})" if silent else ""))


if __name__ == "__main__":
    main()
