"""Face alignment from YuNet's eye landmarks: the eyes come out level, plain crops are unchanged
without landmarks, and YuNet's landmarks follow the face through the detector's downscaling."""

import cv2
import numpy as np
import pytest

from emotion.vision.detector import Box, HaarDetector, YuNetDetector
from emotion.vision.preprocess import CROP_MARGIN, align_crop_face, crop_face, eye_angle
from tests.images import FIXTURES, YUNET


def rotated(image: np.ndarray, angle: float) -> np.ndarray:
    centre = (image.shape[1] / 2, image.shape[0] / 2)
    return cv2.warpAffine(image, cv2.getRotationMatrix2D(centre, angle, 1.0), image.shape[1::-1],
                          borderMode=cv2.BORDER_REPLICATE)


def test_the_eye_angle_is_positive_when_the_right_hand_eye_sits_lower():
    assert eye_angle(((10, 10), (20, 10))) == 0
    assert eye_angle(((10, 10), (20, 20))) == pytest.approx(45)
    assert eye_angle(((10, 20), (20, 10))) == pytest.approx(-45)


@pytest.mark.parametrize("tilt", [-15, 14.04, 30])
def test_an_aligned_crop_puts_tilted_eyes_level(tilt):
    gray = np.zeros((240, 240), np.uint8)
    half = 40
    dy = half * np.tan(np.radians(tilt))
    eyes = ((120 - half, 100 - dy), (120 + half, 100 + dy))
    for x, y in eyes:
        cv2.circle(gray, (round(x), round(y)), 4, 255, -1)
    crop = align_crop_face(gray, (40, 60, 160, 160), eyes)
    side = round(160 * (1 + 2 * CROP_MARGIN))
    assert crop.shape == crop_face(gray, (40, 60, 160, 160)).shape == (side, side)
    ys, xs = np.nonzero(crop > 128)
    left = xs < crop.shape[1] / 2
    assert abs(ys[left].mean() - ys[~left].mean()) < 1.0
    # rotated about the box centre, not between the eyes: the eyes keep their distance, not their place
    assert xs[~left].mean() - xs[left].mean() == pytest.approx(2 * half / np.cos(np.radians(tilt)), abs=2)


def test_without_landmarks_or_with_level_eyes_the_crop_is_the_plain_crop():
    gray = np.random.default_rng(0).integers(0, 255, (200, 300), np.uint8)
    box = (250, -10, 80, 80)  # off the edge: padded the same way
    assert np.array_equal(align_crop_face(gray, box, None), crop_face(gray, box))
    assert np.array_equal(align_crop_face(gray, box, ((260, 20), (300, 20))), crop_face(gray, box))


def test_yunet_gives_eye_landmarks_in_image_coordinates_and_haar_none():
    image = cv2.imread(str(FIXTURES / "astronaut.png"))
    big = cv2.resize(image, None, fx=2, fy=2)  # 1024 px: detected on a 320 px copy, scaled back
    for picture, scale in ((image, 1), (big, 2)):
        (box,) = YuNetDetector(YUNET).detect(picture)
        assert box.eyes is not None
        (x0, y0), (x1, y1) = box.eyes
        assert box.x < x0 < x1 < box.x + box.w and box.y < y0 < box.y + box.h / 2
        assert abs(y1 - y0) < 6 * scale  # the astronaut looks straight at the camera
    assert all(b.eyes is None for b in HaarDetector().detect(image))
    assert Box(1, 2, 3, 4, 0.9, ((1.0, 2.0), (3.0, 4.0))) == Box(1, 2, 3, 4, 0.9)  # landmarks do not count


@pytest.mark.parametrize("angle", [-15, 15])
def test_a_rotated_face_comes_out_closer_to_the_upright_one(angle):
    from emotion.vision.preprocess import face_to_input

    detector = YuNetDetector(YUNET)
    original = cv2.imread(str(FIXTURES / "astronaut.png"))
    (upright_box,) = detector.detect(original)
    reference = face_to_input(crop_face(cv2.cvtColor(original, cv2.COLOR_BGR2GRAY), upright_box.as_tuple()))

    image = rotated(original, angle)
    (box,) = detector.detect(image)
    # cv2 rotates counter-clockwise for a positive angle, which lifts the right-hand eye. YuNet's landmarks
    # under-read the tilt (about 5 degrees of these 15 on a 320 px copy), so alignment corrects part of it.
    tilt = eye_angle(box.eyes)
    assert np.sign(tilt) == -np.sign(angle) and 3 < abs(tilt) < 20
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    plain = face_to_input(crop_face(gray, box.as_tuple()))
    aligned = face_to_input(align_crop_face(gray, box.as_tuple(), box.eyes))
    assert np.abs(aligned - reference).mean() < np.abs(plain - reference).mean()
