import pytest

from playlists import mood, services
from playlists.client import SpotifyRateLimited, SpotifyServerError
from playlists.models import EmotionPlaylist, LibraryItem, SpotifyLink, Track, TrackVote


def _built(user, emotion="happy") -> EmotionPlaylist:
    services.features_fill(link=user.spotify_link)
    playlist, _ = services.playlist_build(user=user, emotion=emotion)
    return playlist


def test_import_pages_in_more_than_500_liked_songs(fake_spotify, alice_link):
    fake_spotify.users["alice-spotify"].liked = fake_spotify.add_tracks(523)
    alice_link.use_top = False

    assert services.library_import(link=alice_link) == 523

    alice_link.refresh_from_db()
    assert LibraryItem.objects.filter(user=alice_link.user, source="liked").count() == 523
    assert (alice_link.import_status, alice_link.import_done, alice_link.import_total) == ("done", 523, 523)
    assert fake_spotify.count("GET", "/v1/me/tracks") == 11


def test_import_reads_top_tracks_and_chosen_playlists(fake_spotify, alice_link, alice_library):
    playlist_id = fake_spotify.add_playlist("alice-spotify", "Road trip", fake_spotify.add_tracks(5, prefix="p"))
    alice_link.source_playlists = [playlist_id]

    assert services.library_import(link=alice_link) == 155
    assert LibraryItem.objects.filter(user=alice_link.user, source="top").count() == 50
    assert LibraryItem.objects.filter(user=alice_link.user, source="playlist", source_ref=playlist_id).count() == 5


def test_a_second_import_drops_what_left_the_library(fake_spotify, alice_link, alice_library):
    services.library_import(link=alice_link)
    fake_spotify.users["alice-spotify"].liked = alice_library[:10]
    fake_spotify.users["alice-spotify"].top = []

    services.library_import(link=alice_link)

    assert LibraryItem.objects.filter(user=alice_link.user).count() == 10


def test_features_come_from_the_open_service_then_musicbrainz_tags(fake_spotify, fake_features, alice_link):
    user = fake_spotify.users["alice-spotify"]
    user.liked = (fake_spotify.add_tracks(3, features="open") + fake_spotify.add_tracks(2, features="tags")
                  + fake_spotify.add_tracks(1, features="none"))
    services.library_import(link=alice_link)

    coverage = services.features_fill(link=alice_link)

    assert coverage == {"open": 3, "tags": 2, "unknown": 1, "unavailable": 0, "total": 6}
    tagged = Track.objects.get(spotify_id=user.liked[3])
    assert tagged.features_source == "tags" and tagged.valence is not None and tagged.tempo is None
    assert Track.objects.get(spotify_id=user.liked[-1]).features_source == "unknown"
    alice_link.refresh_from_db()
    assert alice_link.import_coverage == coverage


def test_features_are_looked_up_once_for_everyone(fake_spotify, fake_features, alice_link, bob_link):
    reccobeats, musicbrainz = fake_features
    shared = fake_spotify.add_tracks(45)
    fake_spotify.users["alice-spotify"].liked = shared
    fake_spotify.users["bob-spotify"].liked = shared
    services.library_import(link=alice_link)
    services.library_import(link=bob_link)
    services.features_fill(link=alice_link)
    asked = len(reccobeats.requests)

    coverage = services.features_fill(link=bob_link)

    assert asked == 2  # 40 ids a call
    assert len(reccobeats.requests) == asked and musicbrainz.requests == []
    assert coverage["open"] == 45


def test_tracks_no_source_could_be_asked_about_wait_for_the_next_import(fake_spotify, fake_features, alice_link):
    reccobeats, musicbrainz = fake_features
    fake_spotify.users["alice-spotify"].liked = fake_spotify.add_tracks(3, features="open")
    services.library_import(link=alice_link)
    reccobeats.fail(429, retry_after=120)
    musicbrainz.fail(500, times=3)

    first = services.features_fill(link=alice_link)
    second = services.features_fill(link=alice_link)

    assert (first["unavailable"], first["unknown"], first["open"]) == (3, 0, 0)
    assert (second["unavailable"], second["open"]) == (0, 3)


