"""`image-extender video` end to end on real clips: the sound follows the dog, the output
plays for exactly as long as the picture, the manifest re-renders the same samples, and
the generation backend works against a stand-in server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf
from conftest import data_dir
from video_clips import dog_pan_clip

from image_extender.errors import SettingsError
from image_extender.manifest import Manifest
from image_extender.settings import load_settings
from image_extender.video.mux import stream_seconds
from image_extender.video.pipeline import VideoOptions, sonify_video
from image_extender.video.samples import sample_clips

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dog_run(tmp_path_factory, darknet_photos):
    root = tmp_path_factory.mktemp("dog video")
    clip = dog_pan_clip(darknet_photos / "dog.jpg", root / "hund läuft.mp4", seconds=8.0)
    out = root / "out dir ü"
    manifest = sonify_video(clip, out, load_settings(), options=VideoOptions(frames_k=20, cache_dir=root / "cache"))
    return clip, out, manifest


def test_the_dogs_pan_follows_the_dog_across_the_picture(dog_run):
    clip, out, manifest = dog_run
    video = manifest.video
    dogs = [t for t in manifest.tracks if t.label == "dog"]
    assert len(dogs) == 1, [t.label for t in manifest.tracks]
    dog = dogs[0]
    follow = next(t for t in video.tracks if t.object_index == manifest.choices[dog.choice_index].target_index)
    assert len(follow.points) >= 12  # seen in most of the 18 sampled frames
    xs = [p.bbox.center_x for p in follow.points]
    assert xs[-1] - xs[0] > 0.2  # it really moves left → right

    for event in dog.events:  # barks only while the dog is in the picture
        assert follow.enter - 1e-6 <= event.start and event.start + event.length <= follow.leave + 1e-6

    index = manifest.tracks.index(dog)
    stem, sr = sf.read(next((out / "stems").glob(f"{index:02d}-object-dog.wav")), always_2d=True)
    block = int(0.05 * sr)
    balance, box_x = [], []
    point_t = np.array([p.time for p in follow.points])
    for start in range(0, stem.shape[0] - block, block):
        left, right = np.sum(stem[start:start + block] ** 2, axis=0)
        if left + right < 1e-6 * block:
            continue  # the dog is silent between barks
        t = (start + block / 2) / sr
        if not point_t[0] <= t <= point_t[-1]:
            continue
        balance.append((right - left) / (right + left))
        box_x.append(np.interp(t, point_t, xs))
    assert len(balance) >= 10
    r = float(np.corrcoef(box_x, balance)[0, 1])
    assert r >= 0.8, f"pan/box correlation {r:.2f}"


def test_the_output_folder_holds_the_video_with_sound_of_the_same_length(dog_run):
    clip, out, manifest = dog_run
    mux = manifest.video.mux
    assert mux is not None and mux.file == "video.mp4" and mux.video_copied
    video_s, audio_s = stream_seconds(out / "video.mp4")
    assert video_s == pytest.approx(8.0, abs=1 / 25)
    assert abs(audio_s - video_s) <= 1 / 25  # ± one frame
    with av.open(str(out / "video.mp4")) as c:
        assert c.streams.audio[0].codec_context.name == "aac"
        assert c.streams.audio[0].codec_context.channels == 2
    for name in ("mix.wav", "manifest.json", "timeline.png", "video_timeline.png", "CREDITS.md", "soundscape.zip"):
        assert (out / name).is_file(), name
    assert not list(out.parent.glob(".*partial*"))
    mix, sr = sf.read(out / "mix.wav")
    assert mix.shape[0] == int(round(8.0 * sr))
    assert manifest.video.info.md5 and manifest.scene.image.md5 == manifest.video.info.md5
    assert manifest.video.caption.startswith("A video of") and "dog" in manifest.video.caption
    assert "dog barking" in manifest.video.prompt


def test_the_manifest_rerenders_the_same_samples_automation_included(dog_run, tmp_path):
    from image_extender.pipeline import render_manifest

    clip, out, manifest = dog_run
    again = render_manifest(out / "manifest.json", tmp_path / "again")
    a, _ = sf.read(out / "mix.wav", dtype="int32")
    b, _ = sf.read(tmp_path / "again" / "mix.wav", dtype="int32")
    assert np.array_equal(a, b)
    assert any(t.automation is not None for t in again.tracks)
    assert again.video.mux is not None and (tmp_path / "again" / "video.mp4").is_file()  # the clip is muxed again
    moved = json.loads((out / "manifest.json").read_text())
    moved["video"]["info"]["path"] = str(tmp_path / "gone.mp4")
    (tmp_path / "moved.json").write_text(json.dumps(moved))
    for sound in (out / "sounds").iterdir():
        (tmp_path / "sounds").mkdir(exist_ok=True)
        (tmp_path / "sounds" / sound.name).write_bytes(sound.read_bytes())
    audio_only = render_manifest(tmp_path / "moved.json", tmp_path / "audio only")
    assert audio_only.video.mux is None and not list((tmp_path / "audio only").glob("video.*"))
    c, _ = sf.read(tmp_path / "audio only" / "mix.wav", dtype="int32")
    assert np.array_equal(a, c)

    old = json.loads((out / "manifest.json").read_text())
    old.pop("video")
    for t in old["tracks"]:
        t.pop("automation")
    Manifest.model_validate(old)  # a manifest from before video still loads


def test_cli_video_on_a_real_clip_with_cuts_writes_a_playable_file(tmp_path):
    clips = sample_clips(data_dir())
    src = tmp_path / "bikes in the städt.mp4"
    src.write_bytes((clips / "bikes.mp4").read_bytes())
    out = tmp_path / "my out"
    done = subprocess.run([sys.executable, "-m", "image_extender", "video", str(src), "-o", str(out), "--no-cache",
                           "--original", "replace"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "video with sound" in done.stdout
    manifest = Manifest.load(out / "manifest.json")
    assert [round(c.time) for c in manifest.video.cuts] == [1, 3, 5, 7]
    beds = [t for t in manifest.tracks if t.role == "ambience"]
    assert beds and all(e.start + e.length <= 10.0 + 1e-6 for t in beds for e in t.events)
    video_s, audio_s = stream_seconds(out / "video.mp4")
    assert abs(audio_s - video_s) <= 1 / 25


def test_cli_video_fails_in_one_line_without_leaving_a_folder(tmp_path):
    junk = tmp_path / "broken clip.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(5000))
    done = subprocess.run([sys.executable, "-m", "image_extender", "video", str(junk), "-o", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip() and not line.startswith("·")]  # stage lines
    assert len(lines) == 1 and lines[0].startswith("error:") and "broken clip.mp4" in lines[0]
    assert not (tmp_path / "o").exists()
    clip = sample_clips(data_dir()) / "carphone_pristine.mp4"
    from typer.testing import CliRunner

    from image_extender.cli import app

    for flag, value in (("--original", "louder"), ("--audio", "music"), ("--frames-k", "0")):
        result = CliRunner().invoke(app, ["video", str(clip), "-o", str(tmp_path / "o"), flag, value])
        assert result.exit_code == 2 and f"error: {flag}" in result.stderr, result.output


def test_keep_mixes_the_clips_own_sound_under_the_new_one_and_replace_drops_it(tmp_path):
    from image_extender.video.mux import read_original

    clip = sample_clips(data_dir()) / "bigbuckbunny.mp4"
    settings = load_settings()
    heard = {}
    for mode in ("keep", "replace"):
        m = sonify_video(clip, tmp_path / mode, settings, options=VideoOptions(original=mode, frames_k=4,
                                                                               cache_dir=tmp_path / "cache"))
        assert m.video.mux.original == mode
        mix, sr = sf.read(tmp_path / mode / "mix.wav", dtype="float32")
        out = read_original(tmp_path / mode / "video.mp4", sr, mix.shape[0])  # decode the AAC track back
        heard[mode] = out - mix
    own = read_original(clip, sr, mix.shape[0])

    def corr(a, b):
        return float(np.corrcoef(a[:, 0], b[:, 0])[0, 1])

    def level_of(a, b):  # least-squares gain of b inside a: coding noise uncorrelated with b leaves it at 1
        return float(np.dot(a[:, 0], b[:, 0]) / np.dot(b[:, 0], b[:, 0]))

    # what is left after taking the new mix out is the trailer's sound, at its own level; the
    # AAC coding error of a noise-like track (a quiet bird loop raised 35 dB) lowers the
    # correlation but not that level
    assert corr(heard["keep"], own) > 0.7 and abs(level_of(heard["keep"], own) - 1.0) < 0.1
    assert abs(corr(heard["replace"], own)) < 0.2  # only AAC coding noise is left
    # ... whose level follows what was coded (the new mix), not the quiet (−36 dBFS) trailer
    assert np.sqrt(np.mean(heard["replace"] ** 2)) < 0.25 * np.sqrt(np.mean(mix ** 2))


# ----------------------------------------------------------------------------- generation backend


class _StandIn(BaseHTTPRequestHandler):
    """Speaks ElevenLabs' sound-generation protocol; answers a real recording as MP3."""

    mp3: bytes = b""
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "key": self.headers.get("xi-api-key"), **body})
        if self.headers.get("xi-api-key") != "test-key":
            self.send_response(401)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("Content-Length", str(len(self.mp3)))
        self.end_headers()
        self.wfile.write(self.mp3)

    def log_message(self, *args):
        pass


