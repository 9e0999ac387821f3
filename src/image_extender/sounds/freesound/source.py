"""The ``freesound`` sound source: Freesound search results as ranked candidates.

Two ways in:

* :meth:`FreesoundSource.search` — the :class:`~..base.SoundSource` protocol: one round,
  current filters, one request (or none when cached).
* :meth:`FreesoundSource.rounds` — the full strategy, a generator of
  ``(description, candidates)`` so the caller stops as soon as a candidate passes
  verification and no further request is made:

  **best mode**: the user's filters first, then each looser rung of the relaxation
  ladder (rating 4.0 → 3.5 → 3.0 → 2.5 with matching download thresholds), then further
  pages of the loosest rung, at most ``max_pages``. Results are ordered by the user's
  preference, *rating > downloads* (rating first, downloads break ties) or the reverse;
  each page is handed out ``preload`` candidates at a time, never the same sound twice.

  **random mode**: quality thresholds ignored (licence, duration and format filters still
  hold: they are constraints, not taste), results shuffled with a seed derived from the
  settings' seed and the query, so the same run repeats and different tags differ.

Candidates carry metadata only. Their ``sound.path`` already names where the preview
*will* be in the cache; :meth:`fetch` downloads it (once) for the candidate the caller
accepts and returns the Sound with the measured format of the file. Nothing is
downloaded for candidates that are rejected on their description.

Ambience beds want long recordings and objects short ones, so when the user left that
side of the duration range at ``"any"``, ``ambience_min_duration`` / ``object_max_duration``
fill it in (and show up in the round's description).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterator
from pathlib import Path

import soundfile as sf

from ...manifest import Role, Sound
from ..base import Candidate
from .budget import RateBudget
from .cache import FreesoundCache, cache_root
from .client import MB, OAUTH_ENV, FreesoundClient, SearchPage, SoundRecord
from .errors import FreesoundAuthError, FreesoundBudgetError, FreesoundError, FreesoundOfflineError, FreesoundPreviewError
from .filters import ANY, FreesoundFilters, FreesoundSettings
from .licences import licence_name, licence_url

Round = tuple[str, list[Candidate]]


class FreesoundSource:
    name = "freesound"

    def __init__(self, client: FreesoundClient, settings: FreesoundSettings | None = None) -> None:
        self.client = client
        self.settings = settings or FreesoundSettings()
        self._records: dict[str, SoundRecord] = {}
        self.notes: list[tuple[str, str]] = []
        self._originals_refused = ""  # why the OAuth2 token was refused, once it was

    @classmethod
    def open(cls, data_dir: Path, settings: FreesoundSettings | None = None, *, offline: bool = False) -> FreesoundSource:
        """Cache, budget and client under ``<data>/cache/freesound/`` from settings and env."""
        settings = settings or FreesoundSettings()
        root = cache_root(data_dir)
        cache = FreesoundCache(root, ttl=settings.cache_ttl_days * 86_400.0)
        budget = RateBudget(
            root / "budget.sqlite", per_minute=settings.requests_per_minute, per_day=settings.requests_per_day
        )
        client = FreesoundClient(
            cache, offline=offline, budget=budget, timeout=settings.timeout, max_attempts=settings.max_attempts,
            deadline=settings.deadline, max_json_bytes=int(settings.max_response_mb * MB),
            max_download_bytes=int(settings.max_download_mb * MB),
        )
        return cls(client, settings)

    # ------------------------------------------------------------------ protocol

    def search(self, query: str, role: Role, limit: int) -> list[Candidate]:
        """One round: the current filters, sorted by the user's preference, top ``limit``."""
        filters = self._role_filters(self._mode_filters(self.settings.filters), role)
        page = self.client.search(
            query, filter=filters.to_filter(), sort=self._api_sort(), page_size=self._page_size(limit)
        )
        records = [r for r in page.results if filters.accepts(r.model_dump())]
        if self.settings.mode == "random":
            self._rng(query, role).shuffle(records)
        else:
            records = self._ordered(records)
        return [self._candidate(r, role) for r in records[:limit]]

    # ------------------------------------------------------------------ strategy

    def rounds(self, query: str, role: Role) -> Iterator[Round]:
        """Progressively looser rounds of at most ``preload`` unseen candidates each (bounded).

        Requests: at most one per relaxation rung plus ``max_pages - 1`` extra pages, and
        only as far as the caller iterates. Empty rounds are yielded too, so the trail
        shows that a rung found nothing.
        """
        if self.settings.mode == "random":
            yield from self._random_rounds(query, role)
            return
        seen: set[int] = set()
        ladder = self._ladder()
        for rung, quality in enumerate(ladder):
            filters = self._role_filters(quality, role)
            label = "strict" if rung == 0 else "relaxed"
            last_rung = rung == len(ladder) - 1
            page = self.client.search(
                query, filter=filters.to_filter(), sort=self._api_sort(), page_size=self.settings.page_size
            )
            page_no = 1
            while True:
                yield from self._batches(query, role, page, page_no, filters, label, seen, shuffle=None)
                if not last_rung or page_no >= self.settings.max_pages or not page.next:
                    break
                page = self.client.next_page(page)
                page_no += 1
                if page is None:
                    break

    def fetch(self, sound: Sound) -> Sound:
        """Download a candidate's audio (once) and return its Sound with the local file.

        The HQ preview, or — when ``download_originals`` is on and ``FREESOUND_OAUTH_TOKEN``
        is set — the uploaded original. An original that cannot be had (token refused or
        expired, file missing or unreadable, offline and not cached) falls back to the
        preview; ``sound.source`` says which file it is and why, and the note is kept for
        the trail (:meth:`take_notes`). After one refused token the run stops asking.

        Duration, sample rate and channels are measured from the file, since that is what
        the mix will read. Raises :class:`FreesoundPreviewError` (a RetrievalError) when
        the preview is missing or not audio: treat that candidate as rejected.
        """
        record = self._records.get(sound.id)
        if record is None:
            raise FreesoundPreviewError(f"Freesound sound {sound.id}: not a candidate of this source, cannot fetch")
        path, note = self._original(record)
        origin = "freesound.org"
        if path is not None:
            origin = f"freesound.org (original {path.suffix.lstrip('.')} file)"
        else:
            path = self.client.download_preview(record, prefer=self.settings.preview)
            if note:
                origin = f"freesound.org (HQ preview; {note})"
                self.notes.append((sound.id, f"sound {sound.id}: HQ preview used; {note}"))
        info = sf.info(str(path))
        return sound.model_copy(
            update={
                "path": str(path),
                "source": origin,
                "duration": float(info.duration),
                "sample_rate": int(info.samplerate),
                "channels": int(info.channels),
            }
        )

    def take_notes(self) -> list[tuple[str, str]]:
        """``(sound id, note)`` for fetches that did not get what the settings asked for (then cleared)."""
        notes, self.notes = self.notes, []
        return notes

    def _original(self, record: SoundRecord) -> tuple[Path | None, str]:
        """(original file, "") or (None, why not) — "" too when originals were not asked for."""
        if not self.settings.download_originals:
            return None, ""
        cached = self.client.cache.find_original(record.id)
        if cached is not None:  # downloaded earlier: no token needed (offline runs too)
            return cached, ""
        if not self.client.has_oauth:
            return None, f"originals are on but {OAUTH_ENV} is not set"
        if self._originals_refused:
            return None, f"original not tried: {self._originals_refused}"
        try:
            return self.client.download_original(record), ""
        except FreesoundBudgetError:
            raise
        except FreesoundAuthError as exc:
            self._originals_refused = str(exc)
            return None, f"original refused: {exc}"
        except FreesoundOfflineError:
            return None, "offline and the original is not cached"
        except FreesoundError as exc:  # missing, unreadable, server down after retries: the preview may still come
            return None, f"original not downloaded: {exc}"

    def record(self, sound_id: str) -> SoundRecord | None:
        """The raw Freesound record behind a candidate (e.g. for the licence deed URL)."""
        return self._records.get(sound_id)

    def licence_url(self, sound_id: str) -> str:
        record = self._records.get(sound_id)
        return licence_url(record.license) if record else ""

    # ------------------------------------------------------------------ helpers

    def _random_rounds(self, query: str, role: Role) -> Iterator[Round]:
        filters = self._role_filters(self._mode_filters(self.settings.filters), role)
        rng = self._rng(query, role)
        seen: set[int] = set()
        page: SearchPage | None = self.client.search(
            query, filter=filters.to_filter(), sort="score", page_size=self.settings.page_size
        )
        page_no = 1
        while page is not None:
            yield from self._batches(query, role, page, page_no, filters, "random", seen, shuffle=rng)
            if page_no >= self.settings.max_pages:
                break
            page = self.client.next_page(page)
            page_no += 1

    def _batches(
        self,
        query: str,
        role: Role,
        page: SearchPage,
        page_no: int,
        filters: FreesoundFilters,
        label: str,
        seen: set[int],
        shuffle: random.Random | None,
    ) -> Iterator[Round]:
        fresh = [r for r in page.results if r.id not in seen and filters.accepts(r.model_dump())]
        if shuffle is not None:
            shuffle.shuffle(fresh)
        else:
            fresh = self._ordered(fresh)
        order = f"seed {self.settings.seed} shuffle" if shuffle is not None else f"sort {self.settings.sort}"
        head = f"freesound '{query}' {label}: {filters.describe()}; {order}; page {page_no}"
        if not fresh:
            yield f"{head}: no new results (of {page.count})", []
            return
        step = self.settings.preload
        for start in range(0, len(fresh), step):
            batch = fresh[start : start + step]
            seen.update(r.id for r in batch)
            desc = f"{head}: candidates {start + 1}–{start + len(batch)} of {len(fresh)} new ({page.count} total)"
            yield desc, [self._candidate(r, role) for r in batch]

    def _ladder(self) -> list[FreesoundFilters]:
        """The user's filters, then every relaxation rung strictly looser than them."""
        base = self.settings.filters
        ladder = [base]
        if base.min_rating == ANY:
            return ladder
        for step in self.settings.relaxation:
            if step.min_rating >= base.min_rating:
                continue
            downloads = step.min_downloads
            if base.min_downloads == ANY:
                downloads = ANY
            else:
                downloads = min(downloads, base.min_downloads)
            ladder.append(base.with_quality(step.min_rating, downloads))
        return ladder

    def _mode_filters(self, filters: FreesoundFilters) -> FreesoundFilters:
        return mode_filters(self.settings, filters)

    def _role_filters(self, filters: FreesoundFilters, role: Role) -> FreesoundFilters:
        return role_filters(self.settings, filters, role)

    def _api_sort(self) -> str:
        return api_sort(self.settings)

    def _page_size(self, limit: int) -> int:
        return max(1, min(self.settings.page_size, max(limit, self.settings.preload)))

    def _ordered(self, records: list[SoundRecord]) -> list[SoundRecord]:
        """Rating first and downloads break ties, or the reverse (stable, so server order breaks the rest)."""
        if self.settings.sort == "rating>downloads":
            return sorted(records, key=lambda r: (-r.avg_rating, -r.num_downloads))
        return sorted(records, key=lambda r: (-r.num_downloads, -r.avg_rating))

    def _rng(self, query: str, role: Role) -> random.Random:
        digest = hashlib.sha256(f"{self.settings.seed}|{role}|{query}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def _score(self, r: SoundRecord) -> float:
        """Quality in 0–1 by the user's first criterion: rating/5, or log10 downloads / 5 (100k → 1)."""
        if self.settings.sort == "rating>downloads":
            return max(0.0, min(1.0, r.avg_rating / 5.0))
        return max(0.0, min(1.0, math.log10(1 + r.num_downloads) / 5.0))

    def _candidate(self, r: SoundRecord, role: Role) -> Candidate:
        self._records[str(r.id)] = r
        return Candidate(sound=sound_from_record(r, self.client.cache, self.settings.preview, role), score=self._score(r))


def mode_filters(settings: FreesoundSettings, filters: FreesoundFilters) -> FreesoundFilters:
    """Random mode drops the quality thresholds (taste); licence, duration and format stay (constraints)."""
    return filters.with_quality(ANY, ANY) if settings.mode == "random" else filters


def role_filters(settings: FreesoundSettings, filters: FreesoundFilters, role: Role) -> FreesoundFilters:
    """Fill an ``"any"`` duration side by role: beds at least ``ambience_min_duration``, objects at most
    ``object_max_duration`` (unless that would contradict the user's other side)."""
    update: dict = {}
    if role == "ambience" and filters.min_duration == ANY and settings.ambience_min_duration != ANY:
        if filters.max_duration == ANY or filters.max_duration >= settings.ambience_min_duration:
            update["min_duration"] = settings.ambience_min_duration
    if role == "object" and filters.max_duration == ANY and settings.object_max_duration != ANY:
        if filters.min_duration == ANY or filters.min_duration <= settings.object_max_duration:
            update["max_duration"] = settings.object_max_duration
    return FreesoundFilters.model_validate({**filters.model_dump(), **update}) if update else filters


def api_sort(settings: FreesoundSettings) -> str:
    """The API ``sort`` for the preference (best mode; random-mode rounds ask for ``score`` and shuffle)."""
    return "rating_desc" if settings.sort == "rating>downloads" else "downloads_desc"


def sound_from_record(r: SoundRecord, cache: FreesoundCache, preview: str, role: Role) -> Sound:
    """A manifest Sound for a Freesound record; ``path`` is where its preview is (or will be) cached."""
    existing = cache.find_preview(r.id)
    path = existing or cache.preview_path(r.id, preview)
    fields: dict = {
        "provider": "freesound",
        "id": str(r.id),
        "path": str(path),
        "name": r.name,
        "description": r.description,
        "tags": list(r.tags),
        "licence": licence_name(r.license),
        "author": r.username,
        "url": r.url,
        "source": "freesound.org",
        "rating": r.avg_rating if r.num_ratings else None,
        "downloads": r.num_downloads,
        "duration": r.duration,
        "sample_rate": int(r.samplerate),
        "channels": r.channels,
        "kind": "bed" if role == "ambience" else None,
    }
    if "licence_url" in Sound.model_fields:  # once the manifest carries the deed link
        fields["licence_url"] = licence_url(r.license)
    return Sound(**fields)
