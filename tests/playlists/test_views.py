import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.db import connection
from django.template import Context, Template
from social_django.models import UserSocialAuth

from playlists import selectors, services
from playlists.models import EmotionPlaylist, LibraryItem, SpotifyLink
from tests.factories import PASSWORD


@pytest.fixture
def alice_web(client, alice):
    client.login(username="alice", password=PASSWORD)
    return client


@pytest.fixture
def bob_web(client, bob):
    client.login(username="bob", password=PASSWORD)
    return client


def _link_through_spotify(fake, web) -> None:
    """Drive the real social-auth flow: begin → fake consent → complete, with the fake as Spotify."""
    begin = web.post("/login/spotify/", {"next": "/music/"})["Location"]
    assert begin.startswith(fake.accounts_url + "/authorize")
    assert "client_secret" not in begin and "state=" in begin
    consent = requests.get(fake.url + "/authorize/accept?" + urlparse(begin).query, allow_redirects=False)
    back = urlparse(consent.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    return web.get(back.path, query)


def test_the_music_page_needs_a_login(client):
    assert client.get("/music/").status_code == 302


def test_linking_through_spotify_stores_encrypted_tokens(fake_spotify, alice_web, alice):
    fake_spotify.add_user("alice-spotify", "Alice S")
    fake_spotify.consent_user = "alice-spotify"

    response = _link_through_spotify(fake_spotify, alice_web)

    assert response.status_code == 302
    link = SpotifyLink.objects.get(user=alice)
    assert (link.spotify_id, link.display_name, link.state) == ("alice-spotify", "Alice S", "ok")
    assert link.access_token.startswith("AT-") and link.refresh_token.startswith("RT-")
    social = UserSocialAuth.objects.get(user=alice, provider="spotify")
    assert "access_token" not in social.extra_data and "refresh_token" not in social.extra_data
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token || refresh_token FROM playlists_spotifylink WHERE id = %s", [link.pk])
        assert "AT-" not in cursor.fetchone()[0]


def test_relinking_restores_a_link_that_needed_it(fake_spotify, alice_web, alice):
    fake_spotify.add_user("alice-spotify")
    _link_through_spotify(fake_spotify, alice_web)
    SpotifyLink.objects.get(user=alice).mark_needs_relink()

    _link_through_spotify(fake_spotify, alice_web)

    assert SpotifyLink.objects.get(user=alice).state == "ok"
    assert UserSocialAuth.objects.filter(user=alice).count() == 1


def test_a_spotify_account_links_to_one_person_only(fake_spotify, client, alice, bob):
    fake_spotify.add_user("alice-spotify")
    client.login(username="alice", password=PASSWORD)
    _link_through_spotify(fake_spotify, client)
    client.logout()
    client.login(username="bob", password=PASSWORD)

    _link_through_spotify(fake_spotify, client)

    assert not SpotifyLink.objects.filter(user=bob).exists()


def test_without_spotify_settings_people_get_starter_music_and_no_operator_instructions(bob_web, settings):
    settings.SOCIAL_AUTH_SPOTIFY_KEY = settings.SOCIAL_AUTH_SPOTIFY_SECRET = ""

    page = bob_web.get("/music/").content.decode()

    assert "spotify-link-button" not in page
    assert "SPOTIFY_CLIENT_ID" not in page and "docs/spotify.md" not in page
    assert page.count('class="music-source starter"') == 7 and "open.spotify.com/embed/playlist/" in page


def test_the_panel_shows_each_link_state(alice, bob, alice_link):
    template = Template("{% load spotify %}{% spotify_link_panel user %}")

    assert "Not linked" in template.render(Context({"user": bob}))
    assert "spotify-link-button" in template.render(Context({"user": bob}))
    assert "Linked as" in template.render(Context({"user": alice}))
    alice_link.mark_needs_relink()
    assert "Relink Spotify" in template.render(Context({"user": alice}))


def test_the_music_page_shows_alices_playlists_not_bobs(fake_spotify, alice_web, alice_link, alice_library, bob):
    services.library_import(link=alice_link)
    services.features_fill(link=alice_link)
    services.playlist_build(user=alice_link.user, emotion="sad")

    page = alice_web.get("/music/").content.decode()

    assert "Linked as" in page and "Liked Songs" in page and "lift" in page
    assert "playlist-sad" in page and "valence" in page


def test_bob_sees_none_of_alices_music(fake_spotify, bob_web, alice_link, alice_library):
    services.library_import(link=alice_link)
    services.playlist_build(user=alice_link.user, emotion="sad")

    page = bob_web.get("/music/").content.decode()

    assert "Not linked" in page and "playlist-sad" not in page


def test_unlink_is_a_post_that_deletes_the_data(fake_spotify, alice_web, alice_link, alice_library):
    services.library_import(link=alice_link)
    assert alice_web.get("/music/unlink/").status_code == 405

    response = alice_web.post("/music/unlink/")

    assert response.status_code == 302
    assert not SpotifyLink.objects.exists() and not LibraryItem.objects.exists()


def test_unlink_returns_only_to_this_site(alice_web, alice_link):
    assert alice_web.post("/music/unlink/", {"next": "https://evil.example/"})["Location"] == "/music/"
    assert alice_web.post("/music/unlink/", {"next": "/accounts/profile/"})["Location"] == "/accounts/profile/"


def test_bob_unlinking_leaves_alice_linked(bob_web, alice_link):
    bob_web.post("/music/unlink/")
    assert SpotifyLink.objects.filter(pk=alice_link.pk).exists()


def test_choosing_sources_saves_them_and_imports(fake_spotify, alice_web, alice_link, alice_library,
                                                 django_capture_on_commit_callbacks):
    playlist_id = fake_spotify.add_playlist("alice-spotify", "Road trip", alice_library[:3])
    services.library_import(link=alice_link)  # learns alice's own playlists
    assert "Road trip" in alice_web.get("/music/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        alice_web.post("/music/sources/", {"top": "on", "playlist": [playlist_id]})

    alice_link.refresh_from_db()
    assert (alice_link.use_liked, alice_link.use_top, alice_link.source_playlists) == (False, True, [playlist_id])
    assert set(LibraryItem.objects.values_list("source", flat=True)) == {"top", "playlist"}
    assert EmotionPlaylist.objects.filter(owner=alice_link.user).count() == 7


def test_the_export_holds_no_tokens(alice_link, alice_library):
    services.library_import(link=alice_link)

    data = selectors.export_user_data(alice_link.user)

    text = json.dumps(data)
    assert data["spotify_link"]["spotify_id"] == "alice-spotify" and len(data["library"]) == 170  # 20 liked and top
    assert alice_link.access_token not in text and alice_link.refresh_token not in text


def test_a_person_without_a_link_gets_starter_music_and_the_link_button(bob_web, fake_spotify):
    page = bob_web.get("/music/").content.decode()

    assert "spotify-link-button" in page
    assert page.count('class="music-source starter"') == 7
    for emotion in ("happy", "sad", "angry", "fear", "disgust", "surprise", "neutral"):
        assert f'id="card-{emotion}"' in page
    assert page.count('class="button primary play"') == 7


def test_the_music_page_calls_no_spotify_while_rendering(fake_spotify, alice_web, alice_link, alice_library):
    services.library_import(link=alice_link)
    before = len(fake_spotify.requests)

    alice_web.get("/music/")

    assert len(fake_spotify.requests) == before


def test_strategy_is_saved_for_its_owner_and_rebuilds(fake_spotify, alice_web, alice_link, alice_library,
                                                      django_capture_on_commit_callbacks):
    services.library_import(link=alice_link)
    services.features_fill(link=alice_link)

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_web.post("/music/strategy/", {"strategy": "lift"})

    assert response.status_code == 302
    alice_link.refresh_from_db()
    assert alice_link.strategy == "lift"
    assert set(EmotionPlaylist.objects.filter(owner=alice_link.user).values_list("strategy", flat=True)) == {"lift"}


def test_an_unknown_strategy_is_refused_with_a_message(alice_web, alice_link):
    response = alice_web.post("/music/strategy/", {"strategy": "shuffle"}, follow=True)

    alice_link.refresh_from_db()
    assert alice_link.strategy == "match" and "Choose one of the strategies" in response.content.decode()


def test_bob_cannot_change_alices_strategy_or_resync_or_import_her_music(bob_web, alice_link,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        for url in ("/music/resync/", "/music/import/"):
            page = bob_web.post(url, follow=True).content.decode()
            assert "Link Spotify first" in page, url
        page = bob_web.post("/music/strategy/", {"strategy": "lift"}, follow=True).content.decode()
        assert "the starter playlists follow" in page  # bob's own choice, for his starter music

    alice_link.refresh_from_db()
    assert callbacks == [] and alice_link.strategy == "match"


def test_reimport_imports_the_owners_library_again(fake_spotify, alice_web, alice_link, alice_library,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_web.post("/music/import/")

    assert response.status_code == 302
    assert LibraryItem.objects.filter(user=alice_link.user).count() == 170
    alice_link.refresh_from_db()
    assert alice_link.import_status == "done" and alice_link.import_coverage["open"] == 150


def test_resync_rebuilds_and_syncs_all_seven(fake_spotify, alice_web, alice_link, alice_library,
                                             django_capture_on_commit_callbacks):
    services.library_import(link=alice_link)
    services.features_fill(link=alice_link)

    with django_capture_on_commit_callbacks(execute=True):
        alice_web.post("/music/resync/")

    playlists = EmotionPlaylist.objects.filter(owner=alice_link.user)
    assert playlists.count() == 7 and {p.sync_status for p in playlists} == {"synced"}


def test_these_forms_are_posts_for_people_signed_in(client, alice_web):
    for url in ("/music/strategy/", "/music/resync/", "/music/import/", "/music/sources/"):
        assert alice_web.get(url).status_code == 405, url
    alice_web.logout()
    for url in ("/music/strategy/", "/music/resync/", "/music/import/"):
        assert client.post(url).status_code == 302 and "/login" in client.post(url)["Location"], url


def test_a_person_spotify_refuses_is_told_in_plain_words_and_keeps_the_starter_music(fake_spotify, alice_web, alice):
    fake_spotify.add_user("alice-spotify", "Alice S", allow_listed=False)

    _link_through_spotify(fake_spotify, alice_web)

    link = SpotifyLink.objects.get(user=alice)
    assert link.state == "refused" and link.access_token == ""
    page = alice_web.get("/music/").content.decode()
    assert "limited to invited listeners" in page and "administrator" in page
    assert page.count('class="music-source starter"') == 7


def test_linking_keys_the_account_by_its_account_id(fake_spotify, alice_web, alice):
    fake_spotify.add_user("alice-spotify", "Alice S", account_id="immutable-1")

    _link_through_spotify(fake_spotify, alice_web)

    assert UserSocialAuth.objects.get(user=alice).uid == "immutable-1"
    link = SpotifyLink.objects.get(user=alice)
    assert (link.account_id, link.spotify_id) == ("immutable-1", "alice-spotify")


def test_the_help_sort_card_lists_tracks_no_source_places(fake_spotify, alice_web, alice_link):
    fake_spotify.users["alice-spotify"].liked = fake_spotify.add_tracks(2, features="none")
    alice_link.use_top = False
    alice_link.save()
    services.library_import(link=alice_link)
    services.features_fill(link=alice_link)

    page = alice_web.get("/music/").content.decode()

    assert 'id="help-sort"' in page and page.count("sort-fits") == 2


def test_the_page_offers_the_web_player_to_linked_people_and_keeps_the_embed(fake_spotify, alice_web, alice_link):
    page = alice_web.get("/music/").content.decode()

    assert 'id="web-player"' in page and "/api/player/token/" in page
    assert "open.spotify.com/embed/playlist/" in page  # the fallback stays on the page


def test_no_web_player_without_a_link_or_without_premium(fake_spotify, bob_web, alice_link, client):
    assert 'id="web-player"' not in bob_web.get("/music/").content.decode()
    alice_link.premium = False
    alice_link.save()
    client.login(username="alice", password=PASSWORD)
    assert 'id="web-player"' not in client.get("/music/").content.decode()


def test_a_link_made_before_account_ids_moves_to_the_account_id(fake_spotify, alice_web, alice):
    fake_spotify.add_user("alice-spotify", "Alice S", account_id="immutable-1")
    UserSocialAuth.objects.create(user=alice, provider="spotify", uid="alice-spotify")  # keyed by the old id

    _link_through_spotify(fake_spotify, alice_web)

    assert list(UserSocialAuth.objects.filter(user=alice).values_list("uid", flat=True)) == ["immutable-1"]
    assert SpotifyLink.objects.get(user=alice).state == "ok"


def _mood(user, emotion):
    from emotion.models import MoodEntry

    return MoodEntry.objects.create(owner=user, emotion=emotion, source=MoodEntry.Source.MANUAL)


def _card_order(page: str) -> list[str]:
    import re

    return re.findall(r'<li class="music-card (\w+)', page)


def test_the_current_mood_comes_first_and_is_marked(bob_web, bob, alice):
    _mood(bob, "happy")
    _mood(bob, "sad")  # the latest
    _mood(alice, "angry")  # someone else's

    page = bob_web.get("/music/").content.decode()

    assert _card_order(page) == ["sad", "angry", "disgust", "fear", "happy", "surprise", "neutral"]
    assert page.count("now-badge") == 1 and page.count('aria-current="true"') == 1
    assert " ".join(page.split()).count('id="card-sad" data-emotion="sad" aria-current="true"') == 1


def test_before_any_mood_the_cards_keep_label_order_and_none_is_marked(bob_web):
    page = bob_web.get("/music/").content.decode()

    assert _card_order(page) == ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    assert "now-badge" not in page


def test_a_starter_card_shows_its_track_count_once_an_administrator_lists_the_tracks(bob_web):
    from playlists.models import DefaultPlaylist

    # Spotify does not let a new app read its editorial playlists, so the starter tracks come from the admin.
    assert "Happy · starter playlist ·" not in " ".join(bob_web.get("/music/").content.decode().split())
    DefaultPlaylist.objects.filter(emotion="happy").update(
        tracks=[{"title": f"Song {i}", "artists": ["The Band"], "uri": f"spotify:track:{i:022d}"} for i in range(50)])

    page = " ".join(bob_web.get("/music/").content.decode().split())

    assert "Happy · starter playlist · 50 tracks" in page
    assert "Sad · starter playlist ·" not in page


def test_lift_without_a_link_plays_the_starter_one_step_up_for_this_person_only(bob_web, bob, client, alice):
    from playlists.models import DefaultPlaylist
    from playlists.mood import LIFT_STEPS

    _mood(bob, "sad")
    bob_web.post("/music/strategy/", {"strategy": "lift"})

    page = bob_web.get("/music/").content.decode()
    neutral = DefaultPlaylist.objects.get(emotion=LIFT_STEPS["sad"])
    sad_card = page[page.index('id="card-sad"'):page.index('id="card-angry"')]
    assert LIFT_STEPS["sad"] == "neutral" and "Lifts toward neutral" in sad_card
    assert f"embed/playlist/{neutral.spotify_playlist_id}" in sad_card
    assert 'value="lift" class="segment" aria-pressed="true"' in page
    assert bob_web.get("/api/music/sad/").json()["name"] == neutral.name  # the capture page follows too

    client.logout()
    client.login(username="alice", password=PASSWORD)
    assert 'value="match" class="segment" aria-pressed="true"' in client.get("/music/").content.decode()
    assert client.get("/api/music/sad/").json()["name"] == DefaultPlaylist.objects.get(emotion="sad").name


def test_a_linked_person_sees_their_own_playlist_beside_the_starter(fake_spotify, alice_web, alice_link,
                                                                    alice_library, django_capture_on_commit_callbacks):
    services.library_import(link=alice_link)
    services.features_fill(link=alice_link)
    with django_capture_on_commit_callbacks(execute=True):
        alice_web.post("/music/resync/")
    sad = EmotionPlaylist.objects.get(owner=alice_link.user, emotion="sad")

    page = alice_web.get("/music/").content.decode()

    sad_card = page[page.index('id="card-sad"'):page.index('id="card-surprise"')]
    assert "MoodMusic · Sad" in sad_card and f"Sad · {sad.items.count()} tracks" in sad_card
    assert f"embed/playlist/{sad.spotify_playlist_id}" in sad_card and "Sad · starter playlist" in sad_card
