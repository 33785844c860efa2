"""Uploaded images are re-encoded: EXIF/GPS gone, at most 2000 px, JPEG or WebP only."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.images import reencode_image
from tests.proposals.factories import image_bytes
from tests.proposals.factories import jpeg_with_gps


def _upload(content: bytes, name="x.jpg"):
    return SimpleUploadedFile(name, content)


def test_gps_and_camera_exif_are_removed():
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get(0x8825) is not None  # the test image really has GPS

    clean = reencode_image(_upload(original))

    data = clean.read()
    with Image.open(io.BytesIO(data)) as after:
        assert after.format == "JPEG"
        assert dict(after.getexif()) == {}
    assert b"Chamyeo Test Camera" not in data


@pytest.mark.parametrize(
    ("_case", "fmt", "size", "expected_format", "expected_size"),
    [
        ("small JPEG stays", "JPEG", (640, 480), "JPEG", (640, 480)),
        ("big PNG is shrunk", "PNG", (3000, 6000), "JPEG", (1000, 2000)),
        ("WebP becomes JPEG", "WEBP", (100, 100), "JPEG", (100, 100)),
    ],
)
def test_formats_and_sizes(_case, fmt, size, expected_format, expected_size):
    clean = reencode_image(_upload(image_bytes(fmt, size=size)))
    with Image.open(io.BytesIO(clean.read())) as image:
        assert image.format == expected_format
        assert image.size == expected_size


def test_transparent_png_becomes_webp():
    clean = reencode_image(_upload(image_bytes("PNG", alpha=True), "logo.png"))
    assert clean.name.endswith(".webp")
    with Image.open(io.BytesIO(clean.read())) as image:
        assert image.format == "WEBP"


@pytest.mark.parametrize(
    ("_case", "content", "code"),
    [
        ("GIF", image_bytes("GIF"), "wrong_type"),
        ("BMP", image_bytes("BMP"), "wrong_type"),
        ("HTML", b"<html><script>alert(1)</script></html>", "not_an_image"),
        ("empty", b"", "not_an_image"),
        ("over 5 MB", b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024), "too_large"),
    ],
)
def test_refused(_case, content, code):
    with pytest.raises(ValidationError) as error:
        reencode_image(_upload(content))
    assert error.value.code == code


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_decompression_bomb_is_refused():
    header = io.BytesIO()
    Image.new("1", (10000, 10000)).save(header, format="PNG")  # 100 megapixels, tiny file
    with pytest.raises(ValidationError) as error:
        reencode_image(_upload(header.getvalue(), "bomb.png"))
    assert error.value.code == "too_many_pixels"
