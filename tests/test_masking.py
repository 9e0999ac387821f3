"""Bark-band masking analysis on real recordings (street bed, voices, horn, dog bark)."""

from __future__ import annotations

import numpy as np
import pytest
from mix_scene import build_scene

from image_extender.mix.bark import BARK_CENTRES_HZ, BARK_EDGES_HZ, N_BANDS, band_energies, hz_to_bark
from image_extender.mix.masking import analyse_masking

# Zwicker (1961), JASA 33(2):248, Table I: lower band edges of the 24 critical bands and the
# upper edge of band 24 — typed in from the paper, then the customary 25th band to 20 kHz.
ZWICKER_1961_EDGES = [20, 100, 200, 300, 400, 510, 630, 770, 920, 1080, 1270, 1480, 1720, 2000,
                      2320, 2700, 3150, 3700, 4400, 5300, 6400, 7700, 9500, 12000, 15500]  # fmt: skip


@pytest.fixture(scope="module")
def scene():
    return build_scene()


@pytest.fixture(scope="module")
def analysis(scene):
    energies = [band_energies(s, scene.sample_rate) for s in scene.stems]
    return analyse_masking(energies, scene.labels)


def idx(scene, label):
    return scene.labels.index(label)


def test_bark_bands_are_zwickers_25_bands_from_20_hz_to_20_khz():
    assert N_BANDS == 25 and len(BARK_EDGES_HZ) == 26
    assert BARK_EDGES_HZ[:25].tolist() == ZWICKER_1961_EDGES
    assert BARK_EDGES_HZ[-1] == 20000
    assert np.all((BARK_CENTRES_HZ > BARK_EDGES_HZ[:-1]) & (BARK_CENTRES_HZ < BARK_EDGES_HZ[1:]))
    # each tabulated edge sits on an integer of the Zwicker & Terhardt (1980) Bark formula
    z = hz_to_bark(BARK_EDGES_HZ[:25])
    assert np.max(np.abs(z - np.arange(25))) < 0.25


def test_band_energies_add_up_to_the_signal_power_of_a_real_recording(scene):
    street = scene.stems[idx(scene, "street")]
    bands = band_energies(street, scene.sample_rate)
    total_db = 10 * np.log10(bands.energy.sum(axis=1).mean())
    direct_db = 10 * np.log10(np.mean(np.sum(street**2, axis=1)))
    assert abs(total_db - direct_db) < 0.1  # Parseval, within 0.1 dB
    assert bands.frames == -(-street.shape[0] // bands.hop)


def test_street_bed_masks_the_voice_only_while_the_voice_sounds(scene, analysis):
    s, v = idx(scene, "street"), idx(scene, "voice")
    assert analysis.track_db[v] > 3.0  # the voice is buried by > 3 dB on average where it sounds
    spans = analysis.spans(s, v)
    assert spans, "street should mask the voice somewhere"
    v0, v1 = scene.spans[v]
    hop = analysis.hop_seconds
    for span in spans:  # frame resolution: half a frame of slack at either end
        assert v0 - hop <= span.start < span.end <= v1 + hop
        assert span.mean_excess_db >= 3.0


def test_tracks_that_never_sound_together_do_not_mask_each_other(scene, analysis):
    for a, b in [("dog", "taxi"), ("horn", "taxi"), ("voice", "dog"), ("horn", "dog")]:
        i, j = idx(scene, a), idx(scene, b)
        assert analysis.pair_db_s(i, j).sum() == 0.0
        assert analysis.pair_db_s(j, i).sum() == 0.0


def test_turning_the_voice_up_lowers_its_masking_and_raises_the_others(scene):
    v = idx(scene, "voice")
    energies = [band_energies(s, scene.sample_rate) for s in scene.stems]
    base = analyse_masking(energies, scene.labels)
    louder = analyse_masking([e.scaled(6.0) if k == v else e for k, e in enumerate(energies)], scene.labels)
    assert louder.track_db[v] < base.track_db[v] - 2.0
    assert louder.pair_db_s(v, idx(scene, "horn")).sum() > base.pair_db_s(v, idx(scene, "horn")).sum()


def test_summary_is_compact_and_directional(scene, analysis):
    summary = analysis.summary()
    assert len(summary.tracks) == len(scene.labels)
    assert summary.mix_db == pytest.approx(np.mean([t.masking_db for t in summary.tracks]), abs=1e-2)
    pairs = {(p.masker, p.maskee): p for p in summary.pairs}
    assert ("street", "voice") in pairs and ("dog", "taxi") not in pairs
    for p in summary.pairs:
        assert len(p.per_band_db_s) == 25 and 0.0 <= p.dominance <= 1.0
        assert p.total_db_s == pytest.approx(sum(p.per_band_db_s), rel=1e-3, abs=1e-2)
    # the horn (−24 dBFS) dominates the voice (−30 dBFS) more often than the reverse
    assert pairs[("horn", "voice")].dominance > 0.5
    summary.model_dump_json()  # manifest-ready
