"""The sweeper: what a lost message or a dead worker left behind is sent again, once, until it ends."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from emotion import services
from emotion.models import Capture, MoodEntry
from tests.images import fixture_bytes

LONG_AGO = timedelta(minutes=10)


def stored_capture(owner, status=Capture.Status.QUEUED, **fields) -> Capture:
    capture = Capture(owner=owner, status=status, **fields)
    capture.image.save("frame.jpg", ContentFile(fixture_bytes("astronaut.png")), save=False)
    capture.save()
    return capture


def test_a_queued_capture_whose_message_was_lost_is_sent_again_and_analysed(alice):
    capture = stored_capture(alice, sent_at=timezone.now() - LONG_AGO)

    counts = services.captures_sweep()

    capture.refresh_from_db()
    assert counts["resent"] == 1
    assert capture.status == "done" and MoodEntry.objects.filter(capture=capture).count() == 1


def test_a_capture_that_was_never_sent_is_sent_once_it_has_waited(alice):
    capture = stored_capture(alice, created_at=timezone.now() - LONG_AGO)
    services.captures_sweep()
    capture.refresh_from_db()
    assert capture.status == "done"


def test_a_capture_sent_a_moment_ago_is_left_to_its_worker(alice):
    capture = stored_capture(alice, sent_at=timezone.now())
    assert services.captures_sweep() == {"resent": 0, "recovered": 0, "failed": 0}
    capture.refresh_from_db()
    assert capture.status == "queued"


def test_a_capture_whose_worker_died_is_recovered(alice):
    old = timezone.now() - LONG_AGO
    capture = stored_capture(alice, status=Capture.Status.PROCESSING, sent_at=old, claimed_at=old, attempts=1)

    counts = services.captures_sweep()

    capture.refresh_from_db()
    assert counts["recovered"] == 1 and counts["resent"] == 1
    assert capture.status == "done" and capture.attempts == 2
    assert capture.readings.count() == 1


def test_a_capture_that_keeps_killing_workers_fails_with_a_message(alice, settings):
    old = timezone.now() - LONG_AGO
    capture = stored_capture(alice, status=Capture.Status.PROCESSING, claimed_at=old,
                             attempts=settings.CAPTURE_MAX_ATTEMPTS)

    assert services.captures_sweep()["failed"] == 1

    capture.refresh_from_db()
    assert capture.status == "failed" and capture.error_code == "internal"
    assert "Please try another picture" in capture.error_message
    assert not capture.image


def test_a_duplicate_message_leaves_a_capture_a_live_worker_holds(alice):
    capture = stored_capture(alice, status=Capture.Status.PROCESSING, claimed_at=timezone.now(), attempts=1)

    assert services.capture_analyse(capture_id=capture.pk) is None

    capture.refresh_from_db()
    assert capture.status == "processing" and capture.attempts == 1 and not capture.readings.exists()


def test_the_periodic_task_is_scheduled(settings):
    from worker.celery import app

    schedule = app.conf.beat_schedule["sweep-captures"]
    assert schedule["task"] == "emotion.tasks.sweep_captures"
    assert schedule["schedule"] == settings.CAPTURE_SWEEP_INTERVAL
    assert "emotion.tasks.sweep_captures" in app.tasks


def test_a_cache_outage_does_not_turn_a_capture_into_an_error(alice_api, settings,
                                                               django_capture_on_commit_callbacks):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens there

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post("/api/captures/", {"image": SimpleUploadedFile(
            "me.jpg", fixture_bytes("astronaut.png"), "image/jpeg")}, format="multipart")

    assert response.status_code == 202
    capture = Capture.objects.get(pk=response.json()["id"])
    assert capture.status == "done", capture.error_message
    assert MoodEntry.objects.filter(capture=capture).exists()


def test_a_processing_capture_is_recovered_only_after_the_hard_time_limit_plus_the_requeue_wait(alice, settings):
    """A worker may legitimately hold a capture until the hard time limit kills it; only then plus
    CAPTURE_REQUEUE_AFTER is it presumed dead. Earlier would analyse the same picture twice at once."""
    settings.CAPTURE_TIME_LIMIT, settings.CAPTURE_HARD_TIME_LIMIT, settings.CAPTURE_REQUEUE_AFTER = 60, 75, 30
    claimed = timezone.now()
    capture = stored_capture(alice, status=Capture.Status.PROCESSING, sent_at=claimed, claimed_at=claimed,
                             attempts=1)

    for seconds_later in (31, 60, 75, 104):  # past the requeue wait, the soft and the hard limit: still its worker's
        assert services.captures_sweep(now=claimed + timedelta(seconds=seconds_later)) == {
            "resent": 0, "recovered": 0, "failed": 0}, seconds_later
        capture.refresh_from_db()
        assert capture.status == "processing" and capture.attempts == 1

    counts = services.captures_sweep(now=claimed + timedelta(seconds=75 + 30 + 1))
    assert counts["recovered"] == 1


def test_a_duplicate_message_is_ignored_until_the_claim_is_stale(alice, settings):
    settings.CAPTURE_HARD_TIME_LIMIT, settings.CAPTURE_REQUEUE_AFTER = 75, 30
    capture = stored_capture(alice, status=Capture.Status.PROCESSING, attempts=1,
                             claimed_at=timezone.now() - timedelta(seconds=31))
    assert services.capture_analyse(capture_id=capture.pk) is None
    Capture.objects.filter(pk=capture.pk).update(claimed_at=timezone.now() - timedelta(seconds=75 + 30 + 1))
    assert services.capture_analyse(capture_id=capture.pk).status == "done"
