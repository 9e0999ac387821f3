"""Language-model backends shared by every stage that asks an OpenAI-compatible server.

- :mod:`.settings` — :class:`LLMSettings` (model, base URL, timeouts, retries, image size…)
- :mod:`.client` — :class:`LLMClient`: strict-JSON chat completions, retries, token usage;
  :class:`LLMBacked`: the settings, lazy client, ``load()`` and ``usage`` every model-backed part shares
- :mod:`.image_payload` — photo → downscaled inline data URL
- :mod:`.verifier` — :class:`LLMVerifier`: is the recording the thing or only about it?
- :mod:`.regenerate` — :class:`QueryRegenerator`: new queries for a tag that found nothing

The scene analyzers that use them live in ``analyze/openai_vlm.py`` and ``analyze/hybrid.py``.
"""

from importlib import import_module

# Imported on first use (PEP 562): the settings module nests ``LLMSettings``, and importing
# ``openai`` for it would cost every command ~0.4 s, also those that never ask a model.
_EXPORTS = {"LLMClient": ".client", "LLMError": ".client", "LLMSettings": ".settings"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
