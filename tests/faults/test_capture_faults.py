"""Every accepted capture ends done, exactly once, through a dead worker, a lost queue and a broker outage.

Real processes: a redis-server of the test's own, Celery workers with the beat sweeper, PostgreSQL.
"""

import os
import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from emotion.models import Capture, FaceReading, MoodEntry
from tests.images import fixture_bytes
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.fault]

PHOTO = fixture_bytes("astronaut.png")


def post_captures(client, count: int) -> list[int]:
    ids = []
    for i in range(count):
        response = client.post("/api/captures/", {"image": SimpleUploadedFile(f"{i}.jpg", PHOTO, "image/jpeg")},
                               format="multipart")
        assert response.status_code == 202, response.content
        ids.append(response.json()["id"])
    return ids


def all_done(ids: list[int]) -> bool:
    return Capture.objects.filter(pk__in=ids, status=Capture.Status.DONE).count() == len(ids)


def assert_each_analysed_once(ids: list[int]) -> None:
    assert set(Capture.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"done"}
    assert FaceReading.objects.filter(capture_id__in=ids).count() == len(ids)  # one face a photo, no duplicates
    assert MoodEntry.objects.filter(capture_id__in=ids).count() == len(ids)


def test_captures_survive_a_worker_killed_mid_analysis(workers, alice_api, alice):
    first = workers.start()
    ids = post_captures(alice_api, 12)

    wait_for(lambda: Capture.objects.filter(pk__in=ids, status=Capture.Status.PROCESSING).exists(), timeout=60,
             interval=0.01)
    os.kill(first.pid, signal.SIGKILL)  # the worker's main process, as an OOM killer or a crash would
    first.wait(timeout=10)
    assert not all_done(ids)

    workers.start()
    wait_for(lambda: all_done(ids), timeout=90)
    assert_each_analysed_once(ids)


def test_captures_survive_redis_losing_its_queue(workers, own_redis, alice_api, alice):
    ids = post_captures(alice_api, 5)  # queued in Redis, no worker yet
    assert Capture.objects.filter(pk__in=ids, status=Capture.Status.QUEUED).count() == 5

    own_redis.kill()
    own_redis.start()  # empty: the messages are gone for good
    workers.start()

    wait_for(lambda: all_done(ids), timeout=90)
    assert_each_analysed_once(ids)


def test_captures_posted_while_the_broker_is_down_are_accepted_and_analysed_later(workers, own_redis, alice_api,
                                                                                   alice):
    own_redis.kill()

    ids = post_captures(alice_api, 3)  # 202 each: stored, waiting for the broker
    assert Capture.objects.filter(pk__in=ids, status=Capture.Status.QUEUED).count() == 3

    own_redis.start()
    workers.start()
    wait_for(lambda: all_done(ids), timeout=90)
    assert_each_analysed_once(ids)
