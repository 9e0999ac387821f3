"""Tag regeneration: new search queries for a tag whose queries found nothing.

One step of the retrieval fallback chain. Libraries name sounds their own way ("canine
growl", "hound bay"), so when "dog barking on gravel" finds nothing usable a model can
propose the wording a sound library would use. Bounded on both axes so a bad tag cannot
stall a run: at most ``max_regenerations`` requests per tag, all within
``regeneration_timeout`` seconds of the first. A failure or an exhausted budget is reported
(``Regeneration.detail``, for the trail), never raised: the chain simply moves on.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from .client import LLMBacked, LLMClient, LLMError, ReplyError
from .settings import LLMSettings

log = logging.getLogger(__name__)

SYSTEM_PROMPT = """\
You help search a sound-effects library. A search for the sound of something seen in a photo
found nothing usable. Suggest different short search queries for the SAME sound source, the
way sound libraries name their files: simpler words, synonyms, the typical action or sound
("dog" -> "dog bark", "canine growl", "puppy whimper"), or the broader category
("pickup truck" -> "truck engine idle"). Never suggest a different source. Do not repeat a
query that was already tried. Answer with JSON only."""


def _schema(n: int) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["queries"],
        "properties": {"queries": {"type": "array", "items": {"type": "string"}, "maxItems": n}},
    }


@dataclass(frozen=True)
class Regeneration:
    queries: list[str]  # new queries, none of them already tried (empty: nothing more to try)
    detail: str  # what happened, for the retrieval trail


class QueryRegenerator(LLMBacked):
    """Callable per tag, keeping each tag's attempt count and deadline."""

    def __init__(self, llm: LLMSettings | None = None, *, client: LLMClient | None = None) -> None:
        super().__init__(llm, client)
        self._attempts: dict[str, int] = {}
        self._deadline: dict[str, float] = {}

    def attempts(self, tag: str) -> int:
        return self._attempts.get(_norm(tag), 0)

    def alternatives(self, tag: str, tried: list[str], role: str = "object") -> Regeneration:
        """Up to ``queries_per_regeneration`` new queries for ``tag``, or why there are none."""
        key = _norm(tag)
        used = self._attempts.get(key, 0)
        if used >= self.llm.max_regenerations:
            return Regeneration([], f"regeneration budget used ({used} of {self.llm.max_regenerations} requests)")
        now = time.monotonic()
        deadline = self._deadline.setdefault(key, now + self.llm.regeneration_timeout)
        if now >= deadline:
            return Regeneration([], f"regeneration time limit reached ({self.llm.regeneration_timeout:g} s)")
        self._attempts[key] = used + 1
        self.load()
        assert self.client is not None
        n = self.llm.queries_per_regeneration
        seen = {_norm(q) for q in [tag, *tried]}
        kind = "background ambience of a place" if role == "ambience" else "sound of one object"
        lines = [
            f"Thing seen in the photo: {tag}",
            f"Kind of sound: {kind}",
            "Already tried: " + ("; ".join(tried) if tried else "(only the tag itself)"),
            f"Give up to {n} new queries.",
        ]
        messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "\n".join(lines)}]
        try:
            queries = self.client.chat_json(
                messages,
                schema=_schema(n),
                schema_name="alternative_queries",
                purpose=f"query regeneration for '{tag}'",
                parse=lambda data: _parse(data, seen, n),
                deadline=deadline,
            )
        except LLMError as exc:
            log.warning("%s", exc)
            return Regeneration([], f"regeneration failed: {exc}")
        if not queries:
            return Regeneration([], f"regeneration {used + 1}: no new queries")
        return Regeneration(queries, f"regeneration {used + 1} of {self.llm.max_regenerations}: {'; '.join(queries)}")


def _parse(data: Any, seen: set[str], n: int) -> list[str]:
    items = data.get("queries") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(q, str) for q in items):
        raise ReplyError("'queries' must be a list of strings")
    out: list[str] = []
    for q in items:
        q = " ".join(q.split())
        if q and _norm(q) not in seen:
            seen.add(_norm(q))
            out.append(q)
    return out[:n]


def _norm(text: str) -> str:
    return " ".join(text.lower().split())
