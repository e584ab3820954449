"""One tap starts the music, for everyone: the page's Play button drives Spotify's player through Spotify's iFrame
API (served here by a fake that keeps its documented contract, tests/fakes/spotify_embed.py), and a new mood
on the capture page is loaded into the same player, which goes on playing. Where the API cannot load, the
plain embed is shown (every other browser test runs that way)."""

import json

import pytest
from playwright.sync_api import Page, expect

from playlists.models import DefaultPlaylist
from tests.e2e.checks import axe_violations, csp_violations
from tests.e2e.test_mood_journeys import log_in
from tests.e2e.test_pages import STARTERS, moods, starters
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def calls(page: Page) -> list[list[str]]:
    return page.evaluate("() => window.__spotifyEmbedCalls || []")


def wait_for_call(page: Page, *call: str) -> None:
    page.wait_for_function("(c) => (window.__spotifyEmbedCalls || []).some((x) => JSON.stringify(x) === c)",
                           arg=json.dumps(list(call), separators=(",", ":")), timeout=5000)


def uri(emotion: str) -> str:
    return "spotify:playlist:" + DefaultPlaylist.objects.get(emotion=emotion).spotify_playlist_id


def test_one_tap_on_the_music_page_starts_the_playlist_and_the_same_button_pauses_it(
        live_server, open_browser, fake_spotify_embed):
    starters()
    user = UserFactory(username="pia")
    moods(user, [(0, "sad")])
    console: list[str] = []
    page = open_browser("coffee.png", console=console)
    log_in(page, live_server.url, "pia", "/music/")

    first = page.locator(".music-card").first
    button = first.locator("button.play")
    button.click()  # one tap
    wait_for_call(page, "play", uri("sad"))
    assert calls(page)[:2] == [["createController", uri("sad")], ["play", uri("sad")]]
    expect(button.locator(".play-text")).to_have_text("Pause")
    expect(button).to_have_attribute("aria-expanded", "true")
    frame = first.locator(".player iframe")
    expect(frame).to_have_attribute("title", "Sad Songs on Spotify")
    expect(first.locator(".player")).to_have_class("player loaded")

    button.click()  # the same button pauses
    wait_for_call(page, "togglePlay")
    expect(button.locator(".play-text")).to_have_text("Play")

    # Another card: the first player goes, the second starts.
    second = page.locator(".music-card").nth(1)
    second.locator("button.play").click()
    emotion = second.get_attribute("data-emotion")
    wait_for_call(page, "play", uri(emotion))
    assert ["destroy", uri("sad")] in calls(page)
    expect(first.locator(".player")).to_be_hidden()
    expect(first.locator("button.play .play-text")).to_have_text("Play")
    expect(second.locator("button.play .play-text")).to_have_text("Pause")
    assert fake_spotify_embed.requests == 1  # the API once per page
    assert axe_violations(page) == []
    assert csp_violations(console) == []


def test_a_browser_that_refuses_to_start_sound_leaves_play_on_the_button(live_server, open_browser,
                                                                          fake_spotify_embed):
    fake_spotify_embed.autoplay_blocked = True
    starters()
    UserFactory(username="ole")
    page = open_browser("coffee.png")
    log_in(page, live_server.url, "ole", "/music/")
    button = page.locator(".music-card").first.locator("button.play")
    button.click()
    wait_for_call(page, "play", uri(page.locator(".music-card").first.get_attribute("data-emotion")))
    expect(page.locator(".music-card").first.locator(".player iframe")).to_have_count(1)
    expect(button.locator(".play-text")).to_have_text("Play")  # it does not claim to play what is silent


def test_without_the_api_the_plain_player_opens_and_play_closes_it(live_server, open_browser):
    starters()
    UserFactory(username="liv")
    page = open_browser("coffee.png")
    log_in(page, live_server.url, "liv", "/music/")
    card = page.locator(".music-card").first
    card.locator("button.play").click()
    playlist = DefaultPlaylist.objects.get(emotion=card.get_attribute("data-emotion"))
    expect(card.locator(".player iframe")).to_have_attribute("src", playlist.embed_url)
    expect(card.locator("button.play .play-text")).to_have_text("Close player")
    card.locator("button.play").click()
    expect(card.locator(".player iframe")).to_have_count(0)
    assert calls(page) == []


def test_the_capture_page_keeps_one_player_and_the_music_follows_the_mood(live_server, open_browser,
                                                                           fake_spotify_embed):
    starters()
    UserFactory(username="max")
    console: list[str] = []
    page = open_browser("coffee.png", console=console)
    log_in(page, live_server.url, "max", "/capture/")

    page.click("#manual-picker button[data-emotion=happy]")
    expect(page.locator("#music-name")).to_have_text(STARTERS["happy"])
    expect(page.locator("#music-player")).to_have_attribute("data-state", "ready")
    expect(page.locator("#music-panel iframe")).to_have_attribute(
        "title", f"Spotify player: {STARTERS['happy']}. Press play to listen.")
    assert calls(page) == [["createController", uri("happy")]]  # shown, not started: the person did not ask yet

    # The person presses play in Spotify's own player.
    page.evaluate("() => window.__spotifyEmbedControllers[0].play()")
    wait_for_call(page, "play", uri("happy"))

    # A new mood: the same player loads the new playlist and goes on playing.
    page.click("#manual-picker button[data-emotion=sad]")
    expect(page.locator("#music-name")).to_have_text(STARTERS["sad"])
    wait_for_call(page, "play", uri("sad"))
    assert calls(page)[-2:] == [["loadUri", uri("sad")], ["play", uri("sad")]]
    assert [c for c in calls(page) if c[0] == "createController"] == [["createController", uri("happy")]]
    expect(page.locator("#music-panel iframe")).to_have_count(1)
    expect(page.locator("#music-panel iframe")).to_have_attribute(
        "title", f"Spotify player: {STARTERS['sad']}. Press play to listen.")
    assert csp_violations(console) == []
