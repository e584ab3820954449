"""Every capture and mood endpoint, tried by its owner, by a stranger and by nobody."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from emotion.models import Capture, FaceReading, MoodEntry
from tests.images import fixture_bytes


def make_capture(owner, n_faces: int = 2) -> Capture:
    capture = Capture.objects.create(owner=owner, status=Capture.Status.DONE, width=640, height=480)
    for i in range(n_faces):
        FaceReading.objects.create(capture=capture, x=10 + 100 * i, y=10, w=90 - 10 * i, h=90 - 10 * i,
                                   emotion=["happy", "sad"][i % 2], confidence=0.8,
                                   probabilities={"happy": 0.8}, is_primary=(i == 0))
    capture.choose_primary(capture.readings.order_by("id").first())
    return capture


def test_anonymous_requests_are_refused(client, db):
    assert client.get("/api/moods/").status_code == 401
    assert client.post("/api/captures/").status_code == 401


def test_a_posted_capture_is_analysed_and_readable_by_its_owner(
    alice_api, alice, django_capture_on_commit_callbacks
):
    image = SimpleUploadedFile("me.jpg", fixture_bytes("astronaut.png"), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post("/api/captures/", {"image": image}, format="multipart")
    assert response.status_code == 202
    body = response.json()
    assert body["url"].endswith(f"/api/captures/{body['id']}/")
    detail = alice_api.get(body["url"]).json()
    assert detail["status"] == "done"
    assert len(detail["faces"]) == 1
    face = detail["faces"][0]
    assert face["is_primary"] and face["emotion"] in face["probabilities"]
    assert sum(face["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
    assert detail["mood"]["emotion"] == face["emotion"]
    assert MoodEntry.objects.get(owner=alice).capture_id == body["id"]


def test_a_stranger_gets_404_for_a_capture(alice, bob_api):
    capture = make_capture(alice)
    assert bob_api.get(f"/api/captures/{capture.pk}/").status_code == 404
    assert bob_api.post(f"/api/captures/{capture.pk}/primary/", {"face": 1}, format="json").status_code == 404


def test_the_owner_can_pick_another_face(alice, alice_api):
    capture = make_capture(alice)
    other = capture.readings.get(is_primary=False)
    response = alice_api.post(f"/api/captures/{capture.pk}/primary/", {"face": other.pk}, format="json")
    assert response.status_code == 200
    assert [f["id"] for f in response.json()["faces"] if f["is_primary"]] == [other.pk]
    assert MoodEntry.objects.get(capture=capture).emotion == other.emotion
    assert MoodEntry.objects.filter(owner=alice).count() == 1


def test_picking_a_face_of_another_capture_is_a_400(alice, alice_api):
    capture, foreign = make_capture(alice), make_capture(alice)
    response = alice_api.post(f"/api/captures/{capture.pk}/primary/",
                              {"face": foreign.readings.first().pk}, format="json")
    assert response.status_code == 400
    assert capture.readings.get(is_primary=True).pk == capture.readings.order_by("id").first().pk


def test_manual_moods_are_recorded_for_the_owner_only(alice, bob, alice_api, bob_api):
    response = alice_api.post("/api/moods/", {"emotion": "sad"}, format="json")
    assert response.status_code == 201
    assert response.json()["source"] == "manual"
    assert [m["emotion"] for m in alice_api.get("/api/moods/").json()["results"]] == ["sad"]
    assert bob_api.get("/api/moods/").json()["count"] == 0


def test_an_unknown_emotion_is_a_400(alice_api):
    response = alice_api.post("/api/moods/", {"emotion": "hangry"}, format="json")
    assert response.status_code == 400
    assert "emotion" in response.json()["fields"]
    assert MoodEntry.objects.count() == 0


def test_moods_are_paginated_and_filtered_by_date(alice, alice_api):
    now = timezone.now()
    for days in range(60):
        MoodEntry.objects.create(owner=alice, emotion="happy", source="manual",
                                 created_at=now - dt.timedelta(days=days))
    page = alice_api.get("/api/moods/").json()
    assert page["count"] == 60 and len(page["results"]) == 50 and page["next"]
    start = (now - dt.timedelta(days=9)).date().isoformat()
    recent = alice_api.get(f"/api/moods/?from={start}").json()
    assert recent["count"] == 10


def test_a_bad_date_is_a_400_with_a_reason(alice_api):
    response = alice_api.get("/api/moods/?from=yesterday")
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.json()["detail"]
    assert alice_api.get("/api/moods/?from=2026-02-02&to=2026-01-01").status_code == 400


def test_the_summary_counts_only_the_owners_moods(alice, bob, alice_api):
    for emotion in ["happy", "happy", "sad"]:
        MoodEntry.objects.create(owner=alice, emotion=emotion, source="manual")
    MoodEntry.objects.create(owner=bob, emotion="angry", source="manual")
    summary = alice_api.get("/api/moods/summary/").json()
    assert summary["total"] == 3
    assert summary["distribution"]["happy"] == 2 and summary["distribution"]["angry"] == 0
    assert sum(summary["timeline"][0]["counts"].values()) == 3


def test_the_owner_reads_one_mood_and_a_stranger_cannot(alice, alice_api, bob_api):
    entry = MoodEntry.objects.create(owner=alice, emotion="fear", source="manual")
    response = alice_api.get(f"/api/moods/{entry.pk}/")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["emotion"]) == (entry.pk, "fear")
    assert bob_api.get(f"/api/moods/{entry.pk}/").status_code == 404


def test_the_owner_deletes_a_mood_and_a_stranger_cannot(alice, alice_api, bob_api):
    entry = MoodEntry.objects.create(owner=alice, emotion="fear", source="manual")
    assert bob_api.delete(f"/api/moods/{entry.pk}/").status_code == 404
    assert MoodEntry.objects.filter(pk=entry.pk).exists()
    assert alice_api.delete(f"/api/moods/{entry.pk}/").status_code == 204
    assert not MoodEntry.objects.filter(pk=entry.pk).exists()


def test_token_auth_works_for_scripts(alice, db):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    assert client.get("/api/moods/").status_code == 200


def test_the_openapi_schema_lists_the_endpoints(alice_api):
    response = alice_api.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {"/api/captures/", "/api/captures/{id}/", "/api/captures/{id}/primary/",
                "/api/moods/", "/api/moods/{id}/", "/api/moods/summary/"}
    assert expected <= set(paths)


def test_a_capture_without_consent_to_face_analysis_is_refused_and_nothing_stored(alice, alice_api):
    alice.face_analysis_consent_at = None
    alice.save(update_fields=["face_analysis_consent_at"])
    photo = SimpleUploadedFile("me.jpg", fixture_bytes("astronaut.png"), "image/jpeg")

    response = alice_api.post("/api/captures/", {"image": photo}, format="multipart")

    assert response.status_code == 403
    assert response.json()["code"] == "consent_required"
    assert not Capture.objects.filter(owner=alice).exists()
