"""Spotify workflows: link, import, features, build, sync, playback. Keyword-only, named <noun>_<verb>."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from social_django.models import UserSocialAuth

from emotion.vision.labels import EMOTIONS
from playlists import features, mood
from playlists.client import PremiumRequired, SpotifyClient, SpotifyError
from playlists.models import (
    DefaultPlaylist,
    EmotionPlaylist,
    EmotionPlaylistItem,
    LibraryItem,
    SpotifyLink,
    Track,
    TrackVote,
)

log = logging.getLogger(__name__)
UPLOAD_CHUNK = 100  # Spotify's limit of URIs per add/replace call


class NotLinked(Exception):
    """The person has no usable Spotify link (none, or one that needs relinking)."""


def usable_link(user) -> SpotifyLink:
    link = SpotifyLink.objects.filter(user=user).first()
    if link is None or not link.is_ok:
        raise NotLinked
    return link


# --- link -----------------------------------------------------------------------------------------


def spotify_link_save(*, user, social: UserSocialAuth | None, spotify_id: str, display_name: str,
                      access_token: str, refresh_token: str, expires_in: int) -> SpotifyLink:
    """Create or renew the person's link with fresh tokens and import their library once committed."""
    link, _ = SpotifyLink.objects.update_or_create(user=user, defaults={
        "social": social, "spotify_id": spotify_id, "display_name": display_name,
        "access_token": access_token, "refresh_token": refresh_token,
        "expires_at": timezone.now() + timedelta(seconds=expires_in),
        "state": SpotifyLink.State.OK, "state_changed_at": timezone.now(),
    })
    from playlists.tasks import import_library

    import_library.delay_on_commit(user.pk)
    return link


@transaction.atomic
def spotify_unlink(*, user) -> None:
    """Forget the link and every piece of Spotify data held for the person (their playlists on Spotify stay)."""
    EmotionPlaylist.objects.filter(owner=user).delete()
    TrackVote.objects.filter(user=user).delete()
    LibraryItem.objects.filter(user=user).delete()
    SpotifyLink.objects.filter(user=user).delete()
    UserSocialAuth.objects.filter(user=user, provider="spotify").delete()


def sources_update(*, user, use_liked: bool, use_top: bool, playlist_ids: list[str]) -> SpotifyLink:
    link = usable_link(user)
    link.use_liked, link.use_top, link.source_playlists = use_liked, use_top, sorted(set(playlist_ids))
    link.save(update_fields=["use_liked", "use_top", "source_playlists"])
    return link


def strategy_set(*, user, strategy: str) -> None:
    link = usable_link(user)
    link.strategy = strategy
    link.save(update_fields=["strategy"])
    from playlists.tasks import build_playlist

    for emotion in EMOTIONS:
        build_playlist.delay_on_commit(user.pk, emotion)


def track_vote(*, user, track: Track, emotion: str, fits: bool | None) -> None:
    """Record (or with ``fits=None`` clear) the person's word on a track and rebuild that emotion's playlist."""
    if fits is None:
        TrackVote.objects.filter(user=user, track=track, emotion=emotion).delete()
    else:
        TrackVote.objects.update_or_create(user=user, track=track, emotion=emotion, defaults={"fits": fits})
    from playlists.tasks import build_playlist

    build_playlist.delay_on_commit(user.pk, emotion)


# --- import and features --------------------------------------------------------------------------


def library_import(*, link: SpotifyLink, client: SpotifyClient | None = None) -> int:
    """Page in every chosen source, upsert the tracks and replace the person's library with what was found."""
    client = client or SpotifyClient(link)
    SpotifyLink.objects.filter(pk=link.pk).update(import_status="running", import_done=0, import_total=0,
                                                  import_error="")
    found: dict[tuple[str, str], list[dict]] = {}
    try:
        for (source, ref), pages in _sources(link, client):
            found[(source, ref)] = []
            for page in pages:
                if not page.get("offset"):
                    SpotifyLink.objects.filter(pk=link.pk).update(import_total=F("import_total") + page["total"])
                found[(source, ref)] += [t for t in map(_track_of, page["items"]) if t]
                SpotifyLink.objects.filter(pk=link.pk).update(import_done=F("import_done") + len(page["items"]))
    except SpotifyError as exc:
        SpotifyLink.objects.filter(pk=link.pk).update(import_status="failed", import_error=str(exc)[:300])
        raise
    count = _library_store(link.user, found)
    SpotifyLink.objects.filter(pk=link.pk).update(import_status="done", imported_at=timezone.now())
    return count


def _sources(link: SpotifyLink, client: SpotifyClient):
    if link.use_liked:
        yield (LibraryItem.Source.LIKED, ""), client.saved_tracks()
    if link.use_top:
        yield (LibraryItem.Source.TOP, ""), client.top_tracks()
    for playlist_id in link.source_playlists:
        yield (LibraryItem.Source.PLAYLIST, playlist_id), client.playlist_items(playlist_id)


def _track_of(entry: dict) -> dict | None:
    """The track in a saved-track entry ("track"), a playlist entry ("item") or a top-tracks row (itself)."""
    track = (entry.get("item") or entry.get("track")) if ("item" in entry or "track" in entry) else entry
    if not track or track.get("type", "track") != "track" or track.get("is_local") or not track.get("id"):
        return None
    return track


