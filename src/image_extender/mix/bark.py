"""Energy in Zwicker's critical bands, frame by frame: the grid masking is measured on.

Two sounds mask each other when they put energy into the same *critical band* at the same
time (the ear integrates power within a band, so a louder sound in that band hides a
quieter one). Zwicker (1961, "Subdivision of the audible frequency range into critical
bands", JASA 33(2):248) tabulated 24 bands up to 15.5 kHz; like most audio work we add a
25th band 15.5–20 kHz so the grid covers 20 Hz – 20 kHz. Band *z* spans roughly one Bark:
the analytic fit of Zwicker & Terhardt (1980, JASA 68(5):1523),
``z(f) = 13·atan(0.00076 f) + 3.5·atan((f/7500)²)``, maps every tabulated edge to within
0.25 Bark of an integer (see ``hz_to_bark``), which is how the tests check the table.

Band energies come from one STFT per signal (periodic Hann window, 2048 points / hop 1024
at 44.1 kHz ≈ 46 ms / 23 ms, scaled with the sample rate; the frames are cut with a strided
view and transformed with ``scipy.fft.rfft`` in float32, and frames that hold only digital
silence are skipped — an object that sounds for 3 s of a 30 s mix costs a tenth of a bed;
the signal is padded, framed and transformed ``CHUNK_FRAMES`` frames at a time, so the
working memory beyond the signal and its result stays a few MB at any length).
Each frame's power spectrum is summed over the bins of a band and normalised (Parseval)
so that the 25 band powers of a frame add up to the frame's mean-square sample value,
summed over channels — the same dBFS-power scale ``levels.py`` uses: a full-scale sine
reads −3 dB, and a band level is directly comparable to an active RMS level.

Frame ``k`` is centred on sample ``k·hop``; every signal of the same length gets the same
frames, so the band energies of different tracks line up cell by cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal.windows import hann

from .blocks import as_frames

# Zwicker (1961), Table I band edges in Hz, plus the customary 25th band to 20 kHz.
BARK_EDGES_HZ = np.array(
    [
        20, 100, 200, 300, 400, 510, 630, 770, 920, 1080, 1270, 1480, 1720,
        2000, 2320, 2700, 3150, 3700, 4400, 5300, 6400, 7700, 9500, 12000, 15500, 20000,
    ],
    dtype=np.float64,
)  # fmt: skip
# Zwicker's tabulated centre frequencies (the 25th: the band's geometric-ish middle).
BARK_CENTRES_HZ = np.array(
    [
        50, 150, 250, 350, 450, 570, 700, 840, 1000, 1170, 1370, 1600, 1850,
        2150, 2500, 2900, 3400, 4000, 4800, 5800, 7000, 8500, 10500, 13500, 17500,
    ],
    dtype=np.float64,
)  # fmt: skip
N_BANDS = len(BARK_CENTRES_HZ)  # 25

REFERENCE_RATE = 44100
REFERENCE_NFFT = 2048
REFERENCE_HOP = 1024
CHUNK_FRAMES = 512  # STFT frames (× channels) transformed at once: ~4 MB of float32 windows at 44.1 kHz


def hz_to_bark(freq_hz: np.ndarray | float) -> np.ndarray:
    """Critical-band rate in Bark (Zwicker & Terhardt 1980): 13·atan(0.00076 f) + 3.5·atan((f/7500)²)."""
    f = np.asarray(freq_hz, dtype=np.float64)
    return 13.0 * np.arctan(0.00076 * f) + 3.5 * np.arctan((f / 7500.0) ** 2)


def stft_sizes(sample_rate: int) -> tuple[int, int]:
    """(n_fft, hop) giving ~46 ms windows / ~23 ms hops at any rate (powers of two)."""
    n_fft = int(2 ** round(np.log2(REFERENCE_NFFT * sample_rate / REFERENCE_RATE)))
    n_fft = max(256, n_fft)
    return n_fft, n_fft // 2


def band_matrix(n_fft: int, sample_rate: int) -> np.ndarray:
    """(25, n_fft//2 + 1) 0/1 matrix assigning each one-sided FFT bin to its Bark band.

    Bins below 20 Hz or above 20 kHz (or Nyquist) belong to no band. A band lying wholly
    above Nyquist has no bins and always reads zero energy.
    """
    freqs = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    idx = np.searchsorted(BARK_EDGES_HZ, freqs, side="right") - 1
    inside = (freqs >= BARK_EDGES_HZ[0]) & (freqs < BARK_EDGES_HZ[-1])
    m = np.zeros((N_BANDS, freqs.size))
    m[idx[inside], np.nonzero(inside)[0]] = 1.0
    return m


@dataclass(frozen=True)
class BandEnergies:
    """Per-frame power in each Bark band of one signal (dBFS-power scale, linear units)."""

    energy: np.ndarray  # (frames, 25) mean-square power, summed over channels
    sample_rate: int
    hop: int
    n_fft: int

    @property
    def frames(self) -> int:
        return self.energy.shape[0]

    @property
    def hop_seconds(self) -> float:
        return self.hop / self.sample_rate

    @property
    def times(self) -> np.ndarray:
        """Frame centres in seconds."""
        return np.arange(self.frames) * self.hop_seconds

    def level_db(self, floor_db: float = -150.0) -> np.ndarray:
        """10·log10 of the band powers, floored so silence stays finite."""
        return 10.0 * np.log10(np.maximum(self.energy, 10.0 ** (floor_db / 10.0)))

    def scaled(self, gain_db: float) -> BandEnergies:
        return BandEnergies(self.energy * 10.0 ** (gain_db / 10.0), self.sample_rate, self.hop, self.n_fft)


def band_energies(samples: np.ndarray, sample_rate: int, *, n_fft: int | None = None, hop: int | None = None,
                  update: tuple[BandEnergies, list[tuple[float, float]]] | None = None) -> BandEnergies:
    """STFT → per-frame energy in the 25 Bark bands (see the module docstring).

    ``samples`` is (frames,) or (frames, channels); channel powers are summed (what
    reaches both ears together — spatial release from masking is deliberately ignored).

    ``update=(base, spans)``: ``samples`` differ from the signal ``base`` was measured on
    only inside ``spans`` (seconds) — e.g. a stem after dynamic EQ — so only the frames
    whose window reaches into a span are computed; the others are copied from ``base``.
    The result equals a full analysis. ``samples`` may be a ``blocks.FrameFile`` (read a chunk at a time).
    """
    x = as_frames(samples)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"audio must be (frames,) or (frames, channels), got shape {x.shape}")
    default_nfft, default_hop = stft_sizes(sample_rate)
    n_fft = n_fft or default_nfft
    hop = hop or default_hop
    n = x.shape[0]
    n_frames = max(1, -(-n // hop))  # frame k centred on sample k*hop, k < ceil(n / hop)
    half = n_fft // 2
    step = max(1, CHUNK_FRAMES // max(1, x.shape[1]))  # frames per chunk

    def padded(a: int, b: int) -> np.ndarray:
        """Samples [a, b) of the signal padded with ``half`` zeros in front (and zeros after), float32."""
        out = np.zeros((b - a, x.shape[1]), dtype=np.float32)
        lo, hi = max(a, half), min(b, half + n)
        if lo < hi:
            out[lo - a : hi - a] = x[lo - half : hi - half]
        return out

    # skip frames of digital silence: their energy is exactly zero (frame k spans hop blocks k and k+1)
    nonzero = np.zeros(n_frames + 1, dtype=bool)
    for b0 in range(0, n_frames + 1, step):
        b1 = min(n_frames + 1, b0 + step)
        head = padded(b0 * hop, b1 * hop)
        on = head[:, 0] != 0
        for c in range(1, head.shape[1]):  # per column: much faster than any(axis=1) on (n, 2)
            on |= head[:, c] != 0
        nonzero[b0:b1] = on.reshape(b1 - b0, hop).any(axis=1)
    live_mask = nonzero[:-1] | nonzero[1:]
    energy = np.zeros((n_frames, N_BANDS))
    if update is not None:
        base, spans = update
        if base.energy.shape != energy.shape or base.hop != hop or base.n_fft != n_fft:
            raise ValueError("band_energies(update=...): base was measured on a different grid")
        touched = np.zeros(n_frames, dtype=bool)
        for t0, t1 in spans:  # frame k covers samples [k*hop - half, k*hop + half)
            k0 = max(0, int(np.floor((t0 * sample_rate - half) / hop)))
            k1 = min(n_frames, int(np.ceil((t1 * sample_rate + half) / hop)) + 1)
            touched[k0:k1] = True
        energy[~touched] = base.energy[~touched]
        live_mask &= touched
    if not live_mask.any():
        return BandEnergies(energy, sample_rate, hop, n_fft)
    win = hann(n_fft, sym=False)
    # one-sided spectrum: interior bins stand for ±f; Parseval for a Hann-windowed frame
    weight = np.full(n_fft // 2 + 1, 2.0)
    weight[0] = 1.0
    if n_fft % 2 == 0:
        weight[-1] = 1.0
    scale = weight / (n_fft * float(np.sum(win**2)))
    to_bands = (band_matrix(n_fft, sample_rate) * scale).T.astype(np.float32)
    win32 = win.astype(np.float32)
    for k0 in range(0, n_frames, step):  # a few MB of windows and spectra at a time, at any length
        k1 = min(n_frames, k0 + step)
        rows = np.nonzero(live_mask[k0:k1])[0]
        if rows.size == 0:
            continue
        segment = padded(k0 * hop, (k1 - 1) * hop + n_fft)
        frames = sliding_window_view(segment, n_fft, axis=0)[::hop]  # (frames, ch, n_fft) view
        spec = scipy.fft.rfft(frames[rows] * win32, axis=-1, workers=-1)  # (rows, ch, bins)
        power = spec.real**2
        power += spec.imag**2
        power = power.sum(axis=1) if power.shape[1] > 1 else power[:, 0]
        energy[k0 + rows] = power @ to_bands
    return BandEnergies(energy, sample_rate, hop, n_fft)
