from typing import Any

from accounts.models import User
from emotion.models import Capture, FaceReading, LiveSession, MoodEntry

PROFILE_FIELDS = ("username", "email", "display_name", "keep_captures", "private_mode", "date_joined",
                  "last_login", "face_analysis_consent_at")
CAPTURE_FIELDS = (
    "id",
    "status",
    "source",
    "keep_image",
    "on_device",
    "width",
    "height",
    "error_code",
    "error_message",
    "model_version",
    "timings",
    "created_at",
    "analysed_at",
    "live_session_id",
    "held_emotion",
)
READING_FIELDS = ("x", "y", "w", "h", "detector_score", "emotion", "confidence", "probabilities", "is_primary")
LIVE_SESSION_FIELDS = ("id", "started_at", "stopped_at", "held_emotion", "readings", "entries")
MOOD_FIELDS = ("id", "emotion", "confidence", "source", "capture_id", "created_at", "model_emotion", "corrected_at",
               "note")


def user_export_data(*, user: User) -> dict[str, Any]:
    """Everything stored about ``user``, as JSON-ready data. Never secrets: no password hash, no tokens."""
    data = {
        "profile": {field: getattr(user, field) for field in PROFILE_FIELDS},
        "captures": [_capture_data(capture) for capture in user.captures.prefetch_related("readings")],
        "moods": [_fields(entry, MOOD_FIELDS) for entry in MoodEntry.objects.filter(owner=user)],
        "live_sessions": [_fields(session, LIVE_SESSION_FIELDS) for session in user.live_sessions.all()],
    }
    spotify = _spotify_export(user)
    if spotify is not None:
        data["spotify"] = spotify
    return data


def _capture_data(capture: Capture) -> dict[str, Any]:
    data = _fields(capture, CAPTURE_FIELDS)
    data["image"] = capture.image.name or None
    data["readings"] = [_fields(reading, READING_FIELDS) for reading in capture.readings.all()]
    return data


def _fields(obj: Capture | FaceReading | MoodEntry | LiveSession, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _spotify_export(user: User) -> Any:
    # The playlists app is optional from this module's point of view: it owns what it stores.
    try:
        from playlists.selectors import export_user_data
    except ImportError:
        return None
    return export_user_data(user=user)