def _mp3_of(wav: Path) -> bytes:
    import io

    data, sr = sf.read(wav, dtype="float32", always_2d=True)
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=sr, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data[:, :1].T), format="fltp", layout="mono")
        frame.sample_rate = sr
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return buf.getvalue()


@pytest.fixture()
def stand_in(starter_folders):
    wav = max(starter_folders["opensfx"].rglob("*.wav"), key=lambda p: p.stat().st_size)
    _StandIn.mp3 = _mp3_of(wav)
    _StandIn.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_generated_audio_goes_through_the_same_levels_ceiling_and_credits(tmp_path, stand_in, monkeypatch, darknet_photos):
    monkeypatch.setenv("ELEVENLABS_API_KEY", "test-key")
    clip = dog_pan_clip(darknet_photos / "dog.jpg", tmp_path / "dog.mp4", seconds=3.0)
    options = VideoOptions(audio="generate", generate_url=stand_in, generated_dir=tmp_path / "gen")
    manifest = sonify_video(clip, tmp_path / "out", load_settings(), options=options)
    assert _StandIn.requests and all(r["path"].startswith("/v1/sound-generation?") for r in _StandIn.requests)
    assert all(0.5 <= r["duration_seconds"] <= 22 for r in _StandIn.requests)
    assert any("dog barking" in r["text"] for r in _StandIn.requests)
    assert all(t.sound.provider == "generated" for t in manifest.tracks)
    assert manifest.report.true_peak_dbtp <= manifest.mix.ceiling_dbfs
    for track, rep in zip(manifest.tracks, manifest.report.tracks, strict=True):
        assert abs(rep.error_db) < 0.5, (track.label, rep.error_db)
    credits = (tmp_path / "out" / "CREDITS.md").read_text()
    assert "generated by elevenlabs" in credits and "dog barking" in credits
    assert "test-key" not in (tmp_path / "out" / "manifest.json").read_text()


