"""A long mix is planned from stems on disk, with the decisions of planning it in memory.

Issue #13: a one-hour mix must not need more than ~2 GB from photo to folder. Planning
(levels, Bark-band masking, dynamic EQ, the earn check, make-up gain) used to hold whole
stems; a long mix's ``StemCache`` now makes each stem a block at a time into a float32 file
(``StemCache.spooled``) and every measure reads it back a block at a time. Specified on
Debian darknet's person.jpg planned the way ``sonify`` plans it with the starter library,
with the spool forced on for a 30 s mix: the same gains, EQ cuts and masking numbers, bit
for bit, as the in-memory plan.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import numpy as np
import pytest

from image_extender import pipeline
from image_extender.mix.blocks import FrameFile
from image_extender.mix.dyneq import activity_spans
from image_extender.manifest import MixSpec
from image_extender.mix.render import StemCache, render_mix
from image_extender.settings import load_settings

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))

pytestmark = pytest.mark.skipif(not (DATA / "library").is_dir(), reason="starter library not built: run `make install`")


def test_a_plan_from_spooled_stems_equals_the_in_memory_plan(darknet_photos):
    settings = load_settings(data_dir=DATA, duration=30.0, seed=1)
    scene = pipeline.analyze_image(darknet_photos / "person.jpg", settings)
    choices = pipeline.find_scene_sounds(scene, settings)
    spec = pipeline.mix_spec(settings)
    memory, disk = StemCache(spec), StemCache(spec, spool_above=0)
    assert not memory.spooled and disk.spooled
    _, planned, analysis = pipeline.plan(scene, choices, settings, stems=memory)
    _, streamed, streamed_analysis = pipeline.plan(scene, choices, settings, stems=disk)
    assert sum(len(t.eq) for t in planned) > 5  # person.jpg's beds are cut under the people and the animals
    assert [t.model_dump() for t in streamed] == [t.model_dump() for t in planned]
    assert streamed_analysis == analysis
    # and the mix rendered from those files is the in-memory one's
    assert np.array_equal(render_mix(streamed, spec, stems=disk).mix, render_mix(planned, spec, stems=memory).mix)
    # what the planner measured came from files on disk, the same samples as the stems in memory
    track = next(t for t in planned if t.eq)
    on_disk = disk.equalised(track)
    assert isinstance(on_disk, FrameFile)
    assert np.array_equal(on_disk[:], memory.equalised(track))
    assert activity_spans(on_disk, spec.sample_rate) == activity_spans(memory.equalised(track), spec.sample_rate)
    folder = on_disk.path.parent
    del disk, on_disk
    gc.collect()
    assert not folder.exists()  # the spool goes with its cache


def test_the_spool_of_a_killed_run_is_swept_by_the_next_long_mix(tmp_path, monkeypatch):
    """A run killed outright (SIGKILL) never removes its spooled stems, and an hour's mix
    leaves gigabytes in $TMPDIR: the next cache that spools removes folders whose process is
    gone, and leaves a living process's folder (and any other folder) alone."""
    import signal
    import subprocess
    import sys
    import tempfile

    from image_extender.mix.render import STEMS_PREFIX

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    child = subprocess.Popen([sys.executable, "-c", (
        "import tempfile, time\n"
        "from image_extender.mix.render import StemCache\n"
        "from image_extender.manifest import MixSpec\n"
        "cache = StemCache(MixSpec(duration=2.0), spool_above=0)\n"
        "cache._spool(('k', ()), [])\n"
        "print(cache._folder, flush=True)\n"
        "time.sleep(60)\n")], stdout=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(tmp_path)})
    orphan = Path(child.stdout.readline().strip())
    assert orphan.is_dir() and orphan.name.startswith(f"{STEMS_PREFIX}{child.pid}-")
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert orphan.is_dir()  # no finaliser runs on SIGKILL
    living = tmp_path / f"{STEMS_PREFIX}{os.getppid()}-abc"  # the test runner's parent still runs
    living.mkdir()
    other = tmp_path / "somebody-elses-folder"
    other.mkdir()

    cache = StemCache(MixSpec(duration=2.0), spool_above=0)
    cache._spool(("k", ()), [])
    assert not orphan.exists()
    assert living.is_dir() and other.is_dir() and cache._folder.is_dir()
