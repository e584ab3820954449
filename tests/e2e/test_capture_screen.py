"""The capture page as one screen for the moment, in real Chromium with a fake webcam: the camera, Capture, the
result and the music for it in the first screen (a phone: at most one scroll), focus on the result and the next
capture one key away, a live session that counts, holds and stops, and a denied camera that says why."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from emotion.models import LiveSession, MoodEntry
from playlists.models import DefaultPlaylist
from tests.e2e.checks import SCHEMES, axe_violations, csp_violations, horizontal_overflow, screenshot
from tests.e2e.test_mood_journeys import ANALYSIS_TIMEOUT_MS, log_in, sign_up
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The sizes the issue names: a 1280x800 laptop and a 390x844 phone.
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
TEMPLATE_SYNTAX = re.compile(r"\{#|\{%|\{\{")


def starter_playlists() -> None:
    DefaultPlaylist.objects.update_or_create(
        emotion="happy", defaults={"name": "Sunny Starter", "spotify_playlist_id": "37i9dQZF1DXdPec7aLTmlC"})


def page_box(page: Page, selector: str) -> dict:
    """The element's box in page coordinates (top and bottom from the top of the document)."""
    return page.evaluate("""(s) => {
        const r = document.querySelector(s).getBoundingClientRect();
        return {top: r.top + scrollY, bottom: r.bottom + scrollY, height: r.height};
    }""", selector)


