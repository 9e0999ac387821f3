"""Image → Scene. Backends register here by name; ``settings.analyzer`` picks one.

Adding a backend: one module with a class satisfying :class:`~.base.SceneAnalyzer` (plus a
``load()`` the pipeline calls before ``analyze()``), and one line in ``ANALYZERS``.
Factories import their module lazily so choosing one backend never loads another's models.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import SettingsError
from .base import LoadedImage, SceneAnalyzer

if TYPE_CHECKING:
    from ..settings import Settings


def _offline(settings: Settings) -> SceneAnalyzer:
    from .offline import OfflineAnalyzer

    return OfflineAnalyzer(min_confidence=settings.min_confidence, max_objects=settings.max_objects)


def _openai(settings: Settings) -> SceneAnalyzer:
    from .openai_vlm import OpenAIAnalyzer

    return OpenAIAnalyzer.from_settings(settings)


def _hybrid(settings: Settings) -> SceneAnalyzer:
    from .hybrid import HybridAnalyzer

    return HybridAnalyzer.from_settings(settings)


ANALYZERS: dict[str, Callable[[Settings], SceneAnalyzer]] = {
    "offline": _offline,
    "openai": _openai,
    "hybrid": _hybrid,
}


def get_analyzer(name: str, settings: Settings) -> SceneAnalyzer:
    """The analyzer registered as ``name``, configured from ``settings``."""
    try:
        factory = ANALYZERS[name]
    except KeyError:
        raise SettingsError(f"setting 'analyzer': unknown analyzer '{name}'; known: {', '.join(sorted(ANALYZERS))}") from None
    return factory(settings)


__all__ = ["ANALYZERS", "LoadedImage", "SceneAnalyzer", "get_analyzer"]
