"""/health/ tells an operator, as JSON, whether each part answers."""

from django.test import Client


def test_health_reports_each_part_as_json_to_anyone(db):
    response = Client().get("/health/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok",
                               "checks": {"database": "ok", "cache": "ok", "media_storage": "ok"}}


def test_health_names_the_part_that_fails(db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}

    response = Client().get("/health/")

    assert response.status_code == 500
    body = response.json()
    assert body["status"] == "error" and body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] != "ok"


def test_with_a_broker_health_also_asks_for_the_broker_and_a_worker(settings):
    from moodmusic.health import configured_checks

    settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL = False, "redis://127.0.0.1:6379/0"
    names = [c[0] if isinstance(c, tuple) else c for c in configured_checks()]
    assert names[-2:] == ["health_check.contrib.redis.Redis", "health_check.contrib.celery.Ping"]
