"""The Ray engine: an ``ActorPool`` of Sonifier actors, one model load per actor.

``ray.init()`` starts a local Ray with ``workers`` CPUs, or joins an existing cluster
with ``address`` (``"auto"`` on a cluster node, or ``ray://head:10001`` through Ray
Client). Each actor reserves one CPU and builds one :class:`~.worker.Sonifier`, so models
are loaded ``workers`` times in all; ``ActorPool.map_unordered`` hands every idle actor
the next image and yields results as they come back to the driver, which alone writes
the output folder. A Ray started here is shut down at the end; a cluster we joined is
left running.

On a cluster every node needs the project installed, the image paths readable under the
same names (a shared file system or object-store mount) and the pool folder present
(``image-extender pool build --pool DIR`` once, on shared storage).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from ..errors import ImageExtenderError, SettingsError
from .worker import Result, Sonifier, WorkSpec


class _SonifierActor:
    def __init__(self, spec: WorkSpec) -> None:
        self._sonifier = Sonifier(spec)

    def run(self, job: tuple[int, str]) -> Result:
        return self._sonifier(job)


class RayEngine:
    name = "ray"

    def __init__(self, workers: int = 2, address: str | None = None) -> None:
        if workers < 1:
            raise SettingsError(f"--workers must be at least 1, not {workers}")
        self.workers = workers
        self.address = address

    def map(self, jobs: Sequence[tuple[int, str]], spec: WorkSpec) -> Iterator[Result]:
        if not jobs:
            return
        import ray
        from ray.util import ActorPool

        own = not ray.is_initialized()
        if own:
            try:
                ray.init(address=self.address, num_cpus=None if self.address else self.workers,
                         include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = self.address or "a local Ray"
                raise ImageExtenderError(f"--address {where}: cannot start or join Ray ({_first_line(exc)})") from exc
        actors = []
        try:
            actor_cls = ray.remote(num_cpus=1)(_SonifierActor)
            actors = [actor_cls.remote(spec) for _ in range(min(self.workers, len(jobs)))]
            pool = ActorPool(actors)
            try:
                yield from pool.map_unordered(lambda actor, job: actor.run.remote(job), list(jobs))
            except ray.exceptions.RayError as exc:
                raise ImageExtenderError(f"Ray worker failed: {_first_line(exc)}") from exc
        finally:
            for actor in actors:
                ray.kill(actor)
            if own:
                ray.shutdown()


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(exc).__name__
