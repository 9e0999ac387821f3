"""Outputs a user keeps: audio files, timeline picture, credits, ZIP bundle."""

from importlib import import_module

# Imported on first use (PEP 562): ``report.bundle`` must not pull matplotlib in.
_EXPORTS = {
    "collect_sounds": ".bundle",
    "write_audio": ".audio",
    "write_bundle": ".bundle",
    "write_credits": ".credits",
    "write_stems": ".bundle",
    "write_timeline": ".timeline",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
