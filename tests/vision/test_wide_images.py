"""Very wide photos: refused at upload, and the detector never returns a box that is not a face's.

4000x200 made YuNet return infinite boxes (OverflowError in the worker) and 20000x1000 made the crop try to
pad by an impossible amount; the same pictures, one with a face in the strip, are used here.
"""

import math

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from emotion import engine, services
from emotion.models import Capture
from emotion.vision.detector import Box, HaarDetector, YuNetDetector, _in_frame
from emotion.vision.pipeline import decode
from tests.emotion.test_analysis import stored_capture
from tests.images import YUNET, astronaut_scene, pil_bytes

WIDE = {(4000, 200): (1900, 0), (20000, 1000): (9500, 0)}


def wide_jpeg(size: tuple[int, int]) -> bytes:
    """A grey strip with the astronaut's face, as tall as the strip, in the middle."""
    return pil_bytes(astronaut_scene(size, size[1], WIDE[size]), "JPEG", quality=80)


def assert_real_boxes(boxes: list[Box], width: int, height: int) -> None:
    for box in boxes:
        assert all(math.isfinite(v) for v in box.as_tuple())
        assert 0 < box.w <= max(width, height) and 0 < box.h <= max(width, height)
        assert 0 <= box.x + box.w / 2 < width and 0 <= box.y + box.h / 2 < height


@pytest.mark.parametrize("size", list(WIDE))
def test_a_very_wide_photo_is_refused_at_upload_with_a_clear_400(alice_api, size):
    response = alice_api.post("/api/captures/", {"image": SimpleUploadedFile("wide.jpg", wide_jpeg(size))},
                              format="multipart")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "too_wide"
    assert f"{size[0]}x{size[1]} pixels" in body["detail"] and "Crop it around your face" in body["detail"]
    assert Capture.objects.count() == 0


def test_a_tall_strip_is_refused_too_and_four_to_one_is_accepted(alice_api):
    tall = pil_bytes(astronaut_scene((200, 4000), 200, (0, 1900)), "JPEG")
    response = alice_api.post("/api/captures/", {"image": SimpleUploadedFile("t.jpg", tall)}, format="multipart")
    assert response.status_code == 400 and "tall as it is wide" in response.json()["detail"]
    assert settings.CAPTURE_MAX_ASPECT_RATIO == 4
    ok = pil_bytes(astronaut_scene((1600, 400), 400, (600, 0)), "JPEG")
    assert alice_api.post("/api/captures/", {"image": SimpleUploadedFile("ok.jpg", ok)},
                          format="multipart").status_code == 202


@pytest.mark.parametrize("detector", [YuNetDetector(YUNET), HaarDetector()], ids=["yunet", "haar"])
@pytest.mark.parametrize("size", list(WIDE))
def test_the_detectors_return_only_finite_in_frame_boxes_on_wide_photos(detector, size):
    image = decode(wide_jpeg(size))
    assert_real_boxes(detector.detect(image), image.shape[1], image.shape[0])


@pytest.mark.parametrize("size", list(WIDE))
def test_a_wide_photo_already_stored_is_analysed_without_error(alice, size, django_capture_on_commit_callbacks):
    capture = stored_capture(alice, wide_jpeg(size))
    with django_capture_on_commit_callbacks(execute=True):
        services.capture_analyse(capture_id=capture.pk)
    capture.refresh_from_db()
    assert capture.status == "done", capture.error_message
    assert_real_boxes(list(capture.readings.all()), *size)
    assert engine.get_pipeline()  # the worker's pipeline is still usable


def test_boxes_that_are_infinite_empty_outside_or_huge_are_dropped():
    inf = float("inf")
    good = Box(10, 10, 50, 50, 0.9, ((20.0, 30.0), (40.0, 30.0)))
    boxes = [good, Box(10, 10, 0, 50), Box(500, 10, 50, 50), Box(-200, 10, 50, 50), Box(0, 0, 5000, 5000),
             Box(10, 10, 50, 50, 0.8, ((inf, 30.0), (40.0, 30.0)))]
    kept = _in_frame(boxes, 320, 240)
    assert kept == [good, Box(10, 10, 50, 50, 0.8)] and kept[1].eyes is None
    assert _in_frame([Box(-10, -10, 40, 40)], 320, 240) == [Box(-10, -10, 40, 40)]  # a face at the edge stays
