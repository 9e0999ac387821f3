"""The mixer, specified on real recordings (scaper's test audio in assets/scaper-audio).

A street bed, a dog bark on the left, a car horn on the right, a man calling in the
centre: the numbers a listener cares about — where things sit, how loud they are, that
nothing clips, that nothing clicks, that the same manifest gives the same mix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from image_extender.errors import RenderError
from image_extender.manifest import BBox, Manifest, MixSpec, SceneObject, Sound, SoundChoice, Track
from image_extender.mix import LEVEL_MEASURE, active_rms_db, plan_mix, render_mix
from image_extender.mix.levels import frame_powers
from image_extender.mix.pan import pan_mono, to_mono
from image_extender.mix.place import place_object, track_rng
from image_extender.mix.render import loop_unit
from image_extender.mix.source import load_source

AUDIO = Path(__file__).resolve().parents[1] / "assets" / "scaper-audio"
STREET = "150993__saphe__street-scene-1.wav"
NOISE = "noise-free-sound-0145.wav"
DOG = "dogbark.wav"
HORN = "17-CAR-Rolls-Royce-Horn.wav"
CALL = "42-Human-Vocal-Voice-all-aboard_edit.wav"
TAXI = "42-Human-Vocal-Voice-taxi-1_edit.wav"
SR = 44100


def probe(name: str, path: Path | None = None) -> Sound:
    """A ``Sound`` for a file in assets/scaper-audio, facts read with soundfile."""
    path = path or AUDIO / name
    info = sf.info(str(AUDIO / name))
    author = name.split("__")[1] if "__" in name else "unknown (scaper test data)"
    return Sound(
        provider="library", id=name, path=str(path), name=name, licence="scaper test data (BSD-3-Clause repo)",
        author=author, duration=info.duration, sample_rate=info.samplerate, channels=info.channels,
    )


def obj(label: str, x0: float, x1: float, importance: float) -> SceneObject:
    return SceneObject(label=label, query=label, bbox=BBox(x0=x0, y0=0.2, x1=x1, y1=0.8),
                       importance=importance, confidence=0.9)


OBJECTS = [
    obj("dog", 0.0, 0.2, 1.0),  # left edge, most important
    obj("car", 0.7, 0.9, 0.0),  # right, least important
    obj("man", 0.4, 0.6, 0.5),  # centre
    obj("taxi", 0.55, 0.85, 0.3),
]


def choices(bed: str = STREET) -> list[SoundChoice]:
    return [
        SoundChoice(role="ambience", target="urban street", target_index=0, query="street", sound=probe(bed)),
        SoundChoice(role="object", target="dog", target_index=0, query="dog bark", sound=probe(DOG)),
        SoundChoice(role="object", target="car", target_index=1, query="car horn", sound=probe(HORN)),
        SoundChoice(role="object", target="man", target_index=2, query="man calling", sound=probe(CALL)),
        SoundChoice(role="object", target="taxi", target_index=3, query="taxi call", sound=probe(TAXI)),
        SoundChoice(role="object", target="kite", target_index=3, query="kite", sound=None),  # nothing found
    ]


@pytest.fixture(scope="module")
def planned() -> tuple[list[Track], MixSpec]:
    spec = MixSpec(duration=30.0, sample_rate=SR, seed=7)
    return plan_mix(choices(), OBJECTS, spec), spec


@pytest.fixture(scope="module")
def rendered(planned):
    tracks, spec = planned
    return render_mix(tracks, spec)


def by_label(tracks: list[Track], label: str) -> int:
    return next(i for i, t in enumerate(tracks) if t.label == label)


def energy_db(x: np.ndarray) -> float:
    return 10 * np.log10(float(np.sum(np.asarray(x, dtype=np.float64) ** 2)))


# ----------------------------------------------------------------- level measure


def test_level_measure_ignores_silence_padding_and_follows_gain_exactly():
    bark = load_source(AUDIO / DOG, SR)
    alone = active_rms_db(bark, SR)
    padded = np.concatenate([np.zeros((SR, 2)), bark, np.zeros((2 * SR, 2))])
    assert alone < -5  # a real, finite level
    assert active_rms_db(padded, SR) == pytest.approx(alone, abs=0.3)
    assert active_rms_db(0.5 * bark, SR) == pytest.approx(alone - 6.0206, abs=1e-6)


def test_level_measure_keeps_a_mono_sound_s_level_when_panned():
    call = to_mono(load_source(AUDIO / CALL, SR))
    for pan in (-1.0, -0.4, 0.0, 0.8):
        assert active_rms_db(pan_mono(call, pan), SR) == pytest.approx(active_rms_db(call, SR), abs=0.01)


# ----------------------------------------------------------------- pan


@pytest.mark.parametrize("pan", [-1.0, -0.6, 0.0, 0.3, 1.0])
def test_constant_power_pan_keeps_the_energy_of_a_real_bark(pan):
    bark = to_mono(load_source(AUDIO / DOG, SR))
    stereo = pan_mono(bark, pan)
    assert energy_db(stereo) == pytest.approx(energy_db(bark), abs=0.1)


def test_centre_pan_puts_the_sound_3db_down_in_each_channel():
    bark = to_mono(load_source(AUDIO / DOG, SR))
    stereo = pan_mono(bark, 0.0)
    for ch in (0, 1):
        assert energy_db(stereo[:, ch]) - energy_db(bark) == pytest.approx(-3.01, abs=0.01)


def test_objects_sit_where_their_boxes_are(planned, rendered):
    tracks, _ = planned
    dog = rendered.stems[by_label(tracks, "dog")]  # box on the left
    car = rendered.stems[by_label(tracks, "car")]  # box on the right
    man = rendered.stems[by_label(tracks, "man")]  # box in the middle
    assert tracks[by_label(tracks, "dog")].pan == pytest.approx(-0.8)
    assert energy_db(dog[:, 0]) - energy_db(dog[:, 1]) > 10
    assert energy_db(car[:, 1]) - energy_db(car[:, 0]) > 5
    assert energy_db(man[:, 0]) == pytest.approx(energy_db(man[:, 1]), abs=0.01)


# ----------------------------------------------------------------- levels


def test_object_levels_follow_importance_and_reach_their_targets(planned, rendered):
    tracks, _ = planned
    levels = {r.label: r.level_db for r in rendered.report.tracks}
    assert levels["dog"] == pytest.approx(-20.0, abs=0.5)  # importance 1
    assert levels["car"] == pytest.approx(-30.0, abs=0.5)  # importance 0
    assert levels["man"] == pytest.approx(-25.0, abs=0.5)  # importance 0.5: linear in between
    assert levels["taxi"] == pytest.approx(-27.0, abs=0.5)
    assert levels["urban street"] == pytest.approx(-30.0, abs=0.5)
    objects = [r for r in rendered.report.tracks if r.role == "object"]
    assert max(objects, key=lambda r: r.level_db).label == "dog"
    for track, rep in zip(tracks, rendered.report.tracks):
        assert rep.level_db == pytest.approx(track.target_db, abs=0.5)


def test_gain_is_target_minus_the_clip_s_own_level(planned):
    """For whole clips the stem measure equals the clip measure: gain = target − clip level."""
    tracks, spec = planned
    for label, name in (("dog", DOG), ("car", HORN), ("man", CALL)):
        track = tracks[by_label(tracks, label)]
        clip = to_mono(load_source(AUDIO / name, SR))
        assert track.gain_db == pytest.approx(track.target_db - active_rms_db(clip, SR), abs=0.5)
    assert spec.level_measure == LEVEL_MEASURE


def test_choices_without_a_sound_make_no_track(planned):
    tracks, _ = planned
    assert [t.label for t in tracks] == ["urban street", "dog", "car", "man", "taxi"]


# ----------------------------------------------------------------- ceiling


def test_mix_never_exceeds_the_ceiling_even_with_gains_pushed_30db(planned):
    tracks, spec = planned
    loud = [t.model_copy(update={"gain_db": t.gain_db + 30.0}) for t in tracks]
    out = render_mix(loud, spec)
    raw_peak = 20 * np.log10(np.max(np.abs(np.sum(out.stems, axis=0))))
    assert raw_peak > 20  # the summed stems really are far too hot
    assert np.max(np.abs(out.mix)) <= 10 ** (-1.0 / 20)
    assert out.report.peak_dbfs <= -1.0
    assert out.report.master_gain_db < -20  # and the report says how much was taken off
    assert out.report.loudness_lufs is not None and out.report.loudness_lufs < 0


def test_a_mix_under_the_ceiling_passes_untouched(planned):
    tracks, spec = planned
    quiet = [t.model_copy(update={"gain_db": t.gain_db - 20.0}) for t in tracks]
    out = render_mix(quiet, spec)
    assert out.report.master_gain_db == 0.0
    # the mix is the plain sum of the stems (stems are float32, so compare to float32 precision)
    np.testing.assert_allclose(out.mix, np.sum(out.stems, axis=0), rtol=0, atol=1e-6)


# ----------------------------------------------------------------- determinism


def test_rendering_the_same_tracks_twice_is_bit_identical(planned, rendered):
    tracks, spec = planned
    again = render_mix(tracks, spec)
    assert np.array_equal(again.mix, rendered.mix)
    assert all(np.array_equal(a, b) for a, b in zip(again.stems, rendered.stems))
    assert again.report == rendered.report


def test_planning_is_seeded(planned):
    tracks, spec = planned
    same = plan_mix(choices(), OBJECTS, MixSpec(duration=30.0, sample_rate=SR, seed=7))
    other = plan_mix(choices(), OBJECTS, MixSpec(duration=30.0, sample_rate=SR, seed=8))
    assert [t.model_dump() for t in same] == [t.model_dump() for t in tracks]
    assert [t.events for t in other] != [t.events for t in tracks]


def test_a_saved_manifest_re_renders_the_same_mix(planned, rendered, tmp_path):
    from image_extender.manifest import ImageInfo, Scene

    tracks, spec = planned
    scene = Scene(image=ImageInfo(path="x.jpg", md5="0" * 32, width=1, height=1), analyzer="test", objects=OBJECTS)
    Manifest(scene=scene, mix=spec, tracks=tracks, report=rendered.report).save(tmp_path / "manifest.json")
    loaded = Manifest.load(tmp_path / "manifest.json")
    assert np.array_equal(render_mix(loaded.tracks, loaded.mix).mix, rendered.mix)


# ----------------------------------------------------------------- time placement


@pytest.mark.parametrize("bed, loops", [(STREET, False), (NOISE, True)])
def test_beds_cover_the_whole_mix_without_gaps_or_clicks(bed, loops):
    spec = MixSpec(duration=30.0, sample_rate=SR, seed=3)
    (track,) = plan_mix(choices(bed)[:1], OBJECTS, spec)
    assert track.loop is loops
    (ev,) = track.events
    assert (ev.start, ev.length) == (0.0, 30.0)
    stem = render_mix([track], spec).stems[0].astype(np.float64)
    assert stem.shape == (30 * SR, 2)

    # no gaps: every 50 ms frame between the fades sounds, none far below the typical one
    levels = 10 * np.log10(frame_powers(stem, SR)[2:-21])
    assert levels.min() > np.median(levels) - 25

    # no clicks: around every loop seam the sample steps stay within the recording's own
    source = load_source(AUDIO / bed, SR)
    unit = loop_unit(to_mono(source)[:, None], int(round(track.crossfade * SR)))
    normal_step = np.max(np.abs(np.diff(stem[SR:-2 * SR, 0])))
    if loops:
        period = unit.shape[0]
        off = int(round(ev.offset * SR))
        seams = [k for k in range(stem.shape[0]) if (off + k) % period == 0]
        assert len(seams) >= 30 // 3  # a 2.9 s bed loops ~10 times in 30 s
        xf = int(round(track.crossfade * SR))
        for k in seams:
            window = stem[max(0, k - xf - 1) : k + 1, 0]  # the crossfade and the wrap
            assert np.max(np.abs(np.diff(window))) <= normal_step * 1.0001
            assert np.abs(stem[k, 0] - stem[k - 1, 0]) <= np.percentile(np.abs(np.diff(stem[:, 0])), 99.9)


def test_short_sounds_recur_early_but_not_at_zero_and_never_past_the_end():
    for duration in (4.0, 12.0, 30.0):
        for seed in range(5):
            spec = MixSpec(duration=duration, sample_rate=SR, seed=seed)
            tracks = plan_mix(choices()[1:3], OBJECTS, spec)
            for track in tracks:
                first = track.events[0].start
                assert 0 < first < 0.25 + 0.6 * 7.0
                for ev in track.events:
                    assert ev.start + ev.length <= duration + 1e-9
                    assert ev.fade_in + ev.fade_out <= ev.length
                starts = [e.start for e in track.events]
                assert starts == sorted(starts)
                assert all(b - a >= track.sound.duration for a, b in zip(starts, starts[1:]))


def test_important_objects_sound_more_often():
    rng_count = {"dog": 0, "car": 0}
    for seed in range(10):
        for label, importance in (("dog", 1.0), ("car", 0.0)):
            rng = track_rng(seed, "object", 0, label)
            rng_count[label] += len(place_object(0.7, 30.0, importance, rng))
    assert rng_count["dog"] > 1.8 * rng_count["car"]


def test_a_cut_event_fades_to_silence_at_the_end_of_the_mix():
    spec = MixSpec(duration=20.0, sample_rate=SR, seed=1)
    long_obj = [SoundChoice(role="object", target="traffic", target_index=0, query="traffic", sound=probe(STREET))]
    (track,) = plan_mix(long_obj, OBJECTS, spec)
    (ev,) = track.events  # 45 s clip in a 20 s mix: plays once, cut
    assert ev.start == 0.0 and ev.length == 20.0 and ev.fade_out >= 0.3
    stem = render_mix([track], spec).stems[0]
    assert np.max(np.abs(stem[-10:])) < 1e-3


# ----------------------------------------------------------------- errors and speed


def test_a_missing_sound_file_is_a_render_error_naming_file_and_track(planned, tmp_path):
    tracks, spec = planned
    gone = tmp_path / "deleted-bark.wav"
    broken = tracks[1].model_copy(update={"sound": probe(DOG, path=gone)})
    with pytest.raises(RenderError, match=r"deleted-bark\.wav.*'dog'"):
        render_mix([tracks[0], broken], spec)
    bad_choice = choices()[1].model_copy(update={"sound": probe(DOG, path=gone)})
    with pytest.raises(RenderError, match="deleted-bark.wav"):
        plan_mix([bad_choice], OBJECTS, spec)


def test_the_planner_s_stem_cache_renders_the_same_samples_as_a_fresh_render(planned, rendered):
    """Planning, dynamic EQ, make-up gain and render share one StemCache; the samples must not depend on it."""
    from image_extender.mix.adaptive import adapt_mix
    from image_extender.mix.plan import make_up_eq_gain
    from image_extender.mix.render import StemCache

    tracks, spec = planned
    stems = StemCache(spec)
    again = plan_mix(choices(), OBJECTS, spec, stems=stems)
    assert [t.gain_db for t in again] == [t.gain_db for t in tracks]
    importance = [0.0] + [OBJECTS[c.target_index].importance for c in choices()[1:5]]
    adaptation = adapt_mix(again, spec, importance, stems=stems)
    eq_tracks = make_up_eq_gain([t.model_copy(update={"eq": adaptation.events_for(t.label)}) for t in again], spec, stems)
    assert any(t.eq for t in eq_tracks)
    cached = render_mix(eq_tracks, spec, stems=stems)
    fresh = render_mix(eq_tracks, spec)
    assert np.array_equal(cached.mix, fresh.mix)
    assert all(np.array_equal(a, b) for a, b in zip(cached.stems, fresh.stems, strict=True))
    plain = render_mix(tracks, spec, stems=stems)  # the same cache still serves the EQ-free tracks exactly
    assert np.array_equal(plain.mix, rendered.mix)


def test_after_eq_band_energies_reanalyse_only_the_cut_spans_and_equal_a_full_analysis(planned):
    from image_extender.manifest import EqEvent
    from image_extender.mix.bark import band_energies
    from image_extender.mix.dyneq import apply_eq

    tracks, spec = planned
    from image_extender.mix.render import StemCache

    stems = StemCache(spec)
    bed = tracks[0].model_copy(update={"eq": [
        EqEvent(track=tracks[0].label, freq_hz=570.0, gain_db=-9.0, start=3.0, end=5.5),
        EqEvent(track=tracks[0].label, freq_hz=2500.0, gain_db=-4.0, q=0.5, start=20.0, end=21.0)]})
    quick = stems.bands(bed).energy
    full = band_energies(apply_eq(stems.unity(bed), SR, bed.eq).astype(np.float32), SR).energy
    assert np.allclose(quick, full, rtol=1e-6, atol=1e-15)
    assert not np.allclose(quick, stems.bands(tracks[0]).energy)  # the cuts did change something
