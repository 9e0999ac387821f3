"""Read audio files and measure their loudness: the library's only contact with codecs.

Decoding goes through libsndfile (``soundfile``). libsndfile >= 1.1 reads MPEG audio, so
WAV, OGG/Vorbis, FLAC, AIFF and MP3 all take the same path; with an older libsndfile an
MP3 fails like any other unreadable file (``AudioReadError`` saying so), it is never
silently dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile as sf

from ..errors import InputError

AUDIO_SUFFIXES = frozenset({".wav", ".ogg", ".oga", ".mp3", ".flac", ".aiff", ".aif"})

SILENCE_LUFS = -70.0  # BS.1770-4 absolute gate: anything quieter counts as silence
MIN_MEASURE_SECONDS = 0.5  # > one 400 ms gating block, so short clips still get a reading


class AudioReadError(InputError):
    """A file that should be audio cannot be decoded (corrupt, truncated, not audio)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: cannot read audio ({reason})")


@dataclass(frozen=True)
class AudioInfo:
    duration: float  # seconds
    sample_rate: int
    channels: int
    frames: int


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def probe(path: Path | str) -> AudioInfo:
    """Header facts of an audio file without decoding it.

    Raises ``AudioReadError`` when libsndfile cannot open the file or the header claims
    an empty / nonsensical stream.
    """
    try:
        info = sf.info(str(path))
    except Exception as exc:  # soundfile raises LibsndfileError, RuntimeError, OSError…
        raise AudioReadError(path, _reason(exc)) from exc
    if info.samplerate <= 0 or info.channels <= 0:
        raise AudioReadError(path, f"header says {info.samplerate} Hz, {info.channels} channels")
    return AudioInfo(
        duration=info.frames / info.samplerate,
        sample_rate=int(info.samplerate),
        channels=int(info.channels),
        frames=int(info.frames),
    )


def read_audio(path: Path | str) -> tuple[np.ndarray, int]:
    """Decode a whole file to float32 samples shaped ``(frames, channels)``.

    A file whose header is fine but whose body is truncated or garbled raises
    ``AudioReadError`` (libsndfile reports a decode error, or returns no frames).
    """
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:
        raise AudioReadError(path, _reason(exc)) from exc
    if data.shape[0] == 0:
        raise AudioReadError(path, "no audio frames")
    if not np.all(np.isfinite(data)):
        raise AudioReadError(path, "decoded samples contain NaN or infinity")
    return data, int(sr)


def integrated_lufs(samples: np.ndarray, sr: int, min_duration: float = MIN_MEASURE_SECONDS) -> float:
    """Integrated loudness in LUFS per ITU-R BS.1770-4 (K-weighting, 400 ms gated blocks).

    BS.1770 cannot measure a clip shorter than one 400 ms gating block, yet many sound
    effects (a bark, a click) are that short. Like scaper's ``get_integrated_lufs`` we tile
    such a clip end-to-end until it lasts at least ``min_duration`` and measure the tiled
    signal: its loudness is the loudness of the clip repeated, which is what a listener
    hears when it plays. Digital silence (pyloudnorm's ``-inf``) and anything below the
    absolute gate are floored at −70 LUFS so the value is always finite and sortable.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.shape[0] == 0 or sr <= 0:
        return SILENCE_LUFS
    need = int(math.ceil(max(min_duration, 0.4) * sr)) + 1
    if x.shape[0] < need:
        x = np.tile(x, (int(math.ceil(need / x.shape[0])), 1))
    meter = pyloudnorm.Meter(sr)  # default block_size=0.400, K-weighting
    # pyloudnorm's channel gains cover up to 5 channels (BS.1770 surround layout).
    if x.shape[1] > 5:
        x = x[:, :5]
    loudness = float(meter.integrated_loudness(x))
    if not math.isfinite(loudness) or loudness < SILENCE_LUFS:
        return SILENCE_LUFS
    return loudness
