"""The music page, the history, sign-up, the admin's corrections and the API docs as a person meets them, in real
Chromium: layout facts (cards with a play control, the current mood first, match or lift for everyone), the
history's undo toast, calendar and notes, no template syntax printed, and axe 0 serious/critical at desktop
and phone widths in light and dark."""

import datetime as dt
import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from emotion.models import MoodEntry
from playlists.models import DefaultPlaylist, EmotionPlaylist, EmotionPlaylistItem, SpotifyLink, Track
from playlists.mood import LIFT_STEPS
from tests.e2e.checks import SCHEMES, VIEWPORTS, axe_violations, csp_violations, horizontal_overflow, screenshot
from tests.e2e.test_mood_journeys import log_in
from tests.e2e.test_trust_journeys import check_page
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STARTERS = {"angry": "Adrenaline Workout", "disgust": "Rock Classics", "fear": "Peaceful Piano",
            "happy": "Mood Booster", "sad": "Sad Songs", "surprise": "Beast Mode", "neutral": "Chill Hits"}

TEMPLATE_SYNTAX = """() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) {
        const text = walker.currentNode.textContent;
        if (/\\{#|\\{%|\\{\\{/.test(text)) found.push(text.trim().slice(0, 80));
    }
    return found;
}"""


def starters() -> None:
    """The seven starter playlists (the migration's rows do not outlive a transactional test's flush)."""
    for n, (emotion, name) in enumerate(STARTERS.items()):
        DefaultPlaylist.objects.update_or_create(emotion=emotion, defaults={
            "name": name, "spotify_playlist_id": f"37i9dQZF1DX00000000000{n}"})


def moods(user, spread: list[tuple[int, str]]) -> None:
    """Mood entries ``days_ago`` days back at noon, in the order given (the last one given is the newest)."""
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    for i, (days_ago, emotion) in enumerate(spread):
        MoodEntry.objects.create(owner=user, emotion=emotion, source=MoodEntry.Source.MANUAL,
                                 created_at=now - dt.timedelta(days=days_ago, minutes=len(spread) - i))


def template_syntax(page: Page) -> list[str]:
    return page.evaluate(TEMPLATE_SYNTAX)


def test_the_music_page_plays_for_a_person_without_spotify_current_mood_first(live_server, open_browser):
    starters()
    user = UserFactory(username="nina")
    moods(user, [(2, "happy"), (1, "angry"), (0, "sad")])
    console: list[str] = []
    page = open_browser("coffee.png", console=console)
    log_in(page, live_server.url, "nina", "/music/")

    cards = page.locator(".music-card")
    expect(cards).to_have_count(7)
    first = cards.first
    expect(first).to_have_attribute("data-emotion", "sad")
    expect(first.locator(".now-badge")).to_have_text("Your mood now")
    expect(page.locator(".now-badge")).to_have_count(1)
    expect(first.locator(".music-meta")).to_contain_text("Sad Songs")
    expect(first.locator(".music-meta")).to_contain_text("Sad · starter playlist")
    for i in range(7):
        expect(cards.nth(i).locator("button.play")).to_be_visible()
    expect(first.locator("button.play")).to_be_in_viewport()

    first.locator("button.play").click()
    player = first.locator(".player")
    expect(player).to_be_visible()
    expect(player.locator("iframe")).to_have_attribute("src", "https://open.spotify.com/embed/playlist/"
                                                              "37i9dQZF1DX000000000004")
    expect(player.locator(".player-loading")).to_contain_text("Loading the Spotify player for Sad Songs")
    assert player.bounding_box()["height"] >= 150  # the space is held while the embed loads
    cards.nth(1).locator("button.play").click()  # one player at a time
    expect(player).to_be_hidden()
    expect(cards.nth(1).locator(".player iframe")).to_have_count(1)

    # "Lift" for someone without a link: the starter one step up.
    page.click("#music-way button[value=lift]")
    expect(page.locator("#music-way button[value=lift]")).to_have_attribute("aria-pressed", "true")
    sad = page.locator("#card-sad")
    expect(sad.locator(".lift-note")).to_have_text(f"Lifts toward {LIFT_STEPS['sad']}")
    expect(sad.locator("button.play")).to_have_attribute("data-name", STARTERS[LIFT_STEPS["sad"]])
    page.click("#music-way button[value=match]")
    expect(page.locator("#card-sad .lift-note")).to_have_count(0)
    assert csp_violations(console) == []