def test_musicbrainz_is_asked_at_its_pace_and_its_503_is_honoured(fake_spotify, fake_features, alice_link,
                                                                  settings, monkeypatch):
    from playlists.feature_sources import OpenSourceClient

    reccobeats, musicbrainz = fake_features
    slept = []
    monkeypatch.setattr(OpenSourceClient, "sleep", staticmethod(slept.append))
    fake_spotify.users["alice-spotify"].liked = fake_spotify.add_tracks(2, features="tags")
    services.library_import(link=alice_link)
    musicbrainz.fail(503, retry_after=1)

    coverage = services.features_fill(link=alice_link)

    assert coverage["tags"] == 2 and slept == [1]
    assert len(musicbrainz.requests) == 3


def test_a_match_build_puts_the_closest_tracks_first(alice_link, alice_library):
    services.library_import(link=alice_link)
    playlist = _built(alice_link.user, "sad")

    scores = [i.score for i in playlist.items.all()]
    assert len(scores) == 50 and scores == sorted(scores, reverse=True)
    assert "valence" in playlist.items.first().reason


def test_a_lift_build_walks_from_the_mood_toward_calm(alice_link, alice_library):
    alice_link.strategy = SpotifyLink.Strategy.LIFT
    alice_link.save()
    services.library_import(link=alice_link)
    playlist = _built(alice_link.user, "sad")

    tracks = [i.track for i in playlist.items.all()]
    assert tracks[0].valence < 0.4 and tracks[-1].valence > 0.6
    assert playlist.items.last().reason.startswith("lift step 50")


def test_votes_override_every_computed_score(alice_link, alice_library):
    services.library_import(link=alice_link)
    playlist = _built(alice_link.user, "happy")
    first, last_out = playlist.items.first().track, Track.objects.get(spotify_id=alice_library[0])
    TrackVote.objects.create(user=alice_link.user, track=first, emotion="happy", fits=False)
    TrackVote.objects.create(user=alice_link.user, track=last_out, emotion="happy", fits=True)

    playlist, changed = services.playlist_build(user=alice_link.user, emotion="happy")

    items = list(playlist.items.all())
    assert changed
    assert items[0].track == last_out and items[0].reason == "you said it fits"
    assert first not in [i.track for i in items]


def test_a_build_that_runs_twice_changes_nothing(alice_link, alice_library):
    services.library_import(link=alice_link)
    _built(alice_link.user)

    _, changed = services.playlist_build(user=alice_link.user, emotion="happy")

    assert not changed


def test_sync_creates_a_private_playlist_with_the_built_tracks(fake_spotify, alice_link, alice_library):
    services.library_import(link=alice_link)
    playlist = _built(alice_link.user)

    assert services.playlist_sync(playlist=playlist)

    remote = fake_spotify.playlists[playlist.spotify_playlist_id]
    assert remote["name"] == "MoodMusic · Happy" and remote["public"] is False
    assert fake_spotify.playlist_uris(playlist.spotify_playlist_id) == playlist.uris
    assert playlist.sync_status == "synced" and playlist.snapshot_id


def test_a_sync_that_runs_twice_changes_nothing(fake_spotify, alice_link, alice_library):
    services.library_import(link=alice_link)
    playlist = _built(alice_link.user)
    services.playlist_sync(playlist=playlist)
    writes = fake_spotify.count("PUT", "/items") + fake_spotify.count("POST", "/items")

    assert services.playlist_sync(playlist=playlist) is False
    assert fake_spotify.count("PUT", "/items") + fake_spotify.count("POST", "/items") == writes
    assert fake_spotify.count("POST", "/me/playlists") == 1


@pytest.fixture
def big_playlist(settings, fake_spotify, alice_link):
    settings.SPOTIFY_PLAYLIST_SIZE = 350
    fake_spotify.users["alice-spotify"].liked = fake_spotify.add_tracks(400)
    services.library_import(link=alice_link)
    return _built(alice_link.user)


def test_a_sync_interrupted_by_429_and_500_ends_exactly_right(fake_spotify, big_playlist):
    fake_spotify.fail("/items", 429, method="POST", skip=1, retry_after=300)
    with pytest.raises(SpotifyRateLimited):
        services.playlist_sync(playlist=big_playlist)
    fake_spotify.fail("/items", 500, method="POST")
    with pytest.raises(SpotifyServerError):
        services.playlist_sync(playlist=big_playlist)

    services.playlist_sync(playlist=big_playlist)

    uris = fake_spotify.playlist_uris(big_playlist.spotify_playlist_id)
    assert uris == big_playlist.uris and len(uris) == 350
    assert fake_spotify.count("POST", "/me/playlists") == 1


