"""Browser journey: log in, link Spotify through the (fake) consent page, come back linked with playlists."""

import pytest
from playwright.sync_api import sync_playwright

from tests.factories import PASSWORD, UserFactory
from tests.fakes.fixtures import fake_feature_servers, fake_features, fake_spotify, fake_spotify_server  # noqa: F401

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.mark.e2e
def test_linking_spotify_in_a_real_browser(live_server, fake_spotify, monkeypatch):  # noqa: F811
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop shares the test thread
    UserFactory(username="alice")
    fake_spotify.add_user("alice-spotify", "Alice on Spotify")
    fake_spotify.users["alice-spotify"].liked = fake_spotify.add_tracks(30)
    # Spotify accepts loopback redirect URIs only by IP, so the site is visited as 127.0.0.1.
    site = live_server.url.replace("localhost", "127.0.0.1")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{site}/accounts/login/?next=/music/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", PASSWORD)
        page.click("form [type=submit]")
        page.wait_for_url(f"{site}/music/")
        assert "Not linked" in page.inner_text("#spotify-link")

        page.click("#spotify-link-button")
        page.wait_for_url(lambda url: url.startswith(f"{fake_spotify.url}/authorize"))
        assert "Allow MoodMusic" in page.content()
        page.click("#agree")
        page.wait_for_url(f"{site}/music/")

        panel = page.inner_text("#spotify-link")
        assert "Linked as" in panel and "Alice on Spotify" in panel
        assert page.locator("#playlist-happy li").count() == 30

        page.click("#playlist-happy summary")  # open the happy playlist
        first = page.locator("#playlist-happy li").first
        first.locator("button.vote[data-fits=true]").click()
        first.locator("button.vote.active[data-fits=true]").wait_for(timeout=10_000)  # saved
        # The next vote fails on the server: the person is told, and the button does not pretend it counted.
        page.route("**/api/music/votes/**", lambda route: route.fulfill(
            status=503, content_type="application/json",
            body='{"code": "unavailable", "detail": "MoodMusic cannot reach one of its services right now."}'))
        first.locator("button.vote[data-fits=false]").click()
        page.wait_for_function("document.getElementById('vote-status')?.textContent.includes('not saved')",
                               timeout=10_000)
        assert "cannot reach one of its services" in page.inner_text("#vote-status")
        assert first.locator("button.vote.active[data-fits=true]").count() == 1
        browser.close()

    assert len(fake_spotify.playlists_of("alice-spotify")) == 7
