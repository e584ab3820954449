"""pytest fixtures for the fake Spotify and the fake feature sources, shared by tests/playlists and tests/e2e."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from playlists.models import SpotifyLink
from tests.fakes.features import TAGS, FakeMusicBrainz, FakeReccoBeats
from tests.fakes.spotify import FakeSpotify


@pytest.fixture(scope="session")
def fake_spotify_server():
    fake = FakeSpotify().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def fake_feature_servers():
    servers = FakeReccoBeats().start(), FakeMusicBrainz().start()
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def fake_features(fake_feature_servers, settings):
    """The open feature sources, emptied, with the app's base URLs pointed at them."""
    reccobeats, musicbrainz = fake_feature_servers
    reccobeats.reset()
    musicbrainz.reset()
    settings.AUDIO_FEATURES_URL = reccobeats.url
    settings.MUSICBRAINZ_URL = musicbrainz.url
    settings.MUSICBRAINZ_MIN_INTERVAL = 0
    yield reccobeats, musicbrainz
    assert reccobeats.violations == [] and musicbrainz.violations == []


def teach_feature_sources(reccobeats: FakeReccoBeats, musicbrainz: FakeMusicBrainz):
    """What the open sources know of each new fake track: ``open`` → ReccoBeats, ``tags`` → MusicBrainz."""
    def learn(track: dict, n: int, features: str) -> None:
        if features == "open":
            reccobeats.learn(track["id"], n)
        if features in ("open", "tags"):
            musicbrainz.learn(track["artists"][0]["name"], track["name"], [TAGS[n % len(TAGS)]])
    return learn


@pytest.fixture
def fake_spotify(fake_spotify_server, fake_features, settings) -> FakeSpotify:
    """A fresh fake Spotify in today's mode with the app's base URLs pointed at it and fast retries.

    Fails the test when the app sent a request, or the fake gave an answer, that Spotify's reference refuses.
    """
    fake_spotify_server.reset()
    fake_spotify_server.on_new_track = teach_feature_sources(*fake_features)
    settings.SPOTIFY_ACCOUNTS_URL = fake_spotify_server.accounts_url
    settings.SPOTIFY_API_URL = fake_spotify_server.api_url
    settings.SOCIAL_AUTH_SPOTIFY_KEY = "client-id"
    settings.SOCIAL_AUTH_SPOTIFY_SECRET = "client-secret"
    settings.SPOTIFY_RETRY_BACKOFF = 0.001
    settings.SPOTIFY_MAX_INLINE_WAIT = 1
    settings.SPOTIFY_PLAYLIST_SIZE = 50
    yield fake_spotify_server
    assert fake_spotify_server.violations == [], "\n".join(fake_spotify_server.violations)


def link_user(fake: FakeSpotify, user, spotify_id: str, *, scopes=None, **kwargs) -> SpotifyLink:
    """Link ``user`` to a new fake Spotify account directly, without the OAuth dance.

    The token is granted the scopes the app asks for (``SOCIAL_AUTH_SPOTIFY_SCOPE``) unless ``scopes`` says otherwise.
    """
    person = fake.add_user(spotify_id, **kwargs)
    tokens = fake.issue_tokens(spotify_id, django_settings.SOCIAL_AUTH_SPOTIFY_SCOPE if scopes is None else scopes)
    return SpotifyLink.objects.create(
        user=user, spotify_id=spotify_id, account_id=person.account_id, display_name=spotify_id.title(),
        access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
        expires_at=timezone.now() + timedelta(hours=1))


@pytest.fixture(scope="session")
def fake_spotify_embed_server():
    from tests.fakes.spotify_embed import FakeSpotifyEmbed

    fake = FakeSpotifyEmbed().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_spotify_embed(fake_spotify_embed_server, settings):
    """Spotify's iFrame API served by the fake, at the address the pages load it from (and their CSP allows)."""
    fake = fake_spotify_embed_server
    fake.reset()
    settings.SPOTIFY_EMBED_API_URL = fake.script_url
    return fake
