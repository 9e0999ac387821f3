"""CLAP as a pool embedder: audio and text encoders exported to ONNX, run by onnxruntime.

CLAP (Wu et al. 2023, "Large-scale contrastive language-audio pretraining") trains an
audio encoder and a text encoder into one space, so a chunk can be embedded from its
*sound* and found by a text query. No weights ship in any registry package we can reach,
so the user exports them (e.g. LAION's ``clap-htsat-unfused`` with ``torch.onnx.export``
of ``get_audio_features`` / ``get_text_features``) into one folder:

- ``audio_encoder.onnx`` — input: float32 waveform ``(batch, samples)`` at
  ``sample_rate``; output 0: ``(batch, dim)`` embeddings. (A model whose front end wants
  log-mel frames is exported with that front end inside the graph.)
- ``text_encoder.onnx`` — inputs: int64 ``input_ids`` (and ``attention_mask`` if the
  graph has it) ``(batch, max_length)``; output 0: ``(batch, dim)``.
- ``tokenizer.json`` — a Hugging Face ``tokenizers`` file (what ``save_pretrained`` writes).
- ``clap.json`` (optional) — ``{"sample_rate": 48000, "max_length": 77}`` (these defaults).

Embeddings are L2-normalised here, so the pool's inner-product index is cosine. onnxruntime
and tokenizers are light (no torch). A missing or incomplete folder is one ``ModelError``
line naming the folder and the missing file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..manifest import Sound
from .chunks import to_pool_audio

AUDIO_ENCODER = "audio_encoder.onnx"
TEXT_ENCODER = "text_encoder.onnx"
TOKENIZER = "tokenizer.json"
CONFIG = "clap.json"
REQUIRED = (AUDIO_ENCODER, TEXT_ENCODER, TOKENIZER)
DEFAULTS = {"sample_rate": 48_000, "max_length": 77}
BATCH = 16


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


class ClapOnnx:
    kind = "clap"

    def __init__(self, folder: Path, threads: int = 1) -> None:
        folder = Path(folder)
        if not folder.is_dir():
            raise ModelError(f"{folder}: CLAP model folder not found (needs {', '.join(REQUIRED)})")
        missing = [name for name in REQUIRED if not (folder / name).is_file()]
        if missing:
            raise ModelError(f"{folder}: incomplete CLAP model folder, missing {', '.join(missing)}")
        try:
            config = {**DEFAULTS, **(json.loads((folder / CONFIG).read_text()) if (folder / CONFIG).is_file() else {})}
        except ValueError as exc:
            raise ModelError(f"{folder / CONFIG}: not valid JSON ({exc})") from exc
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        try:
            self._audio = ort.InferenceSession(str(folder / AUDIO_ENCODER), options, providers=["CPUExecutionProvider"])
            self._text = ort.InferenceSession(str(folder / TEXT_ENCODER), options, providers=["CPUExecutionProvider"])
            self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
        except Exception as exc:  # onnxruntime / tokenizers raise their own exception types
            raise ModelError(f"{folder}: cannot load the CLAP model ({str(exc).strip().splitlines()[0]})") from exc
        self.folder = folder.resolve()
        self.sample_rate = int(config["sample_rate"])
        self.max_length = int(config["max_length"])
        self._tokenizer.enable_truncation(self.max_length)
        self._tokenizer.enable_padding(length=self.max_length)
        self._text_inputs = {i.name for i in self._text.get_inputs()}
        self._cache: dict[str, np.ndarray] = {}
        self.dim = int(self.embed_queries(["dim probe"]).shape[1])
        self.name = f"clap-onnx:{self.folder.name}"

    def spec(self) -> dict:
        return {"kind": self.kind, "dir": str(self.folder)}

    def embed_audio(self, waveforms: np.ndarray) -> np.ndarray:
        """``(batch, samples)`` float32 at ``self.sample_rate`` → unit ``(batch, dim)``."""
        name = self._audio.get_inputs()[0].name
        x = np.ascontiguousarray(waveforms, dtype=np.float32)
        return _unit(np.concatenate([self._audio.run(None, {name: x[i:i + BATCH]})[0] for i in range(0, len(x), BATCH)]))

    def embed_chunks(self, sound: Sound, chunks: np.ndarray, sample_rate: int) -> np.ndarray:
        waves = np.stack([to_pool_audio(c, sample_rate, self.sample_rate) for c in chunks])
        return self.embed_audio(waves)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            enc = self._tokenizer.encode_batch(missing)
            feeds = {"input_ids": np.array([e.ids for e in enc], dtype=np.int64)}
            if "attention_mask" in self._text_inputs:
                feeds["attention_mask"] = np.array([e.attention_mask for e in enc], dtype=np.int64)
            self._cache.update(zip(missing, _unit(self._text.run(None, feeds)[0]), strict=True))
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
