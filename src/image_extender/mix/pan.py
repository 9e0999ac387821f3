"""Stereo placement: the constant-power (sine/cosine) pan law.

With θ = (pan + 1)·π/4, a mono signal goes to L·cos θ and R·sin θ. cos² + sin² = 1, so
the summed power of the two channels equals the mono power wherever the source sits
(hard left: all in L; centre: −3.01 dB in each channel). This is the classic
"−3 dB centre" law of analogue consoles (see e.g. Griesinger, "Stereo and surround panning
in practice", AES 112th Convention, 2002); it keeps a source's perceived loudness steady
as it moves, which linear (−6 dB centre) panning does not.
"""

from __future__ import annotations

import numpy as np


def pan_gains(pan: float) -> tuple[float, float]:
    """(left, right) gains for ``pan`` in −1 (hard left) … +1 (hard right)."""
    if not -1.0 <= pan <= 1.0:
        raise ValueError(f"pan must lie in [-1, 1], got {pan}")
    theta = (pan + 1.0) * np.pi / 4.0
    return float(np.cos(theta)), float(np.sin(theta))


def pan_mono(mono: np.ndarray, pan: float) -> np.ndarray:
    """Place a mono signal (frames,) in stereo (frames, 2) with the constant-power law."""
    left, right = pan_gains(pan)
    out = np.empty((mono.shape[0], 2), dtype=np.result_type(mono, np.float64))
    np.multiply(mono, left, out=out[:, 0])
    np.multiply(mono, right, out=out[:, 1])
    return out


def balance_stereo(stereo: np.ndarray, pan: float) -> np.ndarray:
    """Shift a stereo bed towards one side, unity at centre.

    Gains are √2·(cos θ, sin θ): at pan 0 both are 1 (the bed passes untouched) and for
    decorrelated channels of equal power the total power is kept, like ``pan_mono``.
    """
    if pan == 0.0:
        return stereo
    left, right = pan_gains(pan)
    return stereo * (np.sqrt(2.0) * np.array([left, right]))


def to_mono(samples: np.ndarray) -> np.ndarray:
    """Average the channels: (frames, channels) -> (frames,)."""
    x = np.asarray(samples)
    return x if x.ndim == 1 else x.mean(axis=1)


def describe_pan(pan: float) -> str:
    """Human label for a pan position: "C", "L 0.6", "R 0.3"."""
    if abs(pan) < 0.05:
        return "C"
    return f"{'L' if pan < 0 else 'R'} {abs(pan):.1f}"
