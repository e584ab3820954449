"""Read-only queries for pages, the capture page's API and the account data export."""

from emotion.models import MoodEntry
from emotion.vision.labels import EMOTIONS
from playlists.models import DefaultPlaylist, EmotionPlaylist, LibraryItem, SpotifyLink, Track, TrackVote
from playlists.mood import lift_step

UNPLACED_SHOWN = 20

# Where a person without a usable Spotify link keeps "match" or "lift" (a linked person's is SpotifyLink.strategy).
STRATEGY_SESSION_KEY = "music_strategy"

EMBED_URL = "https://open.spotify.com/embed/playlist/{}"


def link_for(user) -> SpotifyLink | None:
    if not user.is_authenticated:
        return None
    return SpotifyLink.objects.filter(user=user).first()


def music_for_emotion(user, emotion: str, strategy: str = "match") -> dict:
    """What the capture page offers for ``emotion``: the person's synced playlist (built for their strategy),
    else the starter playlist that plays for it under ``strategy`` (``mood.lift_step``), else none."""
    link = link_for(user)
    playlist = None
    if link and link.is_ok:
        playlist = (EmotionPlaylist.objects.filter(owner=user, emotion=emotion).exclude(spotify_playlist_id="")
                    .prefetch_related("items__track").first())
    answer = {"emotion": emotion, "source": "none", "name": "", "spotify_playlist_id": "", "spotify_url": "",
              "embed_url": "", "tracks": [],
              "can_control_playback": bool(link and link.is_ok and link.premium is not False)}
    if playlist:
        tracks = [{"title": i.track.title, "artists": i.track.artists, "uri": i.track.uri}
                  for i in list(playlist.items.all())[:10]]
        return {**answer, **_playlist_fields("personal", playlist.name, playlist.spotify_playlist_id), "tracks": tracks}
    default = DefaultPlaylist.objects.filter(emotion=lift_step(emotion, strategy)).first()
    if default:
        tracks = [{"title": t.get("title", ""), "artists": _names(t.get("artists")), "uri": t.get("uri", "")}
                  for t in default.tracks[:10]]
        return {**answer, **_playlist_fields("default", default.name, default.spotify_playlist_id), "tracks": tracks}
    return answer


def _playlist_fields(source: str, name: str, playlist_id: str) -> dict:
    return {"source": source, "name": name, "spotify_playlist_id": playlist_id,
            "spotify_url": f"https://open.spotify.com/playlist/{playlist_id}",
            "embed_url": EMBED_URL.format(playlist_id)}


def _names(artists) -> list[str]:
    if isinstance(artists, str):
        return [artists]
    return list(artists or [])


def music_strategy(user, session) -> str:
    """"match" or "lift": the linked person's saved strategy, else the one chosen in this session."""
    link = link_for(user)
    if link and link.is_ok:
        return link.strategy
    chosen = session.get(STRATEGY_SESSION_KEY)
    return chosen if chosen in SpotifyLink.Strategy.values else SpotifyLink.Strategy.MATCH


def current_mood(user) -> str | None:
    """The emotion of the person's latest mood entry, or None before the first one."""
    return MoodEntry.objects.filter(owner=user).order_by("-created_at").values_list("emotion", flat=True).first()


def music_cards(user, strategy: str) -> list[dict]:
    """One card per emotion for the music page, the current mood first, the rest in label order.

    Each card has the starter playlist that plays for it under ``strategy`` (a lift is one step up:
    ``mood.LIFT_STEPS``) and, for a usable link, the person's own playlist (already built for their strategy)
    with its tracks and their votes.
    """
    current = current_mood(user)
    link = link_for(user)
    own, votes = {}, {}
    if link and link.is_ok:
        own = {p.emotion: p for p in EmotionPlaylist.objects.filter(owner=user).prefetch_related("items__track")}
        votes = {(v.track_id, v.emotion): v.fits for v in TrackVote.objects.filter(user=user)}
    starters = {d.emotion: d for d in DefaultPlaylist.objects.exclude(spotify_playlist_id="")}
    order = sorted(EMOTIONS, key=lambda e: (e != current, EMOTIONS.index(e)))
    cards = []
    for emotion in order:
        plays = lift_step(emotion, strategy)
        playlist = own.get(emotion)
        entries = playlist.items.all() if playlist else []
        items = [{"item": i, "vote": votes.get((i.track_id, emotion))} for i in entries]
        cards.append({"emotion": emotion, "current": emotion == current, "plays": plays,
                      "starter": starters.get(plays), "own": playlist, "items": items})
    return cards


def own_playlists(link: SpotifyLink) -> list[dict]:
    """The person's own playlists as read at the last import, to choose sources from (no Spotify call)."""
    return [{**p, "chosen": p["id"] in link.source_playlists} for p in link.own_playlists]


def unplaced_tracks(user, limit: int = UNPLACED_SHOWN) -> list[Track]:
    """Tracks of the person's library that no feature source places and the person has not voted on yet."""
    voted = TrackVote.objects.filter(user=user).values("track_id")
    return list(Track.objects.filter(pk__in=LibraryItem.objects.filter(user=user).values("track_id"),
                                     features_source=Track.FeatureSource.UNKNOWN)
                .exclude(pk__in=voted).order_by("title")[:limit])


def import_progress(user) -> dict:
    link = link_for(user)
    if not link:
        return {"status": "none", "done": 0, "total": 0, "error": "", "tracks": 0, "coverage": {}}
    return {"status": link.import_status, "done": link.import_done, "total": link.import_total,
            "error": link.import_error, "coverage": link.import_coverage,
            "tracks": LibraryItem.objects.filter(user=user).values("track").distinct().count()}


def export_user_data(user) -> dict:
    """Everything Spotify-related held for the person, for the account data export. Never the tokens."""
    link = link_for(user)
    return {
        "spotify_link": None if link is None else {
            "spotify_id": link.spotify_id, "display_name": link.display_name, "state": link.state,
            "linked_at": link.linked_at.isoformat(), "premium": link.premium, "strategy": link.strategy,
            "sources": {"liked": link.use_liked, "top": link.use_top, "playlists": link.source_playlists},
            "imported_at": link.imported_at.isoformat() if link.imported_at else None,
        },
        "library": [{"spotify_id": i.track.spotify_id, "title": i.track.title, "artists": i.track.artists,
                     "source": i.source, "source_ref": i.source_ref}
                    for i in LibraryItem.objects.filter(user=user).select_related("track").order_by("pk")],
        "votes": [{"spotify_id": v.track.spotify_id, "emotion": v.emotion, "fits": v.fits,
                   "created_at": v.created_at.isoformat()}
                  for v in TrackVote.objects.filter(user=user).select_related("track").order_by("pk")],
        "playlists": [{"emotion": p.emotion, "spotify_playlist_id": p.spotify_playlist_id, "strategy": p.strategy,
                       "sync_status": p.sync_status, "synced_at": p.synced_at.isoformat() if p.synced_at else None,
                       "tracks": [{"spotify_id": i.track.spotify_id, "score": i.score, "reason": i.reason}
                                  for i in p.items.all()]}
                      for p in EmotionPlaylist.objects.filter(owner=user).prefetch_related("items__track")],
    }
