"""Dataset mode: sonify whole image collections with the "Seeing Sound" method.

Per image: the scene analyzer's *sounding concepts* (:mod:`.concepts`), one chunk per
concept from a standard 16 kHz mono 5 s audio pool (:mod:`.pool`, :mod:`.index`) picked by
Algorithm 1 (:mod:`.retrieval`), each at a loudness drawn at random and summed
(:mod:`.mixer`). A :class:`~.worker.Sonifier` does one image; engines run it on worker
processes or Ray actors (:mod:`.engine`, :mod:`.ray_engine`); the driver (:mod:`.run`)
writes FLAC + metadata tables (:mod:`.metadata`) and resumes after a crash
(:mod:`.journal`); :mod:`.report` summarises a finished folder.
"""

from .engine import Engine, LocalEngine, get_engine
from .run import RunSummary, run_dataset

__all__ = ["Engine", "LocalEngine", "RunSummary", "get_engine", "run_dataset"]
