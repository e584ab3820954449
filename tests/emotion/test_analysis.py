"""The analysis service on real photos: readings, mood, image retention, idempotency."""

import pytest
from django.core.files.base import ContentFile

from emotion import services
from emotion.models import Capture, MoodEntry
from tests.images import fixture_bytes, small_jpeg


def stored_capture(owner, data: bytes, keep: bool = False) -> Capture:
    capture = Capture(owner=owner, keep_image=keep)
    capture.image.save("frame.jpg", ContentFile(data), save=False)
    capture.save()
    return capture


def test_a_smiling_face_gives_a_happy_mood_and_the_image_is_deleted(alice, django_capture_on_commit_callbacks):
    capture = stored_capture(alice, fixture_bytes("astronaut.png"))
    path = capture.image.path
    with django_capture_on_commit_callbacks(execute=True):
        services.capture_analyse(capture_id=capture.pk)
    capture.refresh_from_db()
    assert capture.status == "done"
    assert capture.readings.count() == 1
    reading = capture.readings.get()
    assert reading.is_primary and reading.emotion == "happy"
    assert MoodEntry.objects.get(capture=capture).emotion == "happy"
    assert not capture.image
    assert not __import__("os").path.exists(path)
    assert set(capture.timings) >= {"decode", "detect", "classify", "total"}


def test_a_worker_dying_before_the_result_is_committed_leaves_the_picture(alice, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    """The file goes only once the result is committed, so the sweeper's retry still has a picture."""
    capture = stored_capture(alice, fixture_bytes("astronaut.png"))
    path = capture.image.path

    def dies(*args, **kwargs):
        raise SystemExit("killed")  # the worker dies in the middle of recording the result

    monkeypatch.setattr(Capture, "choose_primary", dies)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SystemExit):
        services.capture_analyse(capture_id=capture.pk)
    capture.refresh_from_db()
    assert capture.status == "processing" and capture.readings.count() == 0
    assert capture.image and __import__("os").path.exists(path)


def test_a_kept_capture_keeps_its_image(alice):
    capture = stored_capture(alice, fixture_bytes("astronaut.png"), keep=True)
    services.capture_analyse(capture_id=capture.pk)
    capture.refresh_from_db()
    assert capture.status == "done" and capture.image and capture.image.storage.exists(capture.image.name)


@pytest.mark.parametrize("photo", ["coffee.png", "chelsea.png"])
def test_no_face_is_done_with_a_clear_message(alice, photo):
    capture = stored_capture(alice, fixture_bytes(photo))
    services.capture_analyse(capture_id=capture.pk)
    capture.refresh_from_db()
    assert capture.status == "done" and capture.error_code == "no_face"
    assert "No face found" in capture.error_message and "light" in capture.error_message
    assert not MoodEntry.objects.filter(owner=alice).exists()


def test_analysing_twice_leaves_one_result(alice):
    capture = stored_capture(alice, fixture_bytes("astronaut.png"), keep=True)
    services.capture_analyse(capture_id=capture.pk)
    assert services.capture_analyse(capture_id=capture.pk) is None
    Capture.objects.filter(pk=capture.pk).update(status=Capture.Status.PROCESSING)  # as if a worker died
    services.capture_analyse(capture_id=capture.pk)
    assert capture.readings.count() == 1
    assert MoodEntry.objects.filter(capture=capture).count() == 1


def test_a_damaged_stored_image_fails_the_capture_not_the_worker(alice):
    capture = stored_capture(alice, small_jpeg()[:40])
    services.capture_analyse(capture_id=capture.pk)
    capture.refresh_from_db()
    assert capture.status == "failed" and capture.error_code == "corrupt"
    assert not capture.image


def test_a_missing_image_file_fails_the_capture(alice):
    capture = stored_capture(alice, fixture_bytes("astronaut.png"))
    capture.image.storage.delete(capture.image.name)
    services.capture_analyse(capture_id=capture.pk)
    capture.refresh_from_db()
    assert capture.status == "failed" and capture.error_code == "image_missing"


def test_the_task_turns_unexpected_errors_into_a_failed_capture(alice, monkeypatch):
    from emotion.tasks import analyse_capture

    capture = stored_capture(alice, fixture_bytes("astronaut.png"))

    def explode(**kwargs):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(services, "capture_analyse", explode)
    assert analyse_capture.apply(args=[capture.pk]).get() == "failed"
    capture.refresh_from_db()
    assert capture.status == "failed" and "try again" in capture.error_message


def test_the_admin_action_requeues_only_kept_captures(alice, django_capture_on_commit_callbacks):
    kept = stored_capture(alice, fixture_bytes("astronaut.png"), keep=True)
    gone = stored_capture(alice, fixture_bytes("astronaut.png"))
    services.capture_analyse(capture_id=kept.pk)
    services.capture_analyse(capture_id=gone.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.capture_reanalyse(capture=Capture.objects.get(pk=kept.pk)) is True
        assert services.capture_reanalyse(capture=Capture.objects.get(pk=gone.pk)) is False
    kept.refresh_from_db()
    assert kept.status == "done" and kept.readings.count() == 1


def test_a_new_mood_asks_for_a_playlist_refresh_for_its_emotion(alice, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "playlist_refresh_for_mood", lambda **kw: calls.append(kw))
    capture = stored_capture(alice, fixture_bytes("astronaut.png"))
    services.capture_analyse(capture_id=capture.pk)
    services.mood_create_manual(owner=alice, emotion="sad")
    services.capture_analyse(capture_id=stored_capture(alice, fixture_bytes("coffee.png")).pk)  # no face: no call
    assert calls == [{"user": alice, "emotion": "happy"}, {"user": alice, "emotion": "sad"}]
