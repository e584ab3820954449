"""Private mode: a reading made in the browser is recorded like a worker's, and nothing else is taken."""

import pytest
from django.urls import reverse

from emotion import engine
from emotion.models import Capture, MoodEntry
from emotion.vision.card import ModelCard
from emotion.vision.labels import EMOTIONS

URL = "/api/captures/device/"


def probabilities(top: str = "happy", p: float = 0.64) -> dict[str, float]:
    rest = (1 - p) / (len(EMOTIONS) - 1)
    return {emotion: p if emotion == top else rest for emotion in EMOTIONS}


def reading(**changes) -> dict:
    body = {
        "width": 640, "height": 480, "source": "webcam", "on_device": True,
        "model_version": engine.device_model_version(),
        "faces": [{"box": {"x": 200, "y": 90, "w": 120, "h": 150}, "probabilities": probabilities(),
                   "detector_score": 0.93}],
        "timings": {"detect": 6.5, "classify": 2.1},
    }
    return {**body, **changes}


def test_the_device_version_is_the_served_models_without_loading_it(settings):
    engine.reset()
    card = ModelCard.read(settings.EMOTION_MODEL_PATH)
    assert engine.device_model_version() == f"{card.version(settings.EMOTION_MODEL_PATH)}+yunet"
    assert not engine.is_loaded()


def test_the_device_version_equals_the_workers_classifier_version(settings):
    from emotion.vision.classifier import EmotionClassifier

    engine.reset()
    classifier = EmotionClassifier(settings.EMOTION_MODEL_PATH)
    assert engine.device_model_version() == f"{classifier.version}+yunet"


def test_flip_tta_is_part_of_the_device_version(settings):
    # The shipped decision step was fitted on flip-averaged faces: the version says so whatever the setting.
    settings.EMOTION_FLIP_TTA = False
    engine.reset()
    served = engine.device_model_version()
    assert served.endswith("+flip+yunet")
    settings.EMOTION_FLIP_TTA = True
    engine.reset()
    assert engine.device_model_version() == served
    engine.reset()


