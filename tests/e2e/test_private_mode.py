"""Private mode in real Chromium: the face is read in the page, only the result is sent, and the reading
equals the server pipeline's."""

import base64

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from emotion.models import Capture, MoodEntry
from emotion.vision.detector import SHIPPED_YUNET_MODEL
from emotion.vision.labels import EMOTIONS
from emotion.vision.pipeline import Pipeline
from tests.e2e.checks import csp_violations
from tests.e2e.images import two_faces_png
from tests.e2e.test_mood_journeys import capture_from_webcam, log_in
from tests.factories import UserFactory
from tests.images import FIXTURES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

READY_TIMEOUT_MS = 60_000
PARITY = 0.01  # the largest difference allowed in any probability
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"RIFF", b"GIF8", b"BM")


def open_private_capture(page: Page, site: str, username: str) -> None:
    UserFactory(username=username, private_mode=True)
    log_in(page, site, username, "/capture/")
    expect(page.locator("#private-toggle")).to_be_checked()
    expect(page.locator("#private-status")).to_contain_text("Private mode is on", timeout=READY_TIMEOUT_MS)


def request_record(request) -> dict:
    body = request.post_data_buffer or b""
    return {"method": request.method, "url": request.url, "type": request.headers.get("content-type", ""),
            "body": body}


def test_private_capture_sends_no_image_and_lands_in_history(live_server, open_browser):
    console: list[str] = []
    page = open_browser("astronaut.png", console=console)
    sent: list[dict] = []
    page.on("request", lambda request: sent.append(request_record(request)))
    open_private_capture(page, live_server.url, "priya")

    capture_from_webcam(page)

    expect(page.locator("#face-boxes .face-box")).to_have_count(1, timeout=READY_TIMEOUT_MS)
    expect(page.locator("#result-confidence")).to_contain_text("% confident")
    capture = Capture.objects.get(owner__username="priya")
    assert capture.on_device and not capture.image and capture.status == Capture.Status.DONE
    assert capture.width == 640 and capture.height == 480  # the fake camera's frame
    reading = capture.readings.get()
    assert MoodEntry.objects.get(owner__username="priya").emotion == reading.emotion
    assert page.locator("#result-emotion").get_attribute("data-emotion") == reading.emotion

    with_body = [r for r in sent if r["body"]]
    assert any(r["url"].endswith("/api/captures/device/") for r in with_body)
    for r in sent:
        assert not r["url"].endswith("/api/captures/"), f"a picture upload was attempted: {r['url']}"
        assert not r["type"].startswith(("multipart/", "image/", "application/octet-stream")), r
        assert not r["body"].startswith(IMAGE_MAGIC), r["url"]
        assert b"data:image" not in r["body"] and b'"image"' not in r["body"], r["url"]
        assert len(r["body"]) < 4000, f"{len(r['body'])} bytes to {r['url']}"
    assert not csp_violations(console), csp_violations(console)


def test_without_webassembly_the_page_says_so_and_the_server_reads(live_server, open_browser):
    page = open_browser("astronaut.png")
    page.add_init_script("delete window.WebAssembly")
    UserFactory(username="wade", private_mode=True)
    log_in(page, live_server.url, "wade", "/capture/")
    expect(page.locator("#private-status")).to_contain_text("cannot run in this browser", timeout=READY_TIMEOUT_MS)
    expect(page.locator("#private-toggle")).not_to_be_checked()
    expect(page.locator("#private-toggle")).to_be_disabled()

    capture_from_webcam(page)

    expect(page.locator("#face-boxes .face-box")).to_have_count(1, timeout=90_000)
    assert not Capture.objects.get(owner__username="wade").on_device


def in_page_reading(page: Page, data: bytes, mime: str = "image/png") -> dict:
    return page.evaluate(
        """async ([b64, mime]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            return window.MoodMusic.privateReader.read(new Blob([bytes], { type: mime }));
        }""",
        [base64.b64encode(data).decode(), mime],
    )


def test_the_page_reads_the_fixture_photos_as_the_server_does(live_server, open_browser):
    page = open_browser("coffee.png")
    open_private_capture(page, live_server.url, "pat")
    pipeline = Pipeline.from_paths(settings.EMOTION_MODEL_PATH, SHIPPED_YUNET_MODEL, flip_tta=settings.EMOTION_FLIP_TTA)
    photos = {path.name: path.read_bytes() for path in sorted(FIXTURES.glob("*.png"))}
    photos["two-faces.png"] = two_faces_png()
    faces_seen = 0
    for name, data in photos.items():
        server = pipeline.analyse_bytes(data)
        device = in_page_reading(page, data)
        assert (device["width"], device["height"]) == (server.width, server.height), name
        assert len(device["faces"]) == len(server.faces), name
        for ours, theirs in zip(device["faces"], server.faces, strict=True):
            # The same YuNet run at the same padded size, decoded alike: the very same box.
            assert ours["box"] == {"x": max(theirs.box.x, 0), "y": max(theirs.box.y, 0), "w": theirs.box.w,
                                   "h": theirs.box.h}, name
            diff = max(abs(ours["probabilities"][e] - theirs.probabilities[e]) for e in EMOTIONS)
            assert diff <= PARITY, f"{name}: probabilities differ by {diff:.4f}"
            assert max(ours["probabilities"], key=ours["probabilities"].get) == theirs.emotion, name
            faces_seen += 1
    assert faces_seen >= 4  # astronaut, camera and the two faces


def big_photo() -> bytes:
    """The astronaut in a 12 MP JPEG: more than the 2 MP the worker decodes, so both read it reduced."""
    import cv2
    import numpy as np

    face = cv2.imread(str(FIXTURES / "astronaut.png"), cv2.IMREAD_COLOR)
    frame = np.full((3000, 4000, 3), 120, np.uint8)
    frame[:, 500:3500] = cv2.resize(face, (3000, 3000), interpolation=cv2.INTER_CUBIC)
    ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return jpeg.tobytes()


def test_a_big_photo_is_read_reduced_as_the_worker_reads_it(live_server, open_browser):
    page = open_browser("coffee.png")
    open_private_capture(page, live_server.url, "bea")
    data = big_photo()
    server = Pipeline.from_paths(settings.EMOTION_MODEL_PATH, SHIPPED_YUNET_MODEL).analyse_bytes(data)
    device = in_page_reading(page, data, "image/jpeg")
    assert (device["width"], device["height"]) == (server.width, server.height) == (4000, 3000)
    [ours], [theirs] = device["faces"], server.faces
    box = ours["box"]
    # The browser's reduction is not libjpeg's: a pixel of the reduced picture is 4 of the photo's.
    assert max(abs(box[k] - getattr(theirs.box, k)) for k in "xywh") <= 4
    assert max(abs(ours["probabilities"][e] - theirs.probabilities[e]) for e in EMOTIONS) <= PARITY
    assert max(ours["probabilities"], key=ours["probabilities"].get) == theirs.emotion
