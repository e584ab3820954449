"""Browser journeys: real Chromium (Debian's, not a Playwright download) against the live server.

The webcam is Chromium's fake capture device fed a .y4m video made at test time from a
shared fixture image, so the page runs the same getUserMedia → canvas → upload path as for
a person.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connections
from playwright import sync_api

from tests.e2e.images import FIXTURE_IMAGES, write_y4m
from tests.fakes.fixtures import fake_spotify_embed, fake_spotify_embed_server  # noqa: F401 (fixtures)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


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

    def start(image: str, camera_allowed: bool = True, viewport: dict | None = None, color_scheme: str = "light",
              console: list | None = None, has_camera: bool = True):
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync"]
        if has_camera:  # without it, a machine with no webcam: getUserMedia finds no device
            y4m = write_y4m(FIXTURE_IMAGES / image, tmp_path / f"{Path(image).stem}.y4m")
            args += ["--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={y4m}"]
        if camera_allowed:  # without it, headless Chromium answers the permission prompt with "deny"
            args.append("--use-fake-ui-for-media-stream")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        browsers.append(browser)
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, color_scheme=color_scheme,
                                      reduced_motion="reduce")
        page = context.new_page()
        page.set_default_timeout(30_000)
        if console is not None:  # CSP violations are reported on the console
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        return page

    yield start
    for browser in browsers:
        browser.close()

