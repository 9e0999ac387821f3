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


class FreesoundOriginalError(FreesoundError):
    """A sound's original file could not be downloaded or read (the HQ preview still can be)."""


class FreesoundAuthError(FreesoundOriginalError):
    """The OAuth2 access token (``FREESOUND_OAUTH_TOKEN``) is missing, expired or refused (401/403)."""
