"""A small street scene built from real recordings, shared by the psychoacoustic mixer tests.

Not a test module: ``test_masking.py``, ``test_dyneq.py`` and ``test_optimize.py`` import
it. Every stem is a real recording (scaper's test audio, ``assets/scaper-audio``) placed at
a known time and brought to a known active-RMS level, so the tests know which tracks
sound together and which never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from image_extender.mix.levels import active_rms_db
from image_extender.mix.pan import pan_mono

AUDIO = Path(__file__).resolve().parents[1] / "assets" / "scaper-audio"
SR = 44100
SECONDS = 12.0

# label, file, start (s), active RMS dBFS, pan, importance (beds 0; horn is the most important)
LAYOUT = [
    ("street", "150993__saphe__street-scene-1.wav", 0.0, -30.0, 0.0, 0.0),
    ("voice", "42-Human-Vocal-Voice-all-aboard_edit.wav", 3.0, -30.0, -0.3, 0.6),
    ("horn", "17-CAR-Rolls-Royce-Horn-2.wav", 3.5, -24.0, 0.5, 0.9),
    ("dog", "dogbark.wav", 7.0, -28.0, 0.7, 0.3),
    ("taxi", "42-Human-Vocal-Voice-taxi-1_edit.wav", 9.0, -30.0, -0.5, 0.5),
]


@dataclass(frozen=True)
class Scene:
    labels: list[str]
    stems: list[np.ndarray]  # (frames, 2) float64
    importance: list[float]
    spans: list[tuple[float, float]]  # when each track sounds (start, end) in seconds
    sample_rate: int = SR


def load_mono(name: str, sample_rate: int = SR) -> np.ndarray:
    data, sr = sf.read(str(AUDIO / name), dtype="float64", always_2d=True)
    if sr != sample_rate:
        data = soxr.resample(data, sr, sample_rate)
    return data.mean(axis=1)


def build_scene(layout=LAYOUT, seconds: float = SECONDS, sample_rate: int = SR) -> Scene:
    n = int(round(seconds * sample_rate))
    labels, stems, importance, spans = [], [], [], []
    for label, name, start, level, pan, imp in layout:
        x = load_mono(name, sample_rate)
        lane = np.zeros(n)
        s = int(round(start * sample_rate))
        m = min(x.size, n - s)
        lane[s : s + m] = x[:m]
        stem = pan_mono(lane, pan)
        stem *= 10 ** ((level - active_rms_db(stem, sample_rate)) / 20)
        labels.append(label)
        stems.append(stem)
        importance.append(imp)
        spans.append((start, start + m / sample_rate))
    return Scene(labels, stems, importance, spans, sample_rate)
