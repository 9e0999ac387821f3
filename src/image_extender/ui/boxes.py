"""Draw what the analyzer saw: each object's box, label and importance on the photo.

The photo is decoded with the analyzer's own loader (EXIF orientation applied), so the
0–1 box coordinates land on the same pixels the detector looked at. Line width and colour
follow importance (the loudest object gets the thickest, warmest box) so the picture
tells the same story as the mix.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..analyze.image import load_image
from ..manifest import Scene

# cold → warm: importance 0 is a cool blue, importance 1 a strong orange-red
_COLD = (40, 120, 255)
_WARM = (255, 70, 20)


def importance_colour(importance: float) -> tuple[int, int, int]:
    t = min(max(float(importance), 0.0), 1.0)
    return tuple(round(c + (w - c) * t) for c, w in zip(_COLD, _WARM, strict=True))  # type: ignore[return-value]


def label_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans (shipped with matplotlib, a dependency) has "·" and "×"; Pillow's built-in
    fallback font draws a missing-glyph box for them ("kite · 1.00 ⊠5")."""
    try:
        from matplotlib import font_manager

        return ImageFont.truetype(font_manager.findfont("DejaVu Sans", fallback_to_default=True), size)
    except (ImportError, OSError, ValueError):
        return ImageFont.load_default(size=size)


def draw_boxes(image: Image.Image, scene: Scene) -> Image.Image:
    """A copy of ``image`` with every scene object's box and a "label · importance" tag.

    Objects are drawn least important first so the most important box ends on top.
    """
    out = image.convert("RGB").copy()
    width, height = out.size
    scale = max(width, height) / 640.0
    draw = ImageDraw.Draw(out)
    font = label_font(max(12, round(16 * scale)))
    for obj in sorted(scene.objects, key=lambda o: o.importance):
        colour = importance_colour(obj.importance)
        box = (obj.bbox.x0 * (width - 1), obj.bbox.y0 * (height - 1),
               obj.bbox.x1 * (width - 1), obj.bbox.y1 * (height - 1))
        line = max(2, round((2 + 4 * obj.importance) * scale))
        draw.rectangle(box, outline=colour, width=line)
        text = f"{obj.label} · {obj.importance:.2f}" + (f" ×{obj.count}" if obj.count > 1 else "")
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        pad = max(2, round(3 * scale))
        tw, th = right - left + 2 * pad, bottom - top + 2 * pad
        x = min(max(box[0], 0), max(width - tw, 0))
        y = box[1] - th if box[1] - th >= 0 else box[1]  # above the box, or inside when at the top edge
        draw.rectangle((x, y, x + tw, y + th), fill=colour)
        draw.text((x + pad - left, y + pad - top), text, fill=(255, 255, 255), font=font)
    return out


def save_boxes(photo: Path, scene: Scene, target: Path) -> Path:
    """Decode ``photo`` like the analyzer did, draw the boxes, write a PNG to ``target``."""
    loaded = load_image(Path(photo))
    draw_boxes(Image.fromarray(loaded.rgb), scene).save(target, format="PNG")
    return target
