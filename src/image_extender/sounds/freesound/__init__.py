"""Freesound.org as a sound source: typed client, cache, rate budget, filters, source.

``FreesoundSource.open(data_dir, FreesoundSettings.load_from_toml(path), offline=...)``
is the one call a pipeline needs; see source.py for the retrieval strategy.
"""

from .budget import RateBudget
from .cache import FreesoundCache, cache_root
from .client import FreesoundClient, SearchPage, SoundRecord
from .errors import (
    FreesoundAuthError,
    FreesoundBudgetError,
    FreesoundError,
    FreesoundKeyError,
    FreesoundOfflineError,
    FreesoundOriginalError,
    FreesoundPreviewError,
)
from .filters import ANY, FreesoundFilters, FreesoundSettings, QualityStep
from .licences import licence_key, licence_name, licence_url
from .source import FreesoundSource, sound_from_record

__all__ = [
    "ANY",
    "FreesoundAuthError",
    "FreesoundBudgetError",
    "FreesoundCache",
    "FreesoundClient",
    "FreesoundError",
    "FreesoundFilters",
    "FreesoundKeyError",
    "FreesoundOfflineError",
    "FreesoundOriginalError",
    "FreesoundPreviewError",
    "FreesoundSettings",
    "FreesoundSource",
    "QualityStep",
    "RateBudget",
    "SearchPage",
    "SoundRecord",
    "cache_root",
    "licence_key",
    "licence_name",
    "licence_url",
    "sound_from_record",
]
