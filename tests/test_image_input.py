"""Reading a user's image: every bad input is one clear line naming the file; every good
one becomes an upright RGB uint8 array, whatever its mode.

Bad files are made from real ones (darknet's dog.jpg, a scaper street recording), not
from thin air: a truncated JPEG is the real JPEG cut short.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
import skimage.data
from PIL import Image

from image_extender.analyze.image import load_image
from image_extender.errors import InputError

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "scaper-audio"
SKIMAGE_DATA = Path(skimage.data.__file__).parent


@pytest.fixture(scope="module")
def dog_jpg(darknet_photos: Path) -> Path:
    return darknet_photos / "dog.jpg"


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose (valid, CRC-correct) header claims ``width``×``height``, with one tiny IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _expect_one_line_error(path: Path, *words: str, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        load_image(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    for word in words:
        assert word in message.lower(), message
    return message


# --------------------------------------------------------------------------- bad inputs


def test_missing_file(tmp_path):
    _expect_one_line_error(tmp_path / "nope.jpg", "no such file")


def test_directory(tmp_path):
    _expect_one_line_error(tmp_path, "directory")


def test_zero_byte_file(tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    _expect_one_line_error(empty, "empty")


def test_text_file_named_jpg(tmp_path):
    fake = tmp_path / "notes.jpg"
    fake.write_text("this is a shopping list, not a photo\n")
    _expect_one_line_error(fake, "not an image")


def test_wav_recording_named_jpg(tmp_path):
    wav = min(ASSETS.glob("*.wav"))
    fake = tmp_path / "street.jpg"
    fake.write_bytes(wav.read_bytes()[:200_000])
    _expect_one_line_error(fake, "not an image")


def test_truncated_jpeg(tmp_path, dog_jpg):
    data = dog_jpg.read_bytes()
    cut = tmp_path / "dog_cut.jpg"
    cut.write_bytes(data[: len(data) // 2])
    _expect_one_line_error(cut, "truncated")


def test_png_with_damaged_image_data(tmp_path):
    path = tmp_path / "chelsea.png"
    Image.fromarray(skimage.data.chelsea()).save(path)
    data = bytearray(path.read_bytes())
    mid = len(data) // 2  # inside the IDAT stream: the header still reads fine
    data[mid : mid + 64] = bytes(b ^ 0xFF for b in data[mid : mid + 64])
    path.write_bytes(bytes(data))
    _expect_one_line_error(path, "corrupt")


def test_zero_width_png(tmp_path):
    bad = tmp_path / "flat.png"
    bad.write_bytes(_png_claiming(0, 10))
    message = _expect_one_line_error(bad)
    assert "zero" in message.lower() or "corrupt" in message.lower()


def test_decompression_bomb_header_is_refused_before_decoding(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_claiming(100_000, 100_000))
    _expect_one_line_error(bomb, "too large")


def test_image_over_the_pixel_limit(tmp_path, dog_jpg):
    # dog.jpg is 768x576 = 442,368 pixels; Pillow itself would open it happily.
    message = _expect_one_line_error(dog_jpg, "768x576", max_pixels=400_000)
    assert "400,000" in message


def test_image_between_our_limit_and_pillows(tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(_png_claiming(8000, 8000))  # 64 Mpx: over our 50 Mpx default, under Pillow's 89 Mpx
    _expect_one_line_error(big, "pixels", "limit")


# --------------------------------------------------------------------------- good inputs


def test_md5_is_of_the_file_bytes_and_shape_is_rgb(dog_jpg):
    img = load_image(dog_jpg)
    assert img.md5 == hashlib.md5(dog_jpg.read_bytes()).hexdigest()
    assert img.rgb.shape == (576, 768, 3) and img.rgb.dtype == np.uint8
    assert (img.width, img.height) == (768, 576)


def test_greyscale_becomes_three_equal_channels():
    img = load_image(SKIMAGE_DATA / "camera.png")
    assert img.rgb.shape == (512, 512, 3)
    assert np.array_equal(img.rgb[..., 0], img.rgb[..., 2])
    assert np.array_equal(img.rgb[..., 0], skimage.data.camera())


def test_transparency_is_composited_over_white(tmp_path):
    cat = skimage.data.chelsea()
    alpha = np.full(cat.shape[:2], 255, np.uint8)
    alpha[:, :200] = 0  # left part fully transparent
    path = tmp_path / "chelsea_rgba.png"
    Image.fromarray(np.dstack([cat, alpha])).save(path)
    img = load_image(path)
    assert (img.rgb[:, :200] == 255).all()
    assert np.array_equal(img.rgb[:, 200:], cat[:, 200:])


def test_rgba_logo_keeps_its_colours():
    rgba = skimage.data.logo()
    img = load_image(SKIMAGE_DATA / "logo.png")
    assert np.array_equal(img.rgb, rgba[..., :3])  # fully opaque: compositing changes nothing


def test_palette_image(tmp_path):
    path = tmp_path / "chelsea_palette.png"
    Image.fromarray(skimage.data.chelsea()).convert("P", palette=Image.Palette.ADAPTIVE, colors=64).save(path)
    img = load_image(path)
    assert img.rgb.shape == (300, 451, 3)
    assert np.abs(img.rgb.astype(int) - skimage.data.chelsea()).mean() < 12  # 64 colours, still the cat


def test_cmyk_jpeg(tmp_path, dog_jpg):
    path = tmp_path / "dog_cmyk.jpg"
    Image.open(dog_jpg).convert("CMYK").save(path, quality=95)
    img = load_image(path)
    original = np.asarray(Image.open(dog_jpg).convert("RGB"), dtype=int)
    assert img.rgb.shape == original.shape
    assert np.abs(img.rgb.astype(int) - original).mean() < 10


def test_sixteen_bit_greyscale_is_rescaled_not_clipped(tmp_path):
    camera = skimage.data.camera()
    path = tmp_path / "camera16.png"
    Image.fromarray(camera.astype(np.uint16) * 257).save(path)
    img = load_image(path)
    assert np.abs(img.rgb[..., 1].astype(int) - camera).max() <= 1
    assert img.rgb.mean() < 200  # Pillow's own convert would clip nearly everything to white


def test_exif_orientation_is_honoured(tmp_path, dog_jpg):
    """Orientation 6 = 'rotate 90° clockwise to view': the stored landscape is shown portrait."""
    stored = Image.open(dog_jpg)
    exif = stored.getexif()
    exif[0x0112] = 6
    path = tmp_path / "dog_rotated.jpg"
    stored.save(path, exif=exif, quality=95)
    img = load_image(path)
    assert (img.width, img.height) == (576, 768)
    upright = np.rot90(np.asarray(stored.convert("RGB"), dtype=int), k=-1)  # clockwise
    assert np.abs(img.rgb.astype(int) - upright).mean() < 6
