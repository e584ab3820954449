from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from emotion.models import EMOTION_CHOICES, NOTE_MAX_LENGTH, Capture, FaceReading, LiveSession, MoodEntry
from emotion.vision.labels import EMOTIONS

PROBABILITY_SUM_TOLERANCE = 1e-3
MAX_DEVICE_FACES = 20


class FaceReadingSerializer(serializers.ModelSerializer):
    box = serializers.SerializerMethodField()
    probabilities = serializers.DictField(child=serializers.FloatField(), read_only=True,
                                          help_text="The seven emotions, each with its probability.")

    class Meta:
        model = FaceReading
        fields = ["id", "box", "emotion", "confidence", "probabilities", "is_primary"]

    def get_box(self, reading: FaceReading) -> dict[str, int]:
        return {"x": reading.x, "y": reading.y, "w": reading.w, "h": reading.h}


class MoodEntrySerializer(serializers.ModelSerializer):
    # Declared because DRF drops allow_blank from read-only model fields, and the schema would then refuse "".
    model_emotion = serializers.ChoiceField(choices=EMOTION_CHOICES, allow_blank=True, read_only=True,
                                            help_text="What the model read, when the person corrected it; else empty.")

    class Meta:
        model = MoodEntry
        fields = ["id", "emotion", "confidence", "source", "capture", "created_at", "model_emotion", "corrected_at",
                  "note"]
        read_only_fields = ["confidence", "source", "capture", "created_at", "model_emotion", "corrected_at"]


class LiveSessionSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="emotion:api-live-session-detail")
    held_emotion = serializers.ChoiceField(choices=EMOTION_CHOICES, allow_blank=True, read_only=True,
                                           help_text="The held mood: it changes once a new reading has held "
                                                     "(2 of the last 3 readings); empty before the first.")
    last_entry = MoodEntrySerializer(read_only=True, allow_null=True,
                                     help_text="The session's latest history entry, the one the music follows.")

    class Meta:
        model = LiveSession
        fields = ["id", "url", "started_at", "stopped_at", "held_emotion", "readings", "entries", "last_entry"]
        read_only_fields = fields


class CaptureLiveSerializer(serializers.Serializer):
    """What a live session's capture adds: the held mood after this reading."""

    session = serializers.IntegerField(source="live_session_id")
    held_emotion = serializers.ChoiceField(choices=EMOTION_CHOICES, allow_blank=True,
                                           help_text="The session's held mood after this reading; empty until "
                                                     "analysed or when no face was found.")
    readings = serializers.IntegerField(source="live_session.readings",
                                        help_text="Faces read in the session so far.")
    entry = MoodEntrySerializer(source="live_session.last_entry", allow_null=True,
                                help_text="The session's latest history entry (the held mood's).")


class CaptureSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="emotion:api-capture-detail")
    faces = FaceReadingSerializer(source="readings", many=True, read_only=True)
    mood = MoodEntrySerializer(read_only=True, allow_null=True,
                               help_text="null until the capture is analysed, and for a live session's capture "
                                         "that did not change the held mood (see live.entry).")
    message = serializers.CharField(source="error_message", read_only=True)
    live = serializers.SerializerMethodField(help_text="null unless the capture belongs to a live session.")

    class Meta:
        model = Capture
        fields = ["id", "url", "status", "source", "on_device", "width", "height", "created_at", "analysed_at",
                  "error_code", "message", "model_version", "timings", "faces", "mood", "live"]

    @extend_schema_field(CaptureLiveSerializer(allow_null=True))
    def get_live(self, capture: Capture) -> dict | None:
        return CaptureLiveSerializer(capture).data if capture.live_session_id else None


class CaptureUploadSerializer(serializers.Serializer):
    image = serializers.FileField(allow_empty_file=True, help_text="One JPEG or PNG still frame.")
    source = serializers.ChoiceField(choices=Capture.Source.choices, default=Capture.Source.WEBCAM)
    live_session = serializers.IntegerField(required=False, help_text="A live session of yours (POST "
                                            "/api/live-sessions/): the capture is read into its held mood.")


class PickFaceSerializer(serializers.Serializer):
    face = serializers.IntegerField()


class ManualMoodSerializer(serializers.Serializer):
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES)


class NoteField(serializers.CharField):
    """Text only: DRF's CharField would turn a number into its digits, which the schema says is refused."""

    def to_internal_value(self, data) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class MoodPatchSerializer(serializers.Serializer):
    """PATCH of a mood entry: a corrected emotion, a note, or both (at least one)."""

    min_properties = 1

    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES, required=False,
                                      help_text="How the person felt instead; the first reading is kept.")
    note = NoteField(max_length=NOTE_MAX_LENGTH, allow_blank=True, required=False, trim_whitespace=True,
                                 help_text=f"What was going on (up to {NOTE_MAX_LENGTH} characters); empty clears it.")


