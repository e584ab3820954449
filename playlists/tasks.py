"""Celery tasks for Spotify: thin, take ids, safe to run twice. Retries and rate limits are handled here.

A 429 with a Retry-After longer than SPOTIFY_MAX_INLINE_WAIT reaches the task as SpotifyRateLimited and the
task reschedules itself for then, instead of holding a worker asleep.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from emotion.vision.labels import EMOTIONS
from playlists import services
from playlists.client import SpotifyRateLimited, SpotifyRelinkRequired, SpotifyServerError
from playlists.models import EmotionPlaylist, SpotifyLink

log = logging.getLogger(__name__)
TASK_OPTIONS = {"bind": True, "acks_late": True, "max_retries": 8, "soft_time_limit": 600, "time_limit": 660}


def _retrying(task, work):
    """Run ``work``; reschedule on rate limits and server errors, give up quietly when the link needs renewing."""
    try:
        return work()
    except services.NotLinked:
        log.info("%s skipped: no usable Spotify link", task.name)
    except SpotifyRelinkRequired:
        log.info("%s stopped: the Spotify link needs renewing", task.name)
    except SpotifyRateLimited as exc:
        raise task.retry(countdown=exc.retry_after, exc=exc) from exc
    except SpotifyServerError as exc:
        backoff = settings.SPOTIFY_RETRY_BACKOFF * 10 * 2 ** task.request.retries
        raise task.retry(countdown=min(600, max(1, round(backoff))), exc=exc) from exc
    return None


@shared_task(**TASK_OPTIONS)
def import_library(self, user_id: int) -> None:
    """Import the person's chosen sources, then fill features (which then builds and syncs)."""
    link = SpotifyLink.objects.filter(user_id=user_id, state=SpotifyLink.State.OK).first()
    if link and _retrying(self, lambda: services.library_import(link=link)) is not None:
        fill_features.delay(user_id)


@shared_task(**TASK_OPTIONS)
def fill_features(self, user_id: int) -> None:
    link = SpotifyLink.objects.filter(user_id=user_id, state=SpotifyLink.State.OK).first()
    if link and _retrying(self, lambda: services.features_fill(link=link)) is not None:
        for emotion in EMOTIONS:
            build_playlist.delay(user_id, emotion)


@shared_task(**TASK_OPTIONS)
def build_playlist(self, user_id: int, emotion: str) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    built = user and _retrying(self, lambda: services.playlist_build(user=user, emotion=emotion))
    if built:
        playlist, _changed = built
        if playlist.sync_status != EmotionPlaylist.SyncStatus.SYNCED:
            sync_playlist.delay(playlist.pk)


@shared_task(**TASK_OPTIONS)
def sync_playlist(self, playlist_id: int) -> None:
    playlist = EmotionPlaylist.objects.filter(pk=playlist_id).select_related("owner").first()
    if playlist is None:
        return
    lock = f"playlists:sync:{playlist_id}"
    if not cache.add(lock, self.request.id or "eager", timeout=900):
        raise self.retry(countdown=30)  # another worker is syncing this playlist right now
    try:
        _retrying(self, lambda: services.playlist_sync(playlist=playlist))
    except Exception as exc:
        services.playlist_sync_failed(playlist=playlist, error=exc)
        raise
    finally:
        cache.delete(lock)
