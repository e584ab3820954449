"""Import of the person's chosen sources: liked songs, top tracks and their own playlists."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from playlists.client import SpotifyClient, SpotifyError, SpotifyForbidden, SpotifyNotAllowListed, SpotifyNotFound
from playlists.models import LibraryItem, SpotifyLink, Track

OURS = "MoodMusic · "  # the prefix of the playlists we write, never offered as a source


def library_import_request(*, user) -> bool:
    """Enqueue an import of the person's library once the transaction commits; False without a usable link."""
    if not SpotifyLink.objects.filter(user=user, state=SpotifyLink.State.OK).exists():
        return False
    from playlists.tasks import import_library

    import_library.delay_on_commit(user.pk)
    return True


def library_import(*, link: SpotifyLink, client: SpotifyClient | None = None) -> int:
    """Page in every chosen source, upsert the tracks and replace the person's library with what was found.

    Also remembers the person's own playlists, so the music page offers them without calling Spotify.
    """
    client = client or SpotifyClient(link)
    SpotifyLink.objects.filter(pk=link.pk).update(import_status="running", import_done=0, import_total=0,
                                                  import_error="")
    found: dict[tuple[str, str], list[dict]] = {}
    try:
        own = _own_playlists(link, client)
        for (source, ref), pages in _sources(link, client, own):
            found[(source, ref)] = []
            try:
                for page in pages:
                    if not page.get("offset"):
                        SpotifyLink.objects.filter(pk=link.pk).update(import_total=F("import_total") + page["total"])
                    found[(source, ref)] += [t for t in map(_track_of, page["items"]) if t]
                    SpotifyLink.objects.filter(pk=link.pk).update(import_done=F("import_done") + len(page["items"]))
            except (SpotifyNotFound, SpotifyForbidden) as exc:
                if source != LibraryItem.Source.PLAYLIST or isinstance(exc, SpotifyNotAllowListed):
                    raise
                del found[(source, ref)]  # a chosen playlist that is gone or no longer the person's
    except SpotifyError as exc:
        SpotifyLink.objects.filter(pk=link.pk).update(import_status="failed", import_error=str(exc)[:300])
        raise
    count = _library_store(link.user, found)
    SpotifyLink.objects.filter(pk=link.pk).update(
        import_status="done", imported_at=timezone.now(), own_playlists=own,
        source_playlists=[p for p in link.source_playlists if any(o["id"] == p for o in own)])
    return count


def _own_playlists(link: SpotifyLink, client: SpotifyClient) -> list[dict]:
    """The person's own playlists on Spotify (ours left out): the only ones Spotify lets us read."""
    return [{"id": p["id"], "name": p["name"]} for page in client.my_playlists() for p in page["items"]
            if p and p["owner"]["id"] == link.spotify_id and not p["name"].startswith(OURS)]


def _sources(link: SpotifyLink, client: SpotifyClient, own: list[dict]):
    if link.use_liked:
        yield (LibraryItem.Source.LIKED, ""), client.saved_tracks()
    if link.use_top:
        yield (LibraryItem.Source.TOP, ""), client.top_tracks()
    owned = {p["id"] for p in own}
    for playlist_id in link.source_playlists:
        if playlist_id in owned:
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

