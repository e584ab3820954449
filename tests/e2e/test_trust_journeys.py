"""Journeys a person must be able to trust: every page accessible (axe-core, WCAG 2.1 AA) at desktop and
phone widths in light and dark, usable on a phone, under a strict CSP, and a wrong reading correctable."""

import re

import pytest
from playwright.sync_api import Page, expect

from emotion.models import MoodEntry
from playlists.models import DefaultPlaylist
from tests.e2e.checks import (
    SCHEMES,
    VIEWPORTS,
    axe_violations,
    csp_violations,
    horizontal_overflow,
    screenshot,
    small_touch_targets,
)
from tests.e2e.test_mood_journeys import ANALYSIS_TIMEOUT_MS, capture_from_webcam, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def check_page(page: Page, where: str, problems: list[str], phone: bool) -> None:
    """Collect what is wrong with the page as it is now instead of stopping at the first page."""
    problems += [f"{where}: axe {v}" for v in axe_violations(page)]
    overflow = horizontal_overflow(page)
    if overflow > 0:
        problems.append(f"{where}: scrolls sideways by {overflow}px")
    if phone:
        problems += [f"{where}: touch target {t}" for t in small_touch_targets(page)]


def upload_astronaut(page: Page) -> None:
    from tests.images import fixture_bytes

    page.set_input_files("#upload-input", {"name": "me.png", "mimeType": "image/png",
                                           "buffer": fixture_bytes("astronaut.png")})
    expect(page.locator("#reading")).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_every_page_of_the_journeys_passes_axe_without_csp_violations(live_server, open_browser, size, scheme):
    DefaultPlaylist.objects.update_or_create(
        emotion="happy", defaults={"name": "Sunny", "spotify_playlist_id": "37i9dQZF1DXdPec7aLTmlC"})
    console: list[str] = []
    page = open_browser("coffee.png", viewport=VIEWPORTS[size], color_scheme=scheme, console=console)
    phone = size == "phone"
    site = live_server.url
    problems: list[str] = []
    name = f"{size}-{scheme}"

    for path in ["/", "/privacy/", "/accounts/login/", "/accounts/signup/", "/no/such/page/"]:
        page.goto(site + path)
        check_page(page, f"{path} (signed out)", problems, phone)
    page.goto(f"{site}/accounts/signup/")
    page.click("main form [type=submit]")  # sent empty: the form with its errors
    expect(page.locator(".errorlist").first).to_be_visible()
    check_page(page, "/accounts/signup/ with errors", problems, phone)

    # Signed up before sign-up asked for consent (the form's sign-up is test_mood_journeys'; the throttle is spared).
    UserFactory(username="ada", face_analysis_consent_at=None)
    log_in(page, site, "ada", "/history/")
    check_page(page, "/history/ (empty)", problems, phone)
    page.goto(f"{site}/capture/")
    page.wait_for_url(f"{site}/accounts/consent/?next=/capture/")
    check_page(page, "/accounts/consent/", problems, phone)
    page.click("main form [type=submit]")
    page.wait_for_url(f"{site}/capture/")
    check_page(page, "/capture/ (first visit)", problems, phone)
    upload_astronaut(page)
    page.click("#correct-toggle")
    expect(page.locator("#correct-panel")).to_be_visible()
    check_page(page, "/capture/ with a result and the correction open", problems, phone)
    if scheme == "light":
        screenshot(page, f"capture-result-{size}")
    page.click("#manual-picker button[data-emotion=happy]")
    expect(page.locator("#music-panel")).to_be_visible()
    check_page(page, "/capture/ with music", problems, phone)

    page.goto(f"{site}/history/")
    expect(page.locator("#entries .entry")).to_have_count(2)
    page.locator("#entries .entry .entry-correct").first.click()
    check_page(page, "/history/ with a correction open", problems, phone)
    screenshot(page, f"history-{name}")

    for path in ["/music/", "/accounts/profile/", "/privacy/", "/accounts/delete/", "/accounts/password/change/"]:
        page.goto(site + path)
        check_page(page, path, problems, phone)
    if phone:
        page.click("#menu-toggle")
        expect(page.locator("#site-menu")).to_be_visible()
        check_page(page, "menu open", problems, phone)

    assert problems == [], "\n".join(problems)
    assert csp_violations(console) == []


