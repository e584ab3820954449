"""Hardening: Swagger UI served from our own static files, and Spotify sign-in failures that land softly."""

import re

import pytest
from django.contrib.staticfiles import finders

PROFILE = "/accounts/profile/"


# --- /api/docs/ ----------------------------------------------------------------------------


def referenced_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.mark.django_db
def test_the_api_docs_load_no_script_or_style_from_outside(client):
    page = client.get("/api/docs/")

    assert page.status_code == 200
    urls = referenced_urls(page.text)
    assert len(urls) >= 4  # stylesheet, icon, the two Swagger UI bundles, our start-up script
    assert all(url.startswith(("/static/", "/api/docs/?")) or url == "/" for url in urls), urls  # "/": back home
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), "an inline script"
    assert "<style" not in page.text and " style=" not in page.text  # nothing for the CSP to except
    assert "//" not in " ".join(urls) and "cdn" not in page.text.lower()


@pytest.mark.django_db
def test_every_file_the_api_docs_need_is_in_our_static_files(client):
    urls = referenced_urls(client.get("/api/docs/").text)
    static = [url.removeprefix("/static/") for url in urls if url.startswith("/static/")]

    assert {path.rsplit("/", 1)[-1] for path in static} >= {"swagger-ui.css", "swagger-ui-bundle.js",
                                                            "swagger-ui-standalone-preset.js"}
    assert all(finders.find(path) for path in static), static


@pytest.mark.django_db
def test_the_api_docs_start_up_script_points_at_our_schema(client):
    (script_url,) = [url for url in referenced_urls(client.get("/api/docs/").text) if url.startswith("/api/docs/")]

    script = client.get(script_url.replace("&amp;", "&"))

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.text and "SwaggerUIBundle" in script.text


# --- Spotify sign-in failures --------------------------------------------------------------


@pytest.fixture
def spotify_configured(settings):
    settings.SOCIAL_AUTH_SPOTIFY_KEY = "client-id"
    settings.SOCIAL_AUTH_SPOTIFY_SECRET = "client-secret"


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def test_cancelling_at_spotify_lands_on_the_profile_with_a_message(client, alice, spotify_configured, debug):
    client.force_login(alice)

    response = client.get("/complete/spotify/", {"error": "access_denied"}, follow=True)

    assert response.redirect_chain == [(PROFILE, 302)]
    assert response.status_code == 200
    assert "the sign-in at Spotify was cancelled" in response.text


def test_a_callback_without_its_session_lands_on_the_profile_with_a_message(client, alice, spotify_configured,
                                                                             debug):
    client.force_login(alice)

    response = client.get("/complete/spotify/", {"code": "x", "state": "y"}, follow=True)

    assert response.redirect_chain == [(PROFILE, 302)]
    assert "the sign-in expired or was started in another browser" in response.text


@pytest.mark.django_db
def test_a_stranger_at_the_callback_is_sent_to_log_in_with_the_message(client, spotify_configured, debug):
    response = client.get("/complete/spotify/", {"code": "x", "state": "y"}, follow=True)

    assert response.redirect_chain[0] == (PROFILE, 302)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert response.status_code == 200
    assert "Spotify was not linked" in response.text
