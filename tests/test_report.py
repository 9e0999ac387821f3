"""The outputs a user keeps, specified on a real mix (scaper's recordings).

mix.wav under the ceiling after the write, a timeline with a lane per track, credits
naming every author and licence, and a ZIP holding every file.
"""

from __future__ import annotations

import zipfile
from contextlib import contextmanager
from pathlib import Path

import matplotlib.pyplot as plt

import numpy as np
import pytest
import soundfile as sf

from image_extender.errors import RenderError
from image_extender.manifest import (
    BBox, ImageInfo, Manifest, MixAnalysis, MixSpec, Scene, SceneObject, Sound, SoundChoice,
)  # fmt: skip
from image_extender.mix import plan_mix, render_mix
from image_extender.mix.adaptive import adapt_mix
from image_extender.report import collect_sounds, write_audio, write_bundle, write_credits, write_stems, write_timeline
from image_extender.report.credits import credits_markdown
from image_extender.report.timeline import build_timeline, eq_rows, masking_strips

AUDIO = Path(__file__).resolve().parents[1] / "assets" / "scaper-audio"
SR = 44100

# (file, author, licence) — authors as the file names / README of the test data give them
SOUNDS = {
    "street": ("150993__saphe__street-scene-1.wav", "saphe", "Freesound sound 150993 (via scaper test data)"),
    "dog": ("dogbark.wav", "scaper contributors", "BSD-3-Clause (scaper test data)"),
    "car": ("17-CAR-Rolls-Royce-Horn.wav", "scaper contributors", "BSD-3-Clause (scaper test data)"),
    "man": ("42-Human-Vocal-Voice-taxi-2_edit.wav", "scaper contributors", "BSD-3-Clause (scaper test data)"),
}


def sound(key: str) -> Sound:
    name, author, licence = SOUNDS[key]
    info = sf.info(str(AUDIO / name))
    return Sound(provider="library", id=name, path=str(AUDIO / name), name=name, licence=licence, author=author,
                 url="https://freesound.org/s/150993/" if key == "street" else "", source="scaper tests/data",
                 duration=info.duration, sample_rate=info.samplerate, channels=info.channels)


OBJECTS = [
    SceneObject(label="dog", query="dog", bbox=BBox(x0=0.0, y0=0.3, x1=0.3, y1=0.9), importance=0.9, confidence=0.8),
    SceneObject(label="car", query="car", bbox=BBox(x0=0.6, y0=0.4, x1=1.0, y1=0.8), importance=0.4, confidence=0.7),
    SceneObject(label="man", query="man", bbox=BBox(x0=0.4, y0=0.1, x1=0.6, y1=1.0), importance=0.6, confidence=0.9),
]
CHOICES = [
    SoundChoice(role="ambience", target="urban street", target_index=0, query="street", sound=sound("street")),
    SoundChoice(role="object", target="dog", target_index=0, query="dog bark", sound=sound("dog")),
    SoundChoice(role="object", target="car", target_index=1, query="car horn", sound=sound("car")),
    SoundChoice(role="object", target="man", target_index=2, query="man calling", sound=sound("man")),
]


@pytest.fixture(scope="module")
def mix():
    spec = MixSpec(duration=12.0, sample_rate=SR, seed=11)
    tracks = plan_mix(CHOICES, OBJECTS, spec)
    return tracks, spec, render_mix(tracks, spec)


@pytest.fixture(scope="module")
def out_dir(mix, tmp_path_factory) -> Path:
    """The whole output folder, as the pipeline writes it."""
    tracks, spec, rendered = mix
    out = tmp_path_factory.mktemp("out")
    write_audio(out / "mix.wav", rendered.mix, SR)
    write_stems(out / "stems", tracks, rendered, SR)
    scene = Scene(image=ImageInfo(path="street.jpg", md5="0" * 32, width=640, height=480), analyzer="test",
                  objects=OBJECTS)
    manifest = Manifest(scene=scene, choices=CHOICES, mix=spec, tracks=tracks, report=rendered.report)
    collect_sounds(manifest, out).save(out / "manifest.json")
    write_timeline(tracks, rendered, spec, out / "timeline.png")
    write_credits(tracks, out / "CREDITS.md")
    return out


