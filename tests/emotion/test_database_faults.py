"""A database connection dropped under a request or a task: a 503 to try again, never a 500 or a failed capture.

The connections are really cut (``pg_terminate_backend`` from a second connection), not mocked.
"""

from unittest import mock

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, close_old_connections, connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from emotion import services, tasks
from emotion.models import Capture
from tests.emotion.test_analysis import stored_capture
from tests.images import fixture_bytes


def terminate(pid: int) -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


def drop_this_connection() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    terminate(pid)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def eager_retries():
    """In-process, a retry is run again inside ``apply`` only when errors are not re-raised at once."""
    from worker.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


@pytest.fixture
def token_client(alice) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    return client


def test_connections_are_health_checked_before_reuse():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_a_dropped_connection_under_an_api_request_is_a_503_with_retry_after_then_it_recovers(
        postgres, transactional_db, token_client):
    assert token_client.get("/api/moods/").status_code == 200
    drop_this_connection()

    response = token_client.get("/api/moods/")  # the token lookup meets the dead connection

    assert response.status_code == 503, response.content
    assert response.json()["code"] == "unavailable" and "try again" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    assert token_client.get("/api/moods/").status_code == 200  # the broken connection was not kept


def test_a_dropped_connection_under_a_capture_upload_stores_nothing(postgres, transactional_db, token_client,
                                                                      settings):
    token_client.get("/api/moods/")
    drop_this_connection()
    with mock.patch("emotion.api.CaptureRateThrottle.allow_request", return_value=True):
        response = token_client.post("/api/captures/", {"image": _upload()}, format="multipart")
    assert response.status_code == 503 and response.json()["code"] == "unavailable"
    assert Capture.objects.count() == 0
    assert not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))  # the picture went with the row


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("me.jpg", fixture_bytes("astronaut.png"), "image/jpeg")


def test_a_dropped_connection_under_a_page_is_a_503_page_not_a_500(postgres, transactional_db, alice):
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    assert client.get("/history/").status_code == 200
    drop_this_connection()

    response = client.get("/history/")  # the session lookup in middleware meets the dead connection

    assert response.status_code == 503
    assert b"briefly unavailable" in response.content and response["Retry-After"]


def test_a_health_check_replaces_a_dropped_connection_at_the_next_request(postgres, transactional_db, alice):
    drop_this_connection()
    close_old_connections()  # what request_started (and Celery before a task) does
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_an_analysis_a_dropped_connection_interrupts_is_retried_not_failed(postgres, transactional_db, alice,
                                                                           eager_retries):
    capture = stored_capture(alice, fixture_bytes("astronaut.png"))
    real = services.capture_analyse
    calls = []

    def drop_once(*, capture_id):
        calls.append(capture_id)
        if len(calls) == 1:
            services._claim(capture_id)  # claimed (attempt 1), then the connection goes
            drop_this_connection()
            Capture.objects.get(pk=capture_id)  # raises OperationalError, as a real query would
        return real(capture_id=capture_id)

    with mock.patch.object(services, "capture_analyse", side_effect=drop_once):
        result = tasks.analyse_capture.apply(args=(capture.pk,))

    capture.refresh_from_db()
    assert len(calls) == 2, result.traceback
    assert capture.status == "done", capture.error_message
    assert capture.attempts == 1  # the interrupted try does not count against the picture


def test_a_task_whose_database_stays_down_leaves_the_capture_for_the_sweeper(postgres, transactional_db, alice,
                                                                               eager_retries):
    capture = stored_capture(alice, fixture_bytes("astronaut.png"))
    down = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(services, "capture_analyse", side_effect=down), \
            mock.patch.object(tasks.analyse_capture, "max_retries", 2):
        result = tasks.analyse_capture.apply(args=(capture.pk,))
    assert isinstance(result.result, OperationalError)
    capture.refresh_from_db()
    assert capture.status == "queued" and capture.error_code == ""  # never failed for the database's sake
