import pytest
from celery.exceptions import Retry

from playlists import services, tasks
from playlists.client import SpotifyClient
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


def test_the_whole_chain_runs_from_import_to_sync(fake_spotify, alice_link, alice_library,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.import_library.apply(args=(alice_link.user_id,))

    playlists = EmotionPlaylist.objects.filter(owner=alice_link.user)
    assert playlists.count() == 7
    assert {p.sync_status for p in playlists} == {"synced"}
    assert len(fake_spotify.playlists_of("alice-spotify")) == 7


@pytest.fixture
def built(alice_link, alice_library) -> EmotionPlaylist:
    services.library_import(link=alice_link)
    services.features_fill(link=alice_link)
    playlist, _ = services.playlist_build(user=alice_link.user, emotion="happy")
    return playlist


@pytest.fixture
def rescheduled(monkeypatch) -> list[dict]:
    """Captures the retries tasks send instead of running them, and fails the test if the client sleeps long."""
    sent = []
    monkeypatch.setattr(tasks.sync_playlist, "apply_async", lambda *args, **kwargs: sent.append(kwargs))

    def sleep(seconds):
        assert seconds <= 1, f"the client slept {seconds}s in a worker"

    monkeypatch.setattr(SpotifyClient, "sleep", staticmethod(sleep))
    return sent


def _run_as_a_worker(task, *args):
    """Run a task's body the way a worker does (not eagerly), so its retry is sent rather than run."""
    task.push_request(id="test-task", args=args, kwargs={}, retries=0, is_eager=False, called_directly=False)
    try:
        return task.run(*args)
    finally:
        task.pop_request()


def test_a_quota_429_reschedules_the_sync_and_the_playlist_is_not_failed(fake_spotify, built, rescheduled):
    fake_spotify.fail("/me/playlists", 429, retry_after=90, reason="QUOTA_EXCEEDED")

    with pytest.raises(Retry) as caught:
        _run_as_a_worker(tasks.sync_playlist, built.pk)

    assert caught.value.when == 90 and rescheduled[0]["countdown"] == 90
    built.refresh_from_db()
    assert built.sync_status == "pending" and built.sync_error == ""


def test_the_rescheduled_sync_ends_exactly_right(fake_spotify, built, caplog):
    fake_spotify.fail("/me/playlists", 429, retry_after=90, reason="QUOTA_EXCEEDED")

    result = tasks.sync_playlist.apply(args=(built.pk,), throw=False)  # eager mode runs the retry at once

    assert "Retry in 90s" in caplog.text and result.successful()
    built.refresh_from_db()
    assert built.sync_status == "synced"
    assert fake_spotify.playlist_uris(built.spotify_playlist_id) == built.uris


def test_a_sync_that_fails_for_good_ends_failed(fake_spotify, built, rescheduled):
    fake_spotify.fail("/items", 500, times=100)

    with pytest.raises(Exception) as caught:
        tasks.sync_playlist.apply(args=(built.pk,), retries=tasks.TASK_OPTIONS["max_retries"] + 1, throw=True)

    assert not isinstance(caught.value, Retry)
    built.refresh_from_db()
    assert built.sync_status == "failed" and "500" in built.sync_error


def test_a_playlist_deleted_on_spotify_is_created_again(fake_spotify, built):
    services.playlist_sync(playlist=built)
    fake_spotify.delete_playlist(built.spotify_playlist_id)

    tasks.sync_playlist.apply(args=(built.pk,))

    built.refresh_from_db()
    assert built.sync_status == "synced" and built.spotify_playlist_id in fake_spotify.playlists
    assert fake_spotify.playlist_uris(built.spotify_playlist_id) == built.uris


def test_tasks_stop_quietly_when_the_link_needs_renewing(fake_spotify, built):
    fake_spotify.revoke_refresh_tokens()

    result = tasks.sync_playlist.apply(args=(built.pk,))

    assert result.successful()
    link = built.owner.spotify_link
    link.refresh_from_db()
    assert link.state == "needs_relink"


def test_a_person_spotify_stops_allowing_is_marked_refused(fake_spotify, alice_link, alice_library):
    fake_spotify.allow_list.discard("alice-spotify")

    result = tasks.import_library.apply(args=(alice_link.user_id,))

    assert result.successful()
    alice_link.refresh_from_db()
    assert alice_link.state == "refused" and alice_link.refused_at
