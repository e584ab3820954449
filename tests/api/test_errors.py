"""Every /api/ failure answers JSON {"code", "detail"}, whoever asks and whatever went wrong."""

import pytest
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from emotion import selectors
from emotion.models import MoodEntry


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert len(body["detail"]) > 5
    return body


def test_missing_credentials_are_a_401_that_says_how_to_authenticate(db):
    for response in (APIClient().get("/api/moods/"), APIClient().post("/api/captures/"),
                     APIClient().get("/api/music/happy/")):
        assert_error(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_a_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/moods/summary/")
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"


def test_a_good_token_is_accepted(alice):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    assert client.get("/api/moods/").status_code == 200


def test_invalid_input_is_a_sentence_and_a_message_per_field(alice_api):
    body = assert_error(alice_api.post("/api/moods/", {"emotion": "hangry"}, format="json"), 400, "invalid")
    assert body["detail"].startswith("emotion: ") and "hangry" in body["detail"]
    assert list(body["fields"]) == ["emotion"]
    assert MoodEntry.objects.count() == 0


def test_a_missing_field_is_named(alice_api):
    body = assert_error(alice_api.post("/api/moods/", {}, format="json"), 400, "invalid")
    assert body["fields"] == {"emotion": ["This field is required."]}


def test_unreadable_json_is_a_parse_error(alice_api):
    response = alice_api.post("/api/moods/", data="{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_an_unsupported_media_type_is_a_415(alice_api):
    response = alice_api.post("/api/moods/", data="emotion: sad", content_type="text/yaml")
    assert_error(response, 415, "unsupported_media_type")


def test_a_wrong_method_is_a_405(alice_api):
    assert_error(alice_api.put("/api/moods/summary/"), 405, "method_not_allowed")


def test_too_many_captures_are_a_429_with_retry_after(alice_api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "captures": "1/min"}}
    cache.clear()
    alice_api.post("/api/captures/", {}, format="multipart")
    response = alice_api.post("/api/captures/", {}, format="multipart")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize("path", ["/api/moods/-1/", "/api/captures/null,null/", "/api/moods/99999999/",
                                  "/api/no-such-thing/"])
def test_unknown_paths_and_ids_are_a_json_404(alice_api, path):
    assert_error(alice_api.get(path), 404, "not_found")


def test_picking_a_face_of_an_unknown_capture_is_a_json_404(alice_api):
    assert_error(alice_api.post("/api/captures/99999999/primary/", {"face": 1}, format="json"), 404, "not_found")


def test_a_page_past_the_end_is_a_json_404(alice_api):
    assert_error(alice_api.get("/api/moods/?page=9"), 404, "not_found")


def test_unknown_ids_are_a_json_404_for_nobody_signed_in_too(db):
    assert_error(APIClient().get("/api/moods/-1/"), 404, "not_found")


def test_a_stranger_gets_the_same_404_as_for_a_missing_entry(alice, alice_api, bob_api):
    entry = MoodEntry.objects.create(owner=alice, emotion="sad", source="manual")
    assert alice_api.get(f"/api/moods/{entry.pk}/").json()["emotion"] == "sad"
    assert bob_api.get(f"/api/moods/{entry.pk}/").json() == {"code": "not_found", "detail": "Not found."}
    assert bob_api.delete(f"/api/moods/{entry.pk}/").json() == {"code": "not_found", "detail": "Not found."}
    assert MoodEntry.objects.filter(pk=entry.pk).exists()


def test_an_oversized_body_is_a_json_413(alice_api):
    body = b'{"emotion": "' + b"x" * (13 * 1024 * 1024) + b'"}'
    assert_error(alice_api.post("/api/moods/", data=body, content_type="application/json"), 413, "too_large")


def test_an_oversized_form_field_is_a_json_413(alice_api):
    response = alice_api.post("/api/captures/", {"image": "x" * (13 * 1024 * 1024)}, format="multipart")
    assert_error(response, 413, "too_large")


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01", "from=9999-12-31"])
@pytest.mark.parametrize("path", ["/api/moods/", "/api/moods/summary/"])
def test_dates_at_the_ends_of_the_calendar_are_a_400_not_a_crash(alice_api, path, query):
    body = assert_error(alice_api.get(f"{path}?{query}"), 400, "invalid")
    assert "between" in body["detail"]


@pytest.mark.parametrize("query", ["to=", "from=2026-02-30", "from=yesterday"])
def test_a_period_end_that_is_not_a_date_is_a_400(alice_api, query):
    body = assert_error(alice_api.get(f"/api/moods/summary/?{query}"), 400, "invalid")
    assert "YYYY-MM-DD" in body["detail"]


def test_the_last_and_first_usable_days_are_accepted(alice, alice_api):
    MoodEntry.objects.create(owner=alice, emotion="sad", source="manual")
    assert alice_api.get("/api/moods/?from=0001-01-02&to=9999-12-30").json()["count"] == 1
    assert alice_api.get("/api/moods/summary/?from=0001-01-02&to=9999-12-30").json()["total"] == 1


@pytest.fixture
def crash_summary(monkeypatch):
    def crash_with(exc: Exception) -> None:
        def fail(*args, **kwargs):
            raise exc
        monkeypatch.setattr(selectors, "mood_summary", fail)
    return crash_with


@pytest.fixture
def alice_api_unraised(alice) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(alice)
    return client


def test_an_unexpected_error_is_a_json_500(alice_api_unraised, crash_summary, caplog):
    crash_summary(RuntimeError("boom"))
    body = assert_error(alice_api_unraised.get("/api/moods/summary/"), 500, "server_error")
    assert "boom" not in body["detail"]
    assert any(record.exc_info for record in caplog.records if record.name == "django.request")


def test_a_redis_outage_is_a_json_503(alice_api, crash_summary):
    crash_summary(RedisConnectionError("Connection refused"))
    assert_error(alice_api.get("/api/moods/summary/"), 503, "unavailable")


def test_pages_outside_the_api_keep_their_html_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