@transaction.atomic
def _library_store(user, found: dict[tuple[str, str], list[dict]]) -> int:
    rows = {t["id"]: t for tracks in found.values() for t in tracks}
    Track.objects.bulk_create([_track_row(t) for t in rows.values()], ignore_conflicts=True, batch_size=500)
    ids = dict(Track.objects.filter(spotify_id__in=rows).values_list("spotify_id", "pk"))
    wanted = {(ids[t["id"]], source, ref) for (source, ref), tracks in found.items() for t in tracks}
    held = {(i.track_id, i.source, i.source_ref): i.pk for i in LibraryItem.objects.filter(user=user)}
    LibraryItem.objects.filter(pk__in=[pk for key, pk in held.items() if key not in wanted]).delete()
    LibraryItem.objects.bulk_create(
        [LibraryItem(user=user, track_id=t, source=s, source_ref=r) for t, s, r in wanted - held.keys()],
        ignore_conflicts=True, batch_size=500)
    return len(rows)


def _track_row(track: dict) -> Track:
    images = (track.get("album") or {}).get("images") or [{}]
    return Track(spotify_id=track["id"], title=track.get("name", "")[:500],
                 artists=[a["name"] for a in track.get("artists", [])],
                 artist_ids=[a["id"] for a in track.get("artists", []) if a.get("id")],
                 album=(track.get("album") or {}).get("name", "")[:500], image_url=images[0].get("url", "")[:500],
                 duration_ms=track.get("duration_ms") or 0)


def library_tracks(user):
    return Track.objects.filter(pk__in=LibraryItem.objects.filter(user=user).values("track_id"))


def features_fill(*, link: SpotifyLink, client: SpotifyClient | None = None) -> dict[str, int]:
    client = client or SpotifyClient(link)
    tracks = list(library_tracks(link.user).filter(features_source="").order_by("pk"))
    return features.features_fill(tracks, features.default_chain(client))


# --- build and sync -------------------------------------------------------------------------------


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


def playlist_sync(*, playlist: EmotionPlaylist, client: SpotifyClient | None = None) -> bool:
    """Make the Spotify playlist hold exactly the built list; report whether Spotify had to change.

    Safe to repeat and to resume: it re-reads what Spotify holds first, appends when that is a prefix of the
    list (an interrupted upload), replaces otherwise, and writes nothing when they already match.
    """
    client = client or SpotifyClient(usable_link(playlist.owner))
    desired = playlist.uris
    if not playlist.spotify_playlist_id:
        _spotify_playlist_attach(playlist, client)
    current = [entry["item"]["uri"] for page in client.playlist_items(playlist.spotify_playlist_id)
               for entry in page["items"] if entry.get("item")]
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


def _spotify_playlist_attach(playlist: EmotionPlaylist, client: SpotifyClient) -> None:
    """Reuse our playlist when an earlier run created it but crashed before saving its id; create it otherwise."""
    owner_id = client.link.spotify_id
    existing = next((p for page in client.my_playlists() for p in page["items"]
                     if p and p["name"] == playlist.name and p["owner"]["id"] == owner_id), None)
    created = existing or client.create_playlist(
        name=playlist.name, description=f"Built by MoodMusic from your library for when you feel {playlist.emotion}.")
    playlist.spotify_playlist_id = created["id"]
    playlist.save(update_fields=["spotify_playlist_id"])


def playlist_sync_failed(*, playlist: EmotionPlaylist, error: Exception) -> None:
    playlist.sync_status, playlist.sync_error = EmotionPlaylist.SyncStatus.FAILED, str(error)[:300]
    playlist.save(update_fields=["sync_status", "sync_error"])


def playlist_refresh_for_mood(*, user, emotion: str) -> None:
    """After a mood is recorded: rebuild and sync that emotion's playlist once the transaction commits.

    Debounced: moods arriving within SPOTIFY_SYNC_DEBOUNCE seconds share one refresh. A no-op without a link.
    """
    if not SpotifyLink.objects.filter(user=user, state=SpotifyLink.State.OK).exists():
        return
    if not cache.add(f"playlists:refresh:{user.pk}:{emotion}", 1, timeout=settings.SPOTIFY_SYNC_DEBOUNCE):
        return
    from playlists.tasks import build_playlist

    delay = settings.SPOTIFY_SYNC_DEBOUNCE
    transaction.on_commit(lambda: build_playlist.apply_async((user.pk, emotion), countdown=delay))


# --- playback -------------------------------------------------------------------------------------


def playback_context(user, emotion: str) -> str | None:
    playlist = EmotionPlaylist.objects.filter(owner=user, emotion=emotion).exclude(spotify_playlist_id="").first()
    default = DefaultPlaylist.objects.filter(emotion=emotion).first()
    playlist_id = (playlist or default).spotify_playlist_id if (playlist or default) else None
    return f"spotify:playlist:{playlist_id}" if playlist_id else None


def player_play(*, user, emotion: str) -> None:
    link = usable_link(user)
    context = playback_context(user, emotion)
    if not context:
        raise SpotifyError("there is no playlist for this emotion yet", status=404)
    _player(link, lambda client: client.play(context_uri=context))


def player_pause(*, user) -> None:
    _player(usable_link(user), lambda client: client.pause())


def _player(link: SpotifyLink, command) -> None:
    try:
        command(SpotifyClient(link))
    except PremiumRequired:
        SpotifyLink.objects.filter(pk=link.pk).update(premium=False)
        raise
    SpotifyLink.objects.filter(pk=link.pk).update(premium=True)
