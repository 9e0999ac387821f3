"""Where to look next when nothing is found for a label: a table first, then WordNet.

The table (``data/hierarchy.toml``, extended by the user's ``settings.hierarchy_file``)
says what a *listener* would accept instead: a giraffe is nearly silent, so its honest
fallback is "savanna wildlife", which no taxonomy would say. WordNet hypernyms then cover
every noun the table does not know (sedan -> car -> motor vehicle). The chain is ordered,
bounded and free of cycles whatever the user's table says.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SettingsError
from .wordnet import WordNet

MAX_STEPS = 4
BUILTIN_FILE = Path(__file__).resolve().parent.parent / "data" / "hierarchy.toml"

Table = dict[str, list[str]]


@dataclass(frozen=True)
class Fallback:
    term: str  # what to search for instead ("tree")
    via: str  # where the step came from: "table" or "WordNet hypernym.n.01"


def _norm(term: str) -> str:
    return " ".join(term.lower().replace("_", " ").split())


def parse_table(data: dict, origin: str) -> Table:
    """Turn ``{thing: "parent" | ["parent", ...]}`` into ``{thing: [parent, ...]}``, checked."""
    table: Table = {}
    for key, value in data.items():
        parents = [value] if isinstance(value, str) else value
        if not isinstance(parents, list) or not all(isinstance(p, str) and p.strip() for p in parents):
            raise SettingsError(f"{origin}: '{key}' must map to a word or a list of words, got {value!r}")
        table[_norm(key)] = [_norm(p) for p in parents]
    return table


def load_table(path: Path) -> Table:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"hierarchy_file {path}: cannot read ({exc.strerror or exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"hierarchy_file {path}: not valid TOML ({exc})") from exc
    return parse_table(data, f"hierarchy_file {path}")


def builtin_table() -> Table:
    return parse_table(tomllib.loads(BUILTIN_FILE.read_text(encoding="utf-8")), f"built-in {BUILTIN_FILE}")


@dataclass
class ConceptHierarchy:
    """Ordered fallbacks for a label: table chain (breadth-first), then WordNet hypernyms."""

    table: Table
    wordnet: WordNet | None = None
    max_steps: int = MAX_STEPS
    notes: list[str] = field(default_factory=list)  # e.g. why WordNet is not in use

    @classmethod
    def load(cls, user_file: Path | None = None, data_dir: Path | None = None, *, use_wordnet: bool = True) -> ConceptHierarchy:
        """Built-in table, overridden key by key by ``user_file``; WordNet from ``data_dir``.

        WordNet is optional: when its Debian packages cannot be had the table still works
        and :attr:`notes` says why WordNet was left out (the retrieval trail shows it).
        """
        table = builtin_table()
        if user_file is not None:
            table.update(load_table(user_file))
        notes: list[str] = []
        wordnet = None
        if use_wordnet and data_dir is not None:
            try:
                wordnet = WordNet.from_data_dir(data_dir)
            except Exception as exc:  # noqa: BLE001 — any failure only loses the optional step
                notes.append(f"WordNet unavailable ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})")
        elif use_wordnet:
            notes.append("WordNet unavailable (no data directory given)")
        return cls(table=table, wordnet=wordnet, notes=notes)

    def stops(self, term: str) -> bool:
        """Is ``term`` as general as a listener accepts? (``term = []`` in a table: nothing
        more general sounds like it — a heron is a bird, but a chirp is no heron.)"""
        return self.table.get(term) == []

    def steps(self, label: str) -> list[Fallback]:
        """At most :attr:`max_steps` fallbacks, nearest first, never the label itself twice.

        The walk ends at a term the table stops at (an empty list), WordNet included:
        "great blue heron" -> "heron", never on to "bird".
        """
        start = _norm(label)
        seen = {start}
        out: list[Fallback] = []
        stopped = self.stops(start)
        queue = list(self.table.get(start, []))
        while queue and len(out) < self.max_steps:  # breadth-first over the table; `seen` breaks cycles
            term = queue.pop(0)
            if term in seen:
                continue
            seen.add(term)
            out.append(Fallback(term, "table"))
            stopped = stopped or self.stops(term)
            queue.extend(self.table.get(term, []))
        if self.wordnet is not None and len(out) < self.max_steps and not stopped:
            try:
                hypernyms = self.wordnet.hypernyms(start, max_steps=self.max_steps)
            except Exception as exc:  # noqa: BLE001 — a damaged database only loses this step
                self.wordnet = None
                self.notes.append(f"WordNet unavailable ({exc})")
                hypernyms = []
            for h in hypernyms:
                if len(out) >= self.max_steps:
                    break
                if h.term not in seen:
                    seen.add(h.term)
                    out.append(Fallback(h.term, f"WordNet {h.synset}"))
                if self.stops(h.term):
                    break
        return out

    def fallbacks(self, label: str) -> list[str]:
        return [f.term for f in self.steps(label)]

    def terms(self) -> list[str]:
        """Every concept the table names (a verifier's competitor vocabulary uses these)."""
        names = set(self.table)
        for parents in self.table.values():
            names.update(parents)
        return sorted(names)
