from playlists import services
from playlists.models import DefaultPlaylist, EmotionPlaylist, SpotifyLink


def test_the_admin_lists_links_without_tokens(admin_client, alice_link, alice_library):
    services.library_import(link=alice_link)
    services.playlist_build(user=alice_link.user, emotion="happy")
    DefaultPlaylist.objects.filter(emotion="sad").update(name="Blue", spotify_playlist_id="x")

    for url in ["/admin/playlists/spotifylink/", f"/admin/playlists/spotifylink/{alice_link.pk}/change/",
                "/admin/playlists/track/", "/admin/playlists/emotionplaylist/", "/admin/playlists/defaultplaylist/",
                f"/admin/playlists/emotionplaylist/{EmotionPlaylist.objects.get().pk}/change/"]:
        page = admin_client.get(url).content.decode()
        assert alice_link.access_token not in page and alice_link.refresh_token not in page, url


def test_the_admin_resync_action_syncs_the_playlist(admin_client, fake_spotify, alice_link, alice_library,
                                                    django_capture_on_commit_callbacks):
    services.library_import(link=alice_link)
    services.features_fill(link=alice_link)
    playlist, _ = services.playlist_build(user=alice_link.user, emotion="happy")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/playlists/emotionplaylist/", {"action": "resync", "_selected_action": [playlist.pk]})

    playlist.refresh_from_db()
    assert playlist.sync_status == "synced"
    assert fake_spotify.playlist_uris(playlist.spotify_playlist_id) == playlist.uris
    assert SpotifyLink.objects.get().state == "ok"


def test_the_admin_lists_refused_links(admin_client, alice, bob):
    from playlists.services import spotify_link_refused

    spotify_link_refused(user=alice, reason="Spotify: the user may not be registered for this app")

    page = admin_client.get("/admin/playlists/spotifylink/?state__exact=refused").content.decode()

    assert "alice" in page and "bob" not in page


def test_starter_playlists_are_editable_in_the_admin(admin_client):
    starter = DefaultPlaylist.objects.get(emotion="happy")

    response = admin_client.post(f"/admin/playlists/defaultplaylist/{starter.pk}/change/", {
        "emotion": "happy", "name": "Our happy mix", "spotify_playlist_id": "37i9dQZF1DXdPec7aLTmlC",
        "source_note": "chosen by the admin", "tracks": "[]"})

    assert response.status_code == 302
    starter.refresh_from_db()
    assert (starter.name, starter.spotify_playlist_id) == ("Our happy mix", "37i9dQZF1DXdPec7aLTmlC")


def test_missing_spotify_settings_are_an_admin_notice_and_a_check_warning(admin_client, settings):
    from django.core import checks

    settings.SOCIAL_AUTH_SPOTIFY_KEY = settings.SOCIAL_AUTH_SPOTIFY_SECRET = ""

    page = admin_client.get("/admin/playlists/defaultplaylist/").content.decode()

    assert "Linking Spotify is off" in page and "SPOTIFY_CLIENT_ID" in page
    assert "playlists.W001" in [m.id for m in checks.run_checks()]
    settings.SOCIAL_AUTH_SPOTIFY_KEY = settings.SOCIAL_AUTH_SPOTIFY_SECRET = "set"
    assert "playlists.W001" not in [m.id for m in checks.run_checks()]