def wait_until(condition, timeout_s: float = 10) -> None:
    """Poll the database (which the page cannot show) until ``condition()`` holds, at most ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def camera_on(page: Page) -> None:
    """The page starts the camera by itself where the permission is already granted; else press the toggle."""
    stage = page.locator("#camera-stage")
    try:
        expect(stage).to_have_attribute("data-state", "on", timeout=3_000)
    except AssertionError:
        if page.get_attribute("#camera-toggle", "aria-pressed") != "true":
            page.click("#camera-toggle")
        expect(stage).to_have_attribute("data-state", "on")


def overlaps(page: Page, a: str, b: str) -> bool:
    return page.evaluate("""([a, b]) => {
        const r = document.querySelector(a).getBoundingClientRect();
        const s = document.querySelector(b).getBoundingClientRect();
        return r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
    }""", [a, b])


def in_first_screen(page: Page, selector: str, height: int) -> bool:
    box = page_box(page, selector)
    return box["height"] > 0 and box["top"] >= 0 and box["bottom"] <= height


def template_syntax_in_text(page: Page) -> list[str]:
    texts = page.evaluate("""() => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const out = [];
        while (walker.nextNode()) out.push(walker.currentNode.nodeValue);
        return out;
    }""")
    return [t.strip()[:80] for t in texts if TEMPLATE_SYNTAX.search(t)]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", list(SCREENS))
def test_the_camera_the_result_and_its_music_share_one_screen(live_server, open_browser, size, scheme):
    starter_playlists()
    console: list[str] = []
    screen = SCREENS[size]
    page = open_browser("astronaut.png", viewport=screen, color_scheme=scheme, console=console)
    sign_up(page, live_server.url, "ada")  # a new person: the welcome message is above it all
    name = f"capture-{size}-{scheme}"

    camera_on(page)
    # Before: the camera and its Capture button are in the first screen, at both sizes.
    assert page.evaluate("() => scrollY") == 0
    assert in_first_screen(page, "#camera-stage", screen["height"])
    assert in_first_screen(page, "#capture-button", screen["height"])
    assert template_syntax_in_text(page) == []
    assert axe_violations(page) == []
    screenshot(page, f"{name}-before")

    page.click("#capture-button")
    expect(page.locator("#reading")).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    expect(page.locator("#music-player")).not_to_have_attribute("data-state", "empty")

    # The result takes focus; the music for it (a play control: Spotify's compact player, its cover and name)
    # is beside it in the first screen on a laptop, and one scroll down on a phone.
    expect(page.locator("#reading-main")).to_be_focused()
    expect(page.locator("#music-emotion")).to_have_text(page.locator("#result-emotion").inner_text())
    expect(page.locator("#music-name")).to_have_text("Sunny Starter")
    expect(page.locator("#music-panel iframe")).to_have_attribute("title", re.compile("Spotify player: Sunny Starter"))
    result, player = "#result .reading-main", "#music-player"
    if size == "desktop":
        assert page.evaluate("() => scrollY") == 0  # nothing moved: it was all on screen
        for selector in ["#camera-stage", "#capture-button", result, "#probabilities", player]:
            assert in_first_screen(page, selector, screen["height"]), selector
    else:
        for selector in ["#capture-button", result, player]:
            assert page_box(page, selector)["bottom"] <= 2 * screen["height"], selector  # at most one scroll
        expect(page.locator("#reading-main")).to_be_in_viewport()
        expect(page.locator(player)).to_be_in_viewport()  # the scroll to the result brought the music with it
        # The camera indicator sits in the header: it covers neither the preview nor "Open in Spotify".
        for selector in ["#camera-stage", "#music-open", "#capture-button"]:
            assert not overlaps(page, "#camera-state", selector), selector
    assert horizontal_overflow(page) == 0
    assert axe_violations(page) == []
    assert template_syntax_in_text(page) == []
    screenshot(page, f"{name}-after")

    # The next capture is one key away: C, from the focused result.
    first_picture = page.get_attribute("#result-image", "src")
    page.keyboard.press("c")
    expect(page.locator("#result-image")).not_to_have_attribute("src", first_picture, timeout=ANALYSIS_TIMEOUT_MS)
    expect(page.locator("#reading-main")).to_be_focused()
    assert MoodEntry.objects.filter(owner__username="ada").count() == 2
    assert csp_violations(console) == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", list(SCREENS))
def test_a_live_session_counts_holds_one_mood_and_stops_at_once(live_server, open_browser, size, scheme):
    starter_playlists()
    UserFactory(username="kim")
    console: list[str] = []
    page = open_browser("astronaut.png", viewport=SCREENS[size], color_scheme=scheme, console=console)
    log_in(page, live_server.url, "kim", "/capture/")
    camera_on(page)
    page.click("#capture-button")
    expect(page.locator("#reading")).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)
    page.select_option("#live-interval", "3")
    page.evaluate("() => window.scrollTo(0, 0)")
    scrolled = page.evaluate("() => scrollY")  # where the person is; the readings must not move the page

    page.click("#live-toggle")
    expect(page.locator("#live-toggle")).to_have_text("Stop reading")
    expect(page.locator("#live-countdown")).to_have_text(re.compile(r"Next reading in [1-3] s"),
                                                        timeout=ANALYSIS_TIMEOUT_MS)
    expect(page.locator("#live-count")).to_have_text("1 reading")
    expect(page.locator("#live-count")).to_have_text("3 readings", timeout=30_000)
    expect(page.locator("#live-held")).to_have_text(page.locator("#result-emotion").inner_text())
    expect(page.locator("#result-confidence")).to_contain_text("held mood")
    assert page.evaluate("() => scrollY") == scrolled
    assert axe_violations(page) == []
    screenshot(page, f"capture-live-{size}-{scheme}")

    page.click("#live-toggle")
    expect(page.locator("#live-toggle")).to_have_text("Keep reading my mood")
    expect(page.locator("#live-countdown")).to_have_text(re.compile(r"^Stopped\. \d+ readings? in all\.$"))
    session = LiveSession.objects.get(owner__username="kim")
    expect(page.locator("#live-status")).not_to_contain_text("Next reading")
    assert "every" not in page.locator("#camera-status").inner_text().lower()
    # Stopped at once: the server refuses the session's pictures, and no more are sent.
    page.wait_for_function("() => document.getElementById('capture-button').textContent === 'Capture'")
    wait_until(lambda: LiveSession.objects.filter(pk=session.pk, stopped_at__isnull=False).exists())
    session.refresh_from_db()
    taken = session.captures.count()
    page.wait_for_timeout(4_000)  # an absence is checked over a window: longer than the 3 s between readings
    assert session.captures.count() == taken
    # One history entry for the held mood (and one for the single capture before), not one per picture.
    assert taken >= 3
    assert MoodEntry.objects.filter(owner__username="kim").count() == 1 + session.entries
    assert session.entries == 1 and session.readings == taken
    assert axe_violations(page) == []
    screenshot(page, f"capture-live-stopped-{size}-{scheme}")
    assert csp_violations(console) == []

    page.goto(f"{live_server.url}/history/")  # the emotion picker is on every history entry too
    expect(page.locator("#entries .entry")).to_have_count(2)
    assert template_syntax_in_text(page) == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", list(SCREENS))
def test_a_denied_camera_says_why_where_the_camera_would_be(live_server, open_browser, size, scheme):
    UserFactory(username="alan")
    page = open_browser("astronaut.png", camera_allowed=False, viewport=SCREENS[size], color_scheme=scheme)
    log_in(page, live_server.url, "alan", "/capture/")

    page.click("#camera-toggle")

    stage = page.locator("#camera-stage")
    expect(stage).to_have_attribute("data-state", "unavailable")
    expect(stage.locator("#camera-problem-title")).to_have_text("Camera permission denied")
    expect(stage).to_contain_text("address bar")
    expect(stage.locator("label[for=upload-input]")).to_be_visible()
    expect(stage.locator("a[href='#manual-picker']")).to_be_visible()
    expect(page.locator("#camera-problem")).to_be_in_viewport()
    expect(page.locator("#capture-button")).to_be_disabled()
    assert axe_violations(page) == []
    screenshot(page, f"capture-denied-{size}-{scheme}")

    stage.locator("a[href='#manual-picker']").click()
    expect(page.locator("#manual-heading")).to_be_focused()


def test_a_device_without_a_camera_says_so_not_permission(live_server, open_browser):
    UserFactory(username="grace")
    page = open_browser("astronaut.png", has_camera=False, viewport=SCREENS["phone"])
    log_in(page, live_server.url, "grace", "/capture/")

    page.click("#camera-toggle")

    stage = page.locator("#camera-stage")
    expect(stage).to_have_attribute("data-state", "unavailable")
    expect(page.locator("#camera-problem-title")).to_have_text("No camera found")
    expect(stage.locator("label[for=upload-input]")).to_be_visible()
    expect(page.locator("#camera-problem")).to_be_in_viewport()
    assert axe_violations(page) == []
