import time

from playlists import services, tasks
from playlists.models import EmotionPlaylist


def test_refresh_for_mood_is_a_no_op_without_a_link(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.playlist_refresh_for_mood(user=alice, emotion="sad")
    assert callbacks == []


def test_refresh_for_mood_is_enqueued_once_per_debounce_window(alice_link, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.playlist_refresh_for_mood(user=alice_link.user, emotion="sad")
        services.playlist_refresh_for_mood(user=alice_link.user, emotion="sad")
        services.playlist_refresh_for_mood(user=alice_link.user, emotion="happy")
    assert len(callbacks) == 2


def test_the_whole_chain_runs_from_import_to_sync(fake_spotify, alice_link, alice_library):
    tasks.import_library.apply(args=(alice_link.user_id,))

    playlists = EmotionPlaylist.objects.filter(owner=alice_link.user)
    assert playlists.count() == 7
    assert {p.sync_status for p in playlists} == {"synced"}
    assert len(fake_spotify.playlists_of("alice-spotify")) == 7


def test_a_long_rate_limit_reschedules_the_sync_instead_of_sleeping(fake_spotify, alice_link, alice_library, caplog):
    services.library_import(link=alice_link)
    playlist, _ = services.playlist_build(user=alice_link.user, emotion="happy")
    fake_spotify.fail("/me/playlists", 429, retry_after=90)
    started = time.monotonic()

    result = tasks.sync_playlist.apply(args=(playlist.pk,))  # eager mode runs the retry at once

    assert time.monotonic() - started < 5
    assert "Retry in 90s" in caplog.text and result.successful()
    playlist.refresh_from_db()
    assert playlist.sync_status == "synced"
    assert fake_spotify.playlist_uris(playlist.spotify_playlist_id) == playlist.uris


def test_tasks_stop_quietly_when_the_link_needs_renewing(fake_spotify, alice_link, alice_library):
    services.library_import(link=alice_link)
    playlist, _ = services.playlist_build(user=alice_link.user, emotion="happy")
    fake_spotify.revoke_refresh_tokens()

    result = tasks.sync_playlist.apply(args=(playlist.pk,))

    assert result.successful()
    alice_link.refresh_from_db()
    assert alice_link.state == "needs_relink"
