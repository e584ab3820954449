"""The OpenAPI schema says what the API does, closely enough for a client generator."""

import pytest
from rest_framework.test import APIClient

from emotion.vision.labels import EMOTIONS


@pytest.fixture
def schema(db) -> dict:
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def component(schema: dict, ref: dict) -> dict:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_upload_is_a_required_binary_file(schema):
    body = schema["paths"]["/api/captures/"]["post"]["requestBody"]
    upload = component(schema, body["content"]["multipart/form-data"]["schema"])
    assert upload["properties"]["image"] == {**upload["properties"]["image"], "type": "string", "format": "binary"}
    assert "image" in upload["required"]


def test_the_mood_list_is_a_page(schema):
    ok = schema["paths"]["/api/moods/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    page = component(schema, ok)
    assert set(page["required"]) == {"count", "next", "previous", "results"}
    assert page["properties"]["results"]["type"] == "array"
    assert page["properties"]["next"]["nullable"] is True


def test_a_captures_mood_may_be_null(schema):
    mood = schema["components"]["schemas"]["Capture"]["properties"]["mood"]
    assert mood["nullable"] is True


@pytest.mark.parametrize("path", ["/api/moods/", "/api/moods/summary/"])
def test_the_period_is_typed_as_dates(schema, path):
    parameters = {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}
    assert parameters["from"] == parameters["to"] == {"type": "string", "format": "date"}


def test_emotions_are_an_enum(schema):
    assert schema["components"]["schemas"]["EmotionEnum"]["enum"] == list(EMOTIONS)
    music = schema["paths"]["/api/music/{emotion}/"]["get"]["parameters"][0]
    assert sorted(music["schema"]["enum"]) == sorted(EMOTIONS)


@pytest.mark.parametrize("path", ["/api/moods/summary/", "/api/music/{emotion}/", "/api/music/import/"])
def test_answers_have_typed_bodies(schema, path):
    ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert component(schema, ok)["properties"]


def test_every_operation_documents_the_error_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "detail"}
    for path, method, operation in operations(schema):
        errors = {code: r for code, r in operation["responses"].items() if code >= "400"}
        assert "401" in errors, (method, path)
        for code, response in errors.items():
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (
                method, path, code)
        if "{" in path:
            assert "404" in errors, (method, path)


def test_the_throttled_upload_documents_429_with_retry_after(schema):
    responses = schema["paths"]["/api/captures/"]["post"]["responses"]
    assert "Retry-After" in responses["429"]["headers"]
    assert {"400", "413", "415", "503"} <= set(responses)


def test_a_mood_patch_needs_an_emotion_or_a_note_as_the_server_does(schema, alice, alice_api):
    body = schema["paths"]["/api/moods/{id}/"]["patch"]["requestBody"]
    assert body["required"] is True
    request = body["content"]["application/json"]["schema"]
    assert request["minProperties"] == 1
    patch = component(schema, request["allOf"][0])
    assert set(patch["properties"]) == {"emotion", "note"} and not patch.get("required")
    from emotion.models import MoodEntry

    entry = MoodEntry.objects.create(owner=alice, emotion="sad", source="manual")
    assert alice_api.patch(f"/api/moods/{entry.pk}/", {}, format="json").status_code == 400
    assert alice_api.patch(f"/api/moods/{entry.pk}/", {"note": "rain"}, format="json").status_code == 200
    assert alice_api.patch(f"/api/moods/{entry.pk}/", {"emotion": "happy"}, format="json").status_code == 200
