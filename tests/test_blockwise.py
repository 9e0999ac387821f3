"""Block-wise measuring: one pass's numbers, in working memory that does not grow with the signal.

Every stem of a mix is measured several times while planning (BS.1770 loudness, active RMS,
Bark band energies for masking, the master's true peak). Those measures walk the signal a
few seconds at a time (``mix/blocks.py``), so a 10-minute or 1-hour mix does not need
gigabytes of float64 temporaries. Specified on a real recording — the street scene of
``assets/scaper-audio`` as a long stereo stem —: block-wise gives what one pass over the
whole signal gives (BS.1770 as pyloudnorm measures it; active RMS from one cumulative sum;
Bark bands from one STFT; true peak from oversampling everything), and the peak memory a
measure allocates (tracemalloc, the input excluded) for a 240 s stem is within 1.5× of what
it allocates for a 20 s one. Rendering is block-wise too: each stem is made a block at a time
with the same bits as one pass over the whole lane, the master stage (static gain + lookahead
limiter, true-peak rounds) holds only the mix it returns, and ``render_mix`` holds the sum and
the mix, never every stem at once.
"""

from __future__ import annotations


import numpy as np
import pyloudnorm
import pytest
from scipy.signal import upfirdn
from test_mix import AUDIO, OBJECTS, SR, STREET, choices
from traced import traced_peak_mb

from image_extender.manifest import EqEvent, MixSpec
from image_extender.mix import bark, plan_mix, render_mix
from image_extender.mix.automation import apply_automation, object_automation
from image_extender.mix.bark import band_energies
from image_extender.mix.blocks import CHUNK_FRAMES
from image_extender.mix.levels import FRAME_SECONDS, HOP_SECONDS, window_powers
from image_extender.mix.loudness import _interpolator, apply_true_peak_ceiling, bs1770_loudness, true_peak_dbtp
from image_extender.mix.pan import balance_stereo, pan_mono, to_mono
from image_extender.mix.dyneq import apply_eq
from image_extender.mix.render import StemCache, equalised, event_segment, loop_unit, mix_frames, unity_stem
from image_extender.mix.source import load_source


