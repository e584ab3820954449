"""Celery tasks: thin interfaces that take ids and call one service."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

from emotion import services
from emotion.models import Capture

log = logging.getLogger(__name__)

# A dropped database connection is the database's fault, not the picture's: the capture is given back and
# the task retried on a new connection, as a lost broker message is re-sent, instead of failing it.
DATABASE_FAULTS = (OperationalError, InterfaceError)
# The same for a picture store that is down for a moment (a missing picture fails the capture at once).
TRANSIENT_FAULTS = (*DATABASE_FAULTS, services.PictureUnreadable)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CAPTURE_TIME_LIMIT,
    time_limit=settings.CAPTURE_HARD_TIME_LIMIT,
    max_retries=settings.CAPTURE_DATABASE_RETRIES,
)
def analyse_capture(self, capture_id: int) -> str:
    """Detect and classify the faces of one capture. Safe to run more than once."""
    try:
        capture = services.capture_analyse(capture_id=capture_id)
    except TRANSIENT_FAULTS as exc:
        source = "picture store" if isinstance(exc, services.PictureUnreadable) else "database"
        log.warning("analysis of capture %s interrupted by the %s (%s); retrying", capture_id, source, exc)
        if source == "database":
            connections.close_all()  # the next query opens a new one
        try:
            services.capture_release(capture_id=capture_id)
        except DATABASE_FAULTS:
            log.warning("capture %s not released; the sweeper re-queues it once its claim is stale", capture_id)
        # Past the retries the capture stays queued (or processing) for the sweeper: never failed for this.
        raise self.retry(exc=exc, countdown=min(30, 2 ** self.request.retries)) from exc
    except SoftTimeLimitExceeded:
        Capture.objects.get(pk=capture_id).fail("timeout", "The analysis took too long. Please try again.")
        return "timeout"
    except Exception:
        log.exception("analysis of capture %s failed", capture_id)
        capture = Capture.objects.filter(pk=capture_id).first()
        if capture:
            capture.fail("internal", "Something went wrong while analysing the picture. Please try again.")
        return "failed"
    return capture.status if capture else "skipped"


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def sweep_captures() -> dict[str, int]:
    """Periodic (Celery beat): send again the captures a lost message or a dead worker left behind."""
    return services.captures_sweep()


@shared_task(ignore_result=True, soft_time_limit=600, time_limit=660)
def sweep_capture_files() -> dict[str, int]:
    """Periodic (Celery beat, hourly): delete pictures that no capture owns, older than an hour."""
    return services.capture_files_sweep()
