"""Outputs a user keeps: audio files, timeline picture, credits, ZIP bundle."""

from .audio import write_audio
from .bundle import collect_sounds, write_bundle, write_stems
from .credits import write_credits
from .timeline import write_timeline

__all__ = ["collect_sounds", "write_audio", "write_bundle", "write_credits", "write_stems", "write_timeline"]
