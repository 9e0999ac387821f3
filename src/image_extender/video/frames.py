"""Open a clip, say what it is, and decode only the frames we sample — streamed, never all.

Decoding uses PyAV (``av``), whose wheel ships the FFmpeg libraries: no system ffmpeg.

**How many frames** (Immersivaudio's rule): n = k·log10(s) for a clip of s seconds, so a
10 s clip gets k frames and a 2-hour one only 3.9·k — the analysis grows with the log of
the length. Under 10 s the logarithm falls below 1 (and below 0 under 1 s), so a floor of
``MIN_FRAMES`` applies; and never more frames than the clip has. Frames are taken at the
centres of n equal slices of the clip, t_i = (i + ½)·s/n.

**Streaming**: for each target time we seek to the key frame before it (when it lies more
than ``SEEK_GAP`` seconds ahead) and decode forward to the first frame at or after it; only
that frame is converted to RGB, downscaled so its long side is at most ``MAX_SIDE``. Memory
is one decoded frame plus the codec's own buffers, whatever the resolution or length.
Times are the decoded frames' presentation times, so a variable-frame-rate phone clip gets
the right times too.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..manifest import VideoInfo

DEFAULT_K = 10.0  # frames per decade of seconds: 10 s → 10 frames, 60 s → 18, 2 h → 39
MIN_FRAMES = 4  # floor for clips under 10 s
MIN_SECONDS = 0.5  # shorter clips are refused: too short to place a sound in
MAX_SIDE = 1280  # long side of a decoded frame handed to the analyzer
SEEK_GAP = 2.0  # seek instead of decoding through when the next frame is this far ahead


@dataclass(frozen=True)
class Frame:
    index: int
    time: float
    rgb: np.ndarray  # (height, width, 3) uint8


def file_md5(path: Path, chunk: int = 1 << 20) -> str:
    """MD5 of the file's bytes, read in 1 MiB chunks (a 2-hour clip never sits in memory)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def frame_count(seconds: float, available: int, k: float = DEFAULT_K) -> int:
    """n = round(k·log10(s)), at least ``MIN_FRAMES``, at most ``available``."""
    if k <= 0:
        raise ValueError(f"frames k must be positive, got {k}")
    wanted = round(k * math.log10(seconds)) if seconds > 0 else 0
    return max(1, min(int(available), max(MIN_FRAMES, wanted)))


def sample_times(seconds: float, n: int) -> list[float]:
    """Centres of n equal slices of [0, seconds]."""
    return [(i + 0.5) * seconds / n for i in range(n)]


def _open(path: Path):
    import av

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a video file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: empty file")
    try:
        return av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a video file PyAV/FFmpeg can read ({_short(exc)})") from exc


def probe(path: Path, md5: str | None = None) -> VideoInfo:
    """What the clip is. Raises ``InputError`` for no video stream, no frames, or too short."""
    path = Path(path)
    with _open(path) as container:
        if not container.streams.video:
            kinds = ", ".join(sorted({s.type for s in container.streams})) or "nothing"
            raise InputError(f"{path}: has no video stream (it holds {kinds}); give a video clip")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        if not ctx.width or not ctx.height:
            raise InputError(f"{path}: video stream has no picture size (corrupt header?)")
        duration = _stream_seconds(stream)
        fps = float(stream.average_rate or stream.guessed_rate or 0) or 0.0
        declared = int(stream.frames or 0)
        if container.format.name in ("image2", "png_pipe", "jpeg_pipe", "webp_pipe", "gif") and declared <= 1:
            raise InputError(f"{path}: is a still image, not a video (use `image-extender sonify`)")
        if duration is None or duration <= 0 or (declared == 0 and fps == 0):
            duration, declared, fps = _count(container, stream)
        frames = declared or int(round(duration * fps))
        vfr = _variable_rate(container, stream)
        info = VideoInfo(
            path=str(path.resolve()), md5=md5 or file_md5(path), container=container.format.name, codec=ctx.name,
            width=int(ctx.width), height=int(ctx.height), fps=round(fps, 4), duration=round(duration, 6),
            frames=int(frames), variable_frame_rate=vfr,
            audio_codec=container.streams.audio[0].codec_context.name if container.streams.audio else None,
        )
    if info.frames < 1:
        raise InputError(f"{path}: video stream has no frames")
    if info.duration < MIN_SECONDS:
        raise InputError(f"{path}: clip is {info.duration:.2f} s long; at least {MIN_SECONDS} s is needed to place a sound")
    return info