# ----------------------------------------------------------------- audio files


def test_the_ceiling_survives_writing_and_reading_back_even_with_gains_pushed_30db(mix, tmp_path):
    tracks, spec, _ = mix
    hot = render_mix([t.model_copy(update={"gain_db": t.gain_db + 30}) for t in tracks], spec)
    path = write_audio(tmp_path / "mix.wav", hot.mix, SR)
    back, sr = sf.read(str(path), dtype="float64")
    assert sr == SR and back.shape == (12 * SR, 2)
    assert sf.info(str(path)).subtype == "PCM_24"
    assert np.max(np.abs(back)) <= 10 ** (spec.ceiling_dbfs / 20)
    assert np.max(np.abs(back)) > 10 ** ((spec.ceiling_dbfs - 0.1) / 20)  # and it really reaches it


def test_a_pre_master_stem_beyond_full_scale_is_never_clipped(mix, tmp_path):
    tracks, spec, _ = mix
    hot = render_mix([t.model_copy(update={"gain_db": t.gain_db + 30}) for t in tracks], spec)
    assert np.max(np.abs(hot.stems[0])) > 1.0
    with pytest.raises(RenderError, match="exceed full scale"):
        write_audio(tmp_path / "stem.wav", hot.stems[0], SR, subtype="PCM_24")
    path = write_audio(tmp_path / "stem.wav", hot.stems[0], SR)  # default: float when needed
    assert sf.info(str(path)).subtype == "FLOAT"
    back, _ = sf.read(str(path), dtype="float32")
    assert np.array_equal(back, hot.stems[0])  # every sample kept


# ----------------------------------------------------------------- timeline


@pytest.fixture(scope="module")
def adapted(mix):
    """The same mix after the automatic mix engineer planned its dynamic EQ (as the pipeline does)."""
    tracks, spec, _ = mix
    importance = [0.0 if t.role == "ambience" else OBJECTS[CHOICES[t.choice_index].target_index].importance
                  for t in tracks]  # fmt: skip
    adaptation = adapt_mix(tracks, spec, importance)
    eq_tracks = [t.model_copy(update={"eq": adaptation.events_for(t.label)}) for t in tracks]
    analysis = MixAnalysis(masking_before=adaptation.masking_before, masking_after=adaptation.masking_after,
                           eq_events=len(adaptation.events))  # fmt: skip
    return eq_tracks, spec, render_mix(eq_tracks, spec), analysis


@contextmanager
def figure(*args, **kwargs):
    fig = build_timeline(*args, **kwargs)
    try:
        yield fig
    finally:
        plt.close(fig)


def lanes(fig) -> dict[str, plt.Axes]:
    return {ax.get_gid(): ax for ax in fig.axes if (ax.get_gid() or "").startswith("lane:")}


def eq_bars(ax) -> list:
    return [p for p in ax.patches if (p.get_gid() or "").startswith("eq:")]


def eq_labels(ax) -> list[str]:
    return [t.get_text().strip() for t in ax.texts if (t.get_gid() or "").startswith("eqlabel:")]


