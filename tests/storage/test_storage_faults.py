"""A picture store that is full or unreachable: a clear 507/503, no row, no file; /health/ says which and why.

The full disk is a real FileSystemStorage whose writes fail with ENOSPC after the first chunk, as a disk that
fills up mid-write does (Django's own write loop leaves the partial file). The unreachable bucket is a real
S3 client pointed at a port nothing listens on.
"""

import errno
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from emotion import services, tasks
from emotion.models import Capture
from tests.images import fixture_bytes
from tests.objectstore import _free_port


class DiskFillsUp(File):
    """Content whose first chunk is written, then the disk is full."""

    def chunks(self, chunk_size=None):
        yield self.file.read(1024)
        raise OSError(errno.ENOSPC, "No space left on device")


class FullDiskStorage(FileSystemStorage):
    def _save(self, name, content):
        content.seek(0)
        return super()._save(name, DiskFillsUp(content.file, name))


FULL_DISK = {"BACKEND": "tests.storage.test_storage_faults.FullDiskStorage"}


def files_under(path: Path) -> list[Path]:
    return [p for p in Path(path).rglob("*") if p.is_file()] if Path(path).exists() else []


def post(client):
    image = SimpleUploadedFile("me.jpg", fixture_bytes("astronaut.png"), "image/jpeg")
    return client.post("/api/captures/", {"image": image}, format="multipart")


@pytest.fixture
def full_disk(settings):
    settings.STORAGES = {**settings.STORAGES, "default": FULL_DISK}
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def unreachable_bucket(settings):
    port = _free_port()  # nothing listens there
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "moodmusic.storage.PictureStorage",
        "OPTIONS": {"bucket_name": "captures", "endpoint_url": f"http://127.0.0.1:{port}", "access_key": "a",
                    "secret_key": "b", "region_name": "us-east-1"}}}


def test_a_full_disk_answers_507_with_a_message_and_keeps_no_row_and_no_file(full_disk, alice_api):
    for _ in range(3):
        response = post(alice_api)
        assert response.status_code == 507, response.content
        body = response.json()
        assert body["code"] == "storage_full" and "no room" in body["detail"] and "nothing was kept" in body["detail"]
        assert int(response["Retry-After"]) > 0
    assert Capture.objects.count() == 0
    assert files_under(full_disk) == []  # the partial files were removed


def test_an_unreachable_bucket_answers_503_and_keeps_no_row(unreachable_bucket, alice_api):
    response = post(alice_api)
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "storage_unavailable"
    assert Capture.objects.count() == 0


def test_health_names_a_full_disk_in_words(full_disk, db):
    response = Client().get("/health/")
    assert response.status_code == 500
    assert response.json()["checks"]["media_storage"] == "Unavailable: the media disk is full (No space left on device)"
    assert response.json()["checks"]["database"] == "ok"


def test_health_names_an_unreachable_object_store(unreachable_bucket, db):
    checks = Client().get("/health/").json()["checks"]
    assert checks["media_storage"].startswith("Unavailable: the object store cannot be reached (http://127.0.0.1:")


def test_health_names_a_bucket_it_cannot_use(s3_storage, settings, db):
    settings.STORAGES = {**settings.STORAGES, "default": {
        **s3_storage.storages_setting, "OPTIONS": {**s3_storage.storages_setting["OPTIONS"], "bucket_name": "nope"}}}
    checks = Client().get("/health/").json()["checks"]
    # SeaweedFS answers AccessDenied for a bucket that does not exist (AWS: NoSuchBucket or AccessDenied).
    assert checks["media_storage"] in (
        "Unavailable: access to the bucket is denied: Access Denied.",
        "Unavailable: the bucket does not exist: The specified bucket does not exist"), checks


def test_health_is_ok_on_the_bucket(s3_storage, db):
    assert Client().get("/health/").json()["checks"]["media_storage"] == "ok"
    assert s3_storage.keys() == []  # its test file is gone again


def test_the_bucket_deletes_a_picture_and_a_missing_one_is_no_error(s3_storage, db):
    name = default_storage.save("captures/2026/01/01/gone.jpg", ContentFile(b"x"))
    assert s3_storage.keys() == [name]

    default_storage.delete(name)
    default_storage.delete(name)  # already gone: as on a local disk, nothing to do

    assert s3_storage.keys() == []


# --- orphan pictures, on both backends -------------------------------------------------------------------------

@pytest.fixture(params=["filesystem", "bucket"])
def any_storage(request, settings):
    if request.param == "bucket":
        bucket = request.getfixturevalue("s3_storage")
        return lambda: bucket.keys()
    return lambda: sorted(str(p.relative_to(settings.MEDIA_ROOT)) for p in files_under(settings.MEDIA_ROOT))


