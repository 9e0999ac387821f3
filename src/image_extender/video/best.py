"""The most representative frame, and where the scene changes, from frame embeddings.

Each sampled frame has the classifier's 1280-d penultimate-layer embedding (EfficientNet-
Lite3, L2-normalised), so 1 − cosine similarity is a distance between pictures.

* **Best frame**: k-medoids with k = 1 — the frame whose summed distance to all others is
  smallest (Immersivaudio's choice), solved with FasterPAM (Schubert & Rousseeuw 2021,
  PyPI ``kmedoids``). With k = 1 this is exact: the medoid of the clip.
* **Scene changes**: consecutive samples whose distance exceeds ``CUT_DISTANCE`` (a camera
  pan across one place stays well below it; a cut to another place lands above). A cut is
  placed half-way between the two samples; each stretch between cuts is a segment, with
  its own medoid frame whose ambience the bed follows.
"""

from __future__ import annotations

import numpy as np

from ..manifest import BestFrame, SceneCut

CUT_DISTANCE = 0.45


def distances(embeddings: np.ndarray) -> np.ndarray:
    """Pairwise cosine distances (n, n) of L2-normalised rows, ≥ 0, zero diagonal."""
    e = np.asarray(embeddings, dtype=np.float64)
    d = np.clip(1.0 - e @ e.T, 0.0, 2.0)
    np.fill_diagonal(d, 0.0)
    return d


def medoid(dist: np.ndarray) -> int:
    """Index of the 1-medoid of a distance matrix (FasterPAM, deterministic seed)."""
    if dist.shape[0] == 1:
        return 0
    import kmedoids

    return int(kmedoids.fasterpam(dist, 1, random_state=0, n_cpu=1).medoids[0])


def best_frame(embeddings: np.ndarray, times: list[float]) -> BestFrame:
    dist = distances(embeddings)
    index = medoid(dist)
    mean = float(dist[index].sum() / max(1, dist.shape[0] - 1))
    return BestFrame(index=index, time=times[index], mean_distance=round(mean, 4),
                     reason=f"k-medoids (k=1, FasterPAM) over {len(times)} sampled frames: the frame closest to "
                            f"all others, mean cosine distance {mean:.3f} of EfficientNet-Lite3 embeddings")


def scene_cuts(embeddings: np.ndarray, times: list[float], threshold: float = CUT_DISTANCE) -> list[SceneCut]:
    e = np.asarray(embeddings, dtype=np.float64)
    cuts = []
    for i in range(len(times) - 1):
        d = float(1.0 - e[i] @ e[i + 1])
        if d > threshold:
            cuts.append(SceneCut(time=round((times[i] + times[i + 1]) / 2, 6), distance=round(d, 4), before=i, after=i + 1))
    return cuts


def segment_medoids(embeddings: np.ndarray, cuts: list[SceneCut]) -> list[tuple[int, int, int]]:
    """(first, last, medoid) sampled-frame indices of each segment between cuts."""
    n = len(embeddings)
    bounds = [0] + [c.after for c in cuts] + [n]
    out = []
    for a, b in zip(bounds, bounds[1:]):
        dist = distances(np.asarray(embeddings)[a:b])
        out.append((a, b - 1, a + medoid(dist)))
    return out
