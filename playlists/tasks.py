"""Celery tasks for Spotify: thin, take ids, call one service, safe to run twice. Retries live here.

A 429 with a Retry-After longer than SPOTIFY_MAX_INLINE_WAIT (a quota 429 included) reaches the task as
SpotifyRateLimited and the task reschedules itself for then, instead of holding a worker asleep. Celery's
``Retry`` is an exception too: it passes through untouched, so a playlist waiting for its retry is not FAILED.
"""

import logging

from celery import shared_task
from celery.exceptions import Retry
from django.conf import settings
from django.core.cache import cache

from playlists import services
from playlists.client import SpotifyNotAllowListed, SpotifyRateLimited, SpotifyRelinkRequired, SpotifyServerError
from playlists.models import EmotionPlaylist, SpotifyLink

log = logging.getLogger(__name__)
TASK_OPTIONS = {"bind": True, "acks_late": True, "max_retries": 8, "soft_time_limit": 600, "time_limit": 660}


def _retrying(task, work, link: SpotifyLink | None = None):
    """Run ``work``; reschedule on rate limits and server errors, stop quietly when the link cannot be used."""
    try:
        return work()
    except services.NotLinked:
        log.info("%s skipped: no usable Spotify link", task.name)
    except SpotifyRelinkRequired:
        log.info("%s stopped: the Spotify link needs renewing", task.name)
    except SpotifyNotAllowListed as exc:
        log.info("%s stopped: Spotify refuses this person (development-mode allow-list)", task.name)
        if link is not None:
            link.mark_refused(str(exc))
    except SpotifyRateLimited as exc:
        raise task.retry(countdown=exc.retry_after, exc=exc) from exc
    except SpotifyServerError as exc:
        backoff = settings.SPOTIFY_RETRY_BACKOFF * 10 * 2 ** task.request.retries
        raise task.retry(countdown=min(600, max(1, round(backoff))), exc=exc) from exc
    return None


def _usable_link(user_id: int) -> SpotifyLink | None:
    return SpotifyLink.objects.filter(user_id=user_id, state=SpotifyLink.State.OK).select_related("user").first()


@shared_task(**TASK_OPTIONS)
def import_library(self, user_id: int) -> None:
    """Import the person's chosen sources, then fill features (which then builds and syncs)."""
    link = _usable_link(user_id)
    if link and _retrying(self, lambda: services.library_import(link=link), link) is not None:
        fill_features.delay(user_id)


@shared_task(**TASK_OPTIONS)
def fill_features(self, user_id: int) -> None:
    link = _usable_link(user_id)
    if link and _retrying(self, lambda: services.features_fill(link=link), link) is not None:
        services.playlists_rebuild(user=link.user)


@shared_task(**TASK_OPTIONS)
def build_playlist(self, user_id: int, emotion: str) -> None:
    link = _usable_link(user_id)
    built = link and _retrying(self, lambda: services.playlist_build(user=link.user, emotion=emotion), link)
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
    link = SpotifyLink.objects.filter(user=playlist.owner).first()
    try:
        _retrying(self, lambda: services.playlist_sync(playlist=playlist), link)
    except Retry:
        raise  # a retry is pending: the playlist is not failed
    except Exception as exc:
        services.playlist_sync_failed(playlist=playlist, error=exc)
        raise
    finally:
        cache.delete(lock)
