"""Fixtures for the Spotify side: the fake Spotify server, linked personas and their libraries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from playlists.models import SpotifyLink
from tests.fakes.spotify import FakeSpotify


@pytest.fixture(scope="session")
def _fake_server():
    fake = FakeSpotify().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_spotify(_fake_server, settings) -> FakeSpotify:
    """A fresh fake Spotify with the app's base URLs pointed at it and fast retries."""
    _fake_server.reset()
    settings.SPOTIFY_ACCOUNTS_URL = _fake_server.accounts_url
    settings.SPOTIFY_API_URL = _fake_server.api_url
    settings.AUDIO_FEATURES_URL = _fake_server.features_url
    settings.SOCIAL_AUTH_SPOTIFY_KEY = "client-id"
    settings.SOCIAL_AUTH_SPOTIFY_SECRET = "client-secret"
    settings.SPOTIFY_RETRY_BACKOFF = 0.001
    settings.SPOTIFY_MAX_INLINE_WAIT = 1
    settings.SPOTIFY_PLAYLIST_SIZE = 50
    return _fake_server


def link_user(fake: FakeSpotify, user, spotify_id: str, **kwargs) -> SpotifyLink:
    fake.add_user(spotify_id, **kwargs)
    tokens = fake.issue_tokens(spotify_id)
    return SpotifyLink.objects.create(
        user=user, spotify_id=spotify_id, display_name=spotify_id.title(), access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"], expires_at=timezone.now() + timedelta(hours=1))


@pytest.fixture
def alice_link(fake_spotify, alice) -> SpotifyLink:
    return link_user(fake_spotify, alice, "alice-spotify")


@pytest.fixture
def bob_link(fake_spotify, bob) -> SpotifyLink:
    return link_user(fake_spotify, bob, "bob-spotify")


@pytest.fixture
def alice_library(fake_spotify, alice_link) -> list[str]:
    """120 liked songs and 30 top tracks for alice on the fake."""
    ids = fake_spotify.add_tracks(150)
    user = fake_spotify.users["alice-spotify"]
    user.liked, user.top = ids[:120], ids[100:]
    return ids