def test_timeline_has_a_lane_per_track_plus_the_mix_each_headed_by_label_role_sound_and_pan(mix):
    tracks, spec, rendered = mix
    with figure(tracks, rendered, spec, image="/photos/street.jpg") as fig:
        found = lanes(fig)
        assert sorted(found) == sorted([f"lane:{i}" for i in range(len(tracks))] + ["lane:mix"])
        headers = {gid: " ".join(t.get_text() for t in ax.texts if t.get_gid() != "side") for gid, ax in found.items()}
        for i, track in enumerate(tracks):
            assert track.label in headers[f"lane:{i}"] and track.sound.name[:30] in headers[f"lane:{i}"]
        assert "ambience bed" in headers["lane:0"] and "pan C" in headers["lane:0"]
        assert "object" in headers["lane:1"] and "pan L 0.7" in headers["lane:1"]  # dog: bbox centre x = 0.15
        assert "pan R 0.6" in headers["lane:2"]  # car on the right
        assert "-30.0 dB" in headers["lane:0"]  # bed level as measured
        assert headers["lane:mix"].startswith("mix")
        title = " ".join(t.get_text() for t in fig.texts)
        assert "street.jpg" in title and "12 s" in title and "4 tracks" in title
        assert "EQ" in title and "masking strip" not in title  # legend explains, colour bar labels the strip
        assert any(ax.get_gid() == "colourbar" for ax in fig.axes)


def test_every_track_has_a_masking_strip_blank_exactly_where_it_is_silent(mix):
    tracks, spec, rendered = mix
    with figure(tracks, rendered, spec) as fig:
        found = lanes(fig)
        for i in range(len(tracks)):
            images = [im for im in found[f"lane:{i}"].images if im.get_gid() == f"strip:{i}"]
            assert len(images) == 1
        assert not [im for im in found["lane:mix"].images]
    strips = masking_strips(rendered.stems, SR)
    assert strips.masking_db.shape[0] == len(tracks)
    bed, dog = strips.masking_db[0], strips.masking_db[1]
    assert np.isfinite(bed).all()  # the bed plays throughout
    dog_seconds = np.isfinite(dog).sum() * strips.hop_seconds
    plays = sum(e.length for e in tracks[1].events)
    assert 0.5 * plays < dog_seconds < plays + 0.2  # blank while the dog is silent (tails fade under 80 dB)
    assert np.nanmax(strips.masking_db) <= 30.0 and np.nanmin(strips.masking_db) >= 0.0


def test_the_strip_averages_to_the_manifest_s_masking_after_eq(adapted):
    """Strip (timeline, from the rendered stems) and analysis (planner, its own render) agree per track."""
    tracks, spec, rendered, analysis = adapted
    means = masking_strips(rendered.stems, SR).track_mean_db()
    after = [t.masking_db for t in analysis.masking_after.tracks]
    assert np.allclose(means, after, atol=0.05), (means, after)
    assert max(means) > 3.0  # this street mix really masks someone


def test_eq_cuts_are_labelled_bars_on_the_masker_s_lane_spanning_their_time(adapted):
    tracks, spec, rendered, analysis = adapted
    assert sum(len(t.eq) for t in tracks) >= 3
    with figure(tracks, rendered, spec, analysis=analysis) as fig:
        found = lanes(fig)
        for i, track in enumerate(tracks):
            bars = eq_bars(found[f"lane:{i}"])
            assert len(bars) == len(track.eq)
            for bar in bars:
                ev = track.eq[int(bar.get_gid().split(":")[2])]
                assert bar.get_x() == pytest.approx(ev.start) and bar.get_width() == pytest.approx(ev.end - ev.start)
            labels = eq_labels(found[f"lane:{i}"])
            groups = eq_rows(track.eq, spec.duration / (13.0 - 2.35 - 0.25), spec.duration)
            assert sorted(labels) == sorted(g.label for g in groups)
            assert sorted(k for g in groups for k in g.members) == list(range(len(track.eq)))  # every cut, once
            lone = [track.eq[g.members[0]] for g in groups if len(g.members) == 1]
            assert {f"\u2212{abs(e.gain_db):.1f} dB @ {e.freq_hz:.0f} Hz" for e in lone} <= set(labels)
        assert not eq_bars(found["lane:mix"])
        bed = " ".join(t.get_text() for t in found["lane:0"].texts)
        objects = {t.label for t in tracks if t.role == "object"}
        assert tracks[0].eq and all(set(e.masks.split(", ")) <= objects for e in tracks[0].eq)  # the bed, for objects
        assert " dB @ " in bed
        assert f"({analysis.masking_before.tracks[0].masking_db:.1f} before EQ)" in bed