def street_stem(seconds: float) -> np.ndarray:
    """The street recording as a (frames, 2) float32 stem of ``seconds`` (tiled; right channel 6 dB down)."""
    mono = load_source(str(AUDIO / STREET), SR)[:, 0]
    n = int(seconds * SR)
    tiled = np.tile(mono, -(-n // mono.size))[:n]
    return np.stack([tiled, 0.5 * tiled], axis=1).astype(np.float32)


@pytest.fixture(scope="module")
def minute():
    stem = street_stem(60.0)
    assert stem.shape[0] > 10 * CHUNK_FRAMES  # many blocks, so block edges are really crossed
    return stem


def test_block_wise_loudness_is_pyloudnorm_s_one_pass_reading(minute):
    one_pass = pyloudnorm.Meter(SR).integrated_loudness(minute.astype(np.float64))
    assert bs1770_loudness(minute, SR) == pytest.approx(one_pass, abs=1e-6)
    assert bs1770_loudness(minute, SR, gain=0.25) == pytest.approx(one_pass + 20 * np.log10(0.25), abs=1e-6)


def test_block_wise_active_rms_windows_are_one_cumulative_sum_bit_for_bit(minute):
    win, hop = int(round(FRAME_SECONDS * SR)), int(round(HOP_SECONDS * SR))
    x = minute.astype(np.float64)
    power = np.zeros(x.shape[0] + 2 * win)
    power[win : win + x.shape[0]] = x[:, 0] * x[:, 0]
    power[win : win + x.shape[0]] += x[:, 1] * x[:, 1]
    cumulative = np.r_[0.0, np.cumsum(power)]
    starts = np.arange(0, power.size - win + 1, hop)
    expected = np.maximum(cumulative[starts + win] - cumulative[starts], 0.0) / win
    assert np.array_equal(window_powers(minute, SR), expected)


def test_block_wise_bark_bands_equal_one_stft_over_the_whole_stem(minute, monkeypatch):
    blocks = band_energies(minute, SR).energy
    monkeypatch.setattr(bark, "CHUNK_FRAMES", 10**9)  # every frame in one transform
    whole = band_energies(minute, SR).energy
    assert blocks.shape == whole.shape == (-(-minute.shape[0] // 1024), 25)
    assert np.allclose(blocks, whole, rtol=1e-6, atol=1e-15)
    assert blocks.sum() > 0


def test_block_wise_true_peak_is_the_maximum_over_the_whole_oversampled_stem_and_its_samples(minute):
    loud = minute * np.float32(2.5)  # over full scale: inter-sample peaks matter
    h = _interpolator(4)
    oversampled = float(np.abs(upfirdn(h, loud.astype(np.float64), 4, 1, axis=0)).max())
    whole = max(oversampled, float(np.abs(loud).max()))  # a true peak is never under the sample peak
    assert true_peak_dbtp(loud, SR) == pytest.approx(20 * np.log10(whole), abs=1e-9)


@pytest.mark.parametrize(
    "measure",
    [
        lambda x: bs1770_loudness(x, SR),
        lambda x: window_powers(x, SR),
        lambda x: band_energies(x, SR),
        lambda x: true_peak_dbtp(x, SR),
    ],
    ids=["bs1770-loudness", "active-rms-windows", "bark-bands", "true-peak"],
)
def test_working_memory_of_a_measure_does_not_grow_with_the_length_of_the_stem(measure):
    short, long = street_stem(20.0), street_stem(240.0)  # 7 MB and 85 MB of audio
    small, large = traced_peak_mb(lambda: measure(short))[0], traced_peak_mb(lambda: measure(long))[0]
    assert large < 1.5 * small + 1.0, f"20 s: {small:.1f} MB, 240 s: {large:.1f} MB"
    assert large < 0.5 * long.nbytes / 2**20  # never a copy of the stem


# ----------------------------------------------------------------- rendering and the master stage, block by block


def _one_pass_unity_stem(track, source: np.ndarray, spec) -> np.ndarray:
    """The stem as one pass over the whole lane makes it: every event's whole segment placed, then panned."""
    sr, n = spec.sample_rate, mix_frames(spec)
    src = source
    if track.role == "object" or src.shape[1] > 2:
        src = to_mono(src)[:, None]
    if track.loop:
        src = loop_unit(src, int(round(track.crossfade * sr)))
    lane = np.zeros((n, src.shape[1]))
    for event in track.events:
        start = int(round(event.start * sr))
        if start < n:
            seg = event_segment(src, event, sr, looped=track.loop)[: n - start]
            lane[start : start + seg.shape[0]] += seg
    if track.automation is not None:
        return apply_automation(lane, track.automation, sr).astype(np.float32)
    stereo = pan_mono(lane[:, 0], track.pan) if lane.shape[1] == 1 else balance_stereo(lane, track.pan)
    return stereo.astype(np.float32)


def test_block_wise_stems_are_the_one_pass_stems_bit_for_bit():
    """A 61 s mix crosses ~20 block edges: the street bed loops (seam inside a block), ~40 object
    events with fades straddle edges, and a moving pan/level curve (video) is read per block."""
    spec = MixSpec(duration=61.0, sample_rate=SR, seed=7)
    tracks = plan_mix(choices(), OBJECTS, spec)
    assert any(t.loop for t in tracks) and sum(len(t.events) for t in tracks) > 30
    moving = object_automation([0.0, 20.0, 50.0], [0.1, 0.9, 0.5], [0.1, 0.3, 0.2], enter=0.5, leave=60.0,
                               duration=61.0)  # fmt: skip
    cache = StemCache(spec)
    for track in tracks:
        source = cache.source(track)
        for variant in (track, track.model_copy(update={"automation": moving})):
            assert np.array_equal(unity_stem(variant, source, spec), _one_pass_unity_stem(variant, source, spec)), track.label


def test_master_stage_holds_only_its_output_at_any_length():
    """Static gain + lookahead limiter + true-peak rounds on a mix 12 dB too hot: beyond the float32
    mix it returns, the working memory for 240 s is that of 20 s (one whole-signal pass held ~10 arrays)."""
    work = {}
    for seconds in (20.0, 240.0):
        hot = street_stem(seconds).astype(np.float64) * 4.0
        peak, master = traced_peak_mb(lambda hot=hot: apply_true_peak_ceiling(hot, SR, -1.0, out_dtype=np.float32))
        assert master.limiter_db < 0.0 and master.samples.dtype == np.float32
        assert true_peak_dbtp(master.samples, SR) <= -1.0
        work[seconds] = peak - master.samples.nbytes / 2**20
    assert work[240.0] < 1.5 * work[20.0] + 1.0, work


def test_render_mix_holds_the_sum_and_the_mix_not_every_stem():
    """Five tracks, +20 dB so the limiter works, no stem cache: going from 60 s to 240 s adds under
    64 bytes a frame — the float64 sum (16), the float32 mix (8), one stem (8) and its measures —
    where keeping every stem and a whole-signal master stage added ~150."""
    peaks = {}
    for seconds in (60.0, 240.0):
        spec = MixSpec(duration=seconds, sample_rate=SR, seed=7)
        hot = [t.model_copy(update={"gain_db": t.gain_db + 20.0}) for t in plan_mix(choices(), OBJECTS, spec)]
        peaks[seconds], rendered = traced_peak_mb(lambda hot=hot, spec=spec: render_mix(hot, spec, stems=StemCache(spec, max_bytes=0)))
        assert rendered.report.limiter_db < 0.0 and rendered.report.true_peak_dbtp <= spec.ceiling_dbfs
    per_frame = (peaks[240.0] - peaks[60.0]) * 2**20 / (180.0 * SR)
    assert per_frame < 64.0, f"{per_frame:.0f} bytes a frame"


def test_equalised_stem_is_apply_eq_bit_for_bit_without_a_float64_copy_of_the_stem():
    """Cuts that overlap (applied one after the other on the same samples), cuts apart, a cut at
    the very start (no run-in) and one past the end: stretch by stretch gives apply_eq's samples."""
    stem = street_stem(60.0)
    cuts = [EqEvent(track="street", freq_hz=f, gain_db=g, q=q, start=s, end=e)
            for f, g, q, s, e in [(400.0, -9.0, 1.0, 0.0, 2.0), (1200.0, -6.0, 2.0, 10.0, 14.0),
                                  (1250.0, -12.0, 0.7, 12.5, 13.0), (80.0, -4.0, 1.0, 13.5, 20.0),
                                  (3000.0, -8.0, 1.5, 40.0, 41.0), (500.0, -3.0, 1.0, 59.5, 75.0)]]  # fmt: skip
    assert np.array_equal(equalised(stem, SR, cuts), apply_eq(stem, SR, cuts).astype(np.float32))
    peak, _ = traced_peak_mb(lambda: equalised(stem, SR, cuts))
    # the float32 result plus float64 work on the 10 s stretch of overlapping cuts; apply_eq then astype holds ≥ 3× the stem
    assert peak < 2.0 * stem.nbytes / 2**20
