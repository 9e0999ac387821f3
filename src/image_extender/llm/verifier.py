"""LLM verifier: does this recording *sound like* the thing, or only *mention* it?

Text retrieval matches words, so "dog" finds a dog barking and also a song called "Dog",
"car" finds an engine and a podcast about cars. Given the visual tag and each candidate's
name, description and tags, the model answers whether the recording IS the sound of that
thing (a recording or effect of it) or merely references it (music, speech, a title, a
different source named after it), with a one-sentence reason that goes into the trail.

Verdicts are cached on disk per (model, tag, sound) in SQLite, so a library sound is
judged once for a tag, whatever run or process asks again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from ..manifest import Sound
from ..sounds.base import Candidate, Verdict
from .client import LLMBacked, LLMClient, ReplyError
from .settings import LLMSettings

BATCH = 8  # candidates per request: enough to amortise the prompt, few enough to judge each well

SYSTEM_PROMPT = """\
You check sound-library search results for a soundscape built from a photo.
The visual tag names something seen in the photo. For each candidate recording, decide from
its name, description and tags whether the recording IS the sound that thing makes (a field
recording or sound effect of it, e.g. an engine recording for "car", barking for "dog"), or
only REFERENCES it: music or a song named after it, speech or a podcast about it, a sound of
something else that merely mentions it.
is_the_thing: true only in the first case. confidence: 0 to 1, how sure you are of your
answer. reason: one short sentence. Give exactly one verdict per candidate id.
Answer with JSON only."""

VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["verdicts"],
    "properties": {
        "verdicts": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "is_the_thing", "confidence", "reason"],
                "properties": {
                    "id": {"type": "string"},
                    "is_the_thing": {"type": "boolean"},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                    "reason": {"type": "string"},
                },
            },
        }
    },
}


class VerdictCache:
    """SQLite table of verdicts keyed by (model, tag, sound key); safe across processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        with self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS verdicts (model TEXT, tag TEXT, sound TEXT, accepted INTEGER, "
                "score REAL, reason TEXT, PRIMARY KEY (model, tag, sound))"
            )

    def get(self, model: str, tag: str, sound: str) -> Verdict | None:
        with self._lock:
            row = self._db.execute(
                "SELECT accepted, score, reason FROM verdicts WHERE model=? AND tag=? AND sound=?", (model, tag, sound)
            ).fetchone()
        return Verdict(bool(row[0]), float(row[1]), row[2]) if row else None

    def put(self, model: str, tag: str, sound: str, verdict: Verdict) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?, ?, ?)",
                (model, tag, sound, int(verdict.accepted), verdict.score, verdict.reason),
            )

    def close(self) -> None:
        self._db.close()


class LLMVerifier(LLMBacked):
    """``Verifier`` that asks a language model, one request per batch of uncached candidates.

    ``Verdict.score`` is the model's probability that the recording is the thing:
    its confidence when it says yes, one minus its confidence when it says no.
    """

    name = "llm"

    def __init__(
        self,
        llm: LLMSettings | None = None,
        *,
        cache_path: Path | None = None,
        client: LLMClient | None = None,
    ) -> None:
        super().__init__(llm, client)
        self.cache = VerdictCache(cache_path) if cache_path is not None and self.llm.verify_cache else None

    @classmethod
    def from_settings(cls, settings: Any, client: LLMClient | None = None) -> LLMVerifier:
        llm = getattr(settings, "llm", None) or LLMSettings()
        return cls(llm, cache_path=Path(settings.data_dir) / "cache" / "llm_verdicts.sqlite", client=client)

    def verify(self, query: str, candidates: list[Candidate]) -> list[Verdict]:
        tag = " ".join(query.lower().split())
        verdicts: list[Verdict | None] = [self._cached(tag, c.sound) for c in candidates]
        todo = [i for i, v in enumerate(verdicts) if v is None]
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            fresh = self._ask(query, [candidates[i].sound for i in batch])
            for i, verdict in zip(batch, fresh):
                verdicts[i] = verdict
                if self.cache is not None:
                    self.cache.put(self.llm.model, tag, _sound_key(candidates[i].sound), verdict)
        return [v for v in verdicts if v is not None]

    def _cached(self, tag: str, sound: Sound) -> Verdict | None:
        return self.cache.get(self.llm.model, tag, _sound_key(sound)) if self.cache is not None else None

    def _ask(self, query: str, sounds: list[Sound]) -> list[Verdict]:
        self.load()
        assert self.client is not None
        ids = [f"s{i + 1}" for i in range(len(sounds))]
        request = {
            "visual_tag": query,
            "candidates": [
                {"id": sid, "name": s.name, "description": s.description[:600], "tags": s.tags[:20]}
                for sid, s in zip(ids, sounds)
            ],
        }
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": json.dumps(request, ensure_ascii=False)},
        ]
        return self.client.chat_json(
            messages,
            schema=VERDICT_SCHEMA,
            schema_name="sound_verdicts",
            purpose=f"verification of '{query}'",
            parse=lambda data: parse_verdicts(data, ids),
        )


def parse_verdicts(data: Any, ids: list[str]) -> list[Verdict]:
    """One :class:`Verdict` per requested id, in order; a missing id or a non-boolean answer is a ``ReplyError``."""
    items = data.get("verdicts") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ReplyError("'verdicts' must be a list")
    by_id: dict[str, dict] = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            by_id.setdefault(item["id"].strip(), item)
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise ReplyError(f"no verdict for candidate id(s) {', '.join(missing)}")
    out = []
    for sid in ids:
        item = by_id[sid]
        accepted = item.get("is_the_thing")
        if not isinstance(accepted, bool):
            raise ReplyError(f"verdict {sid}: is_the_thing must be true or false")
        conf = item.get("confidence", 0.5)
        if isinstance(conf, bool) or not isinstance(conf, (int, float)):
            raise ReplyError(f"verdict {sid}: confidence must be a number 0–1")
        conf = min(1.0, max(0.0, float(conf)))
        reason = " ".join(str(item.get("reason") or "").split()) or "no reason given"
        out.append(Verdict(accepted=accepted, score=round(conf if accepted else 1.0 - conf, 4), reason=f"LLM: {reason}"))
    return out


def _sound_key(sound: Sound) -> str:
    return f"{sound.provider}:{sound.id}"
