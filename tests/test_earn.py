"""Every dynamic EQ cut earns its place, and the one-pass mix engineer gives the same samples.

On real recordings (scaper's street scene, voices, horns, dog): planned cuts are judged in
the band domain, with the make-up gain that follows them accounted for; a cut that does
not lower its maskee's masking in its span by at least 1 dB is dropped.
"""

from __future__ import annotations

import numpy as np
import pytest
from mix_scene import build_scene

from image_extender.manifest import EqEvent
from image_extender.mix.bark import band_energies
from image_extender.mix.dyneq import EqConfig, activity_spans, apply_eq, plan_eq
from image_extender.mix.earn import RISE_TOLERANCE_DB, earn_their_place, k_weights
from image_extender.mix.masking import analyse_masking, maskee_active, track_masking_db


@pytest.fixture(scope="module")
def scene():
    return build_scene()


@pytest.fixture(scope="module")
def judged(scene):
    sr = scene.sample_rate
    energies = [band_energies(s, sr) for s in scene.stems]
    analysis = analyse_masking(energies, scene.labels)
    events = plan_eq(analysis, importance=scene.importance, activity=[activity_spans(s, sr) for s in scene.stems],
                     sample_rate=sr, background={scene.labels.index("street")})  # fmt: skip
    return energies, events, earn_their_place(energies, scene.labels, events)


def _span_masking_on_audio(stems, sr, maskee: int, start: float, end: float) -> float:
    """The maskee's masking in [start, end] measured on audio (full STFT analysis), per masking.py's definition."""
    energy = np.stack([band_energies(s, sr).energy for s in stems])
    hop = band_energies(stems[0], sr).hop_seconds
    rows = slice(int(start / hop), int(np.ceil(end / hop)) + 1)
    e = energy[:, rows]
    levels = 10 * np.log10(np.maximum(e, 1e-15))
    active = maskee_active(levels)[maskee]
    rest = 10 * np.log10(np.maximum(e.sum(axis=0) - e[maskee], 1e-15))
    return float(np.clip(rest - levels[maskee], 0, 30)[active].mean())


def test_kept_cuts_each_lower_their_maskee_s_masking_by_at_least_one_db(judged):
    _, events, verdicts = judged
    assert len(verdicts) == len(events) and events
    kept = [v for v in verdicts if v.kept]
    assert kept, "the street bed buries the voices: some cut must help"
    assert all(v.benefit_db >= 1.0 for v in kept)
    assert all(v.maskee in v.event.masks.split(", ") for v in kept)


def test_a_cut_where_the_maskee_has_nothing_to_unmask_is_dropped(scene, judged):
    energies, events, _ = judged
    helpful = next(v.event for v in earn_their_place(energies, scene.labels, events) if v.kept)
    # the same cut moved to 15 kHz, where the voice it claims to help has no energy
    useless = helpful.model_copy(update={"freq_hz": 15000.0, "band": 23, "q": 2.0})
    verdicts = earn_their_place(energies, scene.labels, [helpful, useless])
    assert verdicts[0].kept and not verdicts[1].kept
    assert verdicts[1].benefit_db < 0.25


def test_the_band_domain_benefit_holds_on_the_filtered_audio(scene, judged):
    """The check works on band energies; the audio, really filtered, agrees within half a dB."""
    sr = scene.sample_rate
    _, _, verdicts = judged
    verdict = max((v for v in verdicts if v.kept), key=lambda v: v.benefit_db)
    ev = verdict.event
    masker, maskee = scene.labels.index(ev.track), scene.labels.index(verdict.maskee)
    cut = list(scene.stems)
    cut[masker] = apply_eq(scene.stems[masker], sr, [ev])
    before = _span_masking_on_audio(scene.stems, sr, maskee, ev.start, ev.end)
    after = _span_masking_on_audio(cut, sr, maskee, ev.start, ev.end)
    assert before - after >= 0.75  # the band-domain estimate (≥ 1 dB, make-up included) is not an artefact
    assert before - after == pytest.approx(verdict.benefit_db, abs=1.5)


def test_fewer_cuts_survive_than_were_planned_when_some_do_not_help(judged):
    _, events, verdicts = judged
    dropped = [v for v in verdicts if not v.kept]
    assert dropped, "on this scene some planned cuts move nobody's masking by 1 dB"
    assert all(v.benefit_db < 1.0 for v in dropped)


def test_no_cut_is_planned_deeper_than_its_limit_beds_may_duck_deeper(scene, judged):
    _, events, _ = judged
    config = EqConfig()
    for e in events:
        limit = config.bed_max_cut_db if e.track == "street" else config.max_cut_db
        assert -limit - 1e-9 <= e.gain_db < 0


def test_earning_with_no_cuts_is_empty(judged):
    energies, _, _ = judged
    assert earn_their_place(energies, [f"t{i}" for i in range(len(energies))], []) == []


def test_an_event_naming_an_unknown_track_is_refused(scene, judged):
    energies, _, _ = judged
    ghost = EqEvent(track="ghost", freq_hz=500.0, gain_db=-6.0, start=1.0, end=2.0, masks="voice")
    with pytest.raises(ValueError, match="ghost"):
        earn_their_place(energies, scene.labels, [ghost])


def test_a_cut_whose_make_up_gain_leaves_an_object_more_masked_is_dropped(scene, judged):
    """The street's cuts for the voices take ~1 dB off the bed; its make-up gain lifts it everywhere else,
    under the dog too, whose own cuts earn nothing: guarding the objects drops those cuts, and says why."""
    energies, events, free = judged
    objects = {k for k, label in enumerate(scene.labels) if label != "street"}
    guarded = earn_their_place(energies, scene.labels, events, guarded=objects)
    kept_free = {id(v.event) for v in free if v.kept}
    blamed = [v for v in guarded if not v.kept and "more masked than without EQ" in v.why]
    assert blamed and all(id(v.event) in kept_free for v in blamed)  # cuts that earned their place, dropped for the dog
    assert all("dog" in v.why for v in blamed)
    # in the band model, with the survivors and their make-up gains, no object is more masked than before
    energy = np.stack([e.energy for e in energies])
    kept = [v.event for v in guarded if v.kept]
    sr = scene.sample_rate
    after = [band_energies(apply_eq(s, sr, [e for e in kept if e.track == label]), sr).energy
             for s, label in zip(scene.stems, scene.labels, strict=True)]
    after = np.stack([a * (b.sum() / a.sum()) for a, b in zip(after, energy, strict=True)])  # make-up: energy restored
    before_m, after_m = track_masking_db(energy), track_masking_db(after)
    # the band model's tolerance, and 0.05 dB of model-vs-audio difference
    assert all(after_m[k] <= before_m[k] + RISE_TOLERANCE_DB + 0.05 for k in objects), (before_m, after_m)


def test_lufs_make_up_weighs_bands_as_bs1770_k_weighting_does():
    """For LUFS targets a cut's make-up gain is estimated on K-weighted band energies (BS.1770-4: a
    +4 dB high shelf above ~1.5 kHz and a high-pass below ~100 Hz), so high cuts cost more loudness."""
    db = 10 * np.log10(k_weights(48000))
    assert np.allclose(db[18:24], 4.0, atol=0.1)  # 4.4–15.5 kHz: the shelf's plateau
    assert abs(db[4]) < 0.1  # 400–510 Hz: flat
    assert db[0] < -3.0  # 20–100 Hz: the high-pass
    assert np.all(np.diff(db[:20]) > 0)  # rising through the shelf
