"""Freesound.org as a sound source: typed client, cache, rate budget, filters, source.

``FreesoundSource.open(data_dir, FreesoundSettings.load_from_toml(path), offline=...)``
is the one call a pipeline needs; see source.py for the retrieval strategy.
"""

from importlib import import_module

# Imported on first use (PEP 562): the settings module nests ``FreesoundSettings``; the
# client (HTTP, audio decoding) loads only when a command talks to Freesound.
_EXPORTS = {
    "RateBudget": ".budget",
    "FreesoundCache": ".cache",
    "cache_root": ".cache",
    "FreesoundClient": ".client",
    "SearchPage": ".client",
    "SoundRecord": ".client",
    "FreesoundAuthError": ".errors",
    "FreesoundBudgetError": ".errors",
    "FreesoundError": ".errors",
    "FreesoundKeyError": ".errors",
    "FreesoundOfflineError": ".errors",
    "FreesoundOriginalError": ".errors",
    "FreesoundPreviewError": ".errors",
    "ANY": ".filters",
    "FreesoundFilters": ".filters",
    "FreesoundSettings": ".filters",
    "QualityStep": ".filters",
    "licence_key": ".licences",
    "licence_name": ".licences",
    "licence_url": ".licences",
    "FreesoundSource": ".source",
    "sound_from_record": ".source",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
