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
