"""The ordered list of tracks per emotion, from features, strategy and the person's votes."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from emotion.vision.labels import EMOTIONS
from playlists import mood
from playlists.models import EmotionPlaylist, EmotionPlaylistItem, Track, TrackVote
from playlists.services.library import library_tracks
from playlists.services.link import usable_link


def playlists_rebuild(*, user, emotions: list[str] | None = None) -> None:
    """Enqueue a rebuild (and the sync it leads to) of the person's playlists, all seven unless told which."""
    from playlists.tasks import build_playlist

    for emotion in emotions or EMOTIONS:
        build_playlist.delay_on_commit(user.pk, emotion)


def track_vote(*, user, track: Track, emotion: str, fits: bool | None) -> None:
    """Record (or with ``fits=None`` clear) the person's word on a track and rebuild that emotion's playlist."""
    if fits is None:
        TrackVote.objects.filter(user=user, track=track, emotion=emotion).delete()
    else:
        TrackVote.objects.update_or_create(user=user, track=track, emotion=emotion, defaults={"fits": fits})
    playlists_rebuild(user=user, emotions=[emotion])


def playlist_build(*, user, emotion: str) -> tuple[EmotionPlaylist, bool]:
    """Rebuild the ordered list for an emotion; report whether anything changed."""
    link = usable_link(user)
    votes = dict(TrackVote.objects.filter(user=user, emotion=emotion).values_list("track_id", "fits"))
    candidates = [mood.Candidate(t.pk, _point(t), t.get_features_source_display(), votes.get(t.pk))
                  for t in library_tracks(user) if votes.get(t.pk) is not False]
    picks = mood.rank(candidates, emotion, link.strategy, settings.SPOTIFY_PLAYLIST_SIZE)
    with transaction.atomic():
        playlist, _ = EmotionPlaylist.objects.select_for_update().get_or_create(owner=user, emotion=emotion)
        held = [(i.track_id, i.score, i.reason) for i in playlist.items.all()]
        changed = held != [(p.track_id, p.score, p.reason) for p in picks] or playlist.strategy != link.strategy
        if changed:
            playlist.items.all().delete()
            EmotionPlaylistItem.objects.bulk_create([
                EmotionPlaylistItem(playlist=playlist, position=n, track_id=p.track_id, score=p.score, reason=p.reason)
                for n, p in enumerate(picks)])
            playlist.strategy, playlist.sync_status = link.strategy, EmotionPlaylist.SyncStatus.PENDING
        playlist.built_at = timezone.now()
        playlist.save(update_fields=["strategy", "sync_status", "built_at"])
    return playlist, changed


def _point(track: Track) -> tuple[float, float] | None:
    if track.valence is None:
        return None
    return round(track.valence, 4), round(mood.arousal(track.energy if track.energy is not None else 0.5,
                                                       track.tempo), 4)
