import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from playlists.client import (
    NoActiveDevice,
    PremiumRequired,
    SpotifyClient,
    SpotifyError,
    SpotifyForbidden,
    SpotifyNotAllowListed,
    SpotifyNotFound,
    SpotifyRateLimited,
    SpotifyRelinkRequired,
    SpotifyServerError,
)
from playlists.models import SpotifyLink
from tests.fakes.fixtures import link_user


def test_it_calls_the_api_with_the_link_token(alice_link):
    assert SpotifyClient(alice_link).me()["id"] == "alice-spotify"


def test_it_refreshes_an_expired_token_before_calling(fake_spotify, alice_link):
    alice_link.expires_at = timezone.now() - timedelta(minutes=1)
    alice_link.save()
    old = alice_link.access_token

    assert SpotifyClient(alice_link).me()["id"] == "alice-spotify"

    alice_link.refresh_from_db()
    assert alice_link.access_token != old
    assert alice_link.expires_at > timezone.now() + timedelta(minutes=50)
    assert fake_spotify.count("POST", "/api/token") == 1


def test_it_refreshes_once_when_spotify_rejects_the_token(fake_spotify, alice_link):
    fake_spotify.expire_access_tokens()

    assert SpotifyClient(alice_link).me()["id"] == "alice-spotify"
    assert fake_spotify.count("POST", "/api/token") == 1
    assert fake_spotify.count("GET", "/v1/me") == 2


def test_it_keeps_the_refresh_token_when_spotify_sends_none(fake_spotify, alice_link):
    fake_spotify.rotate_refresh_tokens = False
    fake_spotify.expire_access_tokens()
    refresh = alice_link.refresh_token

    SpotifyClient(alice_link).me()

    alice_link.refresh_from_db()
    assert alice_link.refresh_token == refresh


def test_invalid_grant_marks_the_link_for_relinking(fake_spotify, alice_link):
    fake_spotify.revoke_refresh_tokens()

    with pytest.raises(SpotifyRelinkRequired):
        SpotifyClient(alice_link).me()

    alice_link.refresh_from_db()
    assert alice_link.state == SpotifyLink.State.NEEDS_RELINK
    assert alice_link.access_token == alice_link.refresh_token == ""


def test_a_link_needing_relink_makes_no_calls(fake_spotify, alice_link):
    alice_link.mark_needs_relink()
    with pytest.raises(SpotifyRelinkRequired):
        SpotifyClient(alice_link).me()
    assert fake_spotify.count("GET", "/v1/me") == 0


def test_the_database_row_holds_no_plaintext_token(alice_link):
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM playlists_spotifylink WHERE id = %s", [alice_link.pk])
        access, refresh = cursor.fetchone()

    assert alice_link.access_token.startswith("AT-") and alice_link.refresh_token.startswith("RT-")
    assert alice_link.access_token not in access and "AT-" not in access
    assert alice_link.refresh_token not in refresh and "RT-" not in refresh
    assert SpotifyLink.objects.get(pk=alice_link.pk).access_token == alice_link.access_token


def test_it_waits_out_a_short_retry_after(fake_spotify, alice_link, monkeypatch):
    slept = []
    monkeypatch.setattr(SpotifyClient, "sleep", staticmethod(slept.append))
    fake_spotify.fail("/v1/me", 429, retry_after=1)

    assert SpotifyClient(alice_link).me()["id"] == "alice-spotify"
    assert fake_spotify.count("GET", "/v1/me") == 2
    assert slept == [1]


def test_a_long_retry_after_is_raised_for_the_task_to_reschedule(fake_spotify, alice_link, monkeypatch):
    slept = []
    monkeypatch.setattr(SpotifyClient, "sleep", staticmethod(slept.append))
    fake_spotify.fail("/v1/me", 429, retry_after=120, reason="QUOTA_EXCEEDED")

    with pytest.raises(SpotifyRateLimited) as caught:
        SpotifyClient(alice_link).me()
    assert caught.value.retry_after == 120 and slept == []


def test_it_retries_server_errors_on_reads(fake_spotify, alice_link):
    fake_spotify.fail("/v1/me", 503, times=2)

    assert SpotifyClient(alice_link).me()["id"] == "alice-spotify"
    assert fake_spotify.count("GET", "/v1/me") == 3


def test_it_gives_up_after_repeated_server_errors(fake_spotify, alice_link):
    fake_spotify.fail("/v1/me", 500, times=10)

    with pytest.raises(SpotifyServerError):
        SpotifyClient(alice_link).me()
    # The fake may log the last request after the client has given up on it: wait for it (bounded).
    deadline = time.monotonic() + 5
    while fake_spotify.count("GET", "/v1/me") < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake_spotify.count("GET", "/v1/me") == 4


def test_it_does_not_repeat_a_failed_post(fake_spotify, alice_link):
    fake_spotify.fail("/me/playlists", 502, method="POST")

    with pytest.raises(SpotifyServerError):
        SpotifyClient(alice_link).create_playlist(name="x", description="")
    assert fake_spotify.count("POST", "/me/playlists") == 1
    assert fake_spotify.playlists_of("alice-spotify") == []


