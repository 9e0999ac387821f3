"""The Ray engine gives the local engine's dataset; the CLAP backend runs real ONNX graphs.

Ray: a real local Ray (``ray.init(num_cpus=2)``, no dashboard), two actors, shut down at
the end. CLAP: no weights can be fetched here, so the test builds a tiny audio encoder
and text encoder with the ``onnx`` helper API and a word-level tokenizer with
``tokenizers``, and checks that onnxruntime's outputs reach the pool and the queries.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from dataset_pool_fixture import small_pool
from dataset_rows import assert_same_rows, stable

from image_extender.dataset import LocalEngine, run_dataset
from image_extender.dataset.metadata import read_rows
from image_extender.errors import ModelError
from image_extender.settings import load_settings


@pytest.fixture(scope="module")
def photos(darknet_photos, tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    for name in ("dog.jpg", "horses.jpg", "eagle.jpg"):
        (folder / name).write_bytes((darknet_photos / name).read_bytes())
    return folder


def test_ray_actors_make_the_same_dataset_as_local_processes(photos, tmp_path_factory, tmp_path):
    import ray

    from image_extender.dataset.ray_engine import RayEngine

    pool_dir = small_pool(tmp_path_factory.getbasetemp()).pool_dir
    run_dataset(photos, tmp_path / "local", load_settings(), LocalEngine(1), pool_dir=pool_dir, seed=3)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        summary = run_dataset(photos, tmp_path / "ray", load_settings(), RayEngine(2), pool_dir=pool_dir, seed=3)
    finally:
        ray.shutdown()
    assert summary.processed == 3 and summary.counts["ok"] == 3
    assert_same_rows(stable(read_rows(tmp_path / "ray")), stable(read_rows(tmp_path / "local")))
    for flac in (tmp_path / "local" / "audio").glob("*.flac"):
        assert (tmp_path / "ray" / "audio" / flac.name).read_bytes() == flac.read_bytes()


# --------------------------------------------------------------------------- CLAP (ONNX)

DIM = 8
VOCAB = ["[PAD]", "[UNK]", "dog", "barking", "city", "street", "traffic", "rain", "bird"]


def _write_clap(folder: Path, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Audio encoder: [mean |x|, max |x|, RMS of diff] @ W; text encoder: mean of token embeddings."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer, models, pre_tokenizers

    rng = np.random.default_rng(seed)
    w = rng.normal(size=(3, DIM)).astype(np.float32)
    table = rng.normal(size=(len(VOCAB), DIM)).astype(np.float32)
    axes = numpy_helper.from_array(np.array([1], np.int64), "axes")
    audio = helper.make_graph(
        [helper.make_node("Abs", ["wave"], ["mag"]),
         helper.make_node("ReduceMean", ["mag", "axes"], ["mean"], keepdims=1),
         helper.make_node("ReduceMax", ["mag", "axes"], ["peak"], keepdims=1),
         helper.make_node("Mul", ["wave", "wave"], ["sq"]),
         helper.make_node("ReduceMean", ["sq", "axes"], ["ms"], keepdims=1),
         helper.make_node("Sqrt", ["ms"], ["rms"]),
         helper.make_node("Concat", ["mean", "peak", "rms"], ["feat"], axis=1),
         helper.make_node("MatMul", ["feat", "W"], ["embedding"])],
        "tiny_audio_encoder",
        [helper.make_tensor_value_info("wave", TensorProto.FLOAT, ["batch", "samples"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIM])],
        [numpy_helper.from_array(w, "W"), axes])
    text = helper.make_graph(
        [helper.make_node("Gather", ["E", "input_ids"], ["tok"], axis=0),
         helper.make_node("ReduceMean", ["tok", "axes"], ["embedding"], keepdims=0)],
        "tiny_text_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIM])],
        [numpy_helper.from_array(table, "E"), axes])
    for graph, name in ((audio, "audio_encoder.onnx"), (text, "text_encoder.onnx")):
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
        onnx.checker.check_model(model)
        onnx.save(model, folder / name)
    tok = Tokenizer(models.WordLevel({t: i for i, t in enumerate(VOCAB)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    tok.save(str(folder / "tokenizer.json"))
    (folder / "clap.json").write_text('{"sample_rate": 16000, "max_length": 4}')
    return w, table


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_clap_backend_embeds_pool_chunks_from_their_audio_with_onnxruntime(tmp_path):
    from dataset_pool_fixture import POOL_SOURCES, library_dir

    from image_extender.dataset.clap import ClapOnnx
    from image_extender.dataset.pool import AudioPool, build_pool
    from image_extender.library.store import SoundLibrary

    w, table = _write_clap(tmp_path)
    clap = ClapOnnx(tmp_path)
    assert clap.dim == DIM
    # text: "dog barking" = mean of its two token rows and two pads (max_length 4), unit length
    expected = _unit(table[[2, 3, 0, 0]].mean(axis=0))
    assert np.allclose(clap.embed_queries(["dog barking"])[0], expected, atol=1e-5)
    with SoundLibrary.open(library_dir()) as lib:
        sounds = [s for s in lib.sounds() if s.id.startswith(POOL_SOURCES[1])]
        build_pool(lib, tmp_path / "pool", clap, sounds=sounds)
    pool = AudioPool(tmp_path / "pool")
    assert pool.meta["embedder"] == {"kind": "clap", "dir": str(tmp_path.resolve())}
    vectors = np.load(tmp_path / "pool" / "vectors.npy")
    street = [r for r in range(pool.rows) if "street-scene" in pool.table["sound_id"][r]]
    assert len(street) == 9 and len({tuple(np.round(vectors[r], 5)) for r in street}) == 9  # one per chunk, from audio
    x = pool.chunk(street[0]).astype(np.float64)
    feat = np.array([np.abs(x).mean(), np.abs(x).max(), np.sqrt((x * x).mean())])
    assert np.allclose(vectors[street[0]], _unit(feat @ w), atol=2e-3)
    assert pool.embedder.embed_queries(["rain"]).shape == (1, DIM)  # the pool re-opens its embedder by spec


def test_clap_folder_missing_or_incomplete_is_one_clear_line(tmp_path):
    from image_extender.dataset.clap import ClapOnnx

    with pytest.raises(ModelError, match=r"clap-model: CLAP model folder not found"):
        ClapOnnx(tmp_path / "clap-model")
    _write_clap(tmp_path)
    (tmp_path / "tokenizer.json").unlink()
    with pytest.raises(ModelError) as info:
        ClapOnnx(tmp_path)
    assert str(info.value) == f"{tmp_path}: incomplete CLAP model folder, missing tokenizer.json"
    assert "\n" not in str(info.value)