def test_a_wrong_reading_is_corrected_on_the_result_and_again_in_history(live_server, open_browser):
    UserFactory(username="joan")
    console: list[str] = []
    page = open_browser("coffee.png", console=console)
    log_in(page, live_server.url, "joan", "/capture/")
    upload_astronaut(page)
    read = page.locator("#result-emotion").inner_text().lower()
    other = "surprise" if read != "surprise" else "sad"

    page.click("#correct-toggle")
    page.click(f"#correct-panel button[data-correct={other}]")

    expect(page.locator("#correct-status")).to_contain_text(f"saved as {other}")
    expect(page.locator("#result-emotion")).to_have_text(other.capitalize())
    expect(page.locator("#result-model")).to_contain_text(f"The model read {read.capitalize()}")
    expect(page.locator("#music-emotion")).to_have_text(other.capitalize())
    entry = MoodEntry.objects.get(owner__username="joan")
    assert (entry.emotion, entry.model_emotion, entry.source) == (other, read, "camera")

    page.goto(f"{live_server.url}/history/")
    row = page.locator("#entries .entry").first
    expect(row.locator(".entry-emotion")).to_have_text(other.capitalize())
    expect(row).to_contain_text(f"the model read {read.capitalize()}")
    row.locator(".entry-correct").click()
    row.locator(".correct-panel button[data-correct=neutral]").click()

    expect(page.locator("#entries .entry").first.locator(".entry-emotion")).to_have_text("Neutral")
    expect(page.locator("#entries-status")).to_have_text("Saved: neutral.")
    entry.refresh_from_db()
    assert (entry.emotion, entry.model_emotion) == ("neutral", read)
    assert csp_violations(console) == []


def test_on_a_phone_the_result_comes_into_view_and_the_menu_folds(live_server, open_browser):
    UserFactory(username="mary")
    console: list[str] = []
    page = open_browser("astronaut.png", viewport=VIEWPORTS["phone"], console=console)
    log_in(page, live_server.url, "mary", "/capture/")

    expect(page.locator("#site-menu")).to_be_hidden()
    expect(page.locator("#menu-toggle")).to_be_visible()
    page.click("#menu-toggle")
    expect(page.locator("#site-menu a[href='/history/']")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#site-menu")).to_be_hidden()

    capture_from_webcam(page)
    expect(page.locator("#camera-state")).to_have_text("Camera on")
    expect(page.locator("#camera-state")).to_be_in_viewport()
    expect(page.locator("#reading")).to_be_visible(timeout=ANALYSIS_TIMEOUT_MS)

    expect(page.locator("#result-heading")).to_be_in_viewport()
    assert page.evaluate("() => window.scrollY") > 300  # it moved: the card starts far below the camera
    expect(page.locator("#result-announce")).to_have_text(re.compile(r"You look \w+, \d+% confident"))
    screenshot(page, "capture-phone")
    assert horizontal_overflow(page) == 0
    expect(page.locator("#camera-state")).to_be_in_viewport()  # still in sight, scrolled down to the result
    page.click("#camera-toggle")
    expect(page.locator("#camera-state")).to_have_text("Camera off")
    assert csp_violations(console) == []


def test_the_skip_link_is_the_first_stop_and_focus_is_visible(live_server, open_browser):
    page = open_browser("coffee.png")
    page.goto(f"{live_server.url}/privacy/")

    page.keyboard.press("Tab")

    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"


def test_admin_and_api_docs_run_under_the_csp_without_violations(live_server, open_browser):
    from emotion.models import Capture, FaceReading

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    capture = Capture.objects.create(owner=root, status=Capture.Status.DONE, width=10, height=10)
    reading = FaceReading.objects.create(capture=capture, x=0, y=0, w=5, h=5, emotion="happy", confidence=0.6,
                                         probabilities={"happy": 0.6})
    capture.choose_primary(reading).correct("sad")
    console: list[str] = []
    page = open_browser("coffee.png", console=console)
    log_in(page, live_server.url, "root", "/admin/")

    expect(page.locator("#site-name")).to_have_text("MoodMusic administration")
    page.goto(f"{live_server.url}/admin/emotion/moodentry/")
    page.click("text=Corrections per emotion")
    expect(page.locator("#corrections tr[data-emotion=happy] .corrected")).to_have_text(re.compile(r"^1 \(100%\)"))
    for path in [f"/admin/accounts/user/{root.pk}/change/", f"/admin/emotion/capture/{capture.pk}/change/"]:
        page.goto(live_server.url + path)
        expect(page.locator("#content")).to_be_visible()
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible()

    assert csp_violations(console) == []
    assert [m for m in console if "404" in m] == []  # no missing script, style or icon
