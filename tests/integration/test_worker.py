"""Captures analysed by a real Celery worker on Redis and PostgreSQL."""

import json
import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from emotion.models import Capture, MoodEntry
from tests.images import fixture_bytes
from tests.integration.conftest import database_url, redis_url, wait_for

pytestmark = pytest.mark.integration


def test_a_posted_capture_is_analysed_by_the_worker_and_its_image_removed(celery_worker_process, alice_api, alice):
    image = SimpleUploadedFile("me.jpg", fixture_bytes("astronaut.png"), "image/jpeg")
    response = alice_api.post("/api/captures/", {"image": image}, format="multipart")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    capture = Capture.objects.get(pk=response.json()["id"])
    image_name = capture.image.name
    assert capture.image.storage.exists(image_name)

    def finished():
        capture.refresh_from_db()
        return capture.status in ("done", "failed")

    wait_for(finished, timeout=90)
    assert capture.status == "done", capture.error_message
    assert capture.readings.count() == 1
    assert MoodEntry.objects.get(capture=capture).emotion == capture.readings.get().emotion
    assert not capture.image and not capture.image.storage.exists(image_name)
    detail = alice_api.get(f"/api/captures/{capture.pk}/").json()
    assert detail["status"] == "done" and detail["faces"][0]["is_primary"]


def test_a_live_sessions_captures_analysed_by_the_worker_give_one_entry_for_the_held_mood(
    celery_worker_process, alice_api, alice
):
    session = alice_api.post("/api/live-sessions/").json()
    ids = []
    for _ in range(4):  # sent as a live page does, without waiting for each result
        image = SimpleUploadedFile("me.png", fixture_bytes("astronaut.png"), "image/png")
        response = alice_api.post("/api/captures/", {"image": image, "live_session": session["id"]},
                                  format="multipart")
        assert response.status_code == 202
        ids.append(response.json()["id"])

    wait_for(lambda: Capture.objects.filter(pk__in=ids, status="done").count() == len(ids), timeout=90)
    assert list(Capture.objects.filter(pk__in=ids).values_list("held_emotion", flat=True)) == ["happy"] * 4
    assert MoodEntry.objects.filter(owner=alice).count() == 1
    state = alice_api.get(session["url"]).json()
    assert (state["held_emotion"], state["readings"], state["entries"]) == ("happy", 4, 1)


def test_the_worker_survives_a_damaged_upload_and_goes_on(celery_worker_process, alice):
    from django.core.files.base import ContentFile

    from emotion.tasks import analyse_capture

    broken = Capture(owner=alice)
    broken.image.save("x.jpg", ContentFile(b"\xff\xd8\xff\xe0 definitely not a jpeg"), save=False)
    broken.save()
    good = Capture(owner=alice)
    good.image.save("y.jpg", ContentFile(fixture_bytes("astronaut.png")), save=False)
    good.save()
    analyse_capture.delay(broken.pk)
    analyse_capture.delay(good.pk)
    wait_for(lambda: Capture.objects.filter(status="done", pk=good.pk).exists(), timeout=90)
    broken.refresh_from_db()
    assert broken.status == "failed" and broken.error_code == "corrupt"
    assert celery_worker_process.poll() is None


PROBE = """
import gc, json, os, re, sys
import django
django.setup()
from django.test import Client
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from accounts.models import User
from emotion import engine
import moodmusic.wsgi  # noqa: F401
user, _ = User.objects.get_or_create(username="probe", defaults={"face_analysis_consent_at": timezone.now()})
client = Client()
client.force_login(user)
data = open(sys.argv[1], "rb").read()
response = client.post("/api/captures/", {"image": SimpleUploadedFile("a.png", data, "image/png")},
                       HTTP_HOST="127.0.0.1")
# Private mode: the capture page names the served version and a device reading is checked against it.
page = client.get("/capture/", HTTP_HOST="127.0.0.1").content.decode()
private = json.loads(re.search(r'id="private-config" type="application/json">(.*?)</script>', page).group(1))
p = {"angry": 0.1, "disgust": 0, "fear": 0, "happy": 0.8, "sad": 0, "surprise": 0, "neutral": 0.1}
reading = {"width": 640, "height": 480, "on_device": True, "model_version": private["model_version"],
           "timings": {"detect": 9, "classify": 6},
           "faces": [{"box": {"x": 9, "y": 9, "w": 90, "h": 90}, "probabilities": p}]}
device = client.post("/api/captures/device/", reading, content_type="application/json", HTTP_HOST="127.0.0.1")
print(json.dumps({"status": response.status_code, "device": device.status_code,
                  "tensorflow": "tensorflow" in sys.modules,
                  "keras": "keras" in sys.modules, "pipeline_loaded": engine.is_loaded(),
                  "litert_interpreters": sum(type(o).__name__ == "Interpreter" for o in gc.get_objects())}))
"""


def test_the_web_process_never_imports_tensorflow_or_loads_the_model(transactional_db, tmp_path, settings):
    from tests.images import FIXTURES

    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url(), "MEDIA_ROOT": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "moodmusic.settings"}
    out = subprocess.run([sys.executable, "-c", PROBE, str(FIXTURES / "astronaut.png")], cwd=settings.BASE_DIR,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"status": 202, "device": 201, "tensorflow": False, "keras": False, "pipeline_loaded": False,
                      "litert_interpreters": 0}