def test_orphan_pictures_older_than_an_hour_are_deleted_and_owned_or_young_ones_kept(any_storage, alice):
    owned = Capture(owner=alice, keep_image=True)
    owned.image.save("kept.jpg", ContentFile(b"owned"), save=True)
    orphans = [default_storage.save(f"captures/2026/01/0{i}/orphan.jpg", ContentFile(b"x")) for i in (1, 2)]
    outside = default_storage.save("elsewhere/not-a-capture.txt", ContentFile(b"y"))
    assert any_storage() == sorted([owned.image.name, *orphans, outside])

    # Just written: too young to be sure that no capture is about to own it.
    assert services.capture_files_sweep() == {"checked": 3, "deleted": 0}
    later = timezone.now() + timedelta(hours=1, minutes=1)
    assert services.capture_files_sweep(now=later) == {"checked": 3, "deleted": 2}

    assert any_storage() == sorted([owned.image.name, outside])


def test_the_command_and_the_beat_task_sweep_orphans(settings, alice, capsys):
    old = default_storage.save("captures/2026/01/01/orphan.jpg", ContentFile(b"x"))
    call_command("sweep_capture_files", "--older-than", "60")
    assert "1 picture files checked, 0 orphans deleted" in capsys.readouterr().out
    call_command("sweep_capture_files", "--older-than", "0")
    assert "1 picture files checked, 1 orphans deleted" in capsys.readouterr().out
    assert not default_storage.exists(old)
    assert settings.CELERY_BEAT_SCHEDULE["sweep-capture-files"]["task"] == tasks.sweep_capture_files.name
    assert tasks.sweep_capture_files.apply().get() == {"checked": 0, "deleted": 0}


@pytest.fixture
def eager_retries():
    """In-process, a retry is run again inside ``apply`` only when errors are not re-raised at once."""
    from worker.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_a_picture_store_down_during_an_analysis_is_retried_not_failed(s3_storage, alice, eager_retries,
                                                                        django_capture_on_commit_callbacks):
    from unittest import mock

    from botocore.exceptions import EndpointConnectionError

    from tests.emotion.test_analysis import stored_capture

    capture = stored_capture(alice, fixture_bytes("astronaut.png"))
    storage = Capture._meta.get_field("image").storage  # the lazy default storage: the bucket here
    outages = [EndpointConnectionError(endpoint_url=s3_storage.server.endpoint_url)]

    def open_once_down(name, mode="rb"):
        if outages:
            raise outages.pop()
        return type(storage._wrapped)._open(storage._wrapped, name, mode)

    with mock.patch.object(storage._wrapped, "_open", side_effect=open_once_down), \
            django_capture_on_commit_callbacks(execute=True):
        tasks.analyse_capture.apply(args=(capture.pk,))

    capture.refresh_from_db()
    assert capture.status == "done" and capture.attempts == 1, capture.error_message
    assert s3_storage.keys() == []


def test_a_picture_gone_from_the_bucket_fails_the_capture_at_once(s3_storage, alice):
    from tests.emotion.test_analysis import stored_capture

    capture = stored_capture(alice, fixture_bytes("astronaut.png"))
    s3_storage.server.client().delete_object(Bucket=s3_storage.name, Key=capture.image.name)
    tasks.analyse_capture.apply(args=(capture.pk,))
    capture.refresh_from_db()
    assert capture.status == "failed" and capture.error_code == "image_missing"


def test_a_delete_the_bucket_refuses_after_analysis_leaves_the_capture_done_and_the_sweep_removes_it(
        s3_storage, alice, django_capture_on_commit_callbacks):
    from unittest import mock

    from botocore.exceptions import EndpointConnectionError

    from tests.emotion.test_analysis import stored_capture

    capture = stored_capture(alice, fixture_bytes("astronaut.png"))
    storage = Capture._meta.get_field("image").storage
    down = EndpointConnectionError(endpoint_url=s3_storage.server.endpoint_url)
    with mock.patch.object(storage._wrapped, "delete", side_effect=down), \
            django_capture_on_commit_callbacks(execute=True):
        assert tasks.analyse_capture.apply(args=(capture.pk,)).get() == "done"

    capture.refresh_from_db()
    assert capture.status == "done" and not capture.image
    assert len(s3_storage.keys()) == 1  # left behind, owned by no capture
    assert services.capture_files_sweep(now=timezone.now() + timedelta(hours=2))["deleted"] == 1
    assert s3_storage.keys() == []


def test_deleting_an_account_while_the_bucket_is_down_deletes_nothing_and_says_so(unreachable_bucket, alice):
    from django.db import connection

    from tests.factories import PASSWORD

    # Its picture row points at the bucket nobody serves; stored before it went down.
    Capture.objects.create(owner=alice, image="captures/2026/01/01/alice.jpg")
    client = Client()
    client.force_login(alice)

    response = client.post("/accounts/delete/", {"password": PASSWORD})

    assert response.status_code == 503
    assert "could not be deleted just now, so nothing was deleted" in response.content.decode()
    assert Capture.objects.filter(owner=alice).count() == 1 and connection.is_usable()
    assert client.get("/accounts/profile/").status_code == 200  # still signed in
