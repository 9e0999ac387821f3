"""Scene -> one verified recording per ambience tag and object (or a clean "none found").

Order matters because a sound is used at most once per mix: ambience tags go first (they
give the stereo bed every image needs), then objects from most to least important, so
the dog in front gets the best bark and the second dog the next one. For each target:

1. search the target's query and verify every candidate (:class:`Verifier`);
2. pick among the accepted ones that are not yet in the mix — ``best``: the preferred
   kind (bed for ambience, one-shot for objects) with the highest similarity;
   ``random``: any of them, drawn with ``numpy.random.default_rng(seed)``;
3. when every accepted recording is already in the mix, look once more with a wider net,
   then reuse one and say so (``exhausted``) rather than fall back to something vaguer;
4. when nothing is accepted, walk the concept hierarchy (table, then WordNet), searching
   the query with the label swapped for the more general word ("puppy whimpering" ->
   "dog whimpering");
5. else give up on this target only: a choice with ``sound=None`` and the reason.

Everything tried lands in the choice's ``trail``; the verdict says how many searches it took.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..manifest import Role, Scene, SoundChoice, TrailStep
from .base import Candidate, SelectionMode, SoundSource, Verdict, Verifier
from .hierarchy import Fallback
from .library_source import PREFERRED_KIND

WIDEN = 3  # the wider net of step 3 is this many times ``limit``


class Hierarchy(Protocol):
    notes: list[str]

    def steps(self, label: str) -> list[Fallback]: ...


@dataclass
class _Target:
    role: Role
    index: int
    label: str
    query: str


@dataclass
class _Attempt:
    """State of the search for one target."""

    target: _Target
    trail: list[TrailStep] = field(default_factory=list)
    searches: int = 0
    best_rejection: tuple[float, str] | None = None  # highest-scoring rejected candidate

    def note_rejection(self, verdict: Verdict) -> None:
        if self.best_rejection is None or verdict.score > self.best_rejection[0]:
            self.best_rejection = (verdict.score, verdict.reason)


def targets_in_order(scene: Scene) -> list[_Target]:
    """Ambience tags in scene order, then objects by importance (ties: scene order)."""
    out = [_Target("ambience", i, t.label, t.query) for i, t in enumerate(scene.ambience)]
    ranked = sorted(enumerate(scene.objects), key=lambda p: (-p[1].importance, p[0]))
    out += [_Target("object", i, o.label, o.query) for i, o in ranked]
    return out


def fallback_query(label: str, query: str, term: str, role: Role) -> str:
    """The query with the label swapped for ``term`` ("puppy whimpering" -> "dog whimpering").

    When the label is not in the query, the general word alone (plus "ambience" for a bed).
    """
    for form in dict.fromkeys([label, label.rstrip("s")]):
        if form and re.search(rf"\b{re.escape(form)}\b", query, re.IGNORECASE):
            return re.sub(rf"\b{re.escape(form)}\b", term, query, count=1, flags=re.IGNORECASE)
    if role == "ambience" and "ambience" not in term:
        return f"{term} ambience"
    return term


def _pick(
    accepted: list[tuple[Candidate, Verdict]], role: Role, mode: SelectionMode, rng: np.random.Generator
) -> tuple[Candidate, Verdict]:
    preferred = [p for p in accepted if p[0].sound.kind == PREFERRED_KIND[role]] or accepted
    if mode == "random":
        return preferred[int(rng.integers(len(preferred)))]
    return max(preferred, key=lambda p: p[1].score)


def _examine(
    attempt: _Attempt, query: str, source: SoundSource, verifier: Verifier, limit: int, used: dict[str, str]
) -> tuple[list[tuple[Candidate, Verdict]], list[tuple[Candidate, Verdict]]]:
    """One search: returns (accepted and unused, accepted but already in the mix)."""
    candidates = source.search(query, attempt.target.role, limit)
    attempt.searches += 1
    attempt.trail.append(TrailStep(action="search", query=query, detail=f"{source.name}: {len(candidates)} candidates"))
    verdicts = verifier.verify(query, candidates) if candidates else []
    fresh, taken = [], []
    for cand, verdict in zip(candidates, verdicts, strict=True):
        if not verdict.accepted:
            attempt.note_rejection(verdict)
            attempt.trail.append(
                TrailStep(action="reject", query=query, detail=verdict.reason, sound_id=cand.sound.id, score=verdict.score)
            )
        elif cand.sound.id in used:
            taken.append((cand, verdict))
            attempt.trail.append(
                TrailStep(
                    action="reject",
                    query=query,
                    detail=f"'{cand.sound.name}' passes but is already used for '{used[cand.sound.id]}'",
                    sound_id=cand.sound.id,
                    score=verdict.score,
                )
            )
        else:
            fresh.append((cand, verdict))
            attempt.trail.append(
                TrailStep(action="candidate", query=query, detail=verdict.reason, sound_id=cand.sound.id, score=verdict.score)
            )
    return fresh, taken


def _choice(attempt: _Attempt, query: str, pick: tuple[Candidate, Verdict] | None, verdict: str) -> SoundChoice:
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


def find_one(
    target: _Target,
    source: SoundSource,
    verifier: Verifier,
    hierarchy: Hierarchy | None,
    *,
    mode: SelectionMode,
    rng: np.random.Generator,
    limit: int,
    used: dict[str, str],
) -> SoundChoice:
    """Steps 1–5 of the module doc for one target; records what it took in ``used``."""
    attempt = _Attempt(target)
    queries: list[tuple[str, Fallback | None]] = [(target.query, None)]
    if hierarchy is not None:
        steps = hierarchy.steps(target.label)
        queries += [(fallback_query(target.label, target.query, f.term, target.role), f) for f in steps]
    tried: set[str] = set()
    taken_any: list[tuple[Candidate, Verdict, str]] = []
    notes_shown = False

    for query, step in queries:
        if query.lower() in tried:
            continue
        tried.add(query.lower())
        if step is not None:
            if not notes_shown and hierarchy is not None:
                notes_shown = True
                attempt.trail += [TrailStep(action="skip", query=target.label, detail=n) for n in hierarchy.notes]
            attempt.trail.append(
                TrailStep(action="fallback", query=query, detail=f"nothing accepted for '{target.query}'; '{target.label}' -> '{step.term}' ({step.via})")
            )
        fresh, taken = _examine(attempt, query, source, verifier, limit, used)
        if not fresh and taken:
            fresh, taken = _examine(attempt, query, source, verifier, limit * WIDEN, used)
        taken_any += [(c, v, query) for c, v in taken]
        if fresh:
            cand, verdict = _pick(fresh, target.role, mode, rng)
            how = "best of" if mode == "best" else "drawn at random from"
            attempt.trail.append(
                TrailStep(action="accept", query=query, detail=f"{how} {len(fresh)} accepted", sound_id=cand.sound.id, score=verdict.score)
            )
            used[cand.sound.id] = target.label
            via = f" (fallback: {step.via})" if step else ""
            return _choice(attempt, query, (cand, verdict), f"{verdict.reason}{via}; {_plural(attempt.searches, 'search')}")
        if taken:  # step 3: everything that fits is in the mix already — reuse beats vaguer
            cand, verdict = _pick(taken, target.role, mode, rng)
            detail = f"every accepted recording for '{query}' is already in the mix; reusing '{cand.sound.name}'"
            attempt.trail.append(TrailStep(action="exhausted", query=query, detail=detail, sound_id=cand.sound.id, score=verdict.score))
            return _choice(attempt, query, (cand, verdict), f"{detail}; {_plural(attempt.searches, 'search')}")

    tried_text = ", ".join(f"'{q}'" for q in dict.fromkeys(q for q, _ in queries))
    why = f"no recording accepted for {tried_text} ({_plural(attempt.searches, 'search')})"
    if attempt.best_rejection:
        why += f"; nearest miss: {attempt.best_rejection[1]}"
    if hierarchy is not None and hierarchy.notes and not notes_shown:
        attempt.trail += [TrailStep(action="skip", query=target.label, detail=n) for n in hierarchy.notes]
    return _choice(attempt, target.query, None, why)


def find_sounds(
    scene: Scene,
    source: SoundSource,
    verifier: Verifier,
    hierarchy: Hierarchy | None,
    *,
    mode: SelectionMode = "best",
    seed: int = 0,
    limit: int = 10,
) -> list[SoundChoice]:
    """One :class:`SoundChoice` per ambience tag and object, ambience first (see module doc).

    Never raises for a target that finds nothing: its choice has ``sound=None`` and says
    why, and the mix goes on with the rest.
    """
    if mode not in ("best", "random"):
        raise ValueError(f"mode must be 'best' or 'random', not {mode!r}")
    rng = np.random.default_rng(seed)
    used: dict[str, str] = {}
    return [
        find_one(t, source, verifier, hierarchy, mode=mode, rng=rng, limit=limit, used=used)
        for t in targets_in_order(scene)
    ]
