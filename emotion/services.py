"""Capture and mood workflows: the only place that creates or analyses captures."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from emotion import engine
from emotion.models import Capture, FaceReading, MoodEntry
from emotion.uploads import check_image
from emotion.vision.pipeline import Analysis, Face, ImageDecodeError
from playlists.services import playlist_refresh_for_mood

log = logging.getLogger(__name__)

NO_FACE_MESSAGE = (
    "No face found. Face the camera in good, even light, about an arm's length away, "
    "and keep your whole face in the picture."
)


def capture_create(*, owner, data: bytes, source: str = Capture.Source.WEBCAM) -> Capture:
    """Validate ``data``, store a queued Capture and enqueue its analysis after commit.

    Raises ``UploadRejected`` before anything is stored. The capture is stored whether or not the
    broker takes the message: PostgreSQL is the record of truth, and the sweeper sends it again.
    """
    checked = check_image(data)
    with transaction.atomic():
        capture = Capture(owner=owner, source=source, keep_image=owner.keep_captures,
                          width=checked.width, height=checked.height)
        capture.image.save(f"capture.{checked.extension}", ContentFile(checked.data), save=False)
        capture.save()
        transaction.on_commit(lambda: capture_enqueue(capture_id=capture.pk))
    return capture


def capture_record_device(*, owner, width: int, height: int, faces: list[Face], model_version: str,
                          timings: dict[str, float], source: str = Capture.Source.WEBCAM) -> Capture:
    """Record a reading the browser made itself (private mode): a capture without a picture, marked
    ``on_device``, whose faces, mood and music are recorded as a worker's reading is (``_record``).

    The caller has checked the faces (probabilities, boxes inside the frame) and the model version."""
    analysis = Analysis(width, height, sorted(faces, key=lambda f: f.box.area, reverse=True), timings)
    with transaction.atomic():
        capture = Capture.objects.create(owner=owner, source=source, on_device=True, status=Capture.Status.PROCESSING,
                                         width=width, height=height, claimed_at=timezone.now())
        return _record(capture, analysis, model_version)


def capture_enqueue(*, capture_id: int) -> bool:
    """Hand a capture to the broker; False when the broker cannot take it (the sweeper sends it later)."""
    from emotion.tasks import analyse_capture
    from worker.celery import enqueue

    Capture.objects.filter(pk=capture_id).update(sent_at=timezone.now())
    return enqueue(analyse_capture, (capture_id,))


def _stale_claim_age() -> timedelta:
    """A capture processing for longer than this lost its worker: the hard time limit would have ended it."""
    return timedelta(seconds=settings.CAPTURE_HARD_TIME_LIMIT + settings.CAPTURE_REQUEUE_AFTER)


def _claim(capture_id: int) -> Capture | None:
    """Move a queued (or abandoned) capture to processing; None if it is finished or another worker has it."""
    with transaction.atomic():
        capture = Capture.objects.select_for_update().select_related("owner").filter(pk=capture_id).first()
        if capture is None or capture.status in (Capture.Status.DONE, Capture.Status.FAILED):
            return None
        now = timezone.now()
        if (capture.status == Capture.Status.PROCESSING and capture.claimed_at
                and now - capture.claimed_at < _stale_claim_age()):
            return None  # a duplicate message: a live worker is analysing it right now
        capture.status, capture.claimed_at, capture.attempts = Capture.Status.PROCESSING, now, capture.attempts + 1
        capture.save(update_fields=["status", "claimed_at", "attempts"])
        return capture


def captures_sweep(*, now=None) -> dict[str, int]:
    """Send again what a lost message or a dead worker left behind, so every capture ends done or failed.

    Queued captures not sent for ``CAPTURE_REQUEUE_AFTER`` seconds are sent again; processing ones whose
    worker is gone (claimed longer ago than the hard time limit allows) are queued again, or failed after
    ``CAPTURE_MAX_ATTEMPTS`` tries so that a picture that kills workers cannot loop for ever.
    """
    now = now or timezone.now()
    waited = now - timedelta(seconds=settings.CAPTURE_REQUEUE_AFTER)
    abandoned = Capture.objects.filter(status=Capture.Status.PROCESSING, claimed_at__lt=now - _stale_claim_age())
    counts = {"resent": 0, "recovered": 0, "failed": 0}
    for capture in abandoned.filter(attempts__gte=settings.CAPTURE_MAX_ATTEMPTS):
        capture.fail("internal", "The analysis kept failing. Please try another picture.")
        counts["failed"] += 1
    counts["recovered"] = abandoned.update(status=Capture.Status.QUEUED)
    lost = Capture.objects.filter(status=Capture.Status.QUEUED).filter(
        models.Q(sent_at__lt=waited) | models.Q(sent_at__isnull=True, created_at__lt=waited))
    for capture_id in lost.order_by("created_at").values_list("pk", flat=True)[: settings.CAPTURE_SWEEP_BATCH]:
        counts["resent"] += capture_enqueue(capture_id=capture_id)
    if any(counts.values()):
        log.info("capture sweep: %s", counts)
    return counts


def capture_analyse(*, capture_id: int) -> Capture | None:
    """Run the vision pipeline on a capture and record its readings and mood.

    Idempotent: a finished capture is left as it is, and an interrupted one is redone
    from scratch, so running it twice leaves one result.
    """
    capture = _claim(capture_id)
    if capture is None:
        return None
    if not capture.image:
        capture.fail("image_missing", "The image was no longer available for analysis.")
        return capture
    try:
        with capture.image.open("rb") as f:
            data = f.read()
        pipeline = engine.get_pipeline()
        analysis = pipeline.analyse_bytes(data)
    except ImageDecodeError:
        capture.fail("corrupt", "The image could not be decoded. Take the picture again.")
        return capture
    except FileNotFoundError:
        capture.fail("image_missing", "The image was no longer available for analysis.")
        return capture
    return _record(capture, analysis, pipeline.version)


def _record(capture: Capture, analysis: Analysis, model_version: str) -> Capture:
    t0 = time.perf_counter()
    with transaction.atomic():
        capture.readings.all().delete()
        readings = FaceReading.objects.bulk_create(
            FaceReading(capture=capture, x=f.box.x, y=f.box.y, w=f.box.w, h=f.box.h, detector_score=f.box.score,
                        emotion=f.emotion, confidence=f.confidence, probabilities=f.as_dict()["probabilities"],
                        is_primary=(i == 0))
            for i, f in enumerate(analysis.faces)
        )
        capture.status = Capture.Status.DONE
        capture.error_code, capture.error_message = ("no_face", NO_FACE_MESSAGE) if not readings else ("", "")
        capture.model_version = model_version
        capture.analysed_at = timezone.now()
        capture.timings = {**analysis.timings_ms, "store": round((time.perf_counter() - t0) * 1000, 2)}
        capture.discard_image()
        capture.save(update_fields=["status", "error_code", "error_message", "model_version", "analysed_at",
                                    "timings", "image"])
        if readings:
            entry = capture.choose_primary(readings[0])
            playlist_refresh_for_mood(user=capture.owner, emotion=entry.emotion)
    return capture


def capture_pick_face(*, capture: Capture, reading_id: int) -> MoodEntry:
    """Let the owner say which detected face is theirs; the mood follows that face."""
    reading = capture.readings.get(pk=reading_id)
    entry = capture.choose_primary(reading)
    playlist_refresh_for_mood(user=capture.owner, emotion=entry.emotion)
    return entry


def mood_create_manual(*, owner, emotion: str) -> MoodEntry:
    """Record a mood the person picked by hand."""
    with transaction.atomic():
        entry = MoodEntry.objects.create(owner=owner, emotion=emotion, confidence=1.0, source=MoodEntry.Source.MANUAL)
        playlist_refresh_for_mood(user=owner, emotion=emotion)
    return entry


def mood_correct(*, entry: MoodEntry, emotion: str) -> MoodEntry:
    """The person says they feel ``emotion``: keep the model's reading beside it, and the music follows."""
    with transaction.atomic():
        entry.correct(emotion)
        playlist_refresh_for_mood(user=entry.owner, emotion=entry.emotion)
    return entry


def capture_reanalyse(*, capture: Capture) -> bool:
    """Queue a kept capture for analysis again (admin action). False when no image is kept."""
    if not capture.image:
        return False
    Capture.objects.filter(pk=capture.pk).update(status=Capture.Status.QUEUED, error_code="", error_message="",
                                                 attempts=0)
    transaction.on_commit(lambda: capture_enqueue(capture_id=capture.pk))
    return True
