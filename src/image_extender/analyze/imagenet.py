"""Which WordNet synset each of the classifier's 1000 ImageNet classes is, and what it is a kind of.

ImageNet's classes *are* WordNet 3.0 noun synsets (Deng et al. 2009), listed in the order
of their ids ``n<offset>``; the model's label file keeps only the synonyms
("tench, Tinca tinca"). :func:`derive_table` recovers each class's synset from WordNet
itself:

1. candidates: the noun synsets whose lemmas contain the most of the line's synonyms;
2. order: ImageNet lists its classes by synset offset, so the chosen offsets must rise
   strictly. A class with one best candidate is fixed; an ambiguous one ("crane" the bird
   vs the machine, "ox", "castle") takes the candidate that lies between its fixed
   neighbours' offsets — WordNet stores synsets by lexicographer file, so that window
   is the right *kind* of thing (animal, artifact…) — and among those the word's most
   frequent sense.

The result ships as ``data/imagenet_wordnet.tsv`` (index, wnid, synset, hypernym closure),
so the analyzer knows that a *robin* is a *bird* and a *hog* is not a *horse* without
opening WordNet at run time (reading it costs seconds). ``python -m
image_extender.analyze.imagenet`` rebuilds the file from the Debian WordNet; a test checks
the shipped file against a rebuild.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import ModelError

TABLE = "imagenet_wordnet.tsv"
HEADER = "# index\twnid\tsynset\thypernyms (transitive, nearest first; from WordNet 3.0)"


@dataclass(frozen=True)
class ImageNetClass:
    index: int
    wnid: str  # "n01558993"
    synset: str  # "robin.n.02"
    ancestors: tuple[str, ...]  # the synset itself, then every hypernym, nearest first (by name within a level)

    def is_a(self, synsets: frozenset[str] | set[str]) -> bool:
        return not synsets.isdisjoint(self.ancestors)


def _synonyms(line: str) -> list[str]:
    return [n.strip() for n in line.split(",") if n.strip()]


def derive_table(label_lines: list[str], reader) -> list[ImageNetClass]:
    """The table for ``label_lines`` (one ImageNet class per line) from an NLTK WordNet reader."""

    def lemmas(s) -> set[str]:
        return {name.replace("_", " ").lower() for name in s.lemma_names()}

    options: list[list] = []
    for line in label_lines:
        names = _synonyms(line)
        cands = {s for n in names for s in reader.synsets(n.replace(" ", "_"), pos="n")}
        if not cands:
            raise ModelError(f"ImageNet class '{line}': no WordNet noun synset has any of its names")
        score = {s: sum(n.lower() in lemmas(s) for n in names) for s in cands}
        best = max(score.values())
        first = reader.synsets(names[0].replace(" ", "_"), pos="n")
        rank = {s: (first.index(s) if s in first else len(first)) for s in cands}
        options.append(sorted((s for s in cands if score[s] == best), key=lambda s: (rank[s], s.offset())))

    fixed = [o[0].offset() if len(o) == 1 else None for o in options]
    chosen = []
    prev = -1
    for i, opts in enumerate(options):
        hi = next((f for f in fixed[i + 1 :] if f is not None), 10**9)
        fits = [s for s in opts if prev < s.offset() < hi]
        if not fits:
            raise ModelError(f"ImageNet class {i} '{label_lines[i]}': no candidate synset fits the id order")
        synset = fits[0]
        prev = synset.offset()
        chosen.append(synset)

    table = []
    for i, synset in enumerate(chosen):
        seen: list[str] = [synset.name()]
        level = [synset]
        while level:
            nxt = []
            for node in level:  # sorted: NLTK's pointer order is not stable between runs
                for parent in sorted(node.hypernyms() + node.instance_hypernyms(), key=lambda s: s.name()):
                    if parent.name() not in seen:
                        seen.append(parent.name())
                        nxt.append(parent)
            level = nxt
        table.append(ImageNetClass(i, f"n{synset.offset():08d}", synset.name(), tuple(seen)))
    return table


def format_table(table: list[ImageNetClass]) -> str:
    rows = [HEADER] + [f"{c.index}\t{c.wnid}\t{c.synset}\t{' '.join(c.ancestors[1:])}" for c in table]
    return "\n".join(rows) + "\n"


@lru_cache(maxsize=2)
def load_table(path: Path | None = None) -> tuple[ImageNetClass, ...]:
    """The shipped table, index order. A missing or malformed file is a :class:`ModelError`."""
    source = path or resources.files("image_extender") / "data" / TABLE
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"{source}: cannot read the ImageNet→WordNet table ({exc})") from exc
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4 or int(parts[0]) != len(out):
            raise ModelError(f"{source}:{n}: expected 'index<TAB>wnid<TAB>synset<TAB>hypernyms' in index order")
        out.append(ImageNetClass(int(parts[0]), parts[1], parts[2], (parts[2], *parts[3].split())))
    if len(out) != 1000:
        raise ModelError(f"{source}: {len(out)} ImageNet classes, expected 1000")
    return tuple(out)


def unique_names(names: list[str], table: tuple[ImageNetClass, ...] | None = None) -> list[str]:
    """The classes' first synonyms, with the ones that repeat told apart by their nearest
    hypernym: ImageNet has two "crane"s, the bird and the machine, and two "maillot"s —
    "crane (wading bird)" and "crane (lifting device)". A rule or a tag that says "crane"
    would otherwise sum a heron's cousin into a construction site."""
    table = table or load_table()
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    out = []
    for i, n in enumerate(names):
        if seen[n] > 1 and i < len(table) and len(table[i].ancestors) > 1:
            n = f"{n} ({table[i].ancestors[1].split('.')[0].replace('_', ' ')})"
        out.append(n)
    return out


def main(argv: list[str] | None = None) -> int:
    """Rebuild ``data/imagenet_wordnet.tsv`` from the Debian WordNet: ``python -m image_extender.analyze.imagenet [DATA_DIR]``."""
    import os

    from ..sounds.wordnet import WordNet
    from .classifier import LABELS_FILE
    from .detector import pibo_models_dir

    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(args[0] if args else os.environ.get("IMAGE_EXTENDER_DATA", "data"))
    reader = WordNet.from_data_dir(data_dir)._reader
    lines = (pibo_models_dir() / LABELS_FILE).read_text(encoding="utf-8").splitlines()
    target = Path(__file__).resolve().parents[1] / "data" / TABLE
    target.write_text(format_table(derive_table(lines, reader)), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
