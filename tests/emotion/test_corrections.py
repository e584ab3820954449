"""Correcting a reading: the person's emotion wins, the model's is kept, the music follows, the admin sees both."""

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from emotion.models import Capture, FaceReading, MoodEntry
from tests.factories import UserFactory


def camera_entry(owner, emotion: str = "happy", keep_image: bool = False) -> MoodEntry:
    capture = Capture.objects.create(owner=owner, status=Capture.Status.DONE, width=640, height=480,
                                     keep_image=keep_image, model_version="test+haar")
    if keep_image:
        capture.image.save("kept.jpg", ContentFile(b"jpeg"), save=True)
    reading = FaceReading.objects.create(capture=capture, x=0, y=0, w=90, h=90, emotion=emotion, confidence=0.7,
                                         probabilities={emotion: 0.7, "sad": 0.3}, is_primary=True)
    return capture.choose_primary(reading)


@pytest.fixture
def refreshes(monkeypatch) -> list:
    calls = []
    monkeypatch.setattr("emotion.services.playlist_refresh_for_mood", lambda **kw: calls.append(kw))
    return calls


def test_the_owner_corrects_a_reading_and_the_models_is_kept(alice, alice_api, refreshes):
    entry = camera_entry(alice, "happy")

    response = alice_api.patch(f"/api/moods/{entry.pk}/", {"emotion": "sad"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["emotion"], body["model_emotion"]) == ("sad", "happy")
    assert body["corrected_at"]
    entry.refresh_from_db()
    assert (entry.emotion, entry.model_emotion, entry.source) == ("sad", "happy", "camera")
    assert refreshes == [{"user": alice, "emotion": "sad"}]


def test_a_second_correction_keeps_the_first_reading(alice, alice_api, refreshes):
    entry = camera_entry(alice, "happy")
    alice_api.patch(f"/api/moods/{entry.pk}/", {"emotion": "sad"}, format="json")

    alice_api.patch(f"/api/moods/{entry.pk}/", {"emotion": "fear"}, format="json")

    entry.refresh_from_db()
    assert (entry.emotion, entry.model_emotion) == ("fear", "happy")


def test_correcting_back_to_the_models_reading_undoes_the_correction(alice, alice_api, refreshes):
    entry = camera_entry(alice, "happy")
    alice_api.patch(f"/api/moods/{entry.pk}/", {"emotion": "sad"}, format="json")

    body = alice_api.patch(f"/api/moods/{entry.pk}/", {"emotion": "happy"}, format="json").json()

    assert (body["emotion"], body["model_emotion"], body["corrected_at"]) == ("happy", "", None)


def test_a_manual_entry_can_be_changed_too(alice, alice_api, refreshes):
    entry = MoodEntry.objects.create(owner=alice, emotion="neutral", source=MoodEntry.Source.MANUAL)

    body = alice_api.patch(f"/api/moods/{entry.pk}/", {"emotion": "happy"}, format="json").json()

    assert (body["emotion"], body["model_emotion"], body["source"]) == ("happy", "neutral", "manual")


def test_an_unknown_emotion_is_refused_with_code_and_detail(alice, alice_api, refreshes):
    entry = camera_entry(alice, "happy")

    response = alice_api.patch(f"/api/moods/{entry.pk}/", {"emotion": "bored"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_emotion"
    assert "happy" in response.json()["detail"]
    entry.refresh_from_db()
    assert (entry.emotion, entry.corrected_at) == ("happy", None)
    assert refreshes == []


def test_a_stranger_cannot_correct_or_read_anothers_entry(alice, bob_api, refreshes):
    entry = camera_entry(alice, "happy")

    assert bob_api.patch(f"/api/moods/{entry.pk}/", {"emotion": "sad"}, format="json").status_code == 404
    assert bob_api.get(f"/api/moods/{entry.pk}/").status_code == 404

    entry.refresh_from_db()
    assert entry.emotion == "happy" and refreshes == []


def test_nobody_signed_in_cannot_correct(client, alice):
    entry = camera_entry(alice, "happy")

    response = client.patch(f"/api/moods/{entry.pk}/", {"emotion": "sad"}, content_type="application/json")

    assert response.status_code == 401


def test_picking_another_face_drops_a_correction_made_for_the_first(alice, alice_api, refreshes):
    entry = camera_entry(alice, "happy")
    other = FaceReading.objects.create(capture=entry.capture, x=200, y=0, w=50, h=50, emotion="angry",
                                       confidence=0.6, probabilities={"angry": 0.6})
    alice_api.patch(f"/api/moods/{entry.pk}/", {"emotion": "sad"}, format="json")

    alice_api.post(f"/api/captures/{entry.capture_id}/primary/", {"face": other.pk}, format="json")

    entry.refresh_from_db()
    assert (entry.emotion, entry.model_emotion, entry.corrected_at) == ("angry", "", None)


def test_the_export_holds_both_the_correction_and_the_models_reading(client, alice, refreshes):
    entry = camera_entry(alice, "happy")
    entry.correct("sad")
    client.force_login(alice)

    moods = client.get("/accounts/export/").json()["moods"]

    assert [(m["emotion"], m["model_emotion"]) for m in moods] == [("sad", "happy")]
    assert moods[0]["corrected_at"]


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_table_sets_the_models_reading_against_corrections(admin_client, alice, bob):
    camera_entry(alice, "happy").correct("sad")
    camera_entry(bob, "happy").correct("sad")
    camera_entry(bob, "happy")
    camera_entry(alice, "angry").correct("neutral")

    response = admin_client.get(reverse("admin:emotion_moodentry_corrections"))

    assert response.status_code == 200
    rows = {row["emotion"]: row for row in response.context["rows"]}
    assert (rows["happy"]["readings"], rows["happy"]["corrected"]) == (3, 2)
    assert rows["happy"]["to"][4] == 2  # column order follows EMOTIONS: sad is fifth
    assert (rows["angry"]["readings"], rows["angry"]["corrected"]) == (1, 1)
    assert rows["fear"]["corrected_share"] is None
    assert response.context["total_corrected"] == 3 and response.context["total_readings"] == 4


def test_admin_export_links_images_only_where_they_were_kept(admin_client, alice, bob):
    camera_entry(alice, "happy", keep_image=True).correct("sad")
    camera_entry(bob, "fear", keep_image=False).correct("surprise")
    camera_entry(bob, "neutral")  # not corrected: not exported

    response = admin_client.get(reverse("admin:emotion_moodentry_corrections_csv"))

    assert response.status_code == 200
    rows = {r["model_emotion"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert set(rows) == {"happy", "fear"}
    assert rows["happy"]["corrected_to"] == "sad" and "/media/captures/" in rows["happy"]["image"]
    assert rows["fear"]["image"] == ""
    assert rows["happy"]["model_version"] == "test+haar"


def test_corrections_pages_are_closed_to_people_who_are_not_staff(client, alice):
    client.force_login(alice)

    assert client.get(reverse("admin:emotion_moodentry_corrections")).status_code == 302
    assert client.get(reverse("admin:emotion_moodentry_corrections_csv")).status_code == 302
