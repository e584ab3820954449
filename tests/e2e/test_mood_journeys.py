"""Browser journeys through capture and history, in real Chromium with a fake webcam."""

import re

import pytest
from playwright.sync_api import Page, expect

from emotion.models import MoodEntry
from emotion.vision.labels import EMOTIONS
from playlists.models import DefaultPlaylist
from tests.e2e.checks import axe_violations, screenshot
from tests.e2e.images import two_faces_png
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The first capture loads the model inside the live server's thread.
ANALYSIS_TIMEOUT_MS = 90_000


def sign_up(page: Page, site: str, username: str) -> None:
    page.goto(f"{site}/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.check("input[name=face_analysis_consent]")
    page.click("main form [type=submit]")
    page.wait_for_url(f"{site}/capture/")


def log_in(page: Page, site: str, username: str, next_url: str) -> None:
    page.goto(f"{site}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form [type=submit]")
    page.wait_for_url(f"{site}{next_url}")


def capture_from_webcam(page: Page) -> None:
    if page.get_attribute("#camera-toggle", "aria-pressed") != "true":
        page.click("#camera-toggle")
    expect(page.locator("#camera-stage")).to_have_attribute("data-state", "on")
    page.click("#capture-button")


def test_webcam_capture_shows_a_face_and_lands_in_history(live_server, open_browser):
    page = open_browser("astronaut.png")
    sign_up(page, live_server.url, "ada")

    capture_from_webcam(page)

    expect(page.locator("#face-boxes .face-box")).to_have_count(1, timeout=ANALYSIS_TIMEOUT_MS)
    emotion = page.locator("#result-emotion")
    expect(emotion).to_have_text(re.compile("|".join(e.capitalize() for e in EMOTIONS)))
    expect(page.locator("#result-confidence")).to_have_text(re.compile(r"\d+% confident"))
    expect(page.locator("#no-face")).to_be_hidden()
    expect(page.locator("#probabilities .probability.top")).to_have_count(1)
    screenshot(page, "capture")
    shown = emotion.inner_text()

    page.click("#camera-toggle")
    expect(page.locator("#camera-stage")).to_have_attribute("data-state", "off")
    assert page.evaluate("document.getElementById('camera-preview').srcObject") is None

    page.click("a[href='/history/']")
    expect(page.locator("#entries .entry")).to_have_count(1)
    expect(page.locator("#entries .entry .entry-emotion")).to_have_text(shown)
    expect(page.locator("#stat-total")).to_have_text("1")
    screenshot(page, "history")  # the context asks for reduced motion: the charts draw without animating

    entry = MoodEntry.objects.get(owner__username="ada")
    assert (entry.source, entry.emotion.capitalize()) == ("camera", shown)


def test_webcam_capture_without_a_face_says_so(live_server, open_browser):
    UserFactory(username="grace")
    page = open_browser("coffee.png")
    log_in(page, live_server.url, "grace", "/capture/")

    capture_from_webcam(page)

    no_face = page.locator("#no-face")
    expect(no_face).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    expect(no_face).to_contain_text("No face found")
    expect(no_face).to_contain_text("light")
    expect(page.locator("#face-boxes .face-box")).to_have_count(0)
    expect(page.locator("#reading")).to_be_hidden()
    screenshot(page, "no-face")
    assert axe_violations(page) == []
    assert not MoodEntry.objects.filter(owner__username="grace").exists()


def test_manual_mood_appears_in_history_and_can_be_deleted(live_server, open_browser):
    UserFactory(username="linus")
    DefaultPlaylist.objects.update_or_create(
        emotion="sad", defaults={"name": "Rainy Day", "spotify_playlist_id": "37i9dQZF1DX7qK8ma5wgG1"})
    page = open_browser("coffee.png")
    log_in(page, live_server.url, "linus", "/capture/")

    page.click("#manual-picker button[data-emotion=sad]")
    expect(page.locator("#manual-status")).to_contain_text("Saved")
    expect(page.locator("#music-panel")).to_be_visible()
    expect(page.locator("#music-name")).to_contain_text("Rainy Day")
    expect(page.locator("#music-panel iframe")).to_have_attribute(
        "src", "https://open.spotify.com/embed/playlist/37i9dQZF1DX7qK8ma5wgG1")
    expect(page.locator("#music-controls")).to_be_hidden()  # no Spotify link, so no remote control

    page.goto(f"{live_server.url}/history/")
    rows = page.locator("#entries .entry")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sad")
    expect(rows.first).to_contain_text("Picked by hand")

    rows.first.locator(".entry-delete").click()  # no blocking confirm: a toast offers undo, then it is deleted
    expect(page.locator("#undo-toast")).to_be_visible()
    expect(rows).to_have_count(0, timeout=15_000)
    expect(page.locator("#undo-toast")).to_be_hidden()
    expect(page.locator("#stat-total")).to_have_text("0")
    assert not MoodEntry.objects.filter(owner__username="linus").exists()


def test_uploaded_photo_with_two_faces_lets_me_pick_mine(live_server, open_browser):
    UserFactory(username="hedy")
    page = open_browser("coffee.png")
    log_in(page, live_server.url, "hedy", "/capture/")

    page.set_input_files("#upload-input", {"name": "two.png", "mimeType": "image/png", "buffer": two_faces_png()})

    boxes = page.locator("#face-boxes .face-box")
    expect(boxes).to_have_count(2, timeout=ANALYSIS_TIMEOUT_MS)
    expect(page.locator("#face-boxes .face-box.primary .face-tag")).to_contain_text("You")
    expect(page.locator("#faces-hint")).to_contain_text("2 faces found")
    screenshot(page, "two-faces")
    assert axe_violations(page) == []  # the face boxes are buttons with names
    entry = MoodEntry.objects.get(owner__username="hedy")
    first_choice = entry.capture.readings.get(is_primary=True)

    page.click("#face-boxes button.face-box:not(.primary)")

    expect(page.locator("#face-boxes .face-box.primary")).not_to_have_attribute("data-face", str(first_choice.pk))
    chosen = int(page.get_attribute("#face-boxes .face-box.primary", "data-face"))
    assert chosen != first_choice.pk
    entry.refresh_from_db()
    assert entry.capture.readings.get(is_primary=True).pk == chosen


def test_without_camera_permission_the_page_offers_upload(live_server, open_browser):
    UserFactory(username="alan")
    page = open_browser("astronaut.png", camera_allowed=False)
    log_in(page, live_server.url, "alan", "/capture/")

    page.click("#camera-toggle")

    expect(page.locator("#camera-stage")).to_have_attribute("data-state", "unavailable")
    expect(page.locator("#camera-problem")).to_contain_text("upload a photo")
    expect(page.locator("#capture-button")).to_be_disabled()
    expect(page.locator("#upload-input")).to_be_enabled()
