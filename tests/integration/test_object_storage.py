"""Web and worker on machines that share no disk: pictures go through an S3-compatible bucket (SeaweedFS).

The web side (this process) and the Celery worker (a subprocess) each have a MEDIA_ROOT of their own; the
only thing they share is the bucket, PostgreSQL and Redis, as on two machines.
"""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import user_delete
from emotion.models import Capture, MoodEntry
from tests.images import fixture_bytes
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def web_media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "web-media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def worker_media(tmp_path) -> Path:
    media = tmp_path / "worker-media"
    media.mkdir()
    return media


@pytest.fixture
def worker_env(s3_storage, worker_media) -> dict[str, str]:
    return {**s3_storage.env, "MEDIA_ROOT": str(worker_media)}


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


def post_capture(client) -> Capture:
    image = SimpleUploadedFile("me.jpg", fixture_bytes("astronaut.png"), "image/jpeg")
    response = client.post("/api/captures/", {"image": image}, format="multipart")
    assert response.status_code == 202, response.content
    return Capture.objects.get(pk=response.json()["id"])


def finished(capture: Capture) -> bool:
    capture.refresh_from_db()
    return capture.status in ("done", "failed")


def test_a_worker_with_another_disk_analyses_a_capture_from_the_bucket_and_deletes_it(
        web_media, worker_media, s3_storage, celery_worker_process, alice_api, alice):
    assert web_media != worker_media
    capture = post_capture(alice_api)
    assert s3_storage.keys() == [capture.image.name]  # in the bucket, not on the web's disk
    assert files_under(web_media) == []

    wait_for(lambda: finished(capture), timeout=90)

    assert capture.status == "done", capture.error_message
    assert capture.readings.count() == 1
    assert MoodEntry.objects.get(capture=capture).emotion == capture.readings.get().emotion
    assert s3_storage.keys() == []  # deleted after analysis, by the worker, from the bucket
    assert files_under(web_media) == [] and files_under(worker_media) == []


def test_a_kept_picture_stays_in_the_bucket_until_the_account_is_deleted(
        web_media, s3_storage, celery_worker_process, alice_api, alice, bob):
    alice.keep_captures = True
    alice.save(update_fields=["keep_captures"])
    kept = post_capture(alice_api)
    wait_for(lambda: finished(kept), timeout=90)
    assert kept.status == "done" and kept.image
    bobs = Capture.objects.create(owner=bob, image="captures/bob.jpg")
    default_storage.save(bobs.image.name, SimpleUploadedFile("b.jpg", b"bob's picture"))
    assert s3_storage.keys() == sorted([kept.image.name, bobs.image.name])

    user_delete(user=alice)

    assert s3_storage.keys() == [bobs.image.name]
    assert not Capture.objects.filter(pk=kept.pk).exists()
