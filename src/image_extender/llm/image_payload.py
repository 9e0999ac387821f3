"""An RGB array as the inline image a vision model is sent: downscaled, encoded, data URL.

Downscaling first keeps the request small and cheap (OpenAI bills images by 512-px tiles
after fitting them into 2048 × 2048 and scaling the short side to 768, so anything above
~1024 px on the long side mostly costs tokens without adding detail the model uses).
Box coordinates are asked for in 0–1 image fractions, which downscaling does not change.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class ImagePayload:
    data_url: str
    width: int  # size actually sent
    height: int
    n_bytes: int


def encode_image(rgb: np.ndarray, max_side: int, fmt: str = "jpeg", jpeg_quality: int = 85) -> ImagePayload:
    """Fit ``rgb`` (H×W×3 uint8) inside ``max_side`` (aspect kept, never upscaled) and encode it.

    Lanczos resampling (Pillow's ``thumbnail``) avoids the aliasing a plain subsample leaves
    on fine texture (gravel, foliage) that the model would otherwise see as noise.
    """
    img = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), mode="RGB")
    if max(img.size) > max_side:
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    if fmt == "png":
        img.save(buf, format="PNG", optimize=True)
        mime = "image/png"
    else:
        img.save(buf, format="JPEG", quality=jpeg_quality, optimize=True)
        mime = "image/jpeg"
    data = buf.getvalue()
    url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return ImagePayload(data_url=url, width=img.width, height=img.height, n_bytes=len(data))
