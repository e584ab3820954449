"""Behaviour an operator or a person relies on that nothing else pins: keeping images, the admin's
re-run action, and the analysis time limit."""

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from emotion import services, tasks
from emotion.models import Capture, MoodEntry
from tests.factories import UserFactory
from tests.images import fixture_bytes


def post_photo(client) -> Capture:
    photo = SimpleUploadedFile("me.jpg", fixture_bytes("astronaut.png"), "image/jpeg")
    response = client.post("/api/captures/", {"image": photo}, format="multipart")
    assert response.status_code == 202
    return Capture.objects.get(pk=response.json()["id"])


def test_keep_my_images_on_the_profile_keeps_the_next_capture_image(alice, alice_api,
                                                                     django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(alice)
    response = client.post("/accounts/profile/", {"display_name": "Alice", "email": alice.email,
                                                  "keep_captures": "on"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.keep_captures

    with django_capture_on_commit_callbacks(execute=True):
        capture = post_photo(alice_api)

    capture.refresh_from_db()
    assert capture.status == "done" and capture.keep_image
    assert capture.image and capture.image.storage.exists(capture.image.name)


def test_without_keep_my_images_the_image_is_deleted_after_analysis(alice, alice_api,
                                                                     django_capture_on_commit_callbacks):
    assert not alice.keep_captures
    with django_capture_on_commit_callbacks(execute=True):
        capture = post_photo(alice_api)
    capture.refresh_from_db()
    assert capture.status == "done" and not capture.image


def test_the_admin_re_runs_the_analysis_of_a_kept_capture(alice, django_capture_on_commit_callbacks):
    capture = Capture(owner=alice, keep_image=True)
    capture.image.save("frame.jpg", ContentFile(fixture_bytes("astronaut.png")), save=False)
    capture.save()
    services.capture_analyse(capture_id=capture.pk)
    capture.readings.update(emotion="sad")  # as if an older model had read it
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/emotion/capture/", {"action": "reanalyse", "_selected_action": [capture.pk]},
                               follow=True)

    assert response.status_code == 200
    capture.refresh_from_db()
    assert capture.status == "done" and capture.readings.count() == 1
    assert capture.readings.get().emotion == "happy"
    assert MoodEntry.objects.filter(capture=capture).count() == 1


def test_the_analysis_runs_under_the_configured_soft_time_limit(settings):
    assert tasks.analyse_capture.soft_time_limit == settings.CAPTURE_TIME_LIMIT
    assert tasks.analyse_capture.time_limit == settings.CAPTURE_HARD_TIME_LIMIT > settings.CAPTURE_TIME_LIMIT
    assert tasks.analyse_capture.acks_late and tasks.analyse_capture.reject_on_worker_lost


def test_an_analysis_past_its_time_limit_fails_with_a_message(alice, monkeypatch):
    capture = Capture.objects.create(owner=alice)

    def too_slow(*, capture_id):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "capture_analyse", too_slow)
    assert tasks.analyse_capture.apply(args=(capture.pk,)).get() == "timeout"

    capture.refresh_from_db()
    assert capture.status == "failed" and capture.error_code == "timeout"
    assert capture.error_message == "The analysis took too long. Please try again."
