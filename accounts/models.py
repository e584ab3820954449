from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A MoodMusic user. Custom from the first migration so fields can be added freely."""

    email = models.EmailField("email address", blank=True)
    display_name = models.CharField(max_length=80, blank=True)
    keep_captures = models.BooleanField(
        default=False, help_text="Keep captured images after analysis (otherwise they are deleted)."
    )
    private_mode = models.BooleanField(
        default=False, help_text="Read the face in the browser by default; only the result is sent, never the picture."
    )
    face_analysis_consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person agreed that their face in captures is analysed."
    )

    def __str__(self) -> str:
        return self.display_name or self.username
