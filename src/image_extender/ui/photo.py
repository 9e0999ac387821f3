"""Make an uploaded photo ready for analysis: what the user sees is what gets analysed.

Two things a browser shows differently from how a detector reads the raw pixels:

* **transparency** — an erased region looks like background in the browser, but its RGB
  values (often the original pixels) are still in the file; a detector would find the
  erased dog. The image is composited onto white (what the page shows behind it);
* **size** — phone cameras make 100-megapixel photos. They are downscaled (JPEG draft
  mode decodes at 1/2–1/8 scale directly, then a Lanczos resize) to :data:`MAX_PIXELS`,
  far more than any detector uses, instead of being refused. Only files past
  :data:`REFUSE_PIXELS` (a decompression bomb, not a photo) are refused.

The copy keeps EXIF orientation applied, so boxes land where the user sees them.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import InputError

MAX_PIXELS = 24_000_000  # what the copy is downscaled to (under the loader's 50 MP limit)
REFUSE_PIXELS = 400_000_000  # 20000×20000: not a camera photo
BACKGROUND = (255, 255, 255)


def has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)


def prepare_photo(src: Path, target: Path, shown: str) -> Path:
    """Copy ``src`` to ``target`` (same name), flattened onto white and downscaled when needed.

    Returns the path written: ``target`` itself, or ``target`` with a ``.png`` suffix when
    the photo had to be re-encoded and transparency or size made a lossless copy sensible.
    ``shown`` is the name errors use (never a server path).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(src) as img:
                width, height = img.size
                if width * height > REFUSE_PIXELS:
                    raise InputError(f"{shown}: {width}x{height} pixels is too large to be a photo "
                                     f"(over {REFUSE_PIXELS // 1_000_000} megapixels)")
                big = width * height > MAX_PIXELS
                if not big and not has_alpha(img):
                    target.write_bytes(Path(src).read_bytes())  # untouched: same bytes, same MD5
                    return target
                if big and img.format == "JPEG":
                    scale = (MAX_PIXELS / (width * height)) ** 0.5
                    img.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
                img.load()
                out = ImageOps.exif_transpose(img)
        except InputError:
            raise
        except Image.DecompressionBombError as exc:
            raise InputError(f"{shown}: image is too large to decode safely") from exc
        except UnidentifiedImageError:
            target.write_bytes(Path(src).read_bytes())  # the pipeline's loader says what is wrong
            return target
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise InputError(f"{shown}: truncated or corrupt image ({str(exc).splitlines()[0]})") from exc
    if has_alpha(out):
        rgba = out.convert("RGBA")
        flat = Image.new("RGB", rgba.size, BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        out = flat
    else:
        out = out.convert("RGB")
    if out.width * out.height > MAX_PIXELS:
        scale = (MAX_PIXELS / (out.width * out.height)) ** 0.5
        out = out.resize((max(1, int(out.width * scale)), max(1, int(out.height * scale))), Image.Resampling.LANCZOS)
    if target.suffix.lower() in (".jpg", ".jpeg"):
        out.save(target, format="JPEG", quality=92)
        return target
    written = target.with_suffix(".png")
    out.save(written, format="PNG")
    return written


def unreadable(path: Path, shown: str) -> str | None:
    """Why ``path`` cannot be a photo (one line naming ``shown``), or None when Pillow can read it.

    Checked when the file arrives, so a text file renamed ``.jpg`` is explained at once
    instead of sitting in the page as a broken picture until Make is pressed. Only the header
    is read (``Image.open`` is lazy); a truncated body is still caught by :func:`prepare_photo`.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as img:
                img.size  # noqa: B018 - the header parsed
        except Image.DecompressionBombError:
            return None  # an image; prepare_photo says whether it is too large
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            return f"{shown} is not an image file Pillow can read (a photo: JPEG, PNG, WebP, …); pick another file"
    return None
