"""``library coverage``: which things the analyzer can name does the library really cover?

For every entry of the sounding vocabulary (``analyze.vocabulary.sounding_entries()``:
object concepts and kinds of place, each with its queries) we ask the library what the
sound finder would ask — the same source search for the entry's role, the same
:class:`~image_extender.sounds.verify.EmbeddingVerifier` — and count the distinct
recordings accepted for any of its queries, and turned down for nothing the finder turns
them down for: sounds tagged ``game-only`` (weapons, interface blips, voice lines of game
characters; see ``library.starter._common``), beds too short to loop, and the finder's own
objections (:func:`~image_extender.sounds.find.objection_to`: an elephant's trumpeting is no
trumpet, a lion no house cat). An entry backed by fewer
than ``minimum`` verified recordings is a gap: a photo of that thing will get a
fallback sound, a repeat, or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..sounds.base import SoundSource, Verifier
from ..sounds.find import Hierarchy, finder_verdicts, word_evidence
from ..sounds.wording import WordEvidence

MINIMUM = 3  # the goal: every vocabulary entry backed by >= 3 verified recordings
CANDIDATES = 20  # per query and kind, as many as the finder looks at by default


@dataclass(frozen=True)
class EntryCoverage:
    label: str
    role: str  # "object" or "ambience"
    queries: tuple[str, ...]
    verified: tuple[str, ...]  # names of the distinct accepted recordings, best first
    searched: int  # candidates the verifier judged
    nearest_rejected: str = ""  # best-scoring rejection's reason, a hint for what is missing

    @property
    def count(self) -> int:
        return len(self.verified)


@dataclass
class CoverageReport:
    entries: list[EntryCoverage] = field(default_factory=list)
    minimum: int = MINIMUM

    @property
    def gaps(self) -> list[EntryCoverage]:
        return [e for e in self.entries if e.count < self.minimum]

    def summary(self) -> str:
        covered = len(self.entries) - len(self.gaps)
        return (f"{covered} of {len(self.entries)} vocabulary entries backed by >= {self.minimum} verified "
                f"recordings; {len(self.gaps)} below")  # fmt: skip


def entry_coverage(entry, source: SoundSource, verifier: Verifier, limit: int = CANDIDATES,
                   words: WordEvidence | None = None, hierarchy: Hierarchy | None = None) -> EntryCoverage:
    """Search and verify every query of one vocabulary entry, as the finder would (``words``:
    the finder's word evidence, ``hierarchy`` its concept hierarchy, for its objections)."""
    words = words or WordEvidence(None)
    accepted: dict[str, tuple[float, str]] = {}
    searched = 0
    best_rejection: tuple[float, str] = (-1.0, "")
    for query in entry.queries:
        candidates = source.search(query, entry.role, limit)
        verdicts = finder_verdicts(verifier, words, hierarchy, role=entry.role, label=entry.label,
                                   queries=entry.queries, concepts=entry.accepts or [entry.label], query=query,
                                   candidates=candidates)
        for cand, verdict in zip(candidates, verdicts, strict=True):
            searched += not verdict.screened
            if verdict.accepted:
                prev = accepted.get(cand.sound.id)
                if prev is None or verdict.score > prev[0]:
                    accepted[cand.sound.id] = (verdict.score, cand.sound.name)
            elif not verdict.screened and verdict.score > best_rejection[0]:
                best_rejection = (verdict.score, verdict.reason)
    ranked = sorted(accepted.values(), key=lambda sv: -sv[0])
    return EntryCoverage(
        label=entry.label,
        role=entry.role,
        queries=tuple(entry.queries),
        verified=tuple(name for _, name in ranked),
        searched=searched,
        nearest_rejected=best_rejection[1],
    )


def library_coverage(
    entries: Iterable,
    source: SoundSource,
    verifier: Verifier,
    *,
    minimum: int = MINIMUM,
    limit: int = CANDIDATES,
    progress: Callable[[int, int, str], None] | None = None,
    hierarchy: Hierarchy | None = None,
) -> CoverageReport:
    """Coverage of every entry (``SoundingEntry``-like: label, role, queries); ``hierarchy``:
    the finder's, whose animal groups and table neighbours its objections know."""
    entries = list(entries)
    words = word_evidence(verifier, hierarchy)
    report = CoverageReport(minimum=minimum)
    for i, entry in enumerate(entries, 1):
        report.entries.append(entry_coverage(entry, source, verifier, limit, words, hierarchy))
        if progress:
            progress(i, len(entries), entry.label)
    return report