def test_a_resumed_sync_appends_instead_of_starting_over(fake_spotify, big_playlist):
    fake_spotify.fail("/items", 500, method="POST", skip=1)
    with pytest.raises(SpotifyServerError):
        services.playlist_sync(playlist=big_playlist)
    assert len(fake_spotify.playlist_uris(big_playlist.spotify_playlist_id)) == 200

    services.playlist_sync(playlist=big_playlist)

    assert fake_spotify.count("PUT", "/items") == 1
    assert fake_spotify.playlist_uris(big_playlist.spotify_playlist_id) == big_playlist.uris


def test_sync_reuses_a_playlist_created_by_a_run_that_crashed(fake_spotify, alice_link, alice_library):
    services.library_import(link=alice_link)
    playlist = _built(alice_link.user)
    orphan = fake_spotify.add_playlist("alice-spotify", "MoodMusic · Happy")

    services.playlist_sync(playlist=playlist)

    assert playlist.spotify_playlist_id == orphan
    assert fake_spotify.count("POST", "/me/playlists") == 0


def test_a_shrunk_playlist_is_replaced_on_spotify(settings, fake_spotify, alice_link, alice_library):
    services.library_import(link=alice_link)
    playlist = _built(alice_link.user)
    services.playlist_sync(playlist=playlist)
    settings.SPOTIFY_PLAYLIST_SIZE = 10
    playlist, _ = services.playlist_build(user=alice_link.user, emotion="happy")

    services.playlist_sync(playlist=playlist)

    assert fake_spotify.playlist_uris(playlist.spotify_playlist_id) == playlist.uris and len(playlist.uris) == 10


def test_unlink_deletes_the_spotify_data_held_for_the_person(alice_link, alice_library, bob_link):
    services.library_import(link=alice_link)
    services.library_import(link=bob_link)
    _built(alice_link.user)

    services.spotify_unlink(user=alice_link.user)

    assert not SpotifyLink.objects.filter(user=alice_link.user).exists()
    assert not LibraryItem.objects.filter(user=alice_link.user).exists()
    assert not EmotionPlaylist.objects.filter(owner=alice_link.user).exists()
    assert SpotifyLink.objects.filter(user=bob_link.user).exists()


def test_mood_regions_cover_every_emotion():
    from emotion.vision.labels import EMOTIONS

    assert set(mood.REGIONS) == set(EMOTIONS)
    assert mood.genre_point(["death metal"])[1] > 0.9
    assert mood.genre_point(["polka"]) is None


def test_a_chosen_playlist_that_is_gone_is_dropped_and_the_import_goes_on(fake_spotify, alice_link, alice_library):
    kept = fake_spotify.add_playlist("alice-spotify", "Kept", fake_spotify.add_tracks(2, prefix="k"))
    gone = fake_spotify.add_playlist("alice-spotify", "Gone", fake_spotify.add_tracks(2, prefix="g"))
    services.library_import(link=alice_link)  # learns both as alice's own
    alice_link.refresh_from_db()
    alice_link.source_playlists = [kept, gone]
    alice_link.save()
    fake_spotify.delete_playlist(gone)

    services.library_import(link=alice_link)

    alice_link.refresh_from_db()
    assert alice_link.import_status == "done" and alice_link.source_playlists == [kept]
    assert LibraryItem.objects.filter(user=alice_link.user, source="playlist").count() == 2


def test_only_the_persons_own_playlists_can_be_chosen(fake_spotify, alice_link, bob_link, alice_library):
    bobs = fake_spotify.add_playlist("bob-spotify", "Bob's", alice_library[:2])
    services.library_import(link=alice_link)

    link = services.sources_update(user=alice_link.user, use_liked=True, use_top=True, playlist_ids=[bobs])

    assert link.source_playlists == []


def test_musicbrainz_is_asked_with_a_user_agent_that_names_the_app(fake_spotify, fake_features, alice_link, settings):
    _, musicbrainz = fake_features
    settings.FEATURES_USER_AGENT = "python-requests/2.34"  # what MusicBrainz blocks
    fake_spotify.users["alice-spotify"].liked = fake_spotify.add_tracks(1, features="tags")
    services.library_import(link=alice_link)

    assert services.features_fill(link=alice_link)["unavailable"] == 1
