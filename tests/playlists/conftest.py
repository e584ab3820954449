"""Fixtures for the Spotify side: the fake Spotify and feature sources, linked personas and their libraries."""

import pytest

from playlists.models import SpotifyLink
from tests.fakes.fixtures import (  # noqa: F401 (fixtures)
    fake_feature_servers,
    fake_features,
    fake_spotify,
    fake_spotify_server,
    link_user,
)


@pytest.fixture
def alice_link(fake_spotify, alice) -> SpotifyLink:  # noqa: F811
    return link_user(fake_spotify, alice, "alice-spotify")


@pytest.fixture
def bob_link(fake_spotify, bob) -> SpotifyLink:  # noqa: F811
    return link_user(fake_spotify, bob, "bob-spotify")


@pytest.fixture
def alice_library(fake_spotify, alice_link) -> list[str]:  # noqa: F811
    """120 liked songs and 30 top tracks for alice on the fake, all known to the open audio-features service."""
    ids = fake_spotify.add_tracks(150)
    user = fake_spotify.users["alice-spotify"]
    user.liked, user.top = ids[:120], ids[100:]
    return ids
