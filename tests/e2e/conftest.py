"""Browser journeys: real Chromium (Debian's, not a Playwright download) against the live server.

The webcam is Chromium's fake capture device fed a .y4m video made at test time from a
shared fixture image, so the page runs the same getUserMedia → canvas → upload path as for
a person.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.conf import settings
from django.db import connections

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FIXTURE_IMAGES = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "images"
FRAME_SIZE = (640, 480)


def write_y4m(image_path: Path, target: Path, frames: int = 5) -> Path:
    """Letterbox ``image_path`` into a 640x480 YUV4MPEG2 (I420) clip of a few identical frames."""
    bgr = cv2.imread(str(image_path), cv2.IMREAD_COLOR)
    assert bgr is not None, f"cannot read {image_path}"
    width, height = FRAME_SIZE
    scale = min(width / bgr.shape[1], height / bgr.shape[0])
    resized = cv2.resize(bgr, (round(bgr.shape[1] * scale), round(bgr.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    frame = np.zeros((height, width, 3), np.uint8)
    top, left = (height - resized.shape[0]) // 2, (width - resized.shape[1]) // 2
    frame[top:top + resized.shape[0], left:left + resized.shape[1]] = resized
    planes = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes()
    with target.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + planes)
    return target


@pytest.fixture
def playwright(monkeypatch) -> Iterator:
    """One Playwright per test, so journeys that start their own never meet a running one."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API keeps an event loop in the test thread; Django's ORM refuses to run
    # beside one unless told it is deliberate (the live server itself runs in another thread).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        yield p
        # While Playwright's loop is up, Django keeps DB connections per async context rather than
        # per thread; close the ones the test opened now, or they outlive the test database.
        connections.close_all()


@pytest.fixture
def open_browser(playwright, tmp_path) -> Iterator[Callable]:
    """Start Chromium whose webcam shows the named shared fixture image; returns a fresh page."""
    browsers = []

    def start(image: str):
        y4m = write_y4m(FIXTURE_IMAGES / image, tmp_path / f"{Path(image).stem}.y4m")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--use-fake-device-for-media-stream",
                  "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={y4m}"],
        )
        browsers.append(browser)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(30_000)
        return page

    yield start
    for browser in browsers:
        browser.close()