def test_a_device_reading_is_recorded_like_a_workers(alice, alice_api, monkeypatch):
    engine.reset()  # another test may have run an analysis in this process
    refreshed = []
    monkeypatch.setattr("emotion.services.playlist_refresh_for_mood",
                        lambda *, user, emotion: refreshed.append((user.pk, emotion)))
    response = alice_api.post(URL, reading(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "done" and body["on_device"] and body["source"] == "webcam"
    assert (body["width"], body["height"]) == (640, 480)
    assert body["model_version"] == engine.device_model_version()
    assert body["timings"]["detect"] == 6.5 and "store" in body["timings"]
    [face] = body["faces"]
    assert face["box"] == {"x": 200, "y": 90, "w": 120, "h": 150}
    assert face["emotion"] == "happy" and face["confidence"] == pytest.approx(0.64)
    assert face["is_primary"]
    capture = Capture.objects.get(pk=body["id"])
    assert not capture.image and capture.on_device
    entry = MoodEntry.objects.get(owner=alice)
    assert (entry.capture_id, entry.emotion, entry.source) == (capture.pk, "happy", "camera")
    assert refreshed == [(alice.pk, "happy")]
    assert alice_api.get(body["url"]).json()["faces"] == body["faces"]
    assert not engine.is_loaded()  # the web process never built the pipeline for it


def test_the_largest_face_is_primary_and_the_owner_can_pick_another(alice_api):
    small = {"box": {"x": 10, "y": 10, "w": 40, "h": 50}, "probabilities": probabilities("sad", 0.9)}
    large = {"box": {"x": 300, "y": 100, "w": 140, "h": 160}, "probabilities": probabilities("surprise", 0.7)}
    body = alice_api.post(URL, reading(faces=[small, large]), format="json").json()
    assert [f["emotion"] for f in body["faces"] if f["is_primary"]] == ["surprise"]
    other = next(f for f in body["faces"] if not f["is_primary"])
    picked = alice_api.post(f"/api/captures/{body['id']}/primary/", {"face": other["id"]}, format="json")
    assert picked.status_code == 200 and picked.json()["mood"]["emotion"] == "sad"


def test_a_reading_without_a_face_is_a_done_capture_with_the_hint(alice, alice_api):
    body = alice_api.post(URL, reading(faces=[]), format="json").json()
    assert body["status"] == "done" and body["error_code"] == "no_face" and body["faces"] == []
    assert not MoodEntry.objects.filter(owner=alice).exists()


def test_a_stranger_cannot_read_a_device_capture(alice_api, bob_api):
    body = alice_api.post(URL, reading(), format="json").json()
    assert bob_api.get(body["url"]).status_code == 404
    assert bob_api.post(f"/api/captures/{body['id']}/primary/", {"face": body["faces"][0]["id"]},
                        format="json").status_code == 404
    assert bob_api.get("/api/moods/").json()["count"] == 0


def test_anonymous_and_unconsented_people_are_refused(client, alice, alice_api, db):
    assert client.post(URL, reading(), content_type="application/json").status_code in (401, 403)
    alice.face_analysis_consent_at = None
    alice.save()
    response = alice_api.post(URL, reading(), format="json")
    assert response.status_code == 403 and response.json()["code"] == "consent_required"


@pytest.mark.parametrize(("change", "field"), [
    ({"faces": [{"box": {"x": 0, "y": 0, "w": 10, "h": 10}, "probabilities": {**probabilities(), "happy": 0.9}}]},
     "faces"),
    ({"faces": [{"box": {"x": 0, "y": 0, "w": 10, "h": 10},
                 "probabilities": {e: 1 / 6 for e in EMOTIONS if e != "fear"}}]}, "faces"),
    ({"faces": [{"box": {"x": 0, "y": 0, "w": 10, "h": 10},
                 "probabilities": {**probabilities("happy", 1.0), "sad": -0.0}, "detector_score": 2}]}, "faces"),
    ({"faces": [{"box": {"x": 600, "y": 0, "w": 50, "h": 50}, "probabilities": probabilities()}]}, "faces"),
    ({"faces": [{"box": {"x": -5, "y": 0, "w": 50, "h": 50}, "probabilities": probabilities()}]}, "faces"),
    ({"faces": [{"box": {"x": 0, "y": 400, "w": 50, "h": 81}, "probabilities": probabilities()}]}, "faces"),
    ({"on_device": False}, "on_device"),
    ({"width": 0}, "width"),
    ({"timings": {"detect": -1, "classify": 1}}, "timings"),
    ({"source": "satellite"}, "source"),
])
def test_invalid_readings_are_a_400_that_names_the_field_and_store_nothing(alice, alice_api, change, field):
    response = alice_api.post(URL, reading(**change), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["fields"] and body["detail"]
    assert not Capture.objects.filter(owner=alice).exists()


def test_probabilities_must_sum_to_one_within_a_thousandth(alice_api):
    almost = probabilities()
    almost["neutral"] += 0.0009
    assert alice_api.post(URL, reading(faces=[{"box": {"x": 0, "y": 0, "w": 9, "h": 9},
                                               "probabilities": almost}]), format="json").status_code == 201
    almost["neutral"] += 0.0003
    response = alice_api.post(URL, reading(faces=[{"box": {"x": 0, "y": 0, "w": 9, "h": 9},
                                                   "probabilities": almost}]), format="json")
    assert response.status_code == 400 and "sum to 1" in response.json()["detail"]


def test_an_unknown_model_version_is_refused_with_a_reload_hint(alice, alice_api):
    response = alice_api.post(URL, reading(model_version="emotion-00000000+yunet"), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_model_version" and "Reload" in response.json()["detail"]
    assert not Capture.objects.filter(owner=alice).exists()


def test_a_picture_is_not_accepted_here(alice, alice_api):
    response = alice_api.post(URL, {"image": "x"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Capture.objects.filter(owner=alice).exists()


def test_the_schema_documents_the_device_endpoint(alice_api):
    schema = alice_api.get(reverse("schema"), {"format": "json"}).json()
    operation = schema["paths"][URL]["post"]
    assert set(operation["responses"]) >= {"201", "400", "403"}
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][request]["properties"]
    assert {"faces", "width", "height", "model_version", "on_device", "timings"} <= set(properties)
    assert "image" not in properties
