"""Writing the built lists to Spotify, and the refresh that follows a recorded mood."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from playlists.client import SpotifyClient, SpotifyNotFound
from playlists.models import EmotionPlaylist, SpotifyLink
from playlists.services.link import usable_link

log = logging.getLogger(__name__)

UPLOAD_CHUNK = 100  # Spotify's limit of URIs per add/replace call


def playlist_sync(*, playlist: EmotionPlaylist, client: SpotifyClient | None = None) -> bool:
    """Make the Spotify playlist hold exactly the built list; report whether Spotify had to change.

    Safe to repeat and to resume: it re-reads what Spotify holds first, appends when that is a prefix of the
    list (an interrupted upload), replaces otherwise, and writes nothing when they already match. A playlist
    the person deleted on Spotify (404) is created again.
    """
    client = client or SpotifyClient(usable_link(playlist.owner))
    desired = playlist.uris
    if not playlist.spotify_playlist_id:
        _spotify_playlist_attach(playlist, client)
    try:
        current = _remote_uris(playlist, client)
    except SpotifyNotFound:
        playlist.spotify_playlist_id = playlist.snapshot_id = ""
        _spotify_playlist_attach(playlist, client)
        current = _remote_uris(playlist, client)
    changed = current != desired
    if changed:
        keep = len(current) if current and desired[:len(current)] == current else 0
        chunks = [desired[i:i + UPLOAD_CHUNK] for i in range(keep, len(desired), UPLOAD_CHUNK)]
        if not keep:
            first = chunks.pop(0) if chunks else []
            playlist.snapshot_id = client.replace_playlist_items(playlist.spotify_playlist_id, first)["snapshot_id"]
        for chunk in chunks:
            playlist.snapshot_id = client.add_playlist_items(playlist.spotify_playlist_id, chunk)["snapshot_id"]
    playlist.sync_status, playlist.sync_error = EmotionPlaylist.SyncStatus.SYNCED, ""
    playlist.synced_at = timezone.now()
    playlist.save(update_fields=["spotify_playlist_id", "snapshot_id", "sync_status", "sync_error", "synced_at"])
    return changed


def _remote_uris(playlist: EmotionPlaylist, client: SpotifyClient) -> list[str]:
    return [entry["item"]["uri"] for page in client.playlist_items(playlist.spotify_playlist_id)
            for entry in page["items"] if entry.get("item")]


def _spotify_playlist_attach(playlist: EmotionPlaylist, client: SpotifyClient) -> None:
    """Reuse our playlist when an earlier run created it but crashed before saving its id; create it otherwise."""
    owner_id = client.link.spotify_id
    existing = next((p for page in client.my_playlists() for p in page["items"]
                     if p and p["name"] == playlist.name and p["owner"]["id"] == owner_id), None)
    created = existing or client.create_playlist(
        name=playlist.name, description=f"Built by MoodMusic from your library for when you feel {playlist.emotion}.")
    playlist.spotify_playlist_id = created["id"]
    playlist.save(update_fields=["spotify_playlist_id", "snapshot_id"])


def playlist_sync_failed(*, playlist: EmotionPlaylist, error: Exception) -> None:
    playlist.sync_status, playlist.sync_error = EmotionPlaylist.SyncStatus.FAILED, str(error)[:300]
    playlist.save(update_fields=["sync_status", "sync_error"])


def playlist_resync(*, playlist: EmotionPlaylist) -> None:
    """Enqueue a sync of one playlist to Spotify once the transaction commits."""
    from playlists.tasks import sync_playlist

    sync_playlist.delay_on_commit(playlist.pk)


def playlist_refresh_for_mood(*, user, emotion: str) -> None:
    """After a mood is recorded: rebuild and sync that emotion's playlist once the transaction commits.

    Debounced: moods arriving within SPOTIFY_SYNC_DEBOUNCE seconds share one refresh. A no-op without a link.
    """
    if not SpotifyLink.objects.filter(user=user, state=SpotifyLink.State.OK).exists():
        return
    # The refresh is a side effect of a mood: a cache or broker outage skips it (the next mood or a resync
    # catches up) rather than failing the capture that recorded the mood.
    try:
        if not cache.add(f"playlists:refresh:{user.pk}:{emotion}", 1, timeout=settings.SPOTIFY_SYNC_DEBOUNCE):
            return
    except Exception:
        log.warning("playlist refresh for user %s skipped: the cache is unavailable", user.pk, exc_info=True)
        return
    from playlists.tasks import build_playlist
    from worker.celery import enqueue

    transaction.on_commit(lambda: enqueue(build_playlist, (user.pk, emotion),
                                          countdown=settings.SPOTIFY_SYNC_DEBOUNCE))