def test_eq_labels_never_overlap_and_stay_inside_the_picture(adapted):
    tracks, spec, rendered, analysis = adapted
    with figure(tracks, rendered, spec, analysis=analysis) as fig:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        width = fig.bbox.width
        for ax in lanes(fig).values():
            boxes = [t.get_window_extent(renderer) for t in ax.texts if (t.get_gid() or "").startswith("eqlabel:")]
            boxes += [b.get_window_extent(renderer) for b in eq_bars(ax)]
            for a in range(len(boxes)):
                assert 0 <= boxes[a].x0 and boxes[a].x1 <= width
                for b in range(a + 1, len(boxes)):
                    overlap_x = min(boxes[a].x1, boxes[b].x1) - max(boxes[a].x0, boxes[b].x0)
                    overlap_y = min(boxes[a].y1, boxes[b].y1) - max(boxes[a].y0, boxes[b].y0)
                    assert overlap_x <= 1 or overlap_y <= 1, (a, b)


def test_a_mix_without_eq_draws_no_eq_marks(mix):
    tracks, spec, rendered = mix
    assert not any(t.eq for t in tracks)
    with figure(tracks, rendered, spec) as fig:
        for ax in lanes(fig).values():
            assert not eq_bars(ax) and not eq_labels(ax)
        assert "0 EQ cuts" in " ".join(t.get_text() for t in fig.texts)


def test_timeline_png_grows_with_the_number_of_tracks(mix, out_dir, tmp_path):
    from PIL import Image

    tracks, spec, rendered = mix
    two = render_mix(tracks[:2], spec)
    small = write_timeline(tracks[:2], two, spec, tmp_path / "two.png")
    with Image.open(out_dir / "timeline.png") as big_im, Image.open(small) as small_im:
        assert big_im.format == "PNG"
        assert big_im.size[1] > small_im.size[1] + 150  # two more lanes with their strips
        assert big_im.size[0] >= 1200


# ----------------------------------------------------------------- credits


def test_credits_name_every_sound_s_author_licence_and_use(out_dir):
    text = (out_dir / "CREDITS.md").read_text(encoding="utf-8")
    sections = text.split("\n## ")[1:]
    assert len(sections) == len(CHOICES)
    for choice in CHOICES:
        (section,) = [s for s in sections if s.startswith(choice.sound.name)]
        assert f"Author: {choice.sound.author}" in section
        assert f"Licence: {choice.sound.licence}" in section
        assert f"“{choice.target}”" in section
    assert "<https://freesound.org/s/150993/>" in text


def test_a_recording_with_no_known_licence_is_flagged_before_sharing():
    known = sound("dog").model_copy(update={"licence": "CC-BY-4.0"})
    text = credits_markdown([SoundChoice(role="object", target="dog", target_index=0, query="dog", sound=known)])
    assert "no known licence" not in text and "Rights:" not in text
    unknown = sound("street").model_copy(update={"licence": "unknown"})
    text = credits_markdown([SoundChoice(role="ambience", target="street", target_index=0, query="street", sound=unknown),
                             SoundChoice(role="object", target="dog", target_index=0, query="dog", sound=known)])
    assert "**1 of 2 recordings have no known licence** (150993__saphe__street-scene-1.wav)" in text
    (street,) = [s for s in text.split("\n## ")[1:] if s.startswith("150993")]
    assert "- Rights: no licence is known for this recording; check before sharing" in street


def test_a_sound_used_twice_is_credited_once_with_both_uses():
    twice = CHOICES + [SoundChoice(role="object", target="puppy", target_index=0, query="puppy", sound=sound("dog"))]
    text = credits_markdown(twice)
    assert text.count("## dogbark.wav") == 1
    assert "object “dog”, object “puppy”" in text


# ----------------------------------------------------------------- bundle


