"""Capture and mood workflows: the only place that creates or analyses captures."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.functions import Greatest
from django.utils import timezone

from emotion import engine
from emotion.models import CAPTURE_FILES_DIR, Capture, FaceReading, LiveSession, MoodEntry
from emotion.uploads import UploadRejected, check_image
from emotion.vision.pipeline import Analysis, Face, ImageDecodeError
from emotion.vision.smoothing import held_step
from moodmusic.storage import STORAGE_ERRORS, storage_fault
from playlists.services import playlist_refresh_for_mood

log = logging.getLogger(__name__)

NO_FACE_MESSAGE = (
    "No face found. Face the camera in good, even light, about an arm's length away, "
    "and keep your whole face in the picture."
)


def capture_create(*, owner, data: bytes, source: str = Capture.Source.WEBCAM,
                   live_session: LiveSession | None = None) -> Capture:
    """Validate ``data``, store the picture and a queued Capture, and enqueue its analysis after commit.

    Raises ``UploadRejected`` with nothing stored: for a bad picture (4xx), and for a picture store that is
    full (507) or unreachable (503). Should the row not be saved (database gone), the picture is deleted
    again. The capture is stored whether or not the broker takes the message: PostgreSQL is the record of
    truth, and the sweeper sends it again. A capture of a ``live_session`` (the owner's, not stopped) is read
    into the session's held mood.
    """
    _live_session_open(live_session)
    checked = check_image(data)
    capture = Capture(owner=owner, source=source, keep_image=owner.keep_captures, live_session=live_session,
                      width=checked.width, height=checked.height)
    storage = capture.image.storage
    name = capture.image.field.generate_filename(capture, f"capture.{checked.extension}")
    try:
        name = storage.save(name, ContentFile(checked.data))
    except STORAGE_ERRORS as exc:
        fault = storage_fault(exc)
        log.error("capture picture not stored (%s answered): %s", fault.status, fault.cause, exc_info=exc)
        _picture_forget(storage, name)  # a partial file from a disk that filled up mid-write
        raise UploadRejected(fault.status, fault.code, fault.detail) from exc
    capture.image.name = name
    try:
        with transaction.atomic():
            capture.save()
            # After the commit; should the broker (or the database, for sent_at) fail then, the capture is
            # stored all the same and the sweeper sends it.
            transaction.on_commit(lambda: capture_enqueue(capture_id=capture.pk), robust=True)
    except BaseException:
        _picture_forget(storage, name)
        raise
    return capture


def _picture_forget(storage, name: str) -> None:
    """Best effort: what cannot be deleted now, ``capture_files_sweep`` removes within the hour after."""
    try:
        storage.delete(name)
    except STORAGE_ERRORS:
        log.warning("picture %s not deleted; the orphan sweep will remove it", name, exc_info=True)


def capture_record_device(*, owner, width: int, height: int, faces: list[Face], model_version: str,
                          timings: dict[str, float], source: str = Capture.Source.WEBCAM,
                          live_session: LiveSession | None = None) -> Capture:
    """Record a reading the browser made itself (private mode): a capture without a picture, marked
    ``on_device``, whose faces, mood and music are recorded as a worker's reading is (``_record``).

    The caller has checked the faces (probabilities, boxes inside the frame) and the model version. A
    reading of a ``live_session`` goes into its held mood, as an upload's does."""
    _live_session_open(live_session)
    analysis = Analysis(width, height, sorted(faces, key=lambda f: f.box.area, reverse=True), timings)
    with transaction.atomic():
        capture = Capture.objects.create(owner=owner, source=source, on_device=True, live_session=live_session,
                                         status=Capture.Status.PROCESSING,
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


def capture_release(*, capture_id: int) -> None:
    """Give back a capture whose analysis a database fault interrupted: queued again, that try not counted
    (it says nothing about the picture), so the retry (or the sweeper) claims it at once."""
    Capture.objects.filter(pk=capture_id, status=Capture.Status.PROCESSING).update(
        status=Capture.Status.QUEUED, claimed_at=None, sent_at=timezone.now(),
        attempts=Greatest(models.F("attempts") - 1, 0))


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


def capture_files_sweep(*, older_than: timedelta = timedelta(hours=1), now=None) -> dict[str, int]:
    """Delete pictures under ``captures/`` that no capture owns and that are older than ``older_than``.

    They are what a crash between writing a picture and saving its row, or a delete that failed, left
    behind. Younger files are left alone: their capture may be being saved right now. Works on any storage
    backend (local disk, bucket) through the storage API.
    """
    storage = Capture._meta.get_field("image").storage
    cutoff = (now or timezone.now()) - older_than
    counts = {"checked": 0, "deleted": 0}
    for names in _batches(_stored_files(storage, CAPTURE_FILES_DIR), 500):
        counts["checked"] += len(names)
        owned = set(Capture.objects.filter(image__in=names).values_list("image", flat=True))
        for name in names:
            if name not in owned and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                counts["deleted"] += 1
    if counts["deleted"]:
        log.info("capture file sweep: %s", counts)
    return counts


def _stored_files(storage, directory: str):
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # nothing was ever stored on this disk
        return
    yield from (f"{directory}/{name}" for name in files)
    for sub in directories:
        yield from _stored_files(storage, f"{directory}/{sub}")


def _batches(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class PictureUnreadable(Exception):
    """The picture's storage failed (unreachable, denied, a disk error): the store's fault, not the picture's,
    so the analysis is worth trying again (``tasks.analyse_capture`` does), unlike a missing picture."""


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
    except FileNotFoundError:
        capture.fail("image_missing", "The image was no longer available for analysis.")
        return capture
    except STORAGE_ERRORS as exc:
        raise PictureUnreadable(storage_fault(exc).cause) from exc
    try:
        pipeline = engine.get_pipeline()
        analysis = pipeline.analyse_bytes(data)
    except ImageDecodeError:
        capture.fail("corrupt", "The image could not be decoded. Take the picture again.")
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
        if readings and capture.live_session_id:
            live_session_record(capture=capture, reading=readings[0])
        elif readings:
            entry = capture.choose_primary(readings[0])
            playlist_refresh_for_mood(user=capture.owner, emotion=entry.emotion)
    return capture


def _live_session_open(live_session: LiveSession | None) -> None:
    if live_session is not None and live_session.is_stopped:
        raise UploadRejected(409, "live_session_stopped",
                             "This live session was stopped. Start a new one to keep reading your mood.")


def live_session_start(*, owner) -> LiveSession:
    """Start a live session: captures sent with it share one held mood."""
    return LiveSession.objects.create(owner=owner)


def live_session_stop(*, session: LiveSession) -> LiveSession:
    """Stop a live session; captures sent with it afterwards are refused (409)."""
    if not session.is_stopped:
        session.stopped_at = timezone.now()
        session.save(update_fields=["stopped_at"])
    return session


def live_session_record(*, capture: Capture, reading: FaceReading) -> MoodEntry | None:
    """Read one live capture into its session's held mood (``emotion.vision.smoothing``).

    The history gets an entry only when the held mood changes, or when it has held for
    ``LIVE_SESSION_ENTRY_MINUTES`` since the session's last entry; the music follows those entries.
    The session row is locked, so readings finishing at once on two workers are applied one after the other.
    """
    with transaction.atomic():
        session = LiveSession.objects.select_for_update().get(pk=capture.live_session_id)
        state = held_step(session.state, reading.probabilities)
        held = state["held"]
        due = session.last_entry_at is None or (
            capture.created_at - session.last_entry_at >= timedelta(minutes=settings.LIVE_SESSION_ENTRY_MINUTES))
        entry = None
        if held != session.held_emotion or due:
            entry = MoodEntry.objects.create(
                owner=capture.owner, emotion=held, confidence=float(reading.probabilities.get(held, 0.0)),
                source=MoodEntry.Source.CAMERA, capture=capture, created_at=capture.created_at)
            session.last_entry, session.last_entry_at, session.entries = entry, capture.created_at, session.entries + 1
        session.state, session.held_emotion, session.readings = state, held, session.readings + 1
        session.save(update_fields=["state", "held_emotion", "readings", "last_entry", "last_entry_at", "entries"])
        capture.held_emotion = held
        capture.save(update_fields=["held_emotion"])
        if entry is not None:
            playlist_refresh_for_mood(user=capture.owner, emotion=held)
    return entry


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


def mood_note_set(*, entry: MoodEntry, note: str) -> MoodEntry:
    """Keep the person's words about what was going on with this mood (empty clears them)."""
    entry.note = note.strip()
    entry.save(update_fields=["note"])
    return entry


def capture_reanalyse(*, capture: Capture) -> bool:
    """Queue a kept capture for analysis again (admin action). False when no image is kept."""
    if not capture.image:
        return False
    Capture.objects.filter(pk=capture.pk).update(status=Capture.Status.QUEUED, error_code="", error_message="",
                                                 attempts=0)
    transaction.on_commit(lambda: capture_enqueue(capture_id=capture.pk))
    return True
