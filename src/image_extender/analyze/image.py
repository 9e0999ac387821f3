"""Read a photo the user gave us into a validated RGB array, or say in one line why not.

Every analyzer works on the same thing: an ``(height, width, 3)`` uint8 RGB array with
EXIF orientation applied (phones store portrait shots as rotated landscape pixels plus an
orientation tag; ignoring it would put the dog on the wrong side of the stereo field).
The file is fully decoded here, so a truncated JPEG fails now with a clear message instead
of half-way through the pipeline, and the size is checked from the header *before*
decoding, so a decompression bomb costs nothing.
"""

from __future__ import annotations

import hashlib
import io
import stat
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import InputError
from .base import LoadedImage

DEFAULT_MAX_PIXELS = 50_000_000
MAX_FILE_BYTES = 256 * 1024 * 1024  # no photo is larger; a bigger file is not one


def load_image(path: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Decode ``path`` into a :class:`LoadedImage` (RGB uint8), with the MD5 of its bytes.

    Raises :class:`InputError` naming the file for: missing, a directory, empty, not an
    image, truncated/corrupt, zero width or height, or more than ``max_pixels`` pixels.
    """
    path = Path(path)
    data = _read_bytes(path)
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    with warnings.catch_warnings():
        # Pillow only *warns* between MAX_IMAGE_PIXELS and twice that; we refuse both.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                _check_size(path, img.size, max_pixels)
                img.load()  # force the full decode: truncation shows up here, not later
                rgb = _to_rgb(ImageOps.exif_transpose(img))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise InputError(f"{path}: image is too large to decode safely ({exc})") from exc
        except UnidentifiedImageError as exc:
            raise InputError(f"{path}: not an image file Pillow can read") from exc
        except InputError:
            raise
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise InputError(f"{path}: truncated or corrupt image ({_first_line(exc)})") from exc
    return LoadedImage(path=path, md5=md5, rgb=rgb)


def _read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes; only a regular file, and only up to ``max_bytes``.

    A device (``/dev/zero``) would be read forever and a FIFO would block forever, so both
    are refused from ``stat`` before any read (as ``file`` and image viewers do).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a directory, not an image file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file (a device, FIFO or socket); give an image file")
    if info.st_size > max_bytes:
        raise InputError(f"{path}: file is {info.st_size / 1e6:,.0f} MB, over the limit of {max_bytes / 1e6:,.0f} MB")
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:
        raise InputError(f"{path}: file grew past the limit of {max_bytes / 1e6:,.0f} MB while being read")
    if not data:
        raise InputError(f"{path}: empty file (0 bytes)")
    return data


def _check_size(path: Path, size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise InputError(f"{path}: image has zero width or height ({width}x{height})")
    if width * height > max_pixels:
        raise InputError(
            f"{path}: image is {width}x{height} = {width * height:,} pixels, over the limit of {max_pixels:,}; "
            "downscale it first"
        )


def _to_rgb(img: Image.Image) -> np.ndarray:
    """Any Pillow mode to RGB uint8.

    Transparent pixels are composited over white (what a viewer shows; converting RGBA
    straight to RGB would reveal whatever colour the transparent pixels happen to hold).
    High-bit-depth greyscale (``I;16``, ``I``, ``F``) is rescaled, not clipped: Pillow's own
    ``convert("RGB")`` clips a 16-bit value of 40000 to 255, turning photos white.
    """
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or arr.max(initial=0) > 255 else 255.0
        grey = np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=2))
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return np.ascontiguousarray(np.asarray(img.convert("RGB"), dtype=np.uint8))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
