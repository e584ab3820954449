"""The site's pages: login where needed, API URLs for their scripts, a strict CSP, and what a newcomer sees."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from emotion.models import MoodEntry

PAGES_SIGNED_IN = ["/capture/", "/history/", "/accounts/profile/", "/privacy/", "/"]
PAGES_PUBLIC = ["/", "/privacy/", "/accounts/login/", "/accounts/signup/"]


@pytest.mark.parametrize("url", ["/capture/", "/history/"])
def test_pages_send_anonymous_visitors_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/capture/", "/history/"])
def test_pages_render_for_a_signed_in_person(client, alice, url):
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert b"/api/" in response.content
    assert "csrftoken" in response.cookies


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", PAGES_SIGNED_IN)
def test_every_page_carries_a_strict_content_security_policy(client, alice, url):
    client.force_login(alice)

    response = client.get(url)
    policy = _policy(response)

    # Private mode compiles WebAssembly on the capture page, and there only (never 'unsafe-eval').
    wasm = ["'wasm-unsafe-eval'"] if url == "/capture/" else []
    assert policy["script-src"] == ["'self'", "https://sdk.scdn.co", *wasm]  # the tests turn the iFrame API off
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert policy["frame-src"] == ["https://open.spotify.com", "https://sdk.scdn.co"]
    assert policy["object-src"] == ["'none'"]


@pytest.mark.parametrize("url", [*PAGES_SIGNED_IN, "/music/"])
def test_only_the_pages_with_a_player_may_load_spotifys_iframe_api(client, alice, settings, url):
    settings.SPOTIFY_EMBED_API_URL = "https://open.spotify.com/embed/iframe-api/v1"
    client.force_login(alice)

    script_src = _policy(client.get(url))["script-src"]

    if url in ("/capture/", "/music/"):
        assert script_src[-1] == "https://open.spotify.com"
        assert ("'wasm-unsafe-eval'" in script_src) == (url == "/capture/")  # the two updates stack
    else:
        assert "https://open.spotify.com" not in script_src


@pytest.mark.parametrize("url", PAGES_SIGNED_IN)
def test_pages_hold_no_inline_script_or_style(client, alice, url):
    client.force_login(alice)

    html = client.get(url).content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", html)
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=\"", html)


@pytest.mark.parametrize("url", PAGES_PUBLIC)
def test_public_pages_have_a_skip_link_footer_and_icons(client, db, url):
    html = Client().get(url).content.decode()

    assert '<a class="skip-link" href="#main">' in html and 'id="main"' in html
    assert 'href="/privacy/"' in html
    assert 'rel="icon"' in html and 'rel="apple-touch-icon"' in html
    assert 'id="menu-toggle" aria-expanded="false" aria-controls="site-menu"' in html


def test_the_privacy_page_says_what_is_stored_for_how_long_and_how_to_leave(client, alice):
    client.force_login(alice)

    html = client.get("/privacy/").content.decode()

    for words in ["deleted right after the", "What is stored", "For how long", "/accounts/export/",
                  "/accounts/delete/"]:
        assert words in html


def test_an_unknown_address_gets_the_sites_own_404(client, db, settings):
    settings.DEBUG = False

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert b"This page is not here" in response.content and b"skip-link" in response.content


def test_the_500_page_renders_without_a_request_context(db):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html


def test_a_first_capture_opens_the_tips_and_later_ones_keep_them_folded(client, alice):
    client.force_login(alice)
    first = client.get("/capture/").content.decode()
    MoodEntry.objects.create(owner=alice, emotion="happy", source=MoodEntry.Source.MANUAL)

    later = client.get("/capture/").content.decode()

    assert 'id="tips" open' in first and "Your first capture" in first
    assert 'id="tips" open' not in later and "Tips for a good reading" in later


def test_capture_page_tells_what_happens_to_the_picture_and_offers_a_correction(client, alice):
    client.force_login(alice)

    html = client.get("/capture/").content.decode()

    assert "deleted" in html.split('id="privacy-note"')[1].split("</p>")[0]
    assert 'id="correct-toggle"' in html and "Not how I feel?" in html
    assert 'id="camera-state" data-state="off"' in html
    assert 'id="result-announce" role="status" aria-live="polite"' in html


def test_history_shows_an_empty_state_until_the_first_mood(client, alice):
    client.force_login(alice)
    empty = client.get("/history/").content.decode()
    MoodEntry.objects.create(owner=alice, emotion="happy", source=MoodEntry.Source.MANUAL)

    later = client.get("/history/").content.decode()

    assert 'id="history-empty"' in empty and "Take your first capture" in empty
    assert 'id="history-empty"' not in later
    assert "Not how I feel?" in later  # the entry template offers the correction


def test_the_admin_is_branded(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    html = client.get("/admin/").content

    assert b"MoodMusic administration" in html
    assert b"img/favicon.svg" in html  # no 404 for /favicon.ico in the admin either


def test_icons_are_static_files(client, db):
    from django.contrib.staticfiles import finders

    for name in ["img/favicon.ico", "img/favicon.svg", "img/apple-touch-icon.png", "img/icon-192.png",
                 "img/icon-512.png", "site.webmanifest", "js/api.js", "js/site.js"]:
        assert finders.find(name), name


def test_a_stale_form_gets_the_sites_own_explanation(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert b"That form had gone stale" in response.content


def test_no_template_comment_or_tag_is_printed_on_the_capture_or_history_page(client, alice):
    MoodEntry.objects.create(owner=alice, emotion="happy", source=MoodEntry.Source.MANUAL)  # an entry: its picker
    client.force_login(alice)

    for path in ["/capture/", "/history/"]:
        html = client.get(path).content.decode()
        assert "emotion-buttons" in html
        assert "{#" not in html and "{%" not in html and "#}" not in html, path


@pytest.mark.parametrize("url", PAGES_PUBLIC + ["/api/docs/", "/accounts/profile/", "/history/"])
def test_only_the_capture_page_may_compile_webassembly(client, alice, url):
    client.force_login(alice)
    assert "wasm-unsafe-eval" not in client.get(url).get("Content-Security-Policy", "")
    assert "'wasm-unsafe-eval'" in client.get("/capture/")["Content-Security-Policy"]


def test_the_capture_page_loads_private_mode_from_this_site_alone(client, alice):
    client.force_login(alice)
    response = client.get("/capture/")
    html = response.content.decode()
    private = response.context["private"]
    assert 'type="module" src="/static/js/private.js"' in html and 'id="private-config"' in html
    urls = [private["detector"], *(m["url"] for m in private["members"]), *private["runtime"].values()]
    assert all(url.startswith("/static/") for url in urls)
    assert private["model_version"].endswith("+yunet") and private["download_bytes"] > 1_000_000
    assert private["default_on"] is False
    assert [m["weight"] for m in private["members"]] == [1.0]  # the shipped card serves one network
    assert private["flip_tta"] is True  # its decision step was fitted on faces averaged with their mirror image
    for url in urls:  # every one a file the static finders serve (and collectstatic fingerprints)
        assert finders.find(url.removeprefix("/static/")), url


def test_history_does_not_load_private_mode(client, alice):
    client.force_login(alice)
    assert b"private.js" not in client.get("/history/").content


def test_without_the_shipped_models_the_capture_page_offers_no_private_mode(client, alice, settings, tmp_path):
    settings.EMOTION_MODEL_PATH = tmp_path / "other.tflite"
    client.force_login(alice)
    response = client.get("/capture/")
    assert response.context["private"] is None
    assert b"private.js" not in response.content and b"private-toggle" not in response.content
