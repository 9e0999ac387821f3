"""Settings -> a ready ``Scene -> [SoundChoice]`` function (what the pipeline calls)."""

from __future__ import annotations

from collections.abc import Callable

from ..manifest import Scene, SoundChoice
from ..settings import Settings
from .find import find_sounds
from .hierarchy import ConceptHierarchy
from .library_source import LibrarySource
from .verify import EmbeddingVerifier, default_vocabulary


def build_finder(settings: Settings) -> Callable[[Scene], list[SoundChoice]]:
    """Open the library, load hierarchy and verifier once; return the finder.

    Raises :class:`~image_extender.errors.LibraryError` when the library is missing or
    empty, :class:`~image_extender.errors.SettingsError` for a bad ``hierarchy_file``.
    """
    from ..library.embed import CachedEmbedder
    from ..library.store import SoundLibrary

    lib = SoundLibrary.open(settings.library_dir)
    hierarchy = ConceptHierarchy.load(settings.hierarchy_file, settings.data_dir)
    embedder = CachedEmbedder(lib.embedder, settings.data_dir / "cache" / "embeddings.sqlite")
    verifier = EmbeddingVerifier(embedder, default_vocabulary(hierarchy.terms()))
    source = LibrarySource(lib)

    def finder(scene: Scene) -> list[SoundChoice]:
        return find_sounds(
            scene, source, verifier, hierarchy,
            mode=settings.mode, seed=settings.seed, limit=settings.candidates_per_query,
        )  # fmt: skip

    return finder
