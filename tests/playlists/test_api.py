import pytest

from playlists import services
from playlists.api import PREMIUM_REQUIRED
from playlists.models import DefaultPlaylist, Track, TrackVote


@pytest.fixture
def synced(alice_link, alice_library):
    services.library_import(link=alice_link)
    services.features_fill(link=alice_link)
    playlist, _ = services.playlist_build(user=alice_link.user, emotion="happy")
    services.playlist_sync(playlist=playlist)
    return playlist


@pytest.fixture
def default_happy(db):
    playlist, _ = DefaultPlaylist.objects.update_or_create(emotion="happy", defaults={
        "name": "Happy hits", "spotify_playlist_id": "37i9default",
        "tracks": [{"title": "Walking on Sunshine", "artists": ["Katrina"], "uri": "spotify:track:abc"}]})
    return playlist


def test_alice_gets_her_own_playlist_for_an_emotion(alice_api, synced):
    data = alice_api.get("/api/music/happy/").json()

    assert data["source"] == "personal" and data["name"] == "MoodMusic · Happy"
    assert data["spotify_playlist_id"] == synced.spotify_playlist_id
    assert data["embed_url"] == f"https://open.spotify.com/embed/playlist/{synced.spotify_playlist_id}"
    assert data["spotify_url"] == f"https://open.spotify.com/playlist/{synced.spotify_playlist_id}"
    assert len(data["tracks"]) == 10 and set(data["tracks"][0]) == {"title", "artists", "uri"}
    assert data["can_control_playback"] is True


def test_bob_without_a_link_gets_the_default_not_alices(bob_api, synced, default_happy):
    data = bob_api.get("/api/music/happy/").json()

    assert data["source"] == "default" and data["spotify_playlist_id"] == "37i9default"
    assert data["tracks"] == [{"title": "Walking on Sunshine", "artists": ["Katrina"], "uri": "spotify:track:abc"}]
    assert data["can_control_playback"] is False


def test_a_fresh_install_has_music_for_every_emotion_without_a_link(bob_api):
    from emotion.vision.labels import EMOTIONS

    for emotion in EMOTIONS:
        data = bob_api.get(f"/api/music/{emotion}/").json()
        assert data["source"] == "default" and data["embed_url"].startswith("https://open.spotify.com/embed/playlist/")


def test_without_link_or_default_there_is_no_music(bob_api):
    DefaultPlaylist.objects.filter(emotion="sad").delete()
    data = bob_api.get("/api/music/sad/").json()
    assert data["source"] == "none" and data["tracks"] == []


def test_an_unknown_emotion_is_404(alice_api):
    assert alice_api.get("/api/music/bored/").status_code == 404


def test_anonymous_callers_get_nothing(client):
    assert client.get("/api/music/happy/").status_code == 401
    assert client.post("/api/player/pause/").status_code == 401


def test_play_starts_the_emotion_playlist_on_the_active_device(fake_spotify, alice_api, synced):
    response = alice_api.post("/api/player/play/", {"emotion": "happy"}, format="json")

    assert response.status_code == 204
    assert fake_spotify.users["alice-spotify"].playing == {
        "context_uri": f"spotify:playlist:{synced.spotify_playlist_id}", "is_playing": True}
    assert alice_api.post("/api/player/pause/").status_code == 204
    assert fake_spotify.users["alice-spotify"].playing["is_playing"] is False


def test_play_without_premium_is_403_and_remembered(fake_spotify, alice_api, synced):
    fake_spotify.users["alice-spotify"].premium = False

    response = alice_api.post("/api/player/play/", {"emotion": "happy"}, format="json")

    assert response.status_code == 403 and response.json() == {"code": "premium_required", "detail": PREMIUM_REQUIRED}
    assert alice_api.get("/api/music/happy/").json()["can_control_playback"] is False


def test_play_without_an_active_device_is_409(fake_spotify, alice_api, synced):
    fake_spotify.users["alice-spotify"].active_device = False

    response = alice_api.post("/api/player/play/", {"emotion": "happy"}, format="json")

    assert response.status_code == 409 and "device" in response.json()["detail"]


