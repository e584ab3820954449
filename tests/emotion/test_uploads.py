"""Bad input on POST /api/captures/: each case is a clear 4xx and nothing is stored."""

import io
import struct
import zlib

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from emotion.models import Capture
from tests.images import astronaut_scene, exif_rotated_jpeg, fixture_bytes, pil_bytes, small_jpeg

URL = "/api/captures/"


def post(client, data: bytes, name: str = "frame.jpg", content_type: str = "image/jpeg"):
    return client.post(URL, {"image": SimpleUploadedFile(name, data, content_type)}, format="multipart")


def assert_rejected(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert len(response.json()["detail"]) > 20  # a sentence a person can act on
    assert Capture.objects.count() == 0


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height pixels, with a tiny (invalid) body."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")


def test_a_missing_image_is_a_400(alice_api):
    response = alice_api.post(URL, {}, format="multipart")
    assert_rejected(response, 400, "no_image")


def test_an_empty_file_is_a_400(alice_api):
    assert_rejected(post(alice_api, b""), 400, "empty")


def test_text_is_not_an_image(alice_api):
    assert_rejected(post(alice_api, b"hello, this is not a picture at all", "notes.txt", "text/plain"),
                    415, "not_an_image")


def test_a_gif_is_an_unsupported_format(alice_api):
    gif = pil_bytes(Image.new("RGB", (32, 32)), "GIF")
    assert_rejected(post(alice_api, gif, "a.gif", "image/gif"), 415, "unsupported_format")


def test_a_truncated_jpeg_is_corrupt(alice_api):
    data = fixture_bytes("astronaut.png")
    assert_rejected(post(alice_api, data[: len(data) // 2]), 400, "corrupt")


def test_a_file_over_10_mb_is_a_413(alice_api):
    noise = np.random.default_rng(0).integers(0, 255, (2600, 2600, 3), np.uint8)
    data = pil_bytes(Image.fromarray(noise), "PNG", compress_level=0)
    assert len(data) > 10 * 1024 * 1024
    assert_rejected(post(alice_api, data, "big.png", "image/png"), 413, "too_large")


def test_a_decompression_bomb_is_refused_by_its_header(alice_api):
    assert_rejected(post(alice_api, png_header_only(8000, 6000), "bomb.png", "image/png"), 413, "too_many_pixels")


def test_an_animated_png_is_refused(alice_api):
    frames = [Image.new("RGB", (32, 32), c) for c in ("red", "blue")]
    data = pil_bytes(frames[0], "PNG", save_all=True, append_images=frames[1:])
    assert_rejected(post(alice_api, data, "anim.png", "image/png"), 400, "animated")


def test_a_16_bit_png_is_refused(alice_api):
    data = pil_bytes(Image.fromarray(np.full((32, 32), 40000, np.uint16)), "PNG")
    assert_rejected(post(alice_api, data, "deep.png", "image/png"), 400, "high_bit_depth")


def test_a_json_body_is_an_unsupported_media_type(alice_api):
    response = alice_api.post(URL, {"image": "x"}, format="json")
    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["detail"] or "Unsupported" in response.json()["detail"]
    assert Capture.objects.count() == 0


def test_a_capture_flood_is_rate_limited(alice_api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"captures": "3/min"}}
    from django.core.cache import cache

    cache.clear()
    codes = [post(alice_api, small_jpeg()).status_code for _ in range(5)]
    assert codes[:3] == [202, 202, 202]
    assert codes[3:] == [429, 429]
    assert Capture.objects.count() == 3


@pytest.mark.parametrize("fmt", [".jpg", ".png"])
def test_a_good_image_is_accepted(alice_api, fmt):
    response = post(alice_api, fixture_bytes("coffee.png", fmt), f"c{fmt}", "image/jpeg")
    assert response.status_code == 202
    assert Capture.objects.get().width == 600


def test_the_default_pixel_limit_is_about_a_24_megapixel_camera(settings):
    assert settings.CAPTURE_MAX_PIXELS == 25_000_000


def test_a_photo_over_25_megapixels_is_refused_by_its_header(alice_api):
    assert_rejected(post(alice_api, png_header_only(6000, 4200), "big.png", "image/png"), 413, "too_many_pixels")


def test_a_24_megapixel_jpeg_is_accepted(alice_api):
    data = pil_bytes(astronaut_scene((6000, 4000), 2400, (1800, 800)), "JPEG", quality=85)

    assert post(alice_api, data).status_code == 202
    assert (Capture.objects.get().width, Capture.objects.get().height) == (6000, 4000)


def analysed(client, data: bytes, callbacks) -> dict:
    with callbacks(execute=True):
        response = post(client, data)
    assert response.status_code == 202, response.content
    return client.get(response.json()["url"]).json()


def test_a_sideways_stored_photo_reports_the_upright_frame_its_face_box_is_in(
    alice_api, django_capture_on_commit_callbacks
):
    data = exif_rotated_jpeg(astronaut_scene((800, 512)), orientation=6)
    assert Image.open(io.BytesIO(data)).size == (512, 800)  # stored as a phone held sideways saves it

    capture = analysed(alice_api, data, django_capture_on_commit_callbacks)

    assert (capture["width"], capture["height"]) == (800, 512)
    (face,) = capture["faces"]
    box = face["box"]
    # Her face, upper middle of the 512 px photo at the frame's left (tests/vision: 150-300, 50-200).
    assert 150 < box["x"] + box["w"] / 2 < 300 and 50 < box["y"] + box["h"] / 2 < 200
    assert box["x"] + box["w"] <= 800 and box["y"] + box["h"] <= 512


def test_an_mpo_photo_is_accepted_and_analysed_as_a_jpeg(alice_api, django_capture_on_commit_callbacks):
    scene = astronaut_scene((800, 512))
    data = pil_bytes(scene, "MPO", save_all=True, append_images=[scene.convert("L").convert("RGB")])
    assert Image.open(io.BytesIO(data)).format == "MPO"

    capture = analysed(alice_api, data, django_capture_on_commit_callbacks)

    assert capture["status"] == "done"
    assert (capture["width"], capture["height"]) == (800, 512)
    assert len(capture["faces"]) == 1


def test_an_mpo_is_stored_as_a_jpeg(alice_api):
    scene = astronaut_scene((800, 512))
    data = pil_bytes(scene, "MPO", save_all=True, append_images=[scene])

    assert post(alice_api, data).status_code == 202
    assert Capture.objects.get().image.name.endswith(".jpg")
