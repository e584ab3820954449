"""Test images: the real photos in tests/fixtures/images and small ones made on the fly."""

import io
from pathlib import Path

import cv2
import numpy as np
from django.conf import settings
from PIL import Image

SHARED = Path(settings.BASE_DIR).parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "images"
FER2013 = SHARED / "data" / "fer2013"
YUNET = settings.SHIPPED_FACE_DETECTOR_MODEL


def fixture_bytes(name: str, fmt: str = ".jpg") -> bytes:
    """A shared fixture photo re-encoded as JPEG (or PNG), like a browser capture."""
    image = cv2.imread(str(FIXTURES / name), cv2.IMREAD_COLOR)
    ok, buf = cv2.imencode(fmt, image)
    assert ok
    return buf.tobytes()


def pil_bytes(image: Image.Image, fmt: str, **kwargs) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def small_jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    return pil_bytes(Image.fromarray(np.full((size[1], size[0], 3), 128, np.uint8)), "JPEG")


def astronaut_scene(size: tuple[int, int] = (800, 512), face_side: int = 512,
                    at: tuple[int, int] = (0, 0)) -> Image.Image:
    """The astronaut photo (one face), ``face_side`` px square, pasted at ``at`` into a gray frame of ``size``."""
    astronaut = Image.open(FIXTURES / "astronaut.png").convert("RGB").resize((face_side, face_side))
    scene = Image.new("RGB", size, (128, 128, 128))
    scene.paste(astronaut, at)
    return scene


def exif_rotated_jpeg(upright: Image.Image, orientation: int = 6) -> bytes:
    """A JPEG of ``upright`` stored turned, with the EXIF orientation that turns it back (a phone held sideways)."""
    stored = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    return pil_bytes(upright.transpose(stored), "JPEG", exif=exif, quality=95)