def linked_music(user) -> None:
    """A usable Spotify link with a synced playlist of three tracks per emotion, as an import would leave it."""
    SpotifyLink.objects.create(user=user, spotify_id=f"{user.username}-spotify", display_name=user.username,
                               premium=False)
    for e, emotion in enumerate(STARTERS):
        playlist = EmotionPlaylist.objects.create(owner=user, emotion=emotion, spotify_playlist_id=f"own{e:019d}",
                                                  sync_status="synced")
        for n in range(3):
            track = Track.objects.create(spotify_id=f"t{e}{n}", title=f"Song {n + 1} for {emotion}",
                                         artists=["The Band"], valence=0.5, energy=0.5)
            EmotionPlaylistItem.objects.create(playlist=playlist, position=n, track=track, score=0.9 - n / 10,
                                               reason="valence 0.50, arousal 0.50 (open audio-features service)")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_a_linked_person_has_their_own_playlists_beside_the_starters(live_server, open_browser, size, scheme):
    starters()
    user = UserFactory(username="rosa")
    moods(user, [(1, "happy"), (0, "fear")])
    linked_music(user)
    console: list[str] = []
    page = open_browser("coffee.png", viewport=VIEWPORTS[size], color_scheme=scheme, console=console)
    log_in(page, live_server.url, "rosa", "/music/")

    card = page.locator(".music-card").first
    expect(card).to_have_attribute("data-emotion", "fear")
    expect(card.locator(".music-source.own .music-meta")).to_contain_text("MoodMusic · Fear")
    expect(card.locator(".music-source.own .music-meta")).to_contain_text("Fear · 3 tracks")
    expect(card.locator(".music-source.starter .music-meta")).to_contain_text("Peaceful Piano")
    expect(card.locator(".music-source.own button.play")).to_be_visible()
    card.locator("details.tracks summary").click()
    expect(card.locator(".track-list li")).to_have_count(3)
    card.locator(".track-list li").first.locator("button.vote[data-fits=true]").click()
    expect(card.locator(".track-list li").first.locator("button.vote[data-fits=true]")).to_have_attribute(
        "aria-pressed", "true")

    problems: list[str] = []
    check_page(page, "/music/ linked", problems, size == "phone")
    screenshot(page, f"music-linked-{size}-{scheme}")
    assert problems == [], "\n".join(problems)
    assert [m for m in csp_violations(console) if "sdk.scdn.co" not in m] == []


def test_the_history_undoes_a_delete_keeps_notes_and_draws_the_month(live_server, open_browser):
    user = UserFactory(username="omar")
    moods(user, [(0, "happy")])
    console: list[str] = []
    page = open_browser("coffee.png", console=console)
    log_in(page, live_server.url, "omar", "/history/")

    # One mood on one day: no pattern is claimed, and the page says what it waits for.
    expect(page.locator("#insight-wait")).to_contain_text("at least 5 moods on at least 3 different days")
    expect(page.locator("#insight-list li")).to_have_count(0)

    today = timezone.localdate().isoformat()
    cell = page.locator(f"#calendar-days td[data-date='{today}']")
    expect(cell).to_have_attribute("data-mood", "happy")
    expect(cell.locator(".visually-hidden")).to_contain_text("Happy (1 mood)")
    expect(page.locator("#calendar-days td[data-mood='']").first).to_contain_text("no mood")

    row = page.locator("#entries .entry").first
    row.locator(".entry-note-edit").click()
    page.fill("#entries .entry .note-input", "Sun out, lunch with Ana")
    row.locator(".note-save").click()
    expect(row.locator(".entry-note")).to_have_text("Sun out, lunch with Ana")
    entry = MoodEntry.objects.get(owner=user)
    assert entry.note == "Sun out, lunch with Ana"

    row.locator(".entry-delete").click()
    expect(page.locator("#undo-toast")).to_be_visible()
    expect(row).to_be_hidden()
    page.click("#undo-button")
    expect(row).to_be_visible()
    expect(page.locator("#undo-toast")).to_be_hidden()
    assert MoodEntry.objects.filter(pk=entry.pk).exists()

    row.locator(".entry-delete").click()
    expect(page.locator("#entries .entry")).to_have_count(0, timeout=15_000)  # the toast ran out: deleted
    assert not MoodEntry.objects.filter(pk=entry.pk).exists()
    expect(page.locator(f"#calendar-days td[data-date='{today}']")).to_have_attribute("data-mood", "")
    assert csp_violations(console) == []


