from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from playlists.client import (
    NoActiveDevice,
    PremiumRequired,
    SpotifyClient,
    SpotifyRateLimited,
    SpotifyRelinkRequired,
    SpotifyServerError,
)
from playlists.models import SpotifyLink


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


def test_it_waits_out_a_short_retry_after(fake_spotify, alice_link):
    fake_spotify.fail("/v1/me", 429, retry_after=1)

    assert SpotifyClient(alice_link).me()["id"] == "alice-spotify"
    assert fake_spotify.count("GET", "/v1/me") == 2


def test_a_long_retry_after_is_raised_for_the_task_to_reschedule(fake_spotify, alice_link):
    fake_spotify.fail("/v1/me", 429, retry_after=120)

    with pytest.raises(SpotifyRateLimited) as caught:
        SpotifyClient(alice_link).me()
    assert caught.value.retry_after == 120


def test_it_retries_server_errors_on_reads(fake_spotify, alice_link):
    fake_spotify.fail("/v1/me", 503, times=2)

    assert SpotifyClient(alice_link).me()["id"] == "alice-spotify"
    assert fake_spotify.count("GET", "/v1/me") == 3


def test_it_gives_up_after_repeated_server_errors(fake_spotify, alice_link):
    fake_spotify.fail("/v1/me", 500, times=10)

    with pytest.raises(SpotifyServerError):
        SpotifyClient(alice_link).me()
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
    assert fake_spotify.count("GET", "/v1/me") == 4


def test_other_403s_are_not_mistaken_for_premium(fake_spotify, alice_link):
    from playlists.client import SpotifyForbidden

    with pytest.raises(SpotifyForbidden) as caught:
        SpotifyClient(alice_link).audio_features(["t1"])
    assert not isinstance(caught.value, PremiumRequired)