class MoodEntryPageSerializer(serializers.Serializer):
    """One page of the mood history (``PageNumberPagination``), for the schema."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MoodEntrySerializer(many=True)


class EmotionCountsSerializer(serializers.Serializer):
    """How many entries for each of the seven emotions."""

    def get_fields(self) -> dict:
        return {emotion: serializers.IntegerField() for emotion in EMOTIONS}


class DayCountsSerializer(serializers.Serializer):
    date = serializers.DateField()
    counts = EmotionCountsSerializer()


class EmotionChangeSerializer(serializers.Serializer):
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES)
    count = serializers.IntegerField()
    previous = serializers.IntegerField()
    change = serializers.IntegerField()


class MoodChangeSerializer(serializers.Serializer):
    previous_from = serializers.DateField()
    previous_to = serializers.DateField()
    emotions = EmotionChangeSerializer(many=True)


class TimeOfDaySerializer(serializers.Serializer):
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES)
    parts = serializers.ListField(child=serializers.ChoiceField(choices=["morning", "afternoon", "evening", "night"]))
    count = serializers.IntegerField()


class InsightBasisSerializer(serializers.Serializer):
    ready = serializers.BooleanField(help_text="Enough data for patterns: time of day and change are empty until then.")
    entries = serializers.IntegerField()
    days = serializers.IntegerField(help_text="Distinct days with a mood in the period.")
    min_entries = serializers.IntegerField()
    min_days = serializers.IntegerField()


class MoodSummarySerializer(serializers.Serializer):
    """The answer of ``selectors.mood_summary``, for the schema."""

    total = serializers.IntegerField()
    distribution = EmotionCountsSerializer()
    top = serializers.ListField(child=serializers.ChoiceField(choices=EMOTION_CHOICES),
                                help_text="The most frequent emotions (several on a tie, none without entries).")
    timeline = DayCountsSerializer(many=True)
    insight = InsightBasisSerializer()
    change = MoodChangeSerializer(allow_null=True, help_text="Against the period just before; null for an open one, "
                                  "and null while either period holds less than the insight minimum.")
    time_of_day = TimeOfDaySerializer(many=True, help_text="Empty while the period holds less than the minimum.")

    def get_fields(self) -> dict:
        # "from" is a Python keyword, so these two cannot be class attributes.
        period = {"from": serializers.DateField(allow_null=True), "to": serializers.DateField(allow_null=True)}
        return {**period, **super().get_fields()}


class DeviceBoxSerializer(serializers.Serializer):
    x = serializers.IntegerField(min_value=0)
    y = serializers.IntegerField(min_value=0)
    w = serializers.IntegerField(min_value=1)
    h = serializers.IntegerField(min_value=1)


class DeviceProbabilitiesSerializer(serializers.Serializer):
    """The seven emotions, each a probability; together they sum to 1 (within 0.001)."""

    def get_fields(self) -> dict:
        return {emotion: serializers.FloatField(min_value=0, max_value=1) for emotion in EMOTIONS}

    def validate(self, attrs: dict) -> dict:
        if abs(sum(attrs.values()) - 1) > PROBABILITY_SUM_TOLERANCE:
            raise serializers.ValidationError(
                f"The seven probabilities must sum to 1 (within {PROBABILITY_SUM_TOLERANCE}); "
                f"these sum to {sum(attrs.values()):.4f}.")
        return attrs


class DeviceFaceSerializer(serializers.Serializer):
    box = DeviceBoxSerializer(help_text="Where the face is, in pixels of the width x height frame.")
    probabilities = DeviceProbabilitiesSerializer()
    detector_score = serializers.FloatField(min_value=0, max_value=1, default=1.0)


class DeviceTimingsSerializer(serializers.Serializer):
    detect = serializers.FloatField(min_value=0, max_value=60_000, help_text="Face detection in the page, ms.")
    classify = serializers.FloatField(min_value=0, max_value=60_000, help_text="The emotion model in the page, ms.")


class DeviceReadingSerializer(serializers.Serializer):
    """A reading made in the browser (private mode): the result only, never the picture."""

    width = serializers.IntegerField(min_value=1, max_value=20_000, help_text="Width of the frame read, pixels.")
    height = serializers.IntegerField(min_value=1, max_value=20_000, help_text="Height of the frame read, pixels.")
    source = serializers.ChoiceField(choices=Capture.Source.choices, default=Capture.Source.WEBCAM)
    model_version = serializers.CharField(
        max_length=64, help_text="The served model's version, as the capture page names it (private_model_version).")
    on_device = serializers.BooleanField(help_text="Must be true: the face was read on the device.")
    faces = DeviceFaceSerializer(many=True, max_length=MAX_DEVICE_FACES,
                                 help_text="Every face found, any order; empty when none was found.")
    timings = DeviceTimingsSerializer()
    live_session = serializers.IntegerField(required=False, help_text="A live session of yours (POST "
                                            "/api/live-sessions/): the reading goes into its held mood.")

    def validate_on_device(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("Only readings made on the device are sent here; "
                                              "upload a picture to /api/captures/ instead.")
        return value

    def validate(self, attrs: dict) -> dict:
        for i, face in enumerate(attrs["faces"]):
            box = face["box"]
            if box["x"] + box["w"] > attrs["width"] or box["y"] + box["h"] > attrs["height"]:
                raise serializers.ValidationError(
                    {"faces": [f"Face {i + 1}'s box reaches outside the {attrs['width']}x{attrs['height']} frame."]})
        return attrs
