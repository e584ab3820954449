"""The Celery application, configured from Django settings (``CELERY_`` namespace)."""

import logging
import os

from celery import Celery, Task
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moodmusic.settings")

app = Celery("moodmusic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["emotion", "playlists"])

log = logging.getLogger(__name__)

# What sending raises when the broker cannot take a message (down, unreachable, timing out).
BROKER_UNAVAILABLE = (OperationalError, ConnectionError, TimeoutError, OSError)


def enqueue(task: Task, args: tuple, **options) -> bool:
    """Send ``task`` with ``args``; False (logged, nothing raised) when the broker cannot take it.

    For work whose record of truth is elsewhere (a queued capture in PostgreSQL, a refresh the next mood
    asks for again), so a broker outage delays it instead of failing the request that asked.
    """
    try:
        task.apply_async(args, **options)
    except BROKER_UNAVAILABLE as exc:
        log.warning("broker unavailable, %s%s not sent: %s", task.name, args, exc)
        return False
    return True
