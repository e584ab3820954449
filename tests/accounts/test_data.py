import json

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from rest_framework.authtoken.models import Token

from emotion.models import Capture, FaceReading, MoodEntry
from tests.factories import PASSWORD, UserFactory


def make_capture(owner, emotion: str = "happy") -> Capture:
    capture = Capture(owner=owner, status=Capture.Status.DONE, width=640, height=480, keep_image=True)
    capture.image.save("face.jpg", ContentFile(b"\xff\xd8\xff\xe0 not really a jpeg"), save=False)
    capture.save()
    reading = FaceReading.objects.create(
        capture=capture,
        x=10,
        y=20,
        w=100,
        h=100,
        emotion=emotion,
        confidence=0.9,
        probabilities={emotion: 0.9},
        is_primary=True,
    )
    capture.choose_primary(reading)
    return capture


def download(client) -> dict:
    response = client.get(reverse("export"))
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content) if response.streaming else response.content)


def test_export_downloads_a_named_json_file(client, alice):
    client.force_login(alice)

    response = client.get(reverse("export"))

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="moodmusic-export-alice.json"'


def test_export_filename_survives_a_username_beyond_ascii(client, db):
    client.force_login(UserFactory(username="zoë"))

    response = client.get(reverse("export"))

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''moodmusic-export-zo%C3%AB.json"


def test_export_contains_alices_data_and_none_of_bobs(client, alice, bob):
    alice_capture = make_capture(alice, "happy")
    MoodEntry.objects.create(owner=alice, emotion="sad", source=MoodEntry.Source.MANUAL)
    make_capture(bob, "angry")
    MoodEntry.objects.create(owner=bob, emotion="fear", source=MoodEntry.Source.MANUAL)
    client.force_login(alice)

    data = download(client)

    assert data["profile"]["username"] == "alice"
    assert data["profile"]["email"] == "alice@example.com"
    assert data["profile"]["face_analysis_consent_at"]  # when she agreed to face analysis
    assert [c["id"] for c in data["captures"]] == [alice_capture.pk]
    assert data["captures"][0]["readings"][0]["emotion"] == "happy"
    assert data["captures"][0]["image"] == alice_capture.image.name
    assert sorted(m["emotion"] for m in data["moods"]) == ["happy", "sad"]
    assert "bob" not in json.dumps(data)


def test_export_contains_the_live_sessions_and_which_captures_were_part_of_one(client, alice, bob):
    from emotion import services

    session = services.live_session_start(owner=alice)
    services.live_session_start(owner=bob)
    capture = make_capture(alice, "happy")
    Capture.objects.filter(pk=capture.pk).update(live_session=session, held_emotion="happy")
    client.force_login(alice)

    data = download(client)

    assert [s["id"] for s in data["live_sessions"]] == [session.pk]
    assert (data["captures"][0]["live_session_id"], data["captures"][0]["held_emotion"]) == (session.pk, "happy")


def test_export_never_contains_secrets(client, alice):
    token = Token.objects.create(user=alice)
    client.force_login(alice)

    raw = client.get(reverse("export")).content.decode()

    assert token.key not in raw
    assert alice.password not in raw
    assert "password" not in raw


def test_export_includes_what_the_playlists_app_exports_when_it_offers_it(client, alice):
    client.force_login(alice)

    data = download(client)

    try:
        from playlists.selectors import export_user_data
    except ImportError:
        assert "spotify" not in data
    else:
        assert data["spotify"] == json.loads(json.dumps(export_user_data(user=alice), default=str))


def test_a_stranger_is_sent_to_log_in_instead_of_exporting(client, alice):
    response = client.get(reverse("export"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_export_is_always_the_logged_in_persons_own(client, alice, bob):
    make_capture(alice)
    client.force_login(bob)

    data = download(client)

    assert data["profile"]["username"] == "bob"
    assert data["captures"] == []
    assert data["moods"] == []


def test_delete_page_asks_for_the_password(client, alice):
    client.force_login(alice)

    response = client.get(reverse("delete-account"))

    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_delete_with_the_wrong_password_keeps_everything(client, alice):
    capture = make_capture(alice)
    client.force_login(alice)

    response = client.post(reverse("delete-account"), {"password": "not my password"})

    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert get_user_model().objects.filter(pk=alice.pk).exists()
    assert Capture.objects.filter(pk=capture.pk).exists()
    assert MoodEntry.objects.filter(owner=alice).count() == 1
    assert default_storage.exists(capture.image.name)


def test_delete_removes_the_user_their_captures_moods_and_image_files(client, alice, bob):
    captures = [make_capture(alice), make_capture(alice, "sad")]
    MoodEntry.objects.create(owner=alice, emotion="fear", source=MoodEntry.Source.MANUAL)
    bobs = make_capture(bob)
    client.force_login(alice)

    response = client.post(reverse("delete-account"), {"password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert not get_user_model().objects.filter(pk=alice.pk).exists()
    assert not Capture.objects.filter(owner_id=alice.pk).exists()
    assert not FaceReading.objects.filter(capture__in=[c.pk for c in captures]).exists()
    assert not MoodEntry.objects.filter(owner_id=alice.pk).exists()
    assert not any(default_storage.exists(c.image.name) for c in captures)
    assert default_storage.exists(bobs.image.name)
    assert MoodEntry.objects.filter(owner=bob).count() == 1
    assert "_auth_user_id" not in client.session


def test_after_deletion_the_person_is_logged_out_and_told_so(client, alice):
    client.force_login(alice)

    response = client.post(reverse("delete-account"), {"password": PASSWORD}, follow=True)

    assert b"Goodbye" in response.content
    assert client.get(reverse("profile")).status_code == 302


def test_a_stranger_cannot_delete_anything(client, alice):
    response = client.post(reverse("delete-account"), {"password": PASSWORD})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert get_user_model().objects.filter(pk=alice.pk).exists()


def test_bob_cannot_delete_alice_even_with_her_password(client, alice, bob):
    client.force_login(bob)

    client.post(reverse("delete-account"), {"password": "correct horse battery staple"})

    assert get_user_model().objects.filter(pk=alice.pk).exists()


def test_export_contains_every_track_vote_of_the_person_and_no_one_elses(client, alice, bob):
    """Built from the rows made here, not with the export's own function."""
    from playlists.models import Track, TrackVote

    calm = Track.objects.create(spotify_id="trk-calm", title="Calm", artists=["A"])
    loud = Track.objects.create(spotify_id="trk-loud", title="Loud", artists=["B"])
    votes = [TrackVote.objects.create(user=alice, track=calm, emotion="sad", fits=True),
             TrackVote.objects.create(user=alice, track=loud, emotion="sad", fits=False),
             TrackVote.objects.create(user=alice, track=loud, emotion="angry", fits=True)]
    TrackVote.objects.create(user=bob, track=calm, emotion="happy", fits=False)
    client.force_login(alice)

    exported = download(client)["spotify"]["votes"]

    expected = [{"spotify_id": v.track.spotify_id, "emotion": v.emotion, "fits": v.fits,
                 "created_at": v.created_at.isoformat()} for v in votes]
    key = lambda vote: (vote["spotify_id"], vote["emotion"])  # noqa: E731
    assert sorted(exported, key=key) == sorted(expected, key=key)
