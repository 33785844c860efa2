"""Uploaded proposal images: checked, then re-encoded by Pillow so nothing but pixels survives.

Re-encoding drops EXIF (GPS position, camera serials), ICC tricks, trailing data and anything a
browser might sniff as HTML or script. Only the first frame of an animated image is kept.
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image
from PIL import ImageOps
from PIL import UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SIDE_PX = 2000
# Refuse decompression bombs early: 50 megapixels is more than any phone camera today.
MAX_PIXELS = 50_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
JPEG_QUALITY = 85


def reencode_image(upload: UploadedFile) -> "ContentFile[bytes]":
    """Return a clean JPEG (or WebP when the image has transparency) of at most 2000 px.

    Raises ``ValidationError`` with a message for the resident when the file is too large, not
    an image, or of a type we do not accept.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is %(size)s; the most we accept is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
            code="too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("This file is not an image we can read. Please upload a JPEG, PNG or WebP photo."),
            code="not_an_image",
        ) from exc
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(
            _("Images must be JPEG, PNG or WebP (this one is %(format)s).")
            % {"format": image_format or _("unknown")},
            code="wrong_type",
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("The image has too many pixels (%(width)s × %(height)s).")
            % {"width": width, "height": height},
            code="too_many_pixels",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as original:
            original.load()
            image = ImageOps.exif_transpose(original)  # keep the orientation, drop the EXIF
            image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX), Image.Resampling.LANCZOS)
            has_alpha = image.mode in ("RGBA", "LA") or (
                image.mode == "P" and "transparency" in image.info
            )
            clean = image.convert("RGBA" if has_alpha else "RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("This image is damaged and cannot be read. Please try another file."),
            code="damaged",
        ) from exc
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, format="WEBP", quality=JPEG_QUALITY)
        extension = "webp"
    else:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        extension = "jpg"
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
