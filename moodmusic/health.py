"""``/health/``: whether each part the platform needs answers, as JSON (django-health-check).

Database, cache and media storage always; with a broker (not in-process tasks) also Redis and
whether a Celery worker answers a ping. 200 when everything is OK, 500 with the failing parts named.
"""

import dataclasses
from datetime import timedelta

from django.conf import settings
from django.http import JsonResponse
from health_check.checks import Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from redis.asyncio import Redis as AsyncRedis

from moodmusic.storage import STORAGE_ERRORS, storage_fault


@dataclasses.dataclass
class MediaStorage(Storage):
    """Writes, reads and deletes a file in the pictures' storage; a failure is named in words ("the media
    disk is full", "the bucket does not exist"), not django-health-check's "Unknown Error"."""

    def run(self) -> None:
        try:
            super().run()
        except STORAGE_ERRORS as exc:
            raise ServiceUnavailable(storage_fault(exc).cause) from exc


def configured_checks() -> list:
    checks: list = [
        "health_check.checks.Database",
        "health_check.checks.Cache",
        MediaStorage,
    ]
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return checks  # tasks run inside the web process: there is no broker or worker to ask
    broker = settings.CELERY_BROKER_URL
    if broker.startswith(("redis://", "rediss://", "unix://")):
        checks.append(("health_check.contrib.redis.Redis", {"client_factory": lambda: AsyncRedis.from_url(broker)}))
    checks.append(("health_check.contrib.celery.Ping",
                   {"limit": 1, "timeout": timedelta(seconds=settings.HEALTH_WORKER_TIMEOUT)}))
    return checks


# Names an operator reads in the JSON, by check class.
PART_NAMES = {"Database": "database", "Cache": "cache", "MediaStorage": "media_storage", "Redis": "broker",
              "Ping": "worker"}


class HealthView(HealthCheckView):
    """JSON unless the client asks for another format (``?format=text``, an Accept header)."""

    def get_checks(self):
        self.checks = configured_checks()
        return super().get_checks()

    async def get(self, request, *args, **kwargs):
        if "format" not in request.GET and request.headers.get("Accept", "*/*") in ("*/*", ""):
            request.GET = request.GET.copy()
            request.GET["format"] = "json"
        return await super().get(request, *args, **kwargs)

    def render_to_response_json(self, status):
        parts = {PART_NAMES.get(type(r.check).__name__, repr(r.check)): "ok" if not r.error else str(r.error)
                 for r in self.results}
        return JsonResponse({"status": "ok" if status == 200 else "error", "checks": parts}, status=status)
