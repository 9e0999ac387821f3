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
BLOCK_SECONDS = 30.0  # long files are decoded this much at a time: memory does not grow with length
STREAM_ABOVE_SECONDS = 60.0  # longer files are measured block by block (shorter: decoded whole)
GATE_BLOCK = 0.4  # BS.1770-4 gating block (s) and its 75 % overlap -> 100 ms hop
GATE_STEP = 0.25
CHANNEL_GAINS = (1.0, 1.0, 1.0, 1.41, 1.41)  # BS.1770-4 L, R, C, Ls, Rs


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


def read_audio(path: Path | str, max_seconds: float | None = None) -> tuple[np.ndarray, int]:
    """Decode a file (or only its first ``max_seconds``) to float32 samples ``(frames, channels)``.

    A file whose header is fine but whose body is truncated or garbled raises
    ``AudioReadError`` (libsndfile reports a decode error, or returns no frames). Callers
    that only need an excerpt (an embedding model's input) pass ``max_seconds`` so a
    ten-hour recording costs what a short one does.
    """
    try:
        frames = -1
        if max_seconds is not None:
            frames = max(1, int(max_seconds * sf.info(str(path)).samplerate))
        data, sr = sf.read(str(path), frames=frames, dtype="float32", always_2d=True)
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


@dataclass(frozen=True)
class Measured:
    """What ingest needs of a recording: decoded length and loudness."""

    duration: float  # seconds actually decoded (a truncated body counts what is there)
    loudness_lufs: float


def measure_file(path: Path | str, block_seconds: float = BLOCK_SECONDS) -> Measured:
    """Duration and integrated loudness (BS.1770-4) of a file, in bounded memory.

    A file up to :data:`STREAM_ABOVE_SECONDS` is decoded whole (:func:`integrated_lufs`,
    short clips tiled); a longer one is decoded ``block_seconds`` at a time through the
    same K-weighting filters (their state carried across blocks) into 100 ms energy sums,
    so a ten-hour field recording needs a few MB, not 12 GB. Gating is BS.1770-4's:
    400 ms blocks with 75 % overlap, absolute gate −70 LUFS, relative gate −10 LU.
    """
    info = probe(path)
    if info.duration <= STREAM_ABOVE_SECONDS:
        samples, sr = read_audio(path)
        return Measured(samples.shape[0] / sr, integrated_lufs(samples, sr))
    return _measure_stream(path, info, block_seconds)


def _measure_stream(path: Path | str, info: AudioInfo, block_seconds: float) -> Measured:
    import scipy.signal

    sr = info.sample_rate
    channels = min(info.channels, len(CHANNEL_GAINS))
    stages = [(f.b, f.a, f.passband_gain) for f in pyloudnorm.Meter(sr)._filters.values()]
    states = [np.zeros((max(len(a), len(b)) - 1, channels)) for b, a, _ in stages]
    hop_edges = _HopEdges(sr)
    energies: list[np.ndarray] = []  # per 100 ms hop, per channel: sum of squared weighted samples
    current = np.zeros(channels)
    frames = 0
    try:
        for block in sf.blocks(str(path), blocksize=max(1, int(block_seconds * sr)), dtype="float64", always_2d=True):
            if not np.all(np.isfinite(block)):
                raise AudioReadError(path, "decoded samples contain NaN or infinity")
            x = block[:, :channels]
            for k, (b, a, gain) in enumerate(stages):
                x, states[k] = scipy.signal.lfilter(b, a, x, axis=0, zi=states[k])
                x = x * gain
            squares = np.square(x)
            start = 0
            while frames + (len(squares) - start) >= hop_edges.next:
                take = hop_edges.next - frames
                current += squares[start:start + take].sum(axis=0)
                energies.append(current)
                current = np.zeros(channels)
                start += take
                frames += take
                hop_edges.advance()
            current += squares[start:].sum(axis=0)
            frames += len(squares) - start
    except AudioReadError:
        raise
    except Exception as exc:
        raise AudioReadError(path, _reason(exc)) from exc
    if frames == 0:
        raise AudioReadError(path, "no audio frames")
    energies.append(current)
    return Measured(frames / sr, _gated_loudness(np.array(energies), frames, sr))


class _HopEdges:
    """Sample index where each 100 ms hop ends, computed as pyloudnorm bounds its blocks."""

    def __init__(self, sr: int) -> None:
        self.sr = sr
        self.k = 1
        self.next = self._edge(1)

    def _edge(self, k: int) -> int:
        return int(GATE_BLOCK * (k * GATE_STEP) * self.sr)

    def advance(self) -> None:
        self.k += 1
        self.next = self._edge(self.k)


def _gated_loudness(hops: np.ndarray, frames: int, sr: int) -> float:
    """BS.1770-4 gated loudness from per-hop energy sums (hops × channels)."""
    per_block = int(round(1.0 / GATE_STEP))  # 4 hops make one 400 ms block
    count = int(np.round((frames / sr - GATE_BLOCK) / (GATE_BLOCK * GATE_STEP))) + 1
    if count <= 0:
        return SILENCE_LUFS
    csum = np.vstack([np.zeros((1, hops.shape[1])), np.cumsum(hops, axis=0)])
    j = np.arange(count)
    hi = np.minimum(j + per_block, hops.shape[0])
    z = (csum[hi] - csum[np.minimum(j, hops.shape[0])]) / (GATE_BLOCK * sr)  # blocks × channels
    gains = np.array(CHANNEL_GAINS[: hops.shape[1]])
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10.0 * np.log10(z @ gains)
    above = block_lufs >= SILENCE_LUFS
    if not above.any():
        return SILENCE_LUFS
    relative = -0.691 + 10.0 * np.log10(z[above].mean(axis=0) @ gains) - 10.0
    kept = (block_lufs > relative) & (block_lufs > SILENCE_LUFS)
    if not kept.any():
        return SILENCE_LUFS
    loudness = -0.691 + 10.0 * np.log10(z[kept].mean(axis=0) @ gains)
    return float(loudness) if math.isfinite(loudness) and loudness >= SILENCE_LUFS else SILENCE_LUFS