def test_generation_without_key_or_with_a_rejected_key_is_one_clear_line(tmp_path, stand_in, monkeypatch, darknet_photos):
    clip = dog_pan_clip(darknet_photos / "dog.jpg", tmp_path / "dog.mp4", seconds=1.0)
    monkeypatch.delenv("ELEVENLABS_API_KEY", raising=False)
    with pytest.raises(SettingsError, match="ELEVENLABS_API_KEY"):
        sonify_video(clip, tmp_path / "o1", load_settings(), options=VideoOptions(audio="generate", generate_url=stand_in))
    monkeypatch.setenv("ELEVENLABS_API_KEY", "wrong-key")
    with pytest.raises(SettingsError, match="rejected ELEVENLABS_API_KEY") as info:
        sonify_video(clip, tmp_path / "o2", load_settings(),
                     options=VideoOptions(audio="generate", generate_url=stand_in, generated_dir=tmp_path / "g"))
    assert "wrong-key" not in str(info.value)
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()
    from image_extender.errors import ModelError

    with pytest.raises(ModelError, match="no config.json"):
        sonify_video(clip, tmp_path / "o3", load_settings(),
                     options=VideoOptions(audio="generate", generate_model=tmp_path))
    model = tmp_path / "my model"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "musicgen"}')
    with pytest.raises(ModelError, match="needs transformers and torch|cannot load the model"):  # no weights here
        sonify_video(clip, tmp_path / "o4", load_settings(), options=VideoOptions(audio="generate", generate_model=model))
    assert not (tmp_path / "o3").exists() and not (tmp_path / "o4").exists()
