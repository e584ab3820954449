import uuid

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from emotion.vision.labels import EMOTIONS

EMOTION_CHOICES = [(name, name.capitalize()) for name in EMOTIONS]
# A mood entry's note ("what was going on"): a line or two, not a diary.
NOTE_MAX_LENGTH = 280


# Where captures' pictures are stored (by day below it); the orphan-file sweep looks nowhere else.
CAPTURE_FILES_DIR = "captures"


def capture_upload_to(capture: "Capture", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{CAPTURE_FILES_DIR}/{timezone.now():%Y/%m/%d}/{uuid.uuid4().hex}.{suffix}"


class LiveSession(models.Model):
    """A run of captures a few seconds apart (the capture page's "Keep reading my mood").

    Its mood is *held*: ``emotion.vision.smoothing`` changes it only once a new reading has held, and the
    history gets an entry when the held mood changes or at most every ``LIVE_SESSION_ENTRY_MINUTES``
    (``services.live_session_record``), not one per picture.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_sessions")
    started_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # The smoother's state between readings (JSON, see emotion.vision.smoothing) and its held mood.
    state = models.JSONField(default=dict, blank=True)
    held_emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES, blank=True)
    readings = models.PositiveIntegerField(default=0)
    entries = models.PositiveIntegerField(default=0)
    last_entry = models.ForeignKey("MoodEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_entry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Live session {self.pk} by {self.owner} ({self.readings} readings)"

    @property
    def is_stopped(self) -> bool:
        return self.stopped_at is not None


class Capture(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        PROCESSING = "processing"
        DONE = "done"
        FAILED = "failed"

    class Source(models.TextChoices):
        WEBCAM = "webcam"
        UPLOAD = "upload"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="captures")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEBCAM)
    image = models.FileField(upload_to=capture_upload_to, blank=True)
    keep_image = models.BooleanField(default=False)
    # Private mode: the browser read the face itself and sent only the result, never a picture.
    on_device = models.BooleanField(default=False)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=32, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    model_version = models.CharField(max_length=64, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When it was last handed to the broker, when a worker last claimed it (status processing) and how
    # many times: the sweeper (services.captures_sweep) decides from these what a lost message left behind.
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    analysed_at = models.DateTimeField(null=True, blank=True)
    # A capture of a live session: the session's held mood after this reading (blank until analysed).
    live_session = models.ForeignKey(LiveSession, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="captures")
    held_emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Capture {self.pk} by {self.owner} ({self.status})"

    @property
    def primary_reading(self) -> "FaceReading | None":
        return next((r for r in self.readings.all() if r.is_primary), None)

    def discard_image(self) -> None:
        """Forget the stored image unless the owner chose to keep it. The file itself is deleted once the
        transaction saving this commits: a worker killed before the commit leaves the capture, picture
        included, for the sweeper to analyse again. A delete the storage refuses then is logged, not raised
        (the result is committed); the hourly orphan sweep removes the file."""
        if self.image and not self.keep_image:
            storage, name = self.image.storage, self.image.name
            self.image = None
            transaction.on_commit(lambda: storage.delete(name), robust=True)

    def fail(self, code: str, message: str) -> None:
        self.status = self.Status.FAILED
        self.error_code, self.error_message = code, message[:300]
        self.analysed_at = timezone.now()
        self.discard_image()
        self.save(update_fields=["status", "error_code", "error_message", "analysed_at", "image"])

    def choose_primary(self, reading: "FaceReading") -> "MoodEntry":
        """Make ``reading`` the face the mood is taken from and update the history entry."""
        with transaction.atomic():
            self.readings.exclude(pk=reading.pk).update(is_primary=False)
            self.readings.filter(pk=reading.pk).update(is_primary=True)
            entry, _ = MoodEntry.objects.update_or_create(
                capture=self,
                # Another face is another reading: a correction made for the old face no longer applies.
                defaults={"owner": self.owner, "emotion": reading.emotion, "confidence": reading.confidence,
                          "source": MoodEntry.Source.CAMERA, "created_at": self.created_at,
                          "model_emotion": "", "corrected_at": None},
            )
        return entry


class FaceReading(models.Model):
    capture = models.ForeignKey(Capture, on_delete=models.CASCADE, related_name="readings")
    x = models.IntegerField()
    y = models.IntegerField()
    w = models.PositiveIntegerField()
    h = models.PositiveIntegerField()
    detector_score = models.FloatField(default=1.0)
    emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES)
    confidence = models.FloatField()
    probabilities = models.JSONField(default=dict)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-w", "id"]

    def __str__(self) -> str:
        return f"{self.emotion} {self.confidence:.0%} at ({self.x}, {self.y}, {self.w}, {self.h})"


class MoodEntry(models.Model):
    class Source(models.TextChoices):
        CAMERA = "camera"
        MANUAL = "manual"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moods")
    emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES)
    confidence = models.FloatField(default=1.0)
    source = models.CharField(max_length=8, choices=Source.choices)
    capture = models.OneToOneField(Capture, null=True, blank=True, on_delete=models.SET_NULL, related_name="mood")
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the person corrected the entry: ``emotion`` is then theirs, this is what was there before
    # (the model's reading for a camera entry).
    model_emotion = models.CharField(max_length=10, choices=EMOTION_CHOICES, blank=True)
    corrected_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=NOTE_MAX_LENGTH, blank=True, help_text="What was going on, in their words.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]
        verbose_name_plural = "mood entries"

    def __str__(self) -> str:
        return f"{self.owner}: {self.emotion} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_corrected(self) -> bool:
        return self.corrected_at is not None

    def correct(self, emotion: str) -> None:
        """Record that the person feels ``emotion``; the first reading is kept in ``model_emotion``.

        Correcting back to what was read first undoes the correction.
        """
        original = self.model_emotion or self.emotion
        if emotion == original:
            self.emotion, self.model_emotion, self.corrected_at = original, "", None
        else:
            self.emotion, self.model_emotion, self.corrected_at = emotion, original, timezone.now()
        self.save(update_fields=["emotion", "model_emotion", "corrected_at"])
