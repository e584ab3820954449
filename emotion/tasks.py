"""Celery tasks: thin interfaces that take ids and call one service."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from emotion import services
from emotion.models import Capture

log = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CAPTURE_TIME_LIMIT,
    time_limit=settings.CAPTURE_HARD_TIME_LIMIT,
)
def analyse_capture(capture_id: int) -> str:
    """Detect and classify the faces of one capture. Safe to run more than once."""
    try:
        capture = services.capture_analyse(capture_id=capture_id)
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
