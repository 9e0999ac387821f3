"""One image in, one metadata row (and its FLAC bytes) out: what every engine runs.

A :class:`Sonifier` is built once per worker — process or Ray actor — and loads the
scene analyzer's models, the pool's memory map and index, and the query embedder then,
never per image. It writes nothing: it returns the row and the encoded audio, and the
driver (the one writer) stores them, so an engine on a cluster needs no shared output
folder and a killed worker leaves nothing half-written. (``--format mix`` is the one
exception: the full pipeline writes its ``mix/<md5>/`` folder itself, atomically.)

Any exception from one image — unreadable file, analyzer crash — becomes a ``failed``
row with a one-line reason; it never stops the run.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from ..errors import ImageExtenderError
from ..manifest import Scene
from .chunks import CHUNK_SECONDS, POOL_SAMPLE_RATE
from .concepts import Concept, skip_reason, sounding_concepts
from .metadata import audio_name, row
from .mixer import DEFAULT_LUFS_RANGE, MixResult, draw_lufs, mix_chunks
from .pool import AudioPool
from .retrieval import DEFAULT_TOP_K, Pick, concept_rng, pick_chunk
from .verified import VerifiedChunks


@dataclass(frozen=True)
class WorkSpec:
    """Everything a worker needs, picklable (it crosses process and Ray boundaries)."""

    pool_dir: str
    out_dir: str
    settings: dict  # Settings.public_dict() of the driver: analyzer, data folder, mix settings…
    format: str = "pool"  # pool | mix
    seed: int = 0
    lufs_range: tuple[float, float] = DEFAULT_LUFS_RANGE
    ssr: bool = True
    top_k: int = DEFAULT_TOP_K
    threads: int = 1  # native threads per worker: one core each, scale with workers
    verify: bool = True  # draw only among chunks the finder accepts (.verified); False: the method as published

    def identity(self) -> dict:
        """The settings that decide the output: a rerun into the same folder must match them."""
        return {"format": self.format, "seed": self.seed, "lufs_range": list(self.lufs_range), "ssr": self.ssr,
                "top_k": self.top_k, "analyzer": self.settings.get("analyzer"), "verify": self.verify}


@dataclass
class Result:
    key: int  # position in the input list
    row: dict
    audio: bytes | None = field(default=None, repr=False)


def native_thread_env(threads: int) -> dict[str, str]:
    """Environment that caps the BLAS / OpenMP pools of a worker process started with it.

    These pools size themselves from the machine's cores when the library loads, before
    any worker code runs, so the cap must be in the environment the process starts with:
    two workers each running numpy's matrix products on every core of a 2-core machine
    made 2 local workers only 1.46× one (Ray already sets OMP_NUM_THREADS for its
    one-CPU actors, which OpenBLAS honours).
    """
    n = str(max(1, int(threads)))
    return {"OMP_NUM_THREADS": n, "OPENBLAS_NUM_THREADS": n, "MKL_NUM_THREADS": n}


def _limit_threads(threads: int) -> None:
    import cv2
    import faiss

    cv2.setNumThreads(threads)
    faiss.omp_set_num_threads(threads)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def encode_flac(samples: np.ndarray, sample_rate: int, subtype: str = "PCM_16") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, sample_rate, format="FLAC", subtype=subtype)
    return buf.getvalue()


class Sonifier:
    """Loads models once; ``__call__((key, path))`` sonifies one image."""

    def __init__(self, spec: WorkSpec) -> None:
        from ..analyze import get_analyzer
        from ..settings import Settings

        _limit_threads(spec.threads)
        self.spec = spec
        self.settings = Settings(**spec.settings)
        self.analyzer = get_analyzer(self.settings.analyzer, self.settings)
        self.analyzer.load()
        self.pool = AudioPool(Path(spec.pool_dir)) if spec.format == "pool" else None
        self.verified: VerifiedChunks | None = None
        if self.pool is not None:
            self.pool.embedder.embed_queries(["warm-up"])  # load the text model now, not on image 1
            if spec.verify:
                self.verified = verified_chunks(self.pool, self.settings)

    def __call__(self, job: tuple[int, str]) -> Result:
        key, path = job
        start = time.perf_counter()
        try:
            result = self._sonify(key, Path(path))
        except Exception as exc:  # noqa: BLE001 - one bad image is a failed row, never a failed run
            kind = "" if isinstance(exc, ImageExtenderError) else f"{type(exc).__name__}: "
            result = Result(key, row(path, "failed", reason=kind + _reason(exc), format=self.spec.format,
                                     seed=self.spec.seed, ssr=self.spec.ssr, top_k=self.spec.top_k))
        result.row["seconds"] = round(time.perf_counter() - start, 4)
        return result

    def _sonify(self, key: int, path: Path) -> Result:
        from ..analyze.image import load_image
        from ..analyze.nonsonic import mark_non_sonic

        image = load_image(path)
        scene = mark_non_sonic(self.analyzer.analyze(image))
        common = dict(md5=image.md5, width=image.width, height=image.height, analyzer=scene.analyzer,
                      caption=scene.caption, format=self.spec.format, seed=self.spec.seed)
        if self.spec.format == "pool":  # Algorithm 1's knobs; the full pipeline has its own retrieval
            common.update(ssr=self.spec.ssr, top_k=self.spec.top_k, verified=self.spec.verify)
        why = skip_reason(scene)
        if why:
            return Result(key, row(str(path), "skipped", reason=why, **common))
        if self.spec.format == "mix":
            return self._full_mix(key, path, scene, common)
        return self._pool_mix(key, path, scene, common)

    # ------------------------------------------------------------------ the paper's method

    def retrieve(self, md5: str, concepts: list[Concept]) -> list[dict]:
        assert self.pool is not None
        return retrieve(self.pool, md5, concepts, self.spec, self.verified)

    def _pool_mix(self, key: int, path: Path, scene: Scene, common: dict) -> Result:
        concepts = sounding_concepts(scene)
        picked = self.retrieve(common["md5"], concepts)
        if not picked:
            why = ("the pool has no chunk the finder accepts for " + ", ".join(f"'{c.label}'" for c in concepts)
                   if self.verified is not None else "the pool returned no chunk")
            return Result(key, row(str(path), "failed", reason=why, **common))
        mixed = render(self.pool, picked)
        for concept, gain in zip(picked, mixed.gains_db, strict=True):
            concept["gain_db"] = round(gain, 3)
        audio = encode_flac(mixed.samples, POOL_SAMPLE_RATE)
        return Result(key, row(str(path), "ok", file_name=audio_name(common["md5"]), sample_rate=POOL_SAMPLE_RATE,
                               duration_s=CHUNK_SECONDS, peak_dbfs=round(mixed.peak_dbfs, 3),
                               clip_gain_db=round(mixed.clip_gain_db, 3), concepts=picked, **common), audio)

    # ------------------------------------------------------------------ the full stereo pipeline

    def _full_mix(self, key: int, path: Path, scene: Scene, common: dict) -> Result:
        from ..errors import RetrievalError
        from ..manifest import Manifest
        from ..mix.render import StemCache
        from ..pipeline import find_scene_sounds, mix_spec, plan, require_a_sound, write_outputs

        choices = find_scene_sounds(scene, self.settings)
        try:
            require_a_sound(choices, path, "image")
        except RetrievalError as exc:
            return Result(key, row(str(path), "failed", reason=str(exc), **common))
        stems = StemCache(mix_spec(self.settings))  # one render per stem, shared by planning and the render
        spec, tracks, analysis = plan(scene, choices, self.settings, stems=stems)
        manifest = Manifest(scene=scene, choices=choices, mix=spec, tracks=tracks, analysis=analysis,
                            settings=self.settings.public_dict())
        folder = Path(self.spec.out_dir) / "mix" / common["md5"]
        manifest = write_outputs(manifest, folder, base_dir=None, overwrite=True, stems=stems)
        samples, sr = sf.read(str(folder / "mix.wav"), dtype="float32")
        levels = {t.label: t for t in (manifest.report.tracks if manifest.report else [])}
        concepts = []
        for track in manifest.tracks:
            choice = manifest.choices[track.choice_index]
            measured = levels.get(track.label)
            concepts.append({"role": track.role, "label": choice.target, "query": choice.query,
                             "sound_id": track.sound.id, "sound_name": track.sound.name,
                             "cosine": choice.score, "lufs": getattr(measured, "lufs", None),
                             "gain_db": track.gain_db, "licence": track.sound.licence, "author": track.sound.author,
                             "source": track.sound.source, "url": track.sound.url})
        report = manifest.report
        return Result(key, row(str(path), "ok", file_name=audio_name(common["md5"]), sample_rate=int(sr),
                               duration_s=round(len(samples) / sr, 3),
                               peak_dbfs=None if report is None else report.peak_dbfs,
                               clip_gain_db=None if report is None else report.master_gain_db,
                               concepts=concepts, **common), encode_flac(samples, int(sr), "PCM_24"))


# ---------------------------------------------------------------------- the method, concepts given


def verified_chunks(pool: AudioPool, settings) -> VerifiedChunks:
    """The finder's checks over ``pool``: its verifier, word evidence and hierarchy, on the records
    the pool keeps of its sounds (a Ray node needs the pool, not the library)."""
    from ..sounds.factory import embedding_verifier
    from ..sounds.find import word_evidence
    from ..sounds.hierarchy import ConceptHierarchy

    hierarchy = ConceptHierarchy.load(settings.hierarchy_file, settings.data_dir)
    verifier = embedding_verifier(settings, hierarchy)
    return VerifiedChunks(pool, pool.sounds(), verifier, word_evidence(verifier, hierarchy), hierarchy)


def retrieve(pool: AudioPool, md5: str, concepts: list[Concept], spec: WorkSpec,
             verified: VerifiedChunks | None = None) -> list[dict]:
    """Algorithm 1 (among the chunks the finder accepts, with ``verified``) + a drawn loudness for
    each concept (no audio yet); the metadata of each pick. A concept with no chunk is left out."""
    draw = verified.pick if verified is not None else published_draws(pool, concepts)
    picked = []
    for concept in concepts:
        rng = concept_rng(spec.seed, md5, concept.query)
        pick, query = draw(concept, rng, k=spec.top_k, ssr=spec.ssr)
        if pick is None:
            continue
        info = pool.info(pick.row)
        picked.append({"role": concept.role, "label": concept.label, "query": query,
                       "sound_id": info.sound_id, "sound_name": info.sound_name, "chunk_index": info.chunk_index,
                       "pool_row": pick.row, "cosine": round(pick.cosine, 6), "ssr_score": round(pick.score, 6),
                       "tau": round(pick.tau, 6), "candidates": pick.candidates,
                       "lufs": round(draw_lufs(rng, spec.lufs_range), 3),
                       "licence": info.licence, "author": info.author, "source": info.source, "url": info.url})
    return picked


def published_draws(pool: AudioPool, concepts: list[Concept]) -> Callable[..., tuple[Pick | None, str]]:
    """Algorithm 1 as published (the whole pool, each concept's first query), the ``concepts``'
    queries embedded in one batch: a ``VerifiedChunks.pick`` without the verification."""
    queries = [c.query for c in concepts]
    vectors = dict(zip(queries, pool.embedder.embed_queries(queries), strict=True))

    def draw(concept: Concept, rng: np.random.Generator, *, k: int, ssr: bool) -> tuple[Pick | None, str]:
        return pick_chunk(pool.index, vectors[concept.query], rng, k=k, ssr=ssr), concept.query

    return draw


def render(pool: AudioPool, picked: list[dict]) -> MixResult:
    """The linear sum of the picked chunks, each at its drawn loudness."""
    rows = [c["pool_row"] for c in picked]
    return mix_chunks([pool.chunk(r) for r in rows], [pool.lufs(r) for r in rows], [c["lufs"] for c in picked],
                      pool.chunk_length)