def _stream_seconds(stream) -> float | None:
    """The video stream's own length when the container says (MP4 does; Matroska/WebM do not,
    and their container duration counts from 0, not from the first frame)."""
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _variable_rate(container, stream, packets: int = 120) -> bool:
    """Do the time steps between the first ``packets`` frames vary? (demux only, no decoding)

    More than a fifth of the steps more than 10 % off the median step. Packets come in
    decode order (B-frames), so the sorted times are cut to their first 80 %, where no
    later packet can still fall in between.
    """
    pts = []
    for packet in container.demux(stream):
        if packet.pts is not None and packet.size:
            pts.append(packet.pts)
        if len(pts) >= packets:
            break
    times = np.sort(np.asarray(pts, dtype=np.float64))
    steps = np.diff(times[: max(2, int(0.8 * times.size))])
    steps = steps[steps > 0]
    if steps.size < 4:
        return False
    off = np.abs(steps - np.median(steps)) > 0.1 * np.median(steps)
    return bool(off.mean() > 0.2)


def _count(container, stream) -> tuple[float, int, float]:
    """Demux (no decoding) to count the frames and find the first frame's start and the last
    one's end, for streams that do not say. Returns (seconds, frames, average fps)."""
    n, start, end = 0, math.inf, 0.0
    base = stream.time_base or Fraction(1, 1)
    for packet in container.demux(stream):
        if packet.pts is None or packet.size == 0:
            continue
        n += 1
        start = min(start, float(packet.pts * base))
        end = max(end, float((packet.pts + (packet.duration or 0)) * base))
    container.seek(0)
    seconds = end - start if n else 0.0
    fps = n / seconds if seconds > 0 else 0.0
    return seconds, n, fps


def iter_frames(path: Path, times: list[float], *, max_side: int = MAX_SIDE, duration: float | None = None
                ) -> Iterator[Frame]:
    """Yield the first decoded frame at or after each of ``times`` (sorted), streamed.

    Raises ``InputError`` when the stream ends or breaks before a wanted time (a truncated
    or corrupt file).
    """
    import av

    path = Path(path)
    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        base = stream.time_base
        start = float(stream.start_time * base) if stream.start_time is not None and base else 0.0
        frames = _decoded(container, stream)
        position = -math.inf  # time of the last decoded frame
        last: av.VideoFrame | None = None
        seekable = True
        for index, wanted in enumerate(times):
            target = start + wanted
            if target - position > SEEK_GAP and seekable:
                try:
                    container.seek(int(target / float(base)), stream=stream, backward=True, any_frame=False)
                    frames = _decoded(container, stream)
                except av.error.FFmpegError:  # an unseekable stream: decode through instead
                    seekable = False
            chosen = None
            try:
                for frame in frames:
                    if frame.time is None:
                        continue
                    position = frame.time
                    last = frame
                    if frame.time + 0.5 / 1000 >= target:  # half a millisecond of rounding slack
                        chosen = frame
                        break
            except av.error.FFmpegError as exc:
                raise InputError(f"{path}: corrupt video data near {wanted:.2f} s ({_short(exc)})") from exc
            if chosen is None:
                # the last frame may start a little before the last target (rounding of a slice centre)
                if last is not None and duration is not None and target - last.time < max(0.5, 0.1 * duration):
                    chosen = last
                else:
                    end = f"{last.time - start:.2f} s" if last is not None else "the start"
                    raise InputError(f"{path}: truncated or corrupt video: frames stop at {end}, "
                                     f"the stream claims {duration or wanted:.2f} s")
            yield Frame(index=index, time=round(chosen.time - start, 6), rgb=_rgb(chosen, max_side))


def _decoded(container, stream):
    for packet in container.demux(stream):
        yield from packet.decode()


def _rgb(frame, max_side: int) -> np.ndarray:
    scale = min(1.0, max_side / max(frame.width, frame.height))
    width = max(2, int(round(frame.width * scale / 2)) * 2)
    height = max(2, int(round(frame.height * scale / 2)) * 2)
    return frame.to_ndarray(format="rgb24", width=width, height=height)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
