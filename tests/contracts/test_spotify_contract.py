"""Our Spotify client and our fakes, held to the published references.

Every test that uses the fake Spotify already fails when a request breaks the reference or an answer breaks
its schemas (``fake.violations``); these tests check the checker and what the app asks Spotify for.
"""

import pytest
import requests
import yaml

from playlists.client import SpotifyClient
from tests.contracts import feature_contracts, spotify_contract
from tests.contracts.spotify_contract import SPEC_PATH, ContractError


def _client_calls(fake, link) -> set[tuple[str, str]]:
    """Every (method, reference path) our client sends, by driving each of its endpoints against the fake."""
    client = SpotifyClient(link)
    playlist = client.create_playlist(name="MoodMusic · Happy", description="")["id"]
    client.me()
    list(client.saved_tracks())
    list(client.top_tracks())
    list(client.my_playlists())
    list(client.playlist_items(playlist))
    client.replace_playlist_items(playlist, [])
    client.add_playlist_items(playlist, ["spotify:track:abc"])
    client.player_state()
    client.play(context_uri=f"spotify:playlist:{playlist}")
    client.pause()
    return {(m, spotify_contract.operation(m, p.removeprefix("/v1")).template) for m, p in fake.requests
            if p.startswith("/v1/")}


def test_the_reference_is_committed_with_its_licence():
    assert yaml.safe_load(SPEC_PATH.read_text())["info"]["version"] == "2026.5.31"
    assert "MIT License" in (SPEC_PATH.parent / "LICENSE").read_text()


def test_every_operation_the_client_uses_is_current_and_covered_by_the_scopes_we_ask_for(
        fake_spotify, alice_link, settings):
    calls = _client_calls(fake_spotify, alice_link)

    assert len(calls) == 11
    for method, template in calls:
        operation = spotify_contract.operation(method, template)
        assert not operation.deprecated, operation.operation_id
        if operation.operation_id != "get-current-users-profile":  # any token reads /me
            assert operation.scopes & set(settings.SOCIAL_AUTH_SPOTIFY_SCOPE), operation.operation_id


def test_the_client_reads_no_deprecated_field():
    import inspect

    from playlists import client, services

    sources = inspect.getsource(client) + "".join(
        inspect.getsource(m) for m in (services.library, services.sync, services.link, services.playback))
    for field in ("genres", "popularity", "followers", "external_ids", '"product"', '"email"', "audio-features",
                  "/artists"):
        assert field not in sources, field


@pytest.mark.parametrize("method, path, query, body, status", [
    ("GET", "/playlists/p1/items", {"limit": ["100"]}, None, 400),
    ("GET", "/me/tracks", {"limit": ["0"]}, None, 400),
    ("GET", "/me/tracks", {"page": ["2"]}, None, 400),
    ("POST", "/me/player/play", {}, None, 405),
    ("GET", "/playlists/p1/tracks/extra", {}, None, 404),
    ("PUT", "/playlists/p1/items", {}, {"uris": "spotify:track:abc"}, 400),
])
def test_the_reference_refuses_what_spotify_refuses(method, path, query, body, status):
    with pytest.raises(ContractError) as caught:
        spotify_contract.check_request(method, path, query, body)
    assert caught.value.status == status


def test_deprecated_operations_and_fields_are_known():
    assert spotify_contract.operation("GET", "/audio-features").deprecated
    assert spotify_contract.operation("GET", "/artists").deprecated
    assert not spotify_contract.operation("GET", "/playlists/x/items").deprecated
    profile = {"id": "x", "account_id": "a", "email": "x@example.com", "product": "premium", "display_name": "X"}
    assert spotify_contract.check_response("GET", "/me", 200, profile) == [
        "get-current-users-profile: deprecated field email", "get-current-users-profile: deprecated field product"]


def _raw(fake, method, path, token, **kwargs):
    return requests.request(method, f"{fake.api_url}{path}", headers={"Authorization": f"Bearer {token}"},
                            timeout=5, **kwargs)


def test_the_fake_answers_like_spotify_for_an_app_registered_today(fake_spotify, alice_link):
    token = alice_link.access_token

    assert _raw(fake_spotify, "GET", "/me/tracks", token, params={"limit": 100}).status_code == 400
    assert _raw(fake_spotify, "POST", "/me/player/pause", token).status_code == 405
    assert _raw(fake_spotify, "GET", "/audio-features", token, params={"ids": "a"}).status_code == 403
    assert _raw(fake_spotify, "GET", "/artists", token, params={"ids": "a"}).status_code == 403
    assert len(fake_spotify.violations) == 4  # each one a request our client must never send
    fake_spotify.violations.clear()


def test_the_fake_refuses_people_off_the_allow_list_and_answers_quota_429s(fake_spotify, alice_link):
    fake_spotify.fail("/v1/me", 429, retry_after=3600, reason="QUOTA_EXCEEDED")
    quota = _raw(fake_spotify, "GET", "/me", alice_link.access_token)
    fake_spotify.allow_list.clear()
    refused = _raw(fake_spotify, "GET", "/me", alice_link.access_token)

    assert quota.status_code == 429 and quota.headers["Retry-After"] == "3600"
    assert quota.json()["error"]["reason"] == "QUOTA_EXCEEDED"
    assert refused.status_code == 403 and "may not be registered" in refused.json()["error"]["message"]


def test_the_accounts_service_answers_with_its_own_error_shape(fake_spotify):
    answer = requests.post(f"{fake_spotify.accounts_url}/api/token", auth=("client-id", "client-secret"),
                           data={"grant_type": "refresh_token", "refresh_token": "nope"}, timeout=5)

    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_grant", "error_description": "Refresh token revoked"}


def test_the_profile_carries_the_account_id_to_link_by(fake_spotify, alice_link):
    assert SpotifyClient(alice_link).me()["account_id"] == "acc-alice-spotify"


def test_the_feature_source_shapes_catch_a_broken_answer():
    assert feature_contracts.check("reccobeats", {"content": [{"id": "x", "href": "https://open.spotify.com/track/a",
                                                               "valence": 0.5, "energy": 0.5, "tempo": 120}]}) == []
    assert feature_contracts.check("reccobeats", {"content": [{"id": "x", "valence": 2}]})
    assert feature_contracts.check("musicbrainz", {"count": 1, "offset": 0, "recordings": [{"title": "x"}]})
