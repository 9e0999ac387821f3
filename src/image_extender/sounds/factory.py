"""Settings -> a ready ``Scene -> [SoundChoice]`` finder (what the pipeline calls).

Which pieces, by setting:

* ``source``: ``library`` (the local SQLite + vector index) or ``freesound``
  (``FREESOUND_API_KEY``, cache under ``<data>/cache/freesound/``; ``offline`` answers
  from that cache only). Freesound's own ``mode`` / ``seed`` follow the top-level ones
  when those were set (flag, env or TOML), so ``--mode random`` means the same everywhere.
* ``verifier``: ``embedding`` (offline, rank + margin) or ``llm`` (``OPENAI_API_KEY``,
  verdicts cached in ``<data>/cache/llm_verdicts.sqlite``). With ``llm`` the embedding
  verifier stays loaded as the fallback for a failing server, and LLM query regeneration
  is the last fallback step of the chain (``llm.max_regenerations`` per tag, 0 = off).
  Regeneration with the embedding verifier is opt-in (``regenerate_queries``) and then
  needs an OpenAI key like any LLM use (a clear error names ``OPENAI_API_KEY``).

Every LLM request the finder makes is listed in :attr:`Finder.usage` (the pipeline puts
it into ``manifest.llm_usage``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import SettingsError
from ..manifest import Scene, SoundChoice
from ..settings import Settings
from .base import SoundSource, Verifier
from .find import Regenerator, find_sounds
from .hierarchy import ConceptHierarchy
from .sound_words import SoundWords
from .verify import EmbeddingVerifier, default_vocabulary


class Finder:
    """``Scene -> [SoundChoice]`` with everything loaded once; ``usage`` lists its LLM requests."""

    def __init__(
        self,
        settings: Settings,
        source: SoundSource,
        verifier: Verifier,
        hierarchy: ConceptHierarchy,
        *,
        fallback_verifier: Verifier | None = None,
        regenerator: Regenerator | None = None,
        llm_client: Any = None,
    ) -> None:
        self.settings = settings
        self.source = source
        self.verifier = verifier
        self.hierarchy = hierarchy
        self.fallback_verifier = fallback_verifier
        self.regenerator = regenerator
        self._llm_client = llm_client

    @property
    def usage(self) -> list[dict]:
        return list(self._llm_client.usage) if self._llm_client is not None else []

    def __call__(self, scene: Scene) -> list[SoundChoice]:
        s = self.settings
        return find_sounds(
            scene, self.source, self.verifier, self.hierarchy,
            mode=s.mode, seed=s.seed, limit=s.candidates_per_query,
            fallback_verifier=self.fallback_verifier, regenerator=self.regenerator,
        )  # fmt: skip


def embedding_verifier(settings: Settings, hierarchy: ConceptHierarchy, embedder: Any = None) -> EmbeddingVerifier:
    """The finder's embedding verifier: the hierarchy's terms among its rivals, its WordNet as the
    lexicon, the text embedder (the library's, else the default) behind the embedding cache."""
    from ..library.embed import CachedEmbedder, get_embedder

    cached = CachedEmbedder(embedder if embedder is not None else get_embedder(), settings.data_dir / "cache" / "embeddings.sqlite")
    return EmbeddingVerifier(cached, default_vocabulary(hierarchy.terms()), lexicon=SoundWords(hierarchy.wordnet))


def build_finder(settings: Settings) -> Finder:
    """Open the source, load hierarchy and verifier(s) once; return the finder.

    Raises :class:`~image_extender.errors.LibraryError` when the library is missing or
    empty, :class:`~image_extender.errors.SettingsError` for a bad ``hierarchy_file`` or a
    missing ``FREESOUND_API_KEY`` / ``OPENAI_API_KEY`` — before any search is made.
    """
    hierarchy = ConceptHierarchy.load(settings.hierarchy_file, settings.data_dir)
    source, embedder = _open_source(settings, hierarchy)
    embedding = embedding_verifier(settings, hierarchy, embedder)

    verifier: Verifier = embedding
    fallback: Verifier | None = None
    regenerator: Regenerator | None = None
    client = None
    wants_regeneration = settings.verifier == "llm" or settings.regenerate_queries
    if settings.verifier == "llm" or wants_regeneration:
        from ..llm.client import LLMClient

        client = LLMClient(settings.llm)  # SettingsError now if OPENAI_API_KEY is missing
    if settings.verifier == "llm":
        from ..llm.verifier import LLMVerifier

        verifier = LLMVerifier(settings.llm, cache_path=Path(settings.data_dir) / "cache" / "llm_verdicts.sqlite",
                               client=client)  # fmt: skip
        fallback = embedding
    if wants_regeneration and settings.llm.max_regenerations > 0:
        from ..llm.regenerate import QueryRegenerator

        regenerator = QueryRegenerator(settings.llm, client=client)
    return Finder(settings, source, verifier, hierarchy, fallback_verifier=fallback, regenerator=regenerator,
                  llm_client=client)  # fmt: skip


def _open_freesound(settings: Settings, hierarchy: ConceptHierarchy | None = None) -> tuple[SoundSource, Any]:
    from .freesound import FreesoundSource

    fs = settings.freesound
    update = {k: getattr(settings, k) for k in ("mode", "seed") if k in settings.model_fields_set}
    if update:
        fs = fs.model_copy(update=update)
    return FreesoundSource.open(settings.data_dir, fs, offline=settings.offline), None


def open_library(settings: Settings, hierarchy: ConceptHierarchy | None = None):
    """The local :class:`~image_extender.library.store.SoundLibrary`, searching with WordNet
    and imitative words ("feline" and "meow" find the cat; plain words without WordNet)
    and query vectors from the disk embedding cache."""
    from ..library.embed import CachedEmbedder, get_embedder
    from ..library.store import SoundLibrary, stored_embedder_name

    if hierarchy is None:
        hierarchy = ConceptHierarchy.load(settings.hierarchy_file, settings.data_dir)
    words = SoundWords(hierarchy.wordnet)
    # query vectors come back run after run ("dog barking"): served from the disk cache
    name = stored_embedder_name(settings.library_dir)
    embedder = CachedEmbedder(get_embedder(name) if name else get_embedder(), settings.data_dir / "cache" / "embeddings.sqlite")
    return SoundLibrary.open(settings.library_dir, embedder=embedder, expander=words.expansions)


def _open_library(settings: Settings, hierarchy: ConceptHierarchy | None = None) -> tuple[SoundSource, Any]:
    from .library_source import LibrarySource

    lib = open_library(settings, hierarchy)
    return LibrarySource(lib), lib.embedder.inner


# name -> opener (settings, hierarchy) returning (source, the text embedder it was indexed
# with — None when it has none)
SOURCES: dict[str, Callable[[Settings, ConceptHierarchy | None], tuple[SoundSource, Any]]] = {
    "library": _open_library,
    "freesound": _open_freesound,
}


def _open_source(settings: Settings, hierarchy: ConceptHierarchy | None = None) -> tuple[SoundSource, Any]:
    try:
        opener = SOURCES[settings.source]
    except KeyError:
        raise SettingsError(f"unknown sound source '{settings.source}' (known: {', '.join(SOURCES)})") from None
    return opener(settings, hierarchy)
