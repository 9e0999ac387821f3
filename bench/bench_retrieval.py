"""Benchmark (run on demand, not a test): seconds of retrieval per photo, against a plain-cosine peer.

Five photo-like scenes (a farm, a street, a forest, a harbour, a living room: an ambience
tag with its further queries and three to four objects with queries and accepted
concepts) are retrieved from the library in ``IMAGE_EXTENDER_DATA`` by the finder as
``sonify`` builds it. Timed side by side in one run:

* **finder**: search = embedding + core vectors + WordNet word match, calibrated verifier
  with word evidence, concept-ranked choosing, chains walked;
* **embedding-only peer**: the same finder with the library's search reduced to the
  embedding cosines (no word match), so the ratio shows what the word match costs.

The first pass warms the caches (NLTK reader, WordNet answers, query vectors); the
second is timed. Usage: ``.venv/bin/python bench/bench_retrieval.py``
"""

from __future__ import annotations

import time

from image_extender.manifest import AmbienceTag, BBox, ImageInfo, Scene, SceneObject
from image_extender.settings import Settings
from image_extender.sounds.factory import build_finder

SCENES = {
    "farm": (("farm", "farm ambience", ["countryside ambience"]),
             [("cow", "cow mooing", [], ["cow"]), ("horse", "horse neighing", ["horse galloping hooves"], ["horse"]),
              ("chicken", "chicken clucking", ["rooster crowing"], ["chicken", "hen"])]),
    "street": (("urban street", "city street traffic ambience", ["busy street with people"]),
               [("car", "car engine passing", ["car horn"], ["car"]), ("person", "people talking", ["footsteps on pavement"], ["person"]),
                ("bus", "bus engine idling", ["bus pulling away"], ["bus"])]),
    "forest": (("forest", "forest ambience birds", ["woodland ambience"]),
               [("bird", "bird singing", ["songbird chirping"], ["bird"]), ("owl", "owl hooting", [], ["owl", "bird"]),
                ("wolf", "wolf howling", [], ["wolf"])]),
    "harbour": (("harbour", "harbour ambience water lapping boats gulls", ["sea waves on a beach"]),
                [("boat", "boat engine", ["ship horn"], ["boat", "ship"]), ("gull", "seagull calls", [], ["seagull", "gull"])]),
    "living room": (("living room", "quiet room tone", ["indoor room ambience"]),
                    [("cat", "cat meowing", ["cat purring"], ["cat"]), ("clock", "clock ticking", [], ["clock"]),
                     ("tv", "television noise", [], ["television"]), ("dog", "dog barking", [], ["dog"])]),
}


def scene(name: str) -> Scene:
    (label, query, queries), objects = SCENES[name]
    return Scene(
        image=ImageInfo(path=f"{name}.jpg", md5="0" * 32, width=640, height=480), analyzer="bench",
        ambience=[AmbienceTag(label=label, query=query, queries=queries)],
        objects=[SceneObject(label=l, query=q, queries=qs, accepts=acc, bbox=BBox(x0=0.1, y0=0.1, x1=0.5, y1=0.9),
                             importance=1.0 - 0.2 * i, confidence=0.9) for i, (l, q, qs, acc) in enumerate(objects)],
    )


def timed(finder) -> tuple[float, int]:
    found = 0
    start = time.perf_counter()
    for name in SCENES:
        found += sum(c.sound is not None for c in finder(scene(name)))
    return (time.perf_counter() - start) / len(SCENES), found


def main() -> None:
    settings = Settings()
    finder = build_finder(settings)
    peer = build_finder(settings)
    lib = peer.source.lib
    lib.search = lambda query, limit=10, kind=None: lib.search_vector(lib.embed([query])[0], limit, kind)  # embedding only, no word match
    timed(finder), timed(peer)  # warm caches
    (ours, found), (theirs, peer_found) = timed(finder), timed(peer)
    targets = sum(1 + len(objs) for _, objs in SCENES.values())
    print(f"finder            {ours:6.2f} s per photo, {found}/{targets} targets with a sound")
    print(f"embedding-only     {theirs:6.2f} s per photo, {peer_found}/{targets} targets with a sound")
    print(f"ratio finder / peer: {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
