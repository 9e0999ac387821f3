"""Freesound errors, as subclasses of the tool's one hierarchy (so the CLI prints one line).

No message ever contains the API key: the client redacts it from anything it formats.
"""

from __future__ import annotations

from ...errors import RetrievalError, SettingsError


class FreesoundError(RetrievalError):
    """The Freesound API could not answer (after retries) or answered nonsense."""


class FreesoundKeyError(SettingsError):
    """``FREESOUND_API_KEY`` is missing, or the server rejected it."""


class FreesoundBudgetError(FreesoundError):
    """The client-side daily request budget is spent; waiting would take hours."""


class FreesoundOfflineError(FreesoundError):
    """Offline mode and the answer is not in the cache."""


class FreesoundPreviewError(FreesoundError):
    """A sound's preview could not be downloaded or is not audio."""
