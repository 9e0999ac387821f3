"""How pool chunks and concept queries become vectors in one space.

Two backends behind one protocol:

- ``text`` (default): a chunk inherits the text embedding of its recording's
  "name. description. tags" — the library's own embedder (Universal Sentence Encoder,
  offline), so a query "dog barking" lands near recordings *described* as barking. All
  chunks of one recording share that vector, so Algorithm 1 samples among them evenly.
- ``clap``: a CLAP model (audio and text encoders trained into one space, e.g. LAION's
  ``clap-htsat-unfused``) exported to ONNX by the user; each chunk is embedded from its
  *audio*, so chunks of one recording differ (:mod:`.clap`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import SettingsError
from ..library.embed import get_embedder
from ..library.store import embed_text
from ..manifest import Sound


class PoolEmbedder(Protocol):
    kind: str
    name: str
    dim: int

    def spec(self) -> dict:
        """What ``load_pool_embedder`` needs to make the same embedder in another process."""
        ...

    def embed_chunks(self, sound: Sound, chunks: np.ndarray, sample_rate: int) -> np.ndarray:
        """``(n, dim)`` unit vectors for the ``n`` chunks of ``sound``."""
        ...

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """``(len(texts), dim)`` unit vectors."""
        ...


class TextPoolEmbedder:
    """Chunks take their recording's description embedding (see module doc)."""

    kind = "text"

    def __init__(self, embedder_name: str | None = None) -> None:
        self._inner = get_embedder(embedder_name) if embedder_name else get_embedder()
        self.name = self._inner.name
        self.dim = self._inner.dim

    def spec(self) -> dict:
        return {"kind": self.kind, "name": self.name}

    def embed_chunks(self, sound: Sound, chunks: np.ndarray, sample_rate: int) -> np.ndarray:
        vec = self._inner.embed([embed_text(sound.name, sound.description, sound.tags)])[0]
        return np.repeat(vec[None, :], len(chunks), axis=0).astype(np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Served from the embedder's process memo: a dataset repeats the same few hundred queries.

        The embedder encodes every text alone, so a query's vector never depends on what
        else this worker embedded (its analyzer's batches included) — see
        ``UniversalSentenceEncoder.embed``.
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._inner.embed(list(texts)), dtype=np.float32)


def load_pool_embedder(spec: dict) -> PoolEmbedder:
    """The embedder a pool was built with, from the ``embedder`` entry of its ``pool.json``."""
    kind = spec.get("kind", "text")
    if kind == "text":
        return TextPoolEmbedder(spec.get("name"))
    if kind == "clap":
        from .clap import ClapOnnx

        return ClapOnnx(Path(spec["dir"]))
    raise SettingsError(f"pool embedder '{kind}' is unknown (known: text, clap)")


def make_pool_embedder(kind: str, clap_dir: Path | None = None) -> PoolEmbedder:
    """The embedder named on the command line (``--embedder text|clap --clap-dir DIR``)."""
    if kind == "text":
        return TextPoolEmbedder()
    if kind == "clap":
        if clap_dir is None:
            raise SettingsError("--embedder clap needs --clap-dir: a folder with audio_encoder.onnx, text_encoder.onnx, tokenizer.json")
        return load_pool_embedder({"kind": "clap", "dir": str(clap_dir)})
    raise SettingsError(f"--embedder must be 'text' or 'clap', not '{kind}'")