def test_play_without_a_link_is_400(bob_api, synced):
    assert bob_api.post("/api/player/play/", {"emotion": "happy"}, format="json").status_code == 400
    assert bob_api.post("/api/player/pause/").status_code == 400


def test_play_checks_the_emotion(alice_api, synced):
    assert alice_api.post("/api/player/play/", {"emotion": "bored"}, format="json").status_code == 400


def test_alice_votes_on_a_track_of_her_library(alice_api, synced):
    track = synced.items.first().track

    response = alice_api.post("/api/music/votes/", {"track": track.spotify_id, "emotion": "happy", "fits": False},
                              format="json")

    assert response.status_code == 200
    assert TrackVote.objects.get(track=track, emotion="happy").fits is False
    alice_api.post("/api/music/votes/", {"track": track.spotify_id, "emotion": "happy", "fits": None}, format="json")
    assert not TrackVote.objects.exists()


def test_bob_cannot_vote_on_alices_tracks(bob_api, synced):
    track = synced.items.first().track

    response = bob_api.post("/api/music/votes/", {"track": track.spotify_id, "emotion": "happy", "fits": True},
                            format="json")

    assert response.status_code == 404 and not TrackVote.objects.exists()
    assert Track.objects.filter(pk=track.pk).exists()


def test_import_progress_is_per_person(alice_api, bob_api, synced):
    assert alice_api.get("/api/music/import/").json()["status"] == "done"
    assert alice_api.get("/api/music/import/").json()["tracks"] == 150
    assert alice_api.get("/api/music/import/").json()["coverage"]["open"] == 150
    assert bob_api.get("/api/music/import/").json() == {"status": "none", "done": 0, "total": 0, "error": "",
                                                        "tracks": 0, "coverage": {}}


def test_play_with_no_playlist_yet_says_so_plainly(alice_api, alice_link):
    DefaultPlaylist.objects.filter(emotion="fear").delete()

    response = alice_api.post("/api/player/play/", {"emotion": "fear"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "no_playlist" and "did not answer" not in response.json()["detail"]


def test_play_before_the_first_sync_plays_the_starter_playlist(fake_spotify, alice_api, alice_link):
    starter = DefaultPlaylist.objects.get(emotion="sad")

    assert alice_api.post("/api/player/play/", {"emotion": "sad"}, format="json").status_code == 204
    playing = fake_spotify.users["alice-spotify"].playing
    assert playing["context_uri"] == f"spotify:playlist:{starter.spotify_playlist_id}"


def test_the_player_token_is_alices_short_lived_access_token_and_never_the_refresh_token(alice_api, alice_link):
    response = alice_api.get("/api/player/token/")

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response.json()["access_token"] == alice_link.access_token
    assert alice_link.refresh_token not in response.content.decode()
    assert set(response.json()) == {"access_token", "expires_at"}


def test_a_nearly_expired_player_token_is_refreshed_on_the_server(fake_spotify, alice_api, alice_link):
    from datetime import timedelta

    from django.utils import timezone

    alice_link.expires_at = timezone.now() + timedelta(seconds=30)
    alice_link.save()

    data = alice_api.get("/api/player/token/").json()

    alice_link.refresh_from_db()
    assert data["access_token"] == alice_link.access_token and fake_spotify.count("POST", "/api/token") == 1
    assert alice_link.refresh_token not in str(data)


def test_bob_gets_no_player_token_and_strangers_nothing(bob_api, client, alice_link):
    response = bob_api.get("/api/player/token/")

    assert response.status_code == 400 and alice_link.access_token not in response.content.decode()
    assert client.get("/api/player/token/").status_code in (401, 403)


def test_play_here_plays_on_the_pages_own_device(fake_spotify, alice_api, synced):
    response = alice_api.post("/api/player/play/", {"emotion": "happy", "device_id": "web-player-1"}, format="json")

    assert response.status_code == 204
    assert fake_spotify.users["alice-spotify"].playing["device_id"] == "web-player-1"
    assert alice_api.post("/api/player/play/", {"emotion": "happy", "device_id": "bad id!"},
                          format="json").status_code == 400
