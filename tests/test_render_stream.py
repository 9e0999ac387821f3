"""A long mix streams: rendered, mastered and written a block at a time, with the bits of the in-memory render.

Issue #13: a one-hour mix must not need more than ~2 GB. ``render_mix(..., spool=folder)``
renders a mix whose float64 sum would pass ``blocks.STREAM_ABOVE_BYTES`` through files in
``folder``: each equalised stem into a float32 file (its EQ filters carried from block to
block), the sum into a float64 file, the master stage's passes reading and writing files,
and the writers and the timeline reading them back a block at a time. Specified on the real
recordings of ``assets/scaper-audio`` (street bed, dog, horn, voices): the streamed mix,
stems, report and written WAV bytes equal the in-memory render's, and a 20-minute mix is
rendered in working memory bounded by blocks, not by its length.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from test_blockwise import street_stem
from test_mix import OBJECTS, SR, choices
from traced import traced_peak_mb

from image_extender.manifest import EqEvent, MixSpec
from image_extender.mix import plan_mix, render, render_mix
from image_extender.mix.adaptive import adapt_mix
from image_extender.mix.blocks import CHUNK_FRAMES, FrameFile, Scaled, chunk_bounds
from image_extender.mix.loudness import sounding_part, stem_lufs
from image_extender.mix.plan import make_up_eq_gain
from image_extender.mix.render import StemCache, equalised, equalised_blocks, mix_frames
from image_extender.report.audio import write_audio
from image_extender.report.timeline import envelope_db

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_memory import tile_tracks  # noqa: E402  (a long plan made from a short one, as the memory bench does)


def _adapted(spec: MixSpec, boost_db: float = 0.0):
    """The planned street mix with its dynamic-EQ cuts and make-up gain, every track ``boost_db`` louder."""
    stems = StemCache(spec)
    tracks = plan_mix(choices(), OBJECTS, spec, stems=stems)
    importance = [0.0] + [OBJECTS[c.target_index].importance for c in choices()[1:5]]
    adaptation = adapt_mix(tracks, spec, importance, stems=stems)
    eq = make_up_eq_gain([t.model_copy(update={"eq": adaptation.events_for(t.label)}) for t in tracks], spec, stems)
    return [t.model_copy(update={"gain_db": t.gain_db + boost_db}) for t in eq]


@pytest.fixture(scope="module")
def hot_mix():
    """25 s, EQ cuts on several tracks, 20 dB too hot so the static gain, the limiter and the true-peak rounds all work."""
    spec = MixSpec(duration=25.0, sample_rate=SR, seed=7)
    tracks = _adapted(spec, boost_db=20.0)
    assert sum(len(t.eq) for t in tracks) >= 3
    return tracks, spec


def test_a_streamed_render_is_the_in_memory_render_bit_for_bit(hot_mix, tmp_path, monkeypatch):
    tracks, spec = hot_mix
    in_memory = render_mix(tracks, spec)
    monkeypatch.setattr(render, "STREAM_ABOVE_BYTES", 0)  # stream even this short mix
    streamed = render_mix(tracks, spec, spool=tmp_path / "spool")
    assert streamed.streamed and isinstance(streamed.mix, FrameFile)
    assert in_memory.report.limiter_db < 0.0 and in_memory.report.master_gain_db < -6.0
    assert np.array_equal(np.asarray(streamed.mix), in_memory.mix)
    for a, b in zip(streamed.stems, in_memory.stems, strict=True):
        assert np.array_equal(np.asarray(a), b)
    assert streamed.report == in_memory.report  # every level, LUFS, peak, gain and the mix's loudness
    # the files a user gets: the same bytes, written a block at a time from disk or at once from memory
    for name, disk, memory in [("mix", streamed.mix, in_memory.mix), ("stem", streamed.stems[0], in_memory.stems[0])]:
        write_audio(tmp_path / f"{name}-streamed.wav", disk, SR)
        write_audio(tmp_path / f"{name}-memory.wav", memory, SR)
        assert (tmp_path / f"{name}-streamed.wav").read_bytes() == (tmp_path / f"{name}-memory.wav").read_bytes()
    assert sf.info(str(tmp_path / "mix-streamed.wav")).subtype == "PCM_24"
    assert sf.info(str(tmp_path / "stem-streamed.wav")).subtype == "FLOAT"  # +20 dB: beyond full scale, not clipped
    assert np.array_equal(envelope_db(streamed.mix, SR)[1], envelope_db(in_memory.mix, SR)[1])
    streamed.release()
    assert not (tmp_path / "spool").exists()


def test_a_short_mix_given_a_spool_folder_stays_in_memory(hot_mix, tmp_path):
    tracks, spec = hot_mix
    out = render_mix(tracks, spec, spool=tmp_path / "spool")
    assert not out.streamed and isinstance(out.mix, np.ndarray) and not (tmp_path / "spool").exists()


def test_eq_applied_block_by_block_is_the_whole_stem_equalised_bit_for_bit():
    """Cuts whose filters run across block edges, overlapping cuts (the later reads what the earlier
    left), a cut at the very start and one past the end: the filter state carried from block to
    block gives ``equalised``'s samples exactly."""
    stem = street_stem(40.0)
    edge = CHUNK_FRAMES / SR  # ~2.97 s: cuts straddle the first few block edges
    cuts = [EqEvent(track="street", freq_hz=f, gain_db=g, q=q, start=s, end=e)
            for f, g, q, s, e in [(400.0, -9.0, 1.0, 0.0, 2.0), (1200.0, -6.0, 2.0, edge - 0.5, 2 * edge + 0.3),
                                  (1250.0, -12.0, 0.7, 2 * edge - 0.1, 2 * edge + 0.1), (80.0, -4.0, 1.0, 6.5, 13.0),
                                  (3000.0, -8.0, 1.5, 20.0, 21.0), (500.0, -3.0, 1.0, 39.5, 55.0)]]  # fmt: skip
    blocks = ((a, b, stem[a:b]) for a, b in chunk_bounds(stem.shape[0]))
    streamed = np.concatenate([block for _, _, block in equalised_blocks(blocks, stem.shape[0], SR, cuts)])
    assert np.array_equal(streamed, equalised(stem, SR, cuts))
    assert not np.array_equal(streamed, stem)


