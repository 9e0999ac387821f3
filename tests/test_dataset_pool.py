"""The dataset audio pool, Algorithm 1 and the mixer, on real library recordings."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from dataset_pool_fixture import POOL_SOURCES, small_pool

from image_extender.dataset.chunks import POOL_SAMPLE_RATE, cut_chunks, to_pool_audio
from image_extender.dataset.index import EXACT_MAX_ROWS, at_least, build_index, choose_index, top_k
from image_extender.dataset.mixer import mix_chunks
from image_extender.dataset.retrieval import concept_rng, inverse, pick_among, pick_chunk, signed_sqrt
from image_extender.library.audio_io import integrated_lufs, read_audio


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    return small_pool(tmp_path_factory.getbasetemp())


def street_scene(pool) -> str:
    return next(s for s in set(pool.table["sound_id"]) if "street-scene" in s)


# --------------------------------------------------------------------------- chunks


def test_34_seconds_of_a_real_recording_make_7_chunks_the_last_with_1_second_of_padding(pool):
    from dataset_pool_fixture import library_dir

    from image_extender.library.store import SoundLibrary

    row = pool.table["sound_id"].index(street_scene(pool))
    with SoundLibrary.open(library_dir()) as lib:
        path = Path(lib.get(street_scene(pool)).path)
    samples, sr = read_audio(path if path.is_absolute() else library_dir().resolve().parent / path)
    mono = to_pool_audio(samples[: 34 * sr], sr)
    assert abs(mono.size - 34 * POOL_SAMPLE_RATE) <= 1
    chunks, padding = cut_chunks(mono)
    assert chunks.shape == (7, 5 * POOL_SAMPLE_RATE)
    assert padding == pytest.approx(1.0, abs=1e-3)
    assert not chunks[6, -POOL_SAMPLE_RATE + 1:].any() and np.abs(chunks[6, :POOL_SAMPLE_RATE]).max() > 0.01
    # the pool stored that recording the same way: its 45 s give 9 chunks, its first chunk is the first 5 s
    assert pool.table["chunks_in_sound"][row] == 9
    assert np.allclose(pool.chunk(row), chunks[0], atol=2e-3)


def test_every_pool_sound_is_cut_into_ceil_duration_over_5_chunks(pool):
    from dataset_pool_fixture import library_dir
    from image_extender.library.store import SoundLibrary

    with SoundLibrary.open(library_dir()) as lib:
        durations = {s.id: s.duration for s in lib.sounds() if s.id.startswith(POOL_SOURCES)}
    counts = {}
    for sid in pool.table["sound_id"]:
        counts[sid] = counts.get(sid, 0) + 1
    assert counts.keys() == durations.keys()
    for sid, n in counts.items():
        assert n == max(1, math.ceil(round(durations[sid] * POOL_SAMPLE_RATE) / (5 * POOL_SAMPLE_RATE))), sid


def test_near_silent_chunks_are_kept_out_of_the_index_and_loudness_is_finite(pool):
    lufs = np.asarray(pool.table["lufs"])
    assert np.isfinite(lufs).all() and lufs.min() >= -70.0
    usable = np.asarray(pool.table["usable"])
    assert pool.index.ntotal == usable.sum() == (lufs > -60.0).sum()
    assert pool.meta["index"]["kind"] == "flat"


# --------------------------------------------------------------------------- index choice


def test_index_is_exact_below_100k_rows_and_an_inverted_file_above():
    assert choose_index(EXACT_MAX_ROWS - 1).kind == "flat"
    big = choose_index(1_000_000)
    assert big.kind == "ivf" and 1000 <= big.nlist <= 5000 and "approximate" in big.reason


def test_inverted_file_and_hnsw_find_the_same_candidates_as_exact_search(pool):
    """Real 512-d description vectors (the pool's), tiled with small noise to 6 000 rows."""
    rng = np.random.default_rng(0)
    base = np.load(pool.pool_dir / "vectors.npy")
    x = np.repeat(base, 6000 // len(base) + 1, axis=0)[:6000] + rng.normal(0, 0.01, (6000, base.shape[1]))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    ids = np.arange(len(x))
    flat = build_index(x, ids, choose_index(len(x), "flat"))
    query = pool.embedder.embed_queries(["dog barking"])[0]
    s_flat, i_flat = top_k(flat, query, 10)
    floor = float(s_flat[-1])
    exact = set(at_least(flat, query, floor)[1].tolist())
    for kind in ("ivf", "hnsw"):
        approx = build_index(x, ids, choose_index(len(x), kind))
        found = set(at_least(approx, query, floor)[1].tolist())
        assert found <= exact and len(found) >= 0.9 * len(exact), kind


def test_the_pool_keeps_what_the_finder_judges_of_each_sound(pool):
    """A Ray node has the pool, not the library: the pool's records of its sounds carry what the
    verifier and the finder's objections read (name, description, tags, kind, length)."""
    from dataset_pool_fixture import library_dir

    from image_extender.library.store import SoundLibrary

    kept = pool.sounds()
    assert len(kept) == len(set(pool.table["sound_id"])) > 50
    with SoundLibrary.open(library_dir()) as lib:
        for sound_id, sound in kept.items():
            ref = lib.get(sound_id)
            assert (sound.name, sound.description, sound.tags, sound.kind) == (ref.name, ref.description, ref.tags, ref.kind)
            assert sound.duration == pytest.approx(ref.duration) and sound.licence == ref.licence


# --------------------------------------------------------------------------- Algorithm 1


def test_threshold_is_the_mean_of_the_top_k_signed_square_roots_and_every_candidate_clears_it(pool):
    query = pool.embedder.embed_queries(["dog barking"])[0]
    scores, _ = top_k(pool.index, query, 10)
    pick = pick_chunk(pool.index, query, concept_rng(0, "md5", "dog barking"), k=10, ssr=True)
    assert pick.tau == pytest.approx(float(signed_sqrt(scores).mean()))
    assert pick.score >= pick.tau and pick.score == pytest.approx(math.copysign(math.sqrt(abs(pick.cosine)), pick.cosine))
    all_scores = np.load(pool.pool_dir / "vectors.npy")[np.asarray(pool.table["usable"])] @ query
    assert pick.candidates == int((signed_sqrt(all_scores) >= pick.tau - 1e-9).sum())
    assert "dog" in pool.info(pick.row).sound_name.lower() or "dog" in pool.table["description"][pick.row].lower()


def test_signed_square_root_lowers_the_threshold_so_it_never_admits_fewer_candidates(pool):
    """Jensen: mean(√s) ≤ √mean(s), so SSR's τ mapped back to cosine sits below the raw τ."""
    queries = ["dog barking", "horse neighing", "bird chirping", "city street traffic ambience", "rain falling"]
    vecs = pool.embedder.embed_queries(queries)
    for q, v in zip(queries, vecs):
        a = pick_chunk(pool.index, v, concept_rng(0, "x", q), ssr=True)
        b = pick_chunk(pool.index, v, concept_rng(0, "x", q), ssr=False)
        assert inverse(a.tau, True) <= b.tau + 1e-9 and a.candidates >= b.candidates, q


def test_the_draw_is_uniform_over_candidates_and_reproducible_from_seed_md5_and_concept(pool):
    query = pool.embedder.embed_queries(["city street traffic ambience"])[0]
    picks = [pick_chunk(pool.index, query, concept_rng(0, f"{i:032x}", "street")).row for i in range(400)]
    n = pick_chunk(pool.index, query, concept_rng(0, "a", "street")).candidates
    counts = np.bincount(np.unique(picks, return_inverse=True)[1])
    assert len(counts) == n >= 5  # every candidate is drawn
    assert counts.max() / counts.min() < 3.0  # ~400/n each
    again = [pick_chunk(pool.index, query, concept_rng(0, f"{i:032x}", "street")).row for i in range(400)]
    assert picks == again
    other_seed = [pick_chunk(pool.index, query, concept_rng(1, f"{i:032x}", "street")).row for i in range(400)]
    assert picks != other_seed


def test_algorithm_1_among_given_chunks_takes_its_threshold_from_them():
    scores, rows = np.array([0.64, 0.36, 0.49, 0.09, 0.25]), np.array([40, 7, 12, 3, 30])
    draws = {pick_among(scores, rows, concept_rng(0, f"{i:032x}", "q"), k=3).row for i in range(200)}
    assert draws == {40, 12}  # τ = mean(√0.64, √0.49, √0.36) = 0.7: only 0.8 and 0.7 clear it
    pick = pick_among(scores, rows, concept_rng(0, "a", "q"), k=3)
    assert pick.tau == pytest.approx(0.7) and pick.candidates == 2
    assert pick == pick_among(scores[::-1], rows[::-1], concept_rng(0, "a", "q"), k=3)  # the order given is no matter
    assert pick_among(np.zeros(0), np.zeros(0, np.int64), concept_rng(0, "a", "q")) is None


def test_a_verified_draw_is_a_recording_the_finder_accepts(pool):
    """As published, "lion roaring" draws Tux Paint's sea lion now and then (its chunk clears
    τ); verified, only the lion. A concept the pool has no acceptable recording of (a parrot:
    Tux Paint's birds are a toucan, a quetzal…) gets no chunk rather than another bird."""
    from image_extender.dataset.concepts import Concept
    from image_extender.dataset.worker import WorkSpec, retrieve, verified_chunks
    from image_extender.settings import Settings

    verified = verified_chunks(pool, Settings())
    spec = WorkSpec(pool_dir=str(pool.pool_dir), out_dir="", settings={})
    lion = Concept("object", "lion", "lion roaring", ("lion roaring",))
    raw = {retrieve(pool, f"{i:032x}", [lion], spec)[0]["sound_name"] for i in range(100)}
    checked = {retrieve(pool, f"{i:032x}", [lion], spec, verified)[0]["sound_name"] for i in range(100)}
    assert "sea lion" in raw and checked == {"lion"}, (raw, checked)
    parrot = Concept("object", "parrot", "parrot squawking", ("parrot squawking", "macaw call"))
    assert retrieve(pool, "0" * 32, [parrot], spec) and not retrieve(pool, "0" * 32, [parrot], spec, verified)


# --------------------------------------------------------------------------- mixer


def test_each_chunk_is_mixed_at_the_loudness_drawn_for_it(pool):
    rows = [r for r in range(pool.rows) if pool.table["usable"][r]][:6]
    for row, target in zip(rows, (-35.0, -30.0, -27.5, -25.0, -22.0, -20.0)):
        mixed = mix_chunks([pool.chunk(row)], [pool.lufs(row)], [target], pool.chunk_length, ceiling_dbfs=20.0)
        assert integrated_lufs(mixed.samples, POOL_SAMPLE_RATE) == pytest.approx(target, abs=0.5), pool.info(row)


def test_a_sum_over_full_scale_is_scaled_down_and_reported_never_clipped(pool):
    street = [r for r in range(pool.rows) if pool.table["sound_id"][r] == street_scene(pool)][:4]
    mixed = mix_chunks([pool.chunk(r) for r in street], [pool.lufs(r) for r in street], [-5.0] * 4, pool.chunk_length)
    assert mixed.clip_gain_db < -3.0
    assert mixed.peak_dbfs == pytest.approx(-1.0, abs=1e-3)
    assert np.abs(mixed.samples).max() <= 10 ** (-1 / 20) + 1e-6
    quiet = mix_chunks([np.zeros(pool.chunk_length, np.float32)], [-70.0], [-20.0], pool.chunk_length)
    assert np.isfinite(quiet.samples).all() and quiet.peak_dbfs == -200.0
