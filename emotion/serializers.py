from rest_framework import serializers

from emotion.models import EMOTION_CHOICES, Capture, FaceReading, MoodEntry


class FaceReadingSerializer(serializers.ModelSerializer):
    box = serializers.SerializerMethodField()

    class Meta:
        model = FaceReading
        fields = ["id", "box", "emotion", "confidence", "probabilities", "is_primary"]

    def get_box(self, reading: FaceReading) -> dict[str, int]:
        return {"x": reading.x, "y": reading.y, "w": reading.w, "h": reading.h}


class MoodEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = MoodEntry
        fields = ["id", "emotion", "confidence", "source", "capture", "created_at", "model_emotion", "corrected_at"]
        read_only_fields = ["confidence", "source", "capture", "created_at", "model_emotion", "corrected_at"]


class CaptureSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="emotion:api-capture-detail")
    faces = FaceReadingSerializer(source="readings", many=True, read_only=True)
    mood = MoodEntrySerializer(read_only=True)
    message = serializers.CharField(source="error_message", read_only=True)

    class Meta:
        model = Capture
        fields = ["id", "url", "status", "source", "width", "height", "created_at", "analysed_at", "error_code",
                  "message", "model_version", "timings", "faces", "mood"]


class CaptureUploadSerializer(serializers.Serializer):
    image = serializers.FileField(required=False, allow_empty_file=True)
    source = serializers.ChoiceField(choices=Capture.Source.choices, default=Capture.Source.WEBCAM)


class PickFaceSerializer(serializers.Serializer):
    face = serializers.IntegerField()


class ManualMoodSerializer(serializers.Serializer):
    emotion = serializers.ChoiceField(choices=EMOTION_CHOICES)