def test_bundle_holds_every_output_file_in_a_fixed_order(out_dir, tmp_path):
    zip_path = write_bundle(out_dir, tmp_path / "soundscape.zip")
    on_disk = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        assert names == on_disk
        assert zf.testzip() is None
        assert zf.read("CREDITS.md") == (out_dir / "CREDITS.md").read_bytes()
    for required in ("mix.wav", "manifest.json", "timeline.png", "CREDITS.md"):
        assert required in names
    assert sum(n.startswith("stems/") for n in names) == len(CHOICES)
    assert sum(n.startswith("sounds/") for n in names) == len(CHOICES)
    again = write_bundle(out_dir, tmp_path / "again.zip")
    assert again.read_bytes() == zip_path.read_bytes()  # deterministic bytes


def test_the_zip_stores_audio_uncompressed_and_deflates_text(out_dir, tmp_path):
    """Deflate gains nothing on PCM and costs ~50 ms per MB: audio and pictures are stored, text is deflated."""
    zip_path = write_bundle(out_dir, tmp_path / "soundscape.zip")
    with zipfile.ZipFile(zip_path) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        audio = [i for name, i in infos.items() if name.endswith(".wav")]
        assert len(audio) >= 5  # mix + four stems
        assert all(i.compress_type == zipfile.ZIP_STORED and i.compress_size == i.file_size for i in audio)
        assert infos["timeline.png"].compress_type == zipfile.ZIP_STORED
        assert infos["manifest.json"].compress_type == zipfile.ZIP_DEFLATED
        assert infos["manifest.json"].compress_size < infos["manifest.json"].file_size / 2
        assert zf.read("mix.wav") == (out_dir / "mix.wav").read_bytes()


def test_a_300_s_timeline_groups_its_cuts_and_no_two_labels_overlap(tmp_path):
    """Hundreds of cuts on a long mix: one label per group of colliding cuts, none overlapping, all inside."""
    spec = MixSpec(duration=300.0, sample_rate=8000, seed=11)  # 8 kHz: the layout is the point, not the top octave
    tracks = plan_mix(CHOICES, OBJECTS, spec)
    importance = [0.0 if t.role == "ambience" else OBJECTS[CHOICES[t.choice_index].target_index].importance
                  for t in tracks]  # fmt: skip
    adaptation = adapt_mix(tracks, spec, importance)
    eq_tracks = [t.model_copy(update={"eq": adaptation.events_for(t.label)}) for t in tracks]
    cuts = sum(len(t.eq) for t in eq_tracks)
    assert cuts >= 30
    with figure(eq_tracks, render_mix(eq_tracks, spec), spec) as fig:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        labels = 0
        for gid, ax in lanes(fig).items():
            texts = [t for t in ax.texts if (t.get_gid() or "").startswith("eqlabel:")]
            labels += len(texts)
            boxes = [t.get_window_extent(renderer) for t in texts]
            assert all(0 <= b.x0 and b.x1 <= fig.bbox.width for b in boxes), gid
            for a in range(len(boxes)):
                for b in range(a + 1, len(boxes)):
                    assert not boxes[a].overlaps(boxes[b]), (gid, texts[a].get_text(), texts[b].get_text())
            if gid != "lane:mix":
                assert len(eq_bars(ax)) == len(eq_tracks[int(gid.split(":")[1])].eq)  # every cut still drawn
        assert 0 < labels < cuts  # grouped: fewer labels than cuts


def test_the_bundled_manifest_re_renders_the_bundled_mix(out_dir):
    manifest = Manifest.load(out_dir / "manifest.json")
    mix, _ = sf.read(str(out_dir / "mix.wav"), dtype="float64")
    # sound paths are relative to the manifest's folder (sounds/…), as the pipeline writes them
    tracks = [t.model_copy(update={"sound": t.sound.model_copy(update={"path": str(out_dir / t.sound.path)})})
              for t in manifest.tracks]
    assert all(t.sound.path.startswith("sounds/") for t in manifest.tracks)
    again = render_mix(tracks, manifest.mix).mix
    assert np.max(np.abs(mix - again)) < 2 ** -22  # same samples, up to 24-bit quantisation
