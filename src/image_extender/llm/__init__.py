"""Language-model backends shared by every stage that asks an OpenAI-compatible server.

- :mod:`.settings` — :class:`LLMSettings` (model, base URL, timeouts, retries, image size…)
- :mod:`.client` — :class:`LLMClient`: strict-JSON chat completions, retries, token usage;
  :class:`LLMBacked`: the settings, lazy client, ``load()`` and ``usage`` every model-backed part shares
- :mod:`.image_payload` — photo → downscaled inline data URL
- :mod:`.verifier` — :class:`LLMVerifier`: is the recording the thing or only about it?
- :mod:`.regenerate` — :class:`QueryRegenerator`: new queries for a tag that found nothing

The scene analyzers that use them live in ``analyze/openai_vlm.py`` and ``analyze/hybrid.py``.
"""

from .client import LLMClient, LLMError
from .settings import LLMSettings

__all__ = ["LLMClient", "LLMError", "LLMSettings"]