def test_the_sounding_part_of_a_stem_on_disk_is_the_one_in_memory(tmp_path):
    """A stem that sounds, pauses 10 s and sounds again, read from a file: the same frames kept (and the same LUFS)."""
    stem = street_stem(30.0)
    stem[5 * SR : 15 * SR] = 0.0
    on_disk = FrameFile.create(tmp_path / "stem.f32", stem.shape[0], 2, np.float32)
    for a, b in chunk_bounds(stem.shape[0]):
        on_disk[a:b] = stem[a:b]
    kept = sounding_part(on_disk, SR)
    assert np.array_equal(np.asarray(kept), sounding_part(stem, SR))
    assert kept.shape[0] < stem.shape[0] - 9 * SR
    assert stem_lufs(Scaled(on_disk, 0.5), SR) == stem_lufs(stem * 0.5, SR)


def test_a_20_minute_mix_renders_in_memory_bounded_by_blocks_not_by_its_length(tmp_path):
    """20 minutes at 8 kHz (9.6 M frames: its float64 sum alone would be 147 MB) of the street
    bed, the dog, the horn and their EQ cuts, rendered through files and written out: the traced
    peak stays under a budget of blocks — 8 blocks of float64 stereo (16 MB) — plus the decoded
    source recordings and the per-window measures (the 5 ms active-RMS windows and 100 ms
    BS.1770 blocks: ~12 kB a second of mix, 14 MB here). Measured: ~13 MB at 10 and at 20 min.
    The one-minute plan is repeated 20 times (``bench_memory.tile_tracks``): a long plan in a second."""
    minute = MixSpec(duration=60.0, sample_rate=8000, seed=7)
    base = [t for t in _adapted(minute) if t.label in ("urban street", "dog", "car")]
    tracks, spec = tile_tracks(base, minute.duration, 20), minute.model_copy(update={"duration": 1200.0})
    assert sum(len(t.eq) for t in tracks) >= 40
    cache = StemCache(spec, max_bytes=0)  # what `image-extender render manifest.json` starts from
    sources = sum(cache.source(t).nbytes for t in tracks)
    peak, rendered = traced_peak_mb(lambda: render_mix(tracks, spec, stems=cache, spool=tmp_path / "spool"))
    assert rendered.streamed and rendered.report.true_peak_dbtp <= spec.ceiling_dbfs
    n = mix_frames(spec)
    block_budget = 8 * CHUNK_FRAMES * 2 * 8 / 2**20
    per_window = 12e3 * spec.duration / 2**20
    assert peak < block_budget + sources / 2**20 + per_window, f"peak {peak:.0f} MB"
    assert peak < 0.5 * n * 16 / 2**20  # under half of the float64 sum an in-memory render holds
    written, _ = traced_peak_mb(lambda: write_audio(tmp_path / "mix.wav", rendered.mix, spec.sample_rate))
    assert written < 4 * CHUNK_FRAMES * 2 * 8 / 2**20
    assert sf.info(str(tmp_path / "mix.wav")).frames == n
    rendered.release()


def test_image_extender_render_streamed_writes_the_same_folder_and_leaves_no_working_files(soundscape, tmp_path,
                                                                                          monkeypatch):
    """`image-extender render manifest.json` through files (forced for this 8 s mix) gives the mix.wav
    and stems of the sonify run byte for byte; its working files are gone from the folder and the ZIP."""
    import zipfile

    from image_extender.pipeline import BUNDLE_NAME, SPOOL_DIR, render_manifest

    monkeypatch.setattr(render, "STREAM_ABOVE_BYTES", 0)
    out = tmp_path / "again"
    render_manifest(soundscape / "manifest.json", out)
    assert (out / "mix.wav").read_bytes() == (soundscape / "mix.wav").read_bytes()
    stems = sorted(p.name for p in (soundscape / "stems").iterdir())
    assert stems and all((out / "stems" / s).read_bytes() == (soundscape / "stems" / s).read_bytes() for s in stems)
    assert not (out / SPOOL_DIR).exists() and not list(tmp_path.glob(".again*"))
    with zipfile.ZipFile(out / BUNDLE_NAME) as bundle:
        assert not [n for n in bundle.namelist() if SPOOL_DIR in n or n.endswith((".f32", ".f64"))]


def test_a_failed_streamed_render_leaves_nothing_behind(soundscape, tmp_path, monkeypatch):
    """A stem that cannot be read half way through a streamed render: a one-line RenderError naming the
    file, and neither the output folder nor its staging folder (with the working files) is left."""
    import shutil

    from image_extender.errors import RenderError
    from image_extender.manifest import Manifest
    from image_extender.pipeline import render_manifest

    monkeypatch.setattr(render, "STREAM_ABOVE_BYTES", 0)
    broken = tmp_path / "broken"
    shutil.copytree(soundscape, broken)
    manifest = Manifest.load(broken / "manifest.json")
    victim = broken / manifest.tracks[-1].sound.path
    victim.write_bytes(b"RIFF not really a wav")
    with pytest.raises(RenderError, match=victim.name):
        render_manifest(broken / "manifest.json", tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken"]