def test_player_commands_need_premium(fake_spotify, alice_link):
    fake_spotify.users["alice-spotify"].premium = False

    with pytest.raises(PremiumRequired):
        SpotifyClient(alice_link).play(context_uri="spotify:playlist:x")


def test_player_commands_need_an_active_device(fake_spotify, alice_link):
    fake_spotify.users["alice-spotify"].active_device = False

    with pytest.raises(NoActiveDevice):
        SpotifyClient(alice_link).pause()
    assert SpotifyClient(alice_link).player_state() is None


def test_it_follows_next_links_through_every_page(fake_spotify, alice_link):
    fake_spotify.users["alice-spotify"].liked = fake_spotify.add_tracks(120)

    pages = list(SpotifyClient(alice_link).saved_tracks())

    assert [len(p["items"]) for p in pages] == [50, 50, 20]
    assert pages[-1]["next"] is None


def test_an_injected_401_costs_one_refresh(fake_spotify, alice_link):
    fake_spotify.fail("/v1/me", 401)

    assert SpotifyClient(alice_link).me()["id"] == "alice-spotify"
    assert fake_spotify.count("POST", "/api/token") == 1


def test_a_slow_spotify_times_out_and_is_retried(settings, fake_spotify, alice_link):
    settings.SPOTIFY_TIMEOUT = 0.05
    fake_spotify.latency = 0.2

    with pytest.raises(SpotifyServerError):
        SpotifyClient(alice_link).me()
    # The fake may log the last request after the client has given up on it: wait for it (bounded).
    deadline = time.monotonic() + 5
    while fake_spotify.count("GET", "/v1/me") < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake_spotify.count("GET", "/v1/me") == 4


def test_other_403s_are_not_mistaken_for_premium(fake_spotify, alice_link, bob_link):
    bobs = fake_spotify.add_playlist("bob-spotify", "Bob's")

    with pytest.raises(SpotifyForbidden) as caught:
        list(SpotifyClient(alice_link).playlist_items(bobs))
    assert not isinstance(caught.value, PremiumRequired)


def test_a_rotated_refresh_token_is_stored(fake_spotify, alice_link):
    fake_spotify.expire_access_tokens()
    first = alice_link.refresh_token

    SpotifyClient(alice_link).me()

    alice_link.refresh_from_db()
    assert alice_link.refresh_token != first and alice_link.refresh_token in fake_spotify.refresh_tokens
    assert first not in fake_spotify.refresh_tokens  # the old one no longer works at Spotify


def test_the_token_endpoint_rate_limit_reaches_the_caller(fake_spotify, alice_link):
    fake_spotify.expire_access_tokens()
    fake_spotify.fail("/api/token", 429, retry_after=30)

    with pytest.raises(SpotifyRateLimited) as caught:
        SpotifyClient(alice_link).me()
    assert caught.value.retry_after == 30
    alice_link.refresh_from_db()
    assert alice_link.state == "ok"


def test_a_failing_token_endpoint_is_a_server_error_not_a_relink(fake_spotify, alice_link):
    fake_spotify.expire_access_tokens()
    fake_spotify.fail("/api/token", 503)

    with pytest.raises(SpotifyServerError) as caught:
        SpotifyClient(alice_link).me()
    assert caught.value.reason == "server_error"  # read from the accounts service's {"error", "error_description"}
    alice_link.refresh_from_db()
    assert alice_link.state == "ok" and alice_link.refresh_token


def test_playlist_items_are_read_50_at_a_time(fake_spotify, alice_link):
    playlist_id = fake_spotify.add_playlist("alice-spotify", "Mine", fake_spotify.add_tracks(120))

    pages = list(SpotifyClient(alice_link).playlist_items(playlist_id))

    assert [len(p["items"]) for p in pages] == [50, 50, 20]


def test_a_deleted_playlist_is_not_found(fake_spotify, alice_link):
    playlist_id = fake_spotify.add_playlist("alice-spotify", "Gone")
    fake_spotify.delete_playlist(playlist_id)

    with pytest.raises(SpotifyNotFound):
        list(SpotifyClient(alice_link).playlist_items(playlist_id))


def test_a_person_off_the_allow_list_is_refused(fake_spotify, bob):
    link = link_user(fake_spotify, bob, "bob-spotify", allow_listed=False)

    with pytest.raises(SpotifyNotAllowListed):
        SpotifyClient(link).me()


@pytest.mark.parametrize("scope, call", [
    ("user-top-read", lambda c: list(c.top_tracks())),
    ("user-library-read", lambda c: list(c.saved_tracks())),
    ("playlist-read-private", lambda c: list(c.my_playlists())),
    ("playlist-modify-private", lambda c: c.create_playlist(name="x", description="")),
    ("user-modify-playback-state", lambda c: c.pause()),
])
def test_a_call_without_its_scope_is_refused(fake_spotify, alice, settings, scope, call):
    granted = [s for s in settings.SOCIAL_AUTH_SPOTIFY_SCOPE if s != scope]
    link = link_user(fake_spotify, alice, "alice-spotify", scopes=granted)

    with pytest.raises(SpotifyError) as caught:
        call(SpotifyClient(link))
    assert caught.value.status == 403
