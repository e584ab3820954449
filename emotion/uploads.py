"""Checks on uploaded capture images, before anything is stored.

Each failure is an :class:`UploadRejected` with an HTTP status, a stable code and a
message a person understands.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from emotion.vision.pipeline import upright_size

# MPO is a JPEG with more JPEGs after it (phones' depth or stereo frames): stored and analysed as a JPEG.
ALLOWED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png"}
EIGHT_BIT_MODES = {"1", "L", "LA", "P", "RGB", "RGBA"}


class UploadRejected(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class CheckedImage:
    """An accepted upload; width and height are the upright frame's (EXIF orientation applied)."""

    data: bytes
    extension: str
    width: int
    height: int


def _png_bit_depth(data: bytes) -> int:
    # IHDR is the first chunk: 8-byte signature, length, type, width, height, then bit depth.
    return data[24] if len(data) > 24 else 0


def check_image(data: bytes) -> CheckedImage:
    """Validate size, type, pixel count, shape, animation, bit depth and integrity of an upload."""
    max_mb = settings.CAPTURE_MAX_BYTES // (1024 * 1024)
    if not data:
        raise UploadRejected(400, "empty", "The image is empty. Take the picture again or choose another file.")
    if len(data) > settings.CAPTURE_MAX_BYTES:
        raise UploadRejected(413, "too_large", f"The image is larger than {max_mb} MB. Please send a smaller one.")
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError):
        raise UploadRejected(415, "not_an_image", "This file is not a JPEG or PNG image.") from None
    except Image.DecompressionBombError:
        raise UploadRejected(413, "too_many_pixels", "The image has far too many pixels to be a photo.") from None
    if image.format not in ALLOWED_FORMATS:
        raise UploadRejected(415, "unsupported_format", f"{image.format} images are not supported; send a JPEG or PNG.")
    width, height = upright_size(image)
    if width * height > settings.CAPTURE_MAX_PIXELS:
        limit = settings.CAPTURE_MAX_PIXELS / 1_000_000
        raise UploadRejected(413, "too_many_pixels",
                             f"The image has {width}x{height} pixels, more than the {limit:g} megapixels allowed.")
    long_side, short_side = max(width, height), min(width, height)
    if long_side > settings.CAPTURE_MAX_ASPECT_RATIO * short_side:
        raise UploadRejected(400, "too_wide", (
            f"The image is {width}x{height} pixels, more than {settings.CAPTURE_MAX_ASPECT_RATIO:g} times as "
            f"{'wide as it is tall' if width > height else 'tall as it is wide'}; faces cannot be read in such a "
            f"strip. Crop it around your face, or take a normal photo."))
    if image.format != "MPO" and getattr(image, "is_animated", False):
        raise UploadRejected(400, "animated", "Animated images are not supported; send a single still picture.")
    if image.format == "PNG" and (_png_bit_depth(data) == 16 or image.mode not in EIGHT_BIT_MODES):
        raise UploadRejected(
            400, "high_bit_depth", "16-bit PNG images are not supported; save it as an 8-bit PNG or JPEG."
        )
    if image.format in ("JPEG", "MPO"):
        # At 1/8 scale the decoder still reads every byte, so truncation shows, for 1/64 of the pixels' cost.
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadRejected(400, "corrupt", "The image is damaged or incomplete. Take the picture again.") from None
    return CheckedImage(data, ALLOWED_FORMATS[image.format], width, height)
