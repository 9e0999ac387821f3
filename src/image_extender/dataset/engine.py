"""Engines run the :class:`~.worker.Sonifier` over the images, behind one small protocol.

An engine takes the pending jobs ``(key, image path)`` and yields a
:class:`~.worker.Result` per job, in any order, as each finishes; the driver
(:mod:`.run`) stores them and draws the progress bar. Each worker builds its Sonifier
once — models loaded per worker, not per image. Because every random draw is seeded by
(seed, image MD5, concept), the engine and the number of workers never change an output.

- ``local``: one in-process worker, or ``N`` spawned processes (``multiprocessing`` with
  the ``spawn`` start method: forking a process that already holds OpenCV and ONNX thread
  pools is not safe).
- ``ray``: ``N`` Ray actors in an ``ActorPool`` (:mod:`.ray_engine`), on a local Ray or an
  existing cluster (``--address``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from ..errors import ModelError, SettingsError
from .worker import Result, Sonifier, WorkSpec, native_thread_env

Job = tuple[int, str]


class Engine(Protocol):
    name: str
    workers: int

    def map(self, jobs: Sequence[Job], spec: WorkSpec) -> Iterator[Result]:
        """Sonify every job, yielding results as they finish (any order)."""
        ...


_worker: Sonifier | None = None
_worker_error: str | None = None


def _init_process(spec: WorkSpec) -> None:
    """Pool initializer: a failure is kept and reported by the first job (a raising
    initializer would make ``multiprocessing`` respawn the worker forever)."""
    global _worker, _worker_error
    try:
        _worker = Sonifier(spec)
    except Exception as exc:  # noqa: BLE001 - re-raised in the driver as one line
        _worker_error = f"{type(exc).__name__}: {exc}"


def _run_job(job: Job) -> Result:
    if _worker is None:
        raise ModelError(f"worker could not start ({_worker_error})")
    return _worker(job)


class LocalEngine:
    """Worker processes on this machine (``workers=1``: in the driver's own process)."""

    name = "local"

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise SettingsError(f"--workers must be at least 1, not {workers}")
        self.workers = workers

    def map(self, jobs: Sequence[Job], spec: WorkSpec) -> Iterator[Result]:
        if not jobs:
            return
        if self.workers == 1 or len(jobs) == 1:
            worker = Sonifier(spec)
            for job in jobs:
                yield worker(job)
            return
        ctx = multiprocessing.get_context("spawn")
        with _environment(native_thread_env(spec.threads)):  # the workers start with it; the driver keeps its own
            pool = ctx.Pool(min(self.workers, len(jobs)), initializer=_init_process, initargs=(spec,))
        with pool:
            yield from pool.imap_unordered(_run_job, jobs, chunksize=1)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``os.environ`` updated with ``values`` inside the block, restored after."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


ENGINES = ("local", "ray")


def get_engine(name: str, workers: int = 1, address: str | None = None) -> Engine:
    if name == "local":
        if address:
            raise SettingsError("--address is for --engine ray (the Ray cluster to join)")
        return LocalEngine(workers)
    if name == "ray":
        from .ray_engine import RayEngine

        return RayEngine(workers, address)
    raise SettingsError(f"--engine must be one of {', '.join(ENGINES)}, not '{name}'")