def test_a_delete_still_pending_when_the_page_is_left_is_sent(live_server, open_browser):
    user = UserFactory(username="pia")
    moods(user, [(1, "sad"), (0, "fear")])
    page = open_browser("coffee.png")
    log_in(page, live_server.url, "pia", "/history/")

    page.locator("#entries .entry").first.locator(".entry-delete").click()
    expect(page.locator("#undo-toast")).to_be_visible()
    page.goto(f"{live_server.url}/music/")

    # The delete travels beside the navigation (fetch keepalive): wait for it, bounded.
    deadline = time.monotonic() + 15
    while MoodEntry.objects.filter(owner=user, emotion="fear").exists() and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert list(MoodEntry.objects.filter(owner=user).values_list("emotion", flat=True)) == ["sad"]
    page.reload()
    expect(page.locator(".music-card").first).to_have_attribute("data-emotion", "sad")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_music_history_signup_and_admin_pass_axe_and_print_no_template_syntax(live_server, open_browser, size,
                                                                               scheme):
    starters()
    user = UserFactory(username="quinn")
    moods(user, [(9, "sad"), (6, "sad"), (5, "angry"), (3, "neutral"), (2, "happy"), (1, "happy"), (0, "sad")])
    UserFactory(username="root", is_staff=True, is_superuser=True)
    MoodEntry.objects.create(owner=user, emotion="happy", confidence=0.62, source=MoodEntry.Source.CAMERA,
                             created_at=timezone.now() - dt.timedelta(days=20)).correct("sad")
    console: list[str] = []
    page = open_browser("coffee.png", viewport=VIEWPORTS[size], color_scheme=scheme, console=console)
    phone = size == "phone"
    site = live_server.url
    name = f"{size}-{scheme}"
    problems: list[str] = []

    def look(where: str, shot: str | None = None) -> None:
        check_page(page, where, problems, phone)
        problems.extend(f"{where}: template syntax shown: {t!r}" for t in template_syntax(page))
        if shot:
            screenshot(page, f"{shot}-{name}")

    page.goto(f"{site}/accounts/signup/")
    look("/accounts/signup/", "signup")
    label = page.locator("label[for=id_face_analysis_consent]")
    assert label.evaluate("el => getComputedStyle(el).display") == "block"

    log_in(page, site, "quinn", "/music/")
    expect(page.locator(".music-card").first).to_have_attribute("data-emotion", "sad")
    look("/music/", "music")
    page.locator(".music-card").first.locator("button.play").click()
    look("/music/ with a player open")

    page.goto(f"{site}/history/")
    expect(page.locator("#entries .entry")).to_have_count(8)
    expect(page.locator("#insight-list li").first).to_be_visible()
    expect(page.locator("#calendar-days td[data-mood='sad']").first).to_be_visible()
    page.locator("#entries .entry").first.locator(".entry-note-edit").click()
    look("/history/ with a note open", "history")
    page.locator("#entries .entry").nth(1).locator(".entry-delete").click()
    expect(page.locator("#undo-toast")).to_be_visible()
    look("/history/ with the undo toast")
    page.click("#undo-button")

    page.context.clear_cookies()
    page.goto(f"{site}/admin/login/?next=/admin/emotion/moodentry/corrections/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/emotion/moodentry/corrections/")
    problems += [f"admin corrections: axe {v}" for v in axe_violations(page)]
    overflow = horizontal_overflow(page)
    if overflow > 0:
        problems.append(f"admin corrections: scrolls sideways by {overflow}px")
    screenshot(page, f"admin-corrections-{name}")

    assert problems == [], "\n".join(problems)
    assert csp_violations(console) == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_api_docs_pass_axe(live_server, open_browser, size, scheme):
    page = open_browser("coffee.png", camera_allowed=False, viewport=VIEWPORTS[size], color_scheme=scheme)

    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock-summary-path", has_text="/api/captures/").first.wait_for()
    page.locator(".opblock-summary-path", has_text="/api/moods/{id}/").first.click()  # one operation open

    problems = axe_violations(page) + [f"template syntax: {t}" for t in template_syntax(page)]
    screenshot(page, f"api-docs-{size}-{scheme}")
    assert problems == [], "\n".join(problems)
