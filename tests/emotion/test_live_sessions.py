"""Live sessions: the held mood, one history entry per held mood (or per LIVE_SESSION_ENTRY_MINUTES), the API."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from emotion import services
from emotion.models import Capture, FaceReading, LiveSession, MoodEntry
from emotion.vision.labels import EMOTIONS
from tests.images import fixture_bytes


def live_capture(session: LiveSession, emotion: str, at=None) -> tuple[Capture, FaceReading]:
    """A done capture of the session with one face read as ``emotion``; ``live_session_record`` not yet run."""
    capture = Capture.objects.create(owner=session.owner, status=Capture.Status.DONE, live_session=session,
                                     created_at=at or timezone.now())
    probabilities = {e: (0.7 if e == emotion else 0.05) for e in EMOTIONS}
    reading = FaceReading.objects.create(capture=capture, x=0, y=0, w=50, h=50, emotion=emotion, confidence=0.7,
                                         probabilities=probabilities, is_primary=True)
    return capture, reading


def read(session: LiveSession, emotions: list[str], start=None, step=timedelta(seconds=5)) -> list[Capture]:
    start = start or timezone.now()
    captures = []
    for i, emotion in enumerate(emotions):
        capture, reading = live_capture(session, emotion, at=start + i * step)
        services.live_session_record(capture=capture, reading=reading)
        captures.append(capture)
    return captures


def test_history_gets_one_entry_per_held_mood_not_one_per_picture(alice):
    session = services.live_session_start(owner=alice)
    captures = read(session, ["happy", "happy", "sad", "happy", "happy", "sad", "sad", "sad"])

    entries = list(MoodEntry.objects.filter(owner=alice).order_by("created_at"))
    assert [e.emotion for e in entries] == ["happy", "sad"]
    assert [e.capture_id for e in entries] == [captures[0].pk, captures[6].pk]  # where the held mood changed
    assert all(e.source == "camera" for e in entries)
    session.refresh_from_db()
    assert (session.held_emotion, session.readings, session.entries, session.last_entry) == ("sad", 8, 2, entries[1])
    assert [c.held_emotion for c in Capture.objects.filter(pk__in=[c.pk for c in captures]).order_by("created_at")] \
        == ["happy"] * 6 + ["sad"] * 2


def test_a_held_mood_gets_another_entry_after_the_set_minutes(alice, settings):
    settings.LIVE_SESSION_ENTRY_MINUTES = 10
    session = services.live_session_start(owner=alice)
    read(session, ["neutral"] * 6, step=timedelta(minutes=3))  # 0, 3, 6, 9, 12, 15 minutes

    times = [e.created_at for e in MoodEntry.objects.filter(owner=alice).order_by("created_at")]
    assert len(times) == 2 and times[1] - times[0] == timedelta(minutes=12)


def test_a_live_capture_is_analysed_into_the_held_mood(alice, django_capture_on_commit_callbacks):
    session = services.live_session_start(owner=alice)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.capture_create(owner=alice, data=fixture_bytes("astronaut.png"), live_session=session)
    first, second = Capture.objects.filter(owner=alice).order_by("created_at")
    assert first.status == second.status == "done"
    assert first.held_emotion == second.held_emotion == "happy"
    assert MoodEntry.objects.get(owner=alice).capture_id == first.pk  # the same mood again adds no entry
    assert not MoodEntry.objects.filter(capture=second).exists()


def test_a_capture_without_a_face_leaves_the_held_mood(alice, django_capture_on_commit_callbacks):
    session = services.live_session_start(owner=alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.capture_create(owner=alice, data=fixture_bytes("coffee.png"), live_session=session)
    session.refresh_from_db()
    assert (session.readings, session.held_emotion, session.entries) == (0, "", 0)


def test_the_owner_starts_reads_and_stops_a_session_through_the_api(alice, alice_api,
                                                                    django_capture_on_commit_callbacks):
    started = alice_api.post("/api/live-sessions/")
    assert started.status_code == 201
    session = started.json()
    assert (session["held_emotion"], session["readings"], session["last_entry"]) == ("", 0, None)

    for _ in range(2):
        image = SimpleUploadedFile("me.png", fixture_bytes("astronaut.png"), "image/png")
        with django_capture_on_commit_callbacks(execute=True):
            posted = alice_api.post("/api/captures/", {"image": image, "live_session": session["id"]},
                                    format="multipart")
        assert posted.status_code == 202
    body = alice_api.get(posted.json()["url"]).json()
    assert body["live"]["session"] == session["id"]
    assert body["live"]["held_emotion"] == "happy" and body["live"]["readings"] == 2
    assert body["mood"] is None and body["live"]["entry"]["emotion"] == "happy"

    stopped = alice_api.post(f"/api/live-sessions/{session['id']}/stop/")
    assert stopped.status_code == 200 and stopped.json()["stopped_at"]
    image = SimpleUploadedFile("me.png", fixture_bytes("astronaut.png"), "image/png")
    late = alice_api.post("/api/captures/", {"image": image, "live_session": session["id"]}, format="multipart")
    assert late.status_code == 409 and late.json()["code"] == "live_session_stopped"
    assert Capture.objects.filter(owner=alice).count() == 2  # nothing stored for the refused one
    assert alice_api.get(session["url"]).json()["entries"] == 1


def test_a_plain_capture_has_no_live_part(alice, alice_api, django_capture_on_commit_callbacks):
    image = SimpleUploadedFile("me.png", fixture_bytes("astronaut.png"), "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        posted = alice_api.post("/api/captures/", {"image": image}, format="multipart")
    body = alice_api.get(posted.json()["url"]).json()
    assert body["live"] is None and body["mood"]["emotion"] == "happy"


def test_a_stranger_cannot_see_stop_or_capture_into_a_session(alice, bob, bob_api):
    session = services.live_session_start(owner=alice)
    assert bob_api.get(f"/api/live-sessions/{session.pk}/").status_code == 404
    assert bob_api.post(f"/api/live-sessions/{session.pk}/stop/").status_code == 404
    image = SimpleUploadedFile("me.png", fixture_bytes("astronaut.png"), "image/png")
    refused = bob_api.post("/api/captures/", {"image": image, "live_session": session.pk}, format="multipart")
    assert refused.status_code == 400 and refused.json()["code"] == "unknown_live_session"
    assert not Capture.objects.filter(owner=bob).exists()
    session.refresh_from_db()
    assert session.stopped_at is None


def test_nobody_signed_in_gets_a_401(client, db):
    assert client.post("/api/live-sessions/").status_code == 401


@pytest.mark.parametrize("value", ["abc", "-1"])
def test_a_malformed_session_is_a_400_with_a_code(alice_api, value):
    image = SimpleUploadedFile("me.png", fixture_bytes("astronaut.png"), "image/png")
    response = alice_api.post("/api/captures/", {"image": image, "live_session": value}, format="multipart")
    assert response.status_code == 400 and set(response.json()) >= {"code", "detail"}
