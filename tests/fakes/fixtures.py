"""pytest fixtures for the fake Spotify, shared by tests/playlists and tests/e2e."""

from datetime import timedelta

import pytest
from django.utils import timezone

from playlists.models import SpotifyLink
from tests.fakes.spotify import FakeSpotify


@pytest.fixture(scope="session")
def fake_spotify_server():
    fake = FakeSpotify().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_spotify(fake_spotify_server, settings) -> FakeSpotify:
    """A fresh fake Spotify with the app's base URLs pointed at it and fast retries."""
    fake_spotify_server.reset()
    settings.SPOTIFY_ACCOUNTS_URL = fake_spotify_server.accounts_url
    settings.SPOTIFY_API_URL = fake_spotify_server.api_url
    settings.AUDIO_FEATURES_URL = fake_spotify_server.features_url
    settings.SOCIAL_AUTH_SPOTIFY_KEY = "client-id"
    settings.SOCIAL_AUTH_SPOTIFY_SECRET = "client-secret"
    settings.SPOTIFY_RETRY_BACKOFF = 0.001
    settings.SPOTIFY_MAX_INLINE_WAIT = 1
    settings.SPOTIFY_PLAYLIST_SIZE = 50
    return fake_spotify_server


def link_user(fake: FakeSpotify, user, spotify_id: str, **kwargs) -> SpotifyLink:
    """Link ``user`` to a new fake Spotify account directly, without the OAuth dance."""
    fake.add_user(spotify_id, **kwargs)
    tokens = fake.issue_tokens(spotify_id)
    return SpotifyLink.objects.create(
        user=user, spotify_id=spotify_id, display_name=spotify_id.title(), access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"], expires_at=timezone.now() + timedelta(hours=1))
