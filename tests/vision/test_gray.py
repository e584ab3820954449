"""Grey conversion uses the luma weights on the right channels: OpenCV frames are BGR, not RGB.

The expectation is computed here from ITU-R BT.601 (Y = 0.299 R + 0.587 G + 0.114 B), not with OpenCV.
"""

import numpy as np
import pytest
from PIL import Image

from emotion.vision.pipeline import decode
from emotion.vision.preprocess import to_gray
from tests.images import pil_bytes

RGB = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "skin": (224, 172, 105)}


def luma(r: int, g: int, b: int) -> int:
    return round(0.299 * r + 0.587 * g + 0.114 * b)


@pytest.mark.parametrize("name", list(RGB))
def test_a_bgr_pixel_turns_into_its_luma(name):
    r, g, b = RGB[name]
    bgr = np.array([[[b, g, r]]], np.uint8)
    bgra = np.array([[[b, g, r, 255]]], np.uint8)
    assert abs(int(to_gray(bgr)[0, 0]) - luma(r, g, b)) <= 1
    assert abs(int(to_gray(bgra)[0, 0]) - luma(r, g, b)) <= 1


def test_an_uploaded_red_picture_is_dark_grey_and_a_blue_one_darker():
    """Through the decoder the worker uses: a PNG saved as RGB by Pillow, decoded by OpenCV."""
    for name, expected in (("red", 76), ("blue", 29)):
        data = pil_bytes(Image.new("RGB", (8, 8), RGB[name]), "PNG")
        assert abs(int(to_gray(decode(data))[4, 4]) - expected) <= 1, name


def test_a_grey_image_is_left_as_it_is():
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert to_gray(gray) is gray
